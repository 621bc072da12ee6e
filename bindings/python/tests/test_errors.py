"""Every error class: its code, its built-in base, and a real call that
raises it with the library's detail message."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import vmplace
from vmplace import errors
from vmplace._lib import lib, text

from conftest import DATACENTER

CLASSES = {
    -1: (vmplace.InvalidArgumentError, ValueError),
    -2: (vmplace.OutOfMemoryError, MemoryError),
    -3: (vmplace.ParseError, ValueError),
    -4: (vmplace.InputOutputError, OSError),
    -5: (vmplace.NotFoundError, KeyError),
    -6: (vmplace.AlreadyExistsError, ValueError),
    -7: (vmplace.RangeError, ValueError),
    -8: (vmplace.NotSupportedError, NotImplementedError),
    -9: (vmplace.SolverError, RuntimeError),
    -10: (vmplace.VirtError, RuntimeError),
    -11: (vmplace.StateError, RuntimeError),
    -12: (vmplace.CanceledError, vmplace.VmplaceError),
    -13: (vmplace.InternalError, RuntimeError),
}


@pytest.mark.parametrize("code", sorted(CLASSES, reverse=True))
def test_errors__each_code_maps_to_its_class(code: int):
    cls, builtin = CLASSES[code]
    exc = errors.error_from_code(code, "detail", text(lib.vmp_err_name(code)))
    assert type(exc) is cls
    assert isinstance(exc, vmplace.VmplaceError) and isinstance(exc, builtin)
    assert exc.code == code and cls.default_code == code
    # the names written in errors.py are the library's
    assert exc.name == cls.default_name == text(lib.vmp_err_name(code))
    assert str(exc) == "detail"            # no KeyError quotes
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is cls and again.code == code and str(again) == "detail"


def test_errors__unknown_codes_give_the_base_class():
    exc = errors.error_from_code(-99, "new", "VMP_ENEW")
    assert type(exc) is vmplace.VmplaceError and exc.code == -99
    assert text(lib.vmp_err_name(-99)) == "VMP_UNKNOWN"


def _raises(cls, fn, *args, **kwargs) -> str:
    with pytest.raises(cls) as info:
        fn(*args, **kwargs)
    assert type(info.value) is cls
    return str(info.value)


def test_errors__real_calls_raise_each_class(tmp_path: Path):
    p = vmplace.Problem(["cpu"])
    assert "must start with a letter" in _raises(
        vmplace.InvalidArgumentError, vmplace.Problem, ["9cpu"])
    assert "line 1" in _raises(vmplace.ParseError, vmplace.Problem.parse, "{")
    msg = _raises(vmplace.InputOutputError, vmplace.Problem.read,
                  tmp_path / "missing.json")
    assert str(tmp_path / "missing.json") in msg
    assert 'unknown solver "simplex-of-doom"' in _raises(
        vmplace.NotFoundError, vmplace.solve, p, solver="simplex-of-doom")
    p.add_host("h1", {"cpu": 4})
    assert 'duplicate host name "h1"' in _raises(
        vmplace.AlreadyExistsError, p.add_host, "h1")
    assert "expected a number >= 0, got -1" in _raises(
        vmplace.RangeError, p.add_host, "h2", {"cpu": -1})
    mvp = tmp_path / "shapes.mvp"
    mvp.write_text("1\n1\n10 1 1\n1\n2 1\n3\n4\n")   # an item with 2 shapes
    assert "shapes.mvp: line" in _raises(vmplace.NotSupportedError,
                                         vmplace.Problem.read, mvp)
    assert "declared before" in _raises(vmplace.StateError, p.add_resource, "mem")
    p.close()
    assert "closed" in _raises(vmplace.ClosedError, p.add_host, "h3")
    # EINVAL from C itself (not from the package's checks): the library's
    # own message comes through
    assert "opts.time_limit is not a number" in _raises(
        vmplace.InvalidArgumentError, vmplace.solve, vmplace.Problem(["cpu"]),
        time_limit=float("nan"))


def test_errors__the_detail_is_read_on_the_failing_thread():
    import threading
    messages = {}

    def fail(name: str) -> None:
        try:
            vmplace.Problem([name])
        except vmplace.InvalidArgumentError as exc:
            messages[name] = str(exc)

    threads = [threading.Thread(target=fail, args=(f"{k}bad",)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(8):
        assert f'"{k}bad"' in messages[f"{k}bad"]


def test_errors__catching_by_builtin_class():
    with pytest.raises(KeyError):
        with vmplace.Problem.read(DATACENTER) as p:
            vmplace.explain(p, "no-such-vm")
    with pytest.raises(ValueError):
        vmplace.Problem(["cpu", "cpu"])
    with pytest.raises(OSError):
        vmplace.Problem.read("/nonexistent/dc.json")
