"""Every Python code block of the README runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_python_blocks_and_starts_with_the_two_commands():
    assert len(BLOCKS) >= 3
    first = re.search(r"```bash\n(.*?)```", README.read_text(), re.S).group(1).splitlines()
    assert "python -m hrsnn forecast" in first[0] and "pytest" in first[1]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)              # blocks may write files (checkpoints, figures)
    exec(compile(BLOCKS[index], f"README.md python block {index}", "exec"), {})


ROOT = README.parent
#: Files the README names but that a run creates (results) or that live elsewhere.
CREATED = ("results/", "bo.jsonl", ".brian2-venv", "brian2-venv", "/path/to")
PROJECT_FOLDERS = ("hrsnn", "data_loaders", "examples", "benchmarks", "tests")


def test_readme_points_only_at_files_in_the_repository():
    text = README.read_text()
    assert "shared/" not in text
    named = set(re.findall(r"`([A-Za-z_.][\w./-]*/[\w./-]*|[\w-]+\.(?:py|md|toml|npz|h5))`",
                           text))

    def present(path):
        if "/" in path:
            return (ROOT / path).exists()
        # a bare file name, e.g. an example's: somewhere in the project's own folders
        return any(any((ROOT / folder).glob(f"**/{path}")) for folder in PROJECT_FOLDERS)
    missing = [path for path in named
               if not any(path.startswith(c) or c in path for c in CREATED)
               and not present(path)]
    assert not missing, f"README names files that are not in the repository: {missing}"


def test_the_declared_license_file_exists():
    import tomllib
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert "BSD" in declared["text"]
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
