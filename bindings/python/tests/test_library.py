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
from vmplace import _lib, _version
from vmplace._version import LIBRARY_VERSION

from conftest import SOURCE_DIR

HEADERS = SOURCE_DIR / "include" / "vmplace"
PACKAGE_DIR = Path(vmplace.__file__).resolve().parent


#: The headers this package binds completely.
BOUND_HEADERS = {"errors.h", "version.h", "problem.h", "solution.h", "explain.h",
                 "solve.h", "rules.h", "plan.h", "history.h", "forecast.h",
                 "utilization.h", "place.h", "reassign.h"}

#: The C types of the bound headers, as _lib declares them.
C_TYPES = {
    "vmp_problem": _lib.ProblemT, "vmp_solution": _lib.SolutionT,
    "vmp_explanation": _lib.ExplanationT, "vmp_params": _lib.ParamsT,
    "vmp_plan": _lib.PlanT, "vmp_history": _lib.HistoryT,
    "vmp_forecast": _lib.ForecastT, "vmp_utilization": _lib.UtilizationT,
    "vmp_alerts": _lib.AlertsT, "vmp_placer": _lib.PlacerT,
    "vmp_progress": _lib.Progress,
    "vmp_solve_opts": _lib.SolveOpts, "vmp_plan_opts": _lib.PlanOpts,
    "vmp_forecast_opts": _lib.ForecastOpts, "vmp_alert_opts": _lib.AlertOpts,
    "vmp_alert_threshold": _lib.AlertThreshold, "vmp_alert": _lib.Alert,
    "vmp_log_fn": _lib.LOG_FN, "vmp_progress_fn": _lib.PROGRESS_FN,
    "int": ctypes.c_int, "unsigned": ctypes.c_uint, "double": ctypes.c_double,
    "size_t": ctypes.c_size_t, "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32, "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
}


def _headers():
    """The public headers, version.h as its template (CMake fills in the
    version; nothing this test reads)."""
    return sorted(list(HEADERS.glob("*.h")) + [HEADERS / "version.h.in"])


def _name(header):
    return header.name[:-3] if header.name.endswith(".h.in") else header.name


def _source(header):
    return re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)


def _ctype(declaration):
    """The ctypes type of a C declaration without its name ("const char *",
    "vmp_plan **"), as _lib must declare it."""
    const = "const" in declaration.split()
    stars = declaration.count("*")
    base = " ".join(w for w in declaration.replace("*", " ").split()
                    if w != "const")
    if base == "void":
        return None if stars == 0 else ctypes.c_void_p
    if base == "char":
        # const char * is a string in; const char ** a borrowed string out;
        # char ** a string the caller frees, kept as a void pointer
        return {1: ctypes.c_char_p,
                2: ctypes.POINTER(ctypes.c_char_p if const else ctypes.c_void_p)
                }[stars]
    result = C_TYPES[base]
    for _ in range(stars):
        result = ctypes.POINTER(result)
    return result


def _split(declaration):
    """(type, name) of "const vmp_problem *p"."""
    m = re.match(r"(.*?)\b(\w+)\s*$", declaration.strip(), re.S)
    return m.group(1).strip(), m.group(2)


def _declarations():
    """name -> (C return type, [C parameter types]) for every VMP_API
    function of the public headers."""
    found = {}
    for header in sorted(_headers()):
        for m in re.finditer(r"VMP_API\s+([^;(]*?)\b(vmp_\w+)\s*\(([^)]*)\)\s*;",
                             _source(header)):
            params = m.group(3).strip()
            types = ([] if params in ("", "void") else
                     [_split(p)[0] for p in params.split(",")])
            found[m.group(2)] = (m.group(1).strip(), types, _name(header))
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
    table = dict(_lib._FUNCTIONS, **_lib._OPTIONAL)
    assert len(table) == len(_lib._FUNCTIONS) + len(_lib._OPTIONAL)
    wrong = []
    for name, (restype, argtypes) in table.items():
        assert name in declared, f"{name} is not in include/vmplace/*.h"
        c_result, c_params, _ = declared[name]
        assert len(c_params) == len(argtypes), \
            f"{name}: {len(c_params)} parameters in C, {len(argtypes)} declared"
        if _ctype(c_result) is not restype:
            wrong.append(f"{name}: returns {c_result}, declared {restype}")
        for k, (c_type, declared_type) in enumerate(zip(c_params, argtypes)):
            if _ctype(c_type) is not declared_type:
                wrong.append(f"{name}: parameter {k + 1} is {c_type}, "
                             f"declared {declared_type}")
    assert not wrong, "\n".join(wrong)


def test_library__every_function_of_the_bound_headers_is_declared():
    declared = _declarations()
    missing = [name for name, (_r, _p, header) in declared.items()
               if header in BOUND_HEADERS
               and name not in _lib._FUNCTIONS and name not in _lib._OPTIONAL]
    assert not missing, f"not declared in vmplace/_lib.py: {missing}"
    for part, functions in _lib._PARTS.items():
        assert part in BOUND_HEADERS
        assert all(declared[name][2] == part for name in functions), part


def _structs():
    """name -> [(C type, field name)] for every struct with fields."""
    found = {}
    for header in sorted(_headers()):
        if _name(header) not in BOUND_HEADERS:
            continue
        for m in re.finditer(r"typedef struct (vmp_\w+)\s*\{(.*?)\}\s*\1\s*;",
                             _source(header), re.S):
            # VMP__NEXT_FIELD is empty outside tests/test_opts_version.c.
            body = m.group(2).replace("VMP__NEXT_FIELD", "")
            found[m.group(1)] = [_split(f) for f in body.split(";")
                                 if f.strip()]
    return found


def test_library__structs_have_the_headers_fields_in_order():
    structs = _structs()
    assert set(structs) == {name for name, t in C_TYPES.items()
                            if isinstance(t, type) and issubclass(t, ctypes.Structure)
                            and getattr(t, "_fields_", None)}
    for name, fields in structs.items():
        mirror = C_TYPES[name]._fields_
        assert [f for _, f in fields] == [f for f, _ in mirror], name
        for (c_type, field), (_, declared) in zip(fields, mirror):
            assert _ctype(c_type) is declared, f"{name}.{field}: {c_type}"


def _constants():
    """Every VMP_ macro and enum constant with a number as its value."""
    values = {}
    for header in sorted(_headers()):
        source = _source(header)
        # "(1 + VMP__NEXT_VERSION)": a struct version (vmplace/common.h).
        for m in re.finditer(r"#define\s+(VMP_\w+)\s+\(?(-?\d+)u?"
                             r"(?: \+ VMP__NEXT_VERSION)?\)?\s*$", source, re.M):
            values[m.group(1)] = int(m.group(2))
        for m in re.finditer(r"\b(VMP_\w+)\s*=\s*(-?\d+)", source):
            values[m.group(1)] = int(m.group(2))
    return values


@pytest.mark.parametrize("struct,init,macro", [
    ("SolveOpts", "vmp_solve_opts_init", "VMP_SOLVE_OPTS_INIT"),
    ("PlanOpts", "vmp_plan_opts_init", "VMP_PLAN_OPTS_INIT"),
    ("ForecastOpts", "vmp_forecast_opts_init", "VMP_FORECAST_OPTS_INIT"),
    ("AlertOpts", "vmp_alert_opts_init", "VMP_ALERT_OPTS_INIT")])
def test_library__option_structs_read_the_init_macro_back(struct, init, macro):
    # The *_init functions fill the struct as the header's INIT macro says:
    # read back field by field, that checks the mirror's layout.
    cls = getattr(_lib, struct)
    headers = "".join(_source(h).replace("\\\n", " ")
                      for h in sorted(_headers()))
    found = re.search(r"#define\s+" + macro + r"\s*\{(.*?)\}", headers, re.S)
    assert found, macro
    values = [v.strip() for v in found.group(1).split(",")]
    opts = cls()
    assert getattr(_lib.lib, init)(ctypes.byref(opts), cls.VERSION) == 0
    constants = _constants()
    assert len(values) == len(cls._fields_)
    for (field, _), value in zip(cls._fields_, values):
        got = getattr(opts, field)
        if value == "NULL":
            assert not got, field
        elif value in constants:
            assert got == constants[value], field
        else:
            assert got == float(value), field


@pytest.mark.parametrize("struct,constant", [
    ("SolveOpts", "VMP_SOLVE_OPTS_VERSION"),
    ("PlanOpts", "VMP_PLAN_OPTS_VERSION"),
    ("ForecastOpts", "VMP_FORECAST_OPTS_VERSION"),
    ("AlertOpts", "VMP_ALERT_OPTS_VERSION"),
    ("Progress", "VMP_PROGRESS_VERSION")])
def test_library__mirrors_pass_the_version_of_the_header(struct, constant):
    assert getattr(_lib, struct).VERSION == _constants()[constant]


def test_library__an_unknown_options_version_is_refused_untouched():
    opts = _lib.SolveOpts()
    opts.time_limit = 123.0
    with pytest.raises(vmplace.InvalidArgumentError,
                       match=r"^vmp_solve_opts_init: solve options: version 7 is "
                             r"unknown; this library knows versions 1\.\.1 "
                             r"\(initialise with vmp_solve_opts_init\)$"):
        _lib.check(_lib.lib.vmp_solve_opts_init(ctypes.byref(opts), 7),
                   "vmp_solve_opts_init")
    assert opts.version == 0 and opts.time_limit == 123.0


def test_library__has_reports_declared_and_optional_functions():
    assert _lib.lib.has("vmp_solve")
    assert not _lib.lib.has("vmp_no_such_function")


def test_library__package_and_library_versions_come_from_cmake():
    cmake = SOURCE_DIR / "CMakeLists.txt"
    major, minor, patch = _version.project_version(cmake)
    assert vmplace.__version__ == f"{major}.{minor}.{patch}"
    assert vmplace.library_version() == vmplace.__version__
    assert _lib.LIBRARY_VERSION == (major, minor)


def test_library__a_wrong_version_is_refused():
    with pytest.raises(vmplace.LibraryError,
                       match=r"is libvmplace 0\.2\.\d+; this vmplace package .* "
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
    assert "vmplace.errors.LibraryError: cannot load libvmplace 0.2" in done.stderr
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
