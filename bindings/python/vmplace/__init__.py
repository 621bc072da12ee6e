"""vmplace: decides where virtual machines should run.

Python bindings (ctypes) to libvmplace.  The essentials::

    import vmplace

    with vmplace.Problem.read("datacenter.json") as problem:
        solution = problem.solve(time_limit=5, seed=1)
        print(solution.status, solution.objective, solution.bound)
        for vm, host in solution.assignments.items():
            print(vm, "->", host)
        for vm, reason in solution.unplaced:
            print(vm, "unplaced:", reason)
        print(vmplace.explain(problem, "pay-2", solution))

Migration plans (:func:`plan`, :class:`Plan`) order the moves from the
current placement to a solution; a :class:`Placer` places arriving VMs one
at a time without moving running ones; :class:`History`, :func:`forecast`
and :func:`utilization` forecast demand and find overloaded hosts.

See docs/python.md in the vmplace sources for a tutorial.  Errors are
:class:`VmplaceError` subclasses that are also the matching built-in
exceptions (ValueError, KeyError, MemoryError, ...).
"""

from __future__ import annotations

from ._version import __version__
from ._lib import lib as _library, text as _text, to_bytes as _to_bytes
from .errors import (AlreadyExistsError, CanceledError, ClosedError,
                     InputOutputError, InternalError, InvalidArgumentError,
                     LibraryError, NotFoundError, NotSupportedError,
                     OutOfMemoryError, ParseError, RangeError, SolverError,
                     StateError, VirtError, VmplaceError)
from .problem import (FORMATS, OBJECTIVE_TERMS, Group, Host, Problem, Rule, Vm)
from .solution import (ScoreTerm, Solution, Status, StopReason, Unplaced,
                       Violation, check)
from .solve import (LogLevel, ParamInfo, ProgressInfo, SolverInfo, parameters,
                    solve, solvers, write_model)
from .explain import Explanation, HostFit, Reason, explain
from .plan import (Action, Blocked, Plan, PlanHost, PlanStatus, Step, Wave,
                   plan, prune_moves)
from .forecast import (HISTORY_FORMATS, Alert, AlertKind, Alerts, Forecast,
                       ForecastModel, History, Sample, Series, SeriesForecast,
                       Severity, Utilization, UtilizationSource, forecast,
                       utilization)
from .place import Placer

__all__ = [
    "__version__", "library_version", "library_path", "has_feature",
    "check_rule",
    "Problem", "Host", "Vm", "Group", "Rule", "OBJECTIVE_TERMS", "FORMATS",
    "Solution", "Status", "StopReason", "Unplaced", "Violation", "ScoreTerm",
    "solve", "write_model", "check", "explain", "solvers", "parameters",
    "ProgressInfo", "LogLevel", "SolverInfo", "ParamInfo",
    "Explanation", "HostFit", "Reason",
    "plan", "prune_moves", "Plan", "PlanStatus", "Action", "Step", "Wave",
    "Blocked", "PlanHost",
    "Placer",
    "History", "Sample", "Series", "HISTORY_FORMATS", "forecast", "Forecast",
    "SeriesForecast", "ForecastModel", "utilization", "Utilization",
    "UtilizationSource", "Alerts", "Alert", "AlertKind", "Severity",
    "VmplaceError", "InvalidArgumentError", "OutOfMemoryError", "ParseError",
    "InputOutputError", "NotFoundError", "AlreadyExistsError", "RangeError",
    "NotSupportedError", "SolverError", "VirtError", "StateError",
    "ClosedError", "CanceledError", "InternalError", "LibraryError",
]


def library_version() -> str:
    """The version of the loaded libvmplace, e.g. ``"0.2.0"``."""
    return _text(_library.vmp_version_string())


def library_path() -> str:
    """What was loaded: a path, or the name the dynamic linker resolved."""
    return _library.path


def has_feature(name: str) -> bool:
    """Whether the loaded library has an optional capability:
    ``"solver.NAME"`` for each solver, ``"libvirt"``, ``"forecast"``,
    ``"format.json"``, ``"format.vbp"``, ...  Unknown names give False."""
    return bool(_library.vmp_has_feature(_to_bytes(name, "feature")))


def check_rule(expression: str) -> None:
    """Checks the syntax of a rule expression (``when`` or ``require``).

    Raises:
        ParseError: with the column in the message and as ``.column``.
    """
    from ctypes import byref, c_size_t
    from ._lib import error
    data = _to_bytes(expression, "expression")
    column = c_size_t()
    rc = _library.vmp_rule_check(data, byref(column))
    if rc < 0:
        exc = error(rc)
        setattr(exc, "column", column.value)
        raise exc
