"""Loading the library, its version, and the function table against the
public headers."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vmplace
from vmplace import _lib
from vmplace._version import LIBRARY_VERSION

from conftest import SOURCE_DIR

HEADERS = SOURCE_DIR / "include" / "vmplace"
PACKAGE_DIR = Path(vmplace.__file__).resolve().parent


def _declarations():
    """name -> number of parameters, for every VMP_API function of the
    public headers."""
    found = {}
    for header in sorted(HEADERS.glob("*.h")):
        source = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        for m in re.finditer(r"VMP_API\s+[^;(]*?\b(vmp_\w+)\s*\(([^)]*)\)\s*;",
                             source):
            params = m.group(2).strip()
            found[m.group(1)] = 0 if params in ("", "void") else params.count(",") + 1
    return found


def test_library__ctest_tests_this_source_tree_and_this_build():
    if "VMPLACE_CLI" not in os.environ:
        pytest.skip("not run by ctest (the tests may also check an installed "
                    "package)")
    assert PACKAGE_DIR == SOURCE_DIR / "bindings" / "python" / "vmplace"
    assert vmplace.library_path() == os.environ["VMPLACE_LIBRARY"]


def test_library__version_matches_the_package():
    major, minor = LIBRARY_VERSION
    assert vmplace.library_version().startswith(f"{major}.{minor}.")
    assert vmplace.__version__.startswith(f"{major}.{minor}.")
    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    assert re.search(r"project\(vmplace VERSION " + re.escape(vmplace.__version__),
                     cmake), "package and CMake project versions differ"


def test_library__every_declared_function_matches_a_header():
    declared = _declarations()
    for name, (_restype, argtypes) in _lib._FUNCTIONS.items():
        assert name in declared, f"{name} is not in include/vmplace/*.h"
        assert declared[name] == len(argtypes), \
            f"{name}: {declared[name]} parameters in C, {len(argtypes)} declared"


def test_library__every_function_of_the_bound_headers_is_declared():
    # Headers added later (online placement, plans, ...) are bound when they
    # are written; the ones this package covers must stay fully covered.
    bound = {"errors.h", "version.h", "problem.h", "solution.h", "solve.h",
             "rules.h"}
    missing = []
    for header in sorted(HEADERS.glob("*.h")):
        if header.name not in bound:
            continue
        source = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        for m in re.finditer(r"VMP_API\s+[^;(]*?\b(vmp_\w+)\s*\(", source):
            if m.group(1) not in _lib._FUNCTIONS:
                missing.append(m.group(1))
    assert not missing, f"not declared in vmplace/_lib.py: {missing}"


def test_library__has_reports_declared_and_optional_functions():
    assert _lib.lib.has("vmp_solve")
    assert not _lib.lib.has("vmp_no_such_function")


def test_library__a_wrong_version_is_refused():
    with pytest.raises(vmplace.LibraryError,
                       match=r"is libvmplace 0\.1\.\d+; this vmplace package .* "
                             r"needs libvmplace 9\.9\.x"):
        _lib.load_library(_lib.lib.path, expected=(9, 9))


def test_library__a_library_that_is_not_vmplace_is_refused():
    libc = ctypes.util.find_library("c")
    if not libc:
        pytest.skip("no libc to load")
    with pytest.raises(vmplace.LibraryError, match="is not libvmplace"):
        _lib.load_library(libc)


def _import_with(env_value: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, VMPLACE_LIBRARY=env_value,
               PYTHONPATH=str(PACKAGE_DIR.parent))
    return subprocess.run([sys.executable, "-c", "import vmplace"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_library__a_missing_library_fails_the_import_with_what_was_tried():
    done = _import_with("/nonexistent/libvmplace.so")
    assert done.returncode != 0
    assert "vmplace.errors.LibraryError: cannot load libvmplace 0.1" in done.stderr
    assert "/nonexistent/libvmplace.so (VMPLACE_LIBRARY)" in done.stderr


def test_library__features_solvers_and_parameters():
    assert vmplace.has_feature("format.json")
    assert vmplace.has_feature("solver.greedy")
    assert not vmplace.has_feature("solver.no-such-solver")
    names = [s.name for s in vmplace.solvers()]
    assert "auto" in names and "greedy" in names
    assert all(s.summary for s in vmplace.solvers())
    for p in vmplace.parameters():
        assert p.type in ("int", "double", "bool", "string")
        assert "." in p.name and p.doc
    with pytest.raises(TypeError):
        vmplace.has_feature(None)  # type: ignore[arg-type]


def test_library__rule_syntax_check_gives_the_column():
    vmplace.check_rule('vm.labels.pci == "true"')
    with pytest.raises(vmplace.ParseError, match="column 16: expected a value") as info:
        vmplace.check_rule("vm.labels.a == ")
    assert info.value.column == 16
    with pytest.raises(ValueError):
        vmplace.check_rule("vm.labels.a == \0")
