"""Every optional ingredient, spike for spike against Brian2 (needs a Brian2 Python).

Set ``BRIAN2_PYTHON`` to a Python with Brian2 (``.ci/run`` makes one in
``.brian2-venv`` when it can); without it the test is skipped.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "check_brian2_rich.py"
BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON")


@pytest.mark.slow
@pytest.mark.skipif(not BRIAN2_PYTHON, reason="BRIAN2_PYTHON (a Python with Brian2) not set")
def test_every_ingredient_is_spike_identical_to_brian2():
    run = subprocess.run([sys.executable, str(SCRIPT), "--brian2-python", BRIAN2_PYTHON,
                          "--duration-ms", "500"], capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert '"identical": true' in run.stdout
