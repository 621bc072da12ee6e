"""Shared fixtures.  ctest sets VMPLACE_LIBRARY (the built library),
VMPLACE_CLI (the built command line), VMPLACE_SOURCE_DIR and PYTHONPATH.
Run by hand, the tests use whichever vmplace Python imports (an installed
package, with its library) and compare with build/vmplace when it exists."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

SOURCE_DIR = Path(os.environ.get("VMPLACE_SOURCE_DIR",
                                 Path(__file__).resolve().parents[3]))
EXAMPLES = SOURCE_DIR / "examples"
DATA = SOURCE_DIR / "tests" / "data"
DATACENTER = EXAMPLES / "datacenter.json"

def _find_cli() -> Path:
    if os.environ.get("VMPLACE_CLI"):
        return Path(os.environ["VMPLACE_CLI"])
    return SOURCE_DIR / "build" / "vmplace"


CLI = _find_cli()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Runs the vmplace command line; skips the test when it is not built."""
    if not CLI.exists():
        pytest.skip(f"the vmplace CLI is not built ({CLI})")
    return subprocess.run([str(CLI), *args], capture_output=True, text=True,
                          timeout=120)


def cli_json(*args: str) -> Dict[str, Any]:
    """The JSON a CLI command prints (exit status 0 or 1)."""
    done = run_cli(*args, "--json")
    assert done.returncode in (0, 1), done.stderr
    result: Dict[str, Any] = json.loads(done.stdout)
    return result


def comparable(solution: Dict[str, Any]) -> Dict[str, Any]:
    """Solution JSON without what depends on the clock."""
    solution = dict(solution)
    solution.pop("time_s")
    solution["stats"] = {k: v for k, v in solution["stats"].items()
                         if "seconds" not in k}
    return solution


def problem_examples() -> List[Path]:
    """Every problem file of examples/ (other kinds of files there, such as
    inventories or histories, are not problems)."""
    found = []
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix == ".json":
            with open(path) as f:
                doc = json.load(f)
            if isinstance(doc, dict) and "resources" in doc:
                found.append(path)
    return found


@pytest.fixture
def datacenter():
    """The example datacenter, closed after the test."""
    import vmplace
    with vmplace.Problem.read(DATACENTER) as p:
        yield p


@pytest.fixture
def bins():
    """Three bins of 10 and items 6, 5, 4, 3, 2: optimum 2 bins."""
    import vmplace
    with vmplace.Problem(["size"]) as p:
        for b in ("b1", "b2", "b3"):
            p.add_host(b, {"size": 10})
        for name, size in zip("abcde", (6, 5, 4, 3, 2)):
            p.add_vm(name, {"size": size})
        yield p
