"""Solving: options, solver parameters by name, progress and log callbacks.

:func:`solve` runs ``vmp_solve`` with the GIL released, so other Python
threads keep running during a solve.  Callbacks run on the thread that
called :func:`solve`.

Callbacks and errors:

- a progress callback that returns a true value stops the solve, which
  then returns its best placement so far with stop reason ``interrupted``;
- an exception raised in a progress or log callback (KeyboardInterrupt
  included) stops the solve at its next progress point and is re-raised by
  :func:`solve` once the C call has returned; no solution is returned;
- Ctrl-C during a solve called from the main thread stops the solve at its
  next progress point (a few tenths of a second at most with the default
  ``progress_interval``) and raises KeyboardInterrupt, instead of waiting
  for the time limit.  vmplace routes SIGINT to a flag while the C call runs,
  because a signal handler that raised inside a ctypes callback would have
  its exception printed and dropped by ctypes.
"""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack, contextmanager
from ctypes import byref, c_char_p, c_double, c_int
from dataclasses import dataclass
from enum import IntEnum
from typing import (Any, Callable, Iterator, List, Mapping, Optional, Union)

from ._lib import (LOG_FN, PROGRESS_FN, ParamsP, SolutionP, SolveOpts, check,
                   error, lib, new_opts, text, to_bytes, to_float, to_int,
                   to_path)
from ._lib import check_instance
from .errors import InvalidArgumentError
from .problem import Problem
from .solution import Solution

__all__ = ["solve", "write_model", "solvers", "parameters", "ProgressInfo",
           "LogLevel", "SolverInfo", "ParamInfo"]


class LogLevel(IntEnum):
    """Log levels, most severe first (``vmp_log_level``)."""

    ERROR = 0
    WARN = 1
    INFO = 2
    DEBUG = 3


@dataclass(frozen=True)
class ProgressInfo:
    """What a progress callback receives."""

    #: The solver reporting (``auto`` runs others, which report by name).
    solver: str
    #: Seconds since the solve started.
    elapsed: float
    #: Best objective so far; ``math.inf`` before the first placement.
    objective: float
    #: Best proven lower bound so far.
    bound: float
    #: Relative gap; ``math.inf`` before the first placement.
    gap: float
    #: Solver-specific count: nodes, generations, ...
    iterations: int
    #: VMs placed in the best placement so far.
    placed: int
    #: VMs in the problem.
    total: int


@dataclass(frozen=True)
class SolverInfo:
    """A solver of this build."""

    name: str
    summary: str


@dataclass(frozen=True)
class ParamInfo:
    """A solver parameter (``solver.name``), its type, range and default."""

    name: str
    #: ``"int"``, ``"double"``, ``"bool"`` or ``"string"``.
    type: str
    min: float
    max: float
    default: str
    doc: str


_PARAM_TYPES = ("int", "double", "bool", "string")


def solvers() -> List[SolverInfo]:
    """The solvers of the loaded library, in the order it lists them."""
    return [SolverInfo(text(lib.vmp_solver_name(k)), text(lib.vmp_solver_summary(k)))
            for k in range(lib.vmp_num_solvers())]


def parameters() -> List[ParamInfo]:
    """Every solver parameter the loaded library knows."""
    name, default, doc = c_char_p(), c_char_p(), c_char_p()
    kind, lo, hi = c_int(), c_double(), c_double()
    result = []
    for k in range(lib.vmp_num_params()):
        check(lib.vmp_param_at(k, byref(name), byref(kind), byref(lo),
                                 byref(hi), byref(default), byref(doc)))
        result.append(ParamInfo(
            text(name.value),
            _PARAM_TYPES[kind.value] if 0 <= kind.value < 4 else str(kind.value),
            lo.value, hi.value, text(default.value), text(doc.value)))
    return result


def _param_text(name: str, value: object) -> bytes:
    """A parameter value in the text form the library parses."""
    what = f"params[{name!r}]"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, str):
        return to_bytes(value, what)
    if isinstance(value, (list, tuple)):
        return b",".join(to_bytes(v, what) for v in value)
    try:   # other numbers (numpy scalars, Decimal)
        return repr(to_float(value, what)).encode()
    except TypeError:
        raise TypeError(f"{what}: expected a number, bool, str or list of str, "
                        f"got {type(value).__name__}") from None


def _make_params(params: Mapping[str, Any]) -> Any:
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a dict, got {type(params).__name__}")
    items = []
    for name, value in params.items():
        items.append((to_bytes(name, "params key"), _param_text(name, value)))
    ps = ParamsP()
    check(lib.vmp_params_new(byref(ps)))
    try:
        for name_b, value_b in items:
            rc = lib.vmp_params_set(ps, name_b, value_b)
            if rc < 0:
                raise error(rc, "params")
    except BaseException:
        lib.vmp_params_free(ps)
        raise
    return ps


def _log_level(level: object) -> int:
    if isinstance(level, str):
        try:
            return int(LogLevel[level.upper()])
        except KeyError:
            raise InvalidArgumentError(
                f"log_level: expected error, warn, info or debug, got {level!r}"
            ) from None
    return to_int(level, "log_level", 0, 3)


class _Session:
    """The state the C callbacks share with :func:`solve`: the user's
    callbacks, the first exception one of them raised, and whether SIGINT
    arrived."""

    def __init__(self, progress: Optional[Callable[[ProgressInfo], Any]],
                 log: Optional[Callable[[LogLevel, str], Any]]) -> None:
        self.progress = progress
        self.log = log
        self.error: Optional[BaseException] = None
        self.sigint = False

    def on_progress(self, info: Any, _userdata: Any) -> int:
        # Nothing may escape: ctypes would print the exception and continue.
        try:
            if self.error is not None or self.sigint:
                return 1
            if self.progress is None:
                return 0
            c = info.contents
            report = ProgressInfo(
                solver=text(c.solver), elapsed=c.elapsed,
                objective=c.objective, bound=c.bound, gap=c.gap,
                iterations=c.iterations, placed=c.placed, total=c.total)
            return 1 if self.progress(report) else 0
        except BaseException as exc:
            self.error = exc
            return 1

    def on_log(self, level: int, message: Optional[bytes], _userdata: Any) -> None:
        try:
            if self.error is None and self.log is not None:
                lvl: Any = LogLevel(level) if 0 <= level <= 3 else level
                self.log(lvl, text(message))
        except BaseException as exc:
            # A log callback cannot stop the solve itself; the next progress
            # call does.
            self.error = exc


@contextmanager
def _sigint_as_flag(session: _Session) -> Iterator[bool]:
    """While the C call runs, turns SIGINT into session.sigint (only from
    the main thread, and only when Python's default handler is installed:
    a handler the application set is left alone).  Yields whether it did."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield False
        return

    def handler(signum: int, frame: Any) -> None:
        session.sigint = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield True
    finally:
        signal.signal(signal.SIGINT, previous)


def solve(problem: Problem, *, solver: Optional[str] = None,
          time_limit: Optional[float] = None, seed: Optional[int] = None,
          threads: Optional[int] = None,
          params: Optional[Mapping[str, Any]] = None,
          progress: Optional[Callable[[ProgressInfo], Any]] = None,
          progress_interval: Optional[float] = None,
          log: Optional[Callable[[LogLevel, str], Any]] = None,
          log_level: Union[LogLevel, int, str, None] = None,
          incumbent: Optional[Solution] = None) -> Solution:
    """Solves a placement problem.

    The placement is verified by the library's evaluator before it is
    returned: it never breaks a hard constraint.  An infeasible, partial or
    time-limited run is not an error; the solution's :attr:`~Solution.status`
    and :attr:`~Solution.stop_reason` say what happened.  Options left at
    None take the library's defaults (solver ``auto``, 10 s, seed 1, one
    thread), the same as ``vmplace solve``; the same problem, options and
    seed give the same placement as the command line.

    Args:
        problem: the problem (only read; other threads may solve it too).
        solver: a solver name (see :func:`solvers`).
        time_limit: wall-clock seconds; 0 or less means no limit.
        seed: random seed, 0 .. 2**64-1.
        threads: worker threads; 0 means one per core.  Results do not
            depend on it.
        params: solver parameters by name, e.g. ``{"ilp.mip_gap": 0.01}``
            (see :func:`parameters`); values may be numbers, bools, strings or
            lists of strings.
        progress: called with a :class:`ProgressInfo` once before the solver
            starts and then periodically; return a true value to stop.
        progress_interval: seconds between progress calls (default 0.5).
        log: called with a :class:`LogLevel` and a line.
        log_level: most verbose level passed to ``log`` (a LogLevel, 0..3,
            or ``"error"``, ``"warn"``, ``"info"``, ``"debug"``); default
            ``info`` when ``log`` is given (a caller who asks for the log
            wants to see what the solve does).
        incumbent: a warm start, matched to the problem by VM and host
            names.

    Returns:
        The verified :class:`Solution`.

    Raises:
        NotFoundError: an unknown solver or parameter.
        NotSupportedError: the solver is not in this build.
        InvalidArgumentError, RangeError: a bad option or parameter value.
        SolverError: a solver backend failed.
        Any exception a callback raised, and KeyboardInterrupt on Ctrl-C.
    """
    check_instance(problem, Problem, "problem")
    check_instance(incumbent, Solution, "incumbent", optional=True)
    if progress is not None and not callable(progress):
        raise TypeError("progress: expected a callable")
    if log is not None and not callable(log):
        raise TypeError("log: expected a callable")

    opts = new_opts(SolveOpts)
    keep: List[Any] = []   # what the options point to lives until the end
    if solver is not None:
        keep.append(to_bytes(solver, "solver"))
        opts.solver = keep[-1]
    if time_limit is not None:
        opts.time_limit = to_float(time_limit, "time_limit")
    if seed is not None:
        opts.seed = to_int(seed, "seed", 0, 2**64 - 1)
    if threads is not None:
        opts.threads = to_int(threads, "threads", 0, 2**32 - 1)
    if progress_interval is not None:
        opts.progress_interval = to_float(progress_interval, "progress_interval")
    if log_level is not None:
        opts.log_level = _log_level(log_level)
    elif log is not None:
        opts.log_level = int(LogLevel.INFO)

    session = _Session(progress, log)
    out = SolutionP()
    ps = _make_params(params) if params is not None else None
    try:
        with ExitStack() as stack:
            p = stack.enter_context(problem._use())
            if incumbent is not None:
                opts.incumbent = stack.enter_context(incumbent._use())
            if ps is not None:
                opts.params = ps
            if log is not None:
                keep.append(LOG_FN(session.on_log))
                opts.log = keep[-1]
            handles_sigint = stack.enter_context(_sigint_as_flag(session))
            if progress is not None or log is not None or handles_sigint:
                keep.append(PROGRESS_FN(session.on_progress))
                opts.progress = keep[-1]
            rc = lib.vmp_solve(p, byref(opts), byref(out))
            failure = error(rc) if rc < 0 else None
    finally:
        if ps is not None:
            lib.vmp_params_free(ps)
    solution = Solution._wrap(out) if out else None
    if session.error is not None or session.sigint or failure is not None:
        if solution is not None:
            solution.close()
        if session.error is not None:
            exc, session.error = session.error, None   # no cycle via session
            raise exc
        if session.sigint:
            raise KeyboardInterrupt
        assert failure is not None
        raise failure
    assert solution is not None
    return solution


_MODEL_FORMATS = {None: 0, "lp": 1, "mps": 2}


def write_model(problem: Problem, path: Any, *, format: Optional[str] = None,
                time_limit: Optional[float] = None, seed: Optional[int] = None,
                params: Optional[Mapping[str, Any]] = None) -> None:
    """Writes the assignment MIP that the ``ilp`` solver would solve, for
    cross-checking with another MIP solver (``vmp_write_model``).

    The model's optimum equals the problem's optimum objective.  A warm
    start from the fast solvers, within ``time_limit``, limits the hosts
    per class, as ``ilp`` does.

    Args:
        problem: the problem (only read).
        path: the file to write.
        format: ``"lp"`` (CPLEX LP) or ``"mps"`` (free MPS); None chooses by
            the file name's extension.
        time_limit, seed, params: as for :func:`solve`.

    Raises:
        InvalidArgumentError: an unknown format or extension.
        RangeError: the model is larger than ``ilp.max_columns``.
        InputOutputError: the file cannot be written.
        NotSupportedError: the library predates model export.
    """
    check_instance(problem, Problem, "problem")
    if format not in _MODEL_FORMATS:
        raise InvalidArgumentError(f"format: expected 'lp', 'mps' or None, "
                                   f"got {format!r}")
    lib.require("solve.h", "model export")
    data = to_path(path)
    opts = new_opts(SolveOpts)
    if time_limit is not None:
        opts.time_limit = to_float(time_limit, "time_limit")
    if seed is not None:
        opts.seed = to_int(seed, "seed", 0, 2**64 - 1)
    ps = _make_params(params) if params is not None else None
    try:
        if ps is not None:
            opts.params = ps
        with problem._use() as p:
            check(lib.vmp_write_model(p, byref(opts), data, _MODEL_FORMATS[format]))
    finally:
        if ps is not None:
            lib.vmp_params_free(ps)
