"""Package boundaries: what importing a module loads, and no import cycles.

Each import check runs in a fresh ``python -c`` subprocess, so modules other
tests loaded cannot hide a dependency. The static checks read the import
statements of every module with :mod:`ast`.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hrsnn", "data_loaders")


def loaded_after(statement):
    """Names in ``sys.modules`` after running ``statement`` in a fresh interpreter."""
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    return set(done.stdout.split())


@pytest.mark.parametrize("module", ["data_loaders", "data_loaders.systems",
                                    "data_loaders.digits", "data_loaders.shd",
                                    "data_loaders.hrsnn2000"])
def test_data_loaders_load_neither_hrsnn_nor_numba(module):
    loaded = loaded_after(f"import {module}")
    assert module in loaded
    assert "numba" not in loaded
    assert not any(name == "hrsnn" or name.startswith("hrsnn.") for name in loaded)


def test_plotting_does_not_load_numba():
    assert "numba" not in loaded_after("import hrsnn.plotting")


def test_import_hrsnn_is_light_until_a_name_is_used():
    loaded = loaded_after("import hrsnn, hrsnn.model, hrsnn.network")
    assert "numba" not in loaded and "sklearn" not in loaded
    assert "numba" in loaded_after("from hrsnn import Reservoir")


#: Slow to import and not needed by a reservoir (scikit-learn loads scipy.stats).
HEAVY = ("sklearn", "scipy.stats", "scipy.sparse")


@pytest.mark.parametrize("statement", [
    "from hrsnn import Reservoir",
    ("import numpy as np; from hrsnn import Reservoir; "
     "X = np.random.default_rng(0).uniform(size=(3, 10, 2)); "
     "F = Reservoir(n_neurons=50, random_state=0).fit(X).transform(X); "
     "assert F.shape == (3, 50)"),
], ids=["import", "fit-transform"])
def test_reservoir_needs_neither_sklearn_nor_scipy_stats(statement):
    loaded = loaded_after(statement)
    assert "hrsnn.reservoir" in loaded
    assert [name for name in HEAVY if name in loaded] == []


# ------------------------------------------------------------- static import graph
def module_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def imports_of(name, path, top_level_only):
    """Modules of ``hrsnn``/``data_loaders`` that ``path`` imports.

    With ``top_level_only`` only statements executed at import time count
    (not those inside functions or classes).
    """
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    nodes = (_module_level(tree.body) if top_level_only else ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.module, node.level)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    known = dict(module_files())
    return {m for m in found if m in known and m != name}


def _module_level(body):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from _module_level(getattr(node, field, []) or [])


def _resolve(package, module, level):
    if level == 0:
        return module
    parts = package.split(".")
    base = parts[:len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def import_graph():
    """Module -> modules it imports at import time (a parent package's own
    ``__init__`` is left out: Python runs it before any submodule)."""
    graph = {}
    for name, path in module_files():
        graph[name] = {m for m in imports_of(name, path, top_level_only=True)
                       if not name.startswith(m + ".")}
    return graph


def reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_graph_reader_sees_known_imports():
    graph = import_graph()
    assert "hrsnn.reservoir" in graph["hrsnn.readout._common"]   # a relative "..reservoir"
    assert "hrsnn.readout.central" in graph["hrsnn.readout.sequence"]
    assert "hrsnn._kernels" in reachable(graph, "hrsnn.simulator")


def test_no_import_cycles():
    graph = import_graph()
    cycles = sorted(name for name in graph if name in reachable(graph, name))
    assert cycles == []


def test_data_loaders_never_import_hrsnn():
    """Not even inside a function: the dependency goes one way only."""
    for name, path in module_files():
        if name.startswith("data_loaders"):
            assert not [m for m in imports_of(name, path, top_level_only=False)
                        if m.split(".")[0] == "hrsnn"], name


def test_plotting_imports_nothing_that_simulates():
    """``hrsnn.plotting`` needs only metrics: nothing reaching the kernels or studies."""
    reached = reachable(import_graph(), "hrsnn.plotting")
    assert not [m for m in reached if m.startswith(("hrsnn._kernels", "hrsnn.studies",
                                                     "hrsnn.simulator", "hrsnn.reservoir"))]


def test_studies_package_reexports_its_modules():
    import importlib

    import hrsnn.studies as studies

    for part in ("records", "experiments", "summary", "io", "pruning"):
        module = importlib.import_module(f"hrsnn.studies.{part}")
        for name in module.__all__:
            assert getattr(studies, name) is getattr(module, name), (part, name)
    assert set(studies.__all__) == {n for part in ("records", "experiments", "summary", "io",
                                                   "pruning")
                                    for n in importlib.import_module(
                                        f"hrsnn.studies.{part}").__all__}


def test_study_summaries_and_files_need_no_simulator():
    graph = import_graph()
    for module in ("hrsnn.studies.summary", "hrsnn.studies.io"):
        reached = reachable(graph, module)
        assert not [m for m in reached if m.startswith(("hrsnn.reservoir", "hrsnn._kernels"))]
