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
