"""Solutions: the verified result of a solve, or of checking a placement.

A :class:`Solution` wraps a C ``vmp_solution``.  It is immutable and
self-contained: it copies every name it reports, so it stays valid after
its problem is closed, and the two may be closed in either order.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from ctypes import byref, c_char_p, c_double, c_int, c_size_t
from enum import Enum
from typing import (Any, Dict, List, Mapping, NamedTuple, Optional, Tuple,
                    Union, cast)

from ._handle import Owned
from ._lib import NONE, SolutionP, error, lib, text, to_bytes, to_path
from ._lib import check_instance
from ._lib import check as _check_rc
from .errors import NotFoundError
from .problem import Problem

__all__ = ["Solution", "Status", "StopReason", "Unplaced", "Violation",
           "ScoreTerm", "check"]


class Status(str, Enum):
    """What a placement is.  Compares equal to its name as a str."""

    #: Every VM placed, proven optimal (objective equals bound).
    OPTIMAL = "optimal"
    #: Every VM placed, not proven optimal.
    FEASIBLE = "feasible"
    #: Some VMs unplaced, each with its reasons.
    PARTIAL = "partial"
    #: Some VMs unplaced, and proven that they cannot all be placed.
    INFEASIBLE = "infeasible"
    #: The placement breaks hard constraints (only from :func:`check`).
    INVALID = "invalid"

    def __str__(self) -> str:
        return self.value


class StopReason(str, Enum):
    """Why a solve stopped.  Compares equal to its name as a str."""

    COMPLETED = "completed"
    TIME_LIMIT = "time_limit"
    GAP_REACHED = "gap_reached"
    #: A progress callback asked to stop (or raised).
    INTERRUPTED = "interrupted"
    #: An evaluated placement (:func:`check`), not a solve.
    NOT_SOLVED = "not_solved"

    def __str__(self) -> str:
        return self.value


class Unplaced(NamedTuple):
    """A VM left unplaced, and why (counted over hosts, e.g. ``"no host
    fits: 6 hosts: memory_mib; 2 hosts: rule pci"``)."""

    vm: str
    reason: str


class Violation(NamedTuple):
    """A broken constraint: the fields of a violation in solution JSON.

    ``kind`` is ``capacity``, ``allowed_hosts``, ``pinned``,
    ``maintenance``, ``rule``, ``affinity``, ``anti-affinity``,
    ``transient``, ``spread`` or ``dependency``; ``message`` says it in a
    sentence.  The other fields say what it is about, each None (``vms``:
    empty) where it does not apply:

    - ``vm``: the VM of a per-VM violation (maintenance, pinned,
      allowed_hosts, rule);
    - ``vms``: the VMs of a group violation;
    - ``host``: the host;
    - ``rule``: the rule's name (kind ``rule``); ``group``: the group's
      (affinity, anti-affinity, spread, dependency);
    - ``resource`` and ``amount``: the resource and how far over capacity
      (capacity, transient).

    Libraries older than these fields give only the first three.
    """

    kind: str
    message: str
    hard: bool
    vm: Optional[str] = None
    vms: Tuple[str, ...] = ()
    host: Optional[str] = None
    rule: Optional[str] = None
    group: Optional[str] = None
    resource: Optional[str] = None
    amount: Optional[float] = None


class ScoreTerm(NamedTuple):
    """One objective term: its raw value and its contribution to the
    objective (value times weight)."""

    value: float
    weighted: float


def _enum(cls: Any, name: str) -> Any:
    try:
        return cls(name)
    except ValueError:   # a value a newer library added
        return name


class Solution(Owned):
    """A verified placement with its status, proof and score.

    Made by :func:`vmplace.solve` and :func:`vmplace.check`; never built
    directly.  Close it with :meth:`close` or a ``with`` block to free its
    memory at once (it is also freed when garbage collected).
    """

    _kind = "solution"
    _cache: Dict[str, Any]

    def __init__(self) -> None:
        raise TypeError("solutions come from vmplace.solve() or vmplace.check()")

    @classmethod
    def _wrap(cls, ptr: Any) -> "Solution":
        obj = cls._adopt(ptr, lib.vmp_solution_free)
        obj._cache = {}
        return obj

    # ---- summary ------------------------------------------------------------

    @property
    def status(self) -> Status:
        """:class:`Status`: optimal, feasible, partial, infeasible or
        invalid."""
        with self._use() as s:
            return cast(Status, _enum(Status, text(lib.vmp_status_name(
                lib.vmp_solution_status(s)))))

    @property
    def stop_reason(self) -> StopReason:
        """:class:`StopReason`: why the solve stopped."""
        with self._use() as s:
            return cast(StopReason, _enum(StopReason, text(
                lib.vmp_stop_reason_name(lib.vmp_solution_stop_reason(s)))))

    @property
    def solver(self) -> str:
        """The solver that produced it ("" for an evaluated placement)."""
        with self._use() as s:
            return text(lib.vmp_solution_solver(s))

    @property
    def objective(self) -> float:
        """The objective: the weighted sum of the score terms."""
        with self._use() as s:
            return float(lib.vmp_solution_objective(s))

    @property
    def bound(self) -> float:
        """The best proven lower bound on the objective of any placement."""
        with self._use() as s:
            return float(lib.vmp_solution_bound(s))

    @property
    def gap(self) -> float:
        """Relative gap ``(objective - bound) / max(|objective|, 1)``; 0 when
        proven optimal."""
        with self._use() as s:
            return float(lib.vmp_solution_gap(s))

    @property
    def time(self) -> float:
        """Wall-clock seconds the solve took."""
        with self._use() as s:
            return float(lib.vmp_solution_time(s))

    @property
    def hosts_used(self) -> int:
        """Number of hosts with at least one VM."""
        with self._use() as s:
            return int(lib.vmp_solution_hosts_used(s))

    # ---- the placement ------------------------------------------------------

    def _names(self) -> Any:
        names = self._cache.get("names")
        if names is None:
            with self._use() as s:
                vms = tuple(text(lib.vmp_solution_vm_name(s, v))
                            for v in range(lib.vmp_solution_num_vms(s)))
                hosts = tuple(text(lib.vmp_solution_host_name(s, h))
                              for h in range(lib.vmp_solution_num_hosts(s)))
                host_of = tuple(lib.vmp_solution_vm_host(s, v)
                                for v in range(len(vms)))
            names = self._cache["names"] = (vms, hosts, host_of)
        return names

    @property
    def vms(self) -> List[str]:
        """Every VM of the problem, in index order."""
        return list(self._names()[0])

    @property
    def hosts(self) -> List[str]:
        """Every host of the problem, in index order."""
        return list(self._names()[1])

    @property
    def assignments(self) -> Dict[str, str]:
        """VM name -> host name, for every placed VM (as in solution
        JSON; unplaced VMs are in :attr:`unplaced`)."""
        vms, hosts, host_of = self._names()
        return {vm: hosts[h] for vm, h in zip(vms, host_of) if h != NONE}

    def host_of(self, vm: str) -> Optional[str]:
        """The host of a VM, or None when it is unplaced.

        Raises:
            NotFoundError: no such VM.
        """
        to_bytes(vm, "vm")
        vms, hosts, host_of = self._names()
        index = self._cache.get("vm_index")
        if index is None:
            index = self._cache["vm_index"] = {n: v for v, n in enumerate(vms)}
        if vm not in index:
            raise NotFoundError(f"unknown VM \"{vm}\"")
        h = host_of[index[vm]]
        return None if h == NONE else hosts[h]

    @property
    def unplaced(self) -> List[Unplaced]:
        """The unplaced VMs with their reasons."""
        vms = self._names()[0]
        with self._use() as s:
            return [Unplaced(vms[lib.vmp_solution_unplaced_vm(s, k)],
                             text(lib.vmp_solution_unplaced_reason(s, k)))
                    for k in range(lib.vmp_solution_num_unplaced(s))]

    @property
    def violations(self) -> List[Violation]:
        """Every broken constraint, hard and soft."""
        kind, message, hard = c_char_p(), c_char_p(), c_int()
        vm, host, nvms = c_size_t(), c_size_t(), c_size_t()
        name, resource, amount = c_char_p(), c_char_p(), c_double()
        detail = lib.has("vmp_solution_violation_detail")
        vms_, hosts = self._names()[:2]
        result = []
        with self._use() as s:
            for k in range(lib.vmp_solution_num_violations(s)):
                _check_rc(lib.vmp_solution_violation_at(s, k, byref(kind),
                                                 byref(message), byref(hard)))
                v = Violation(text(kind.value), text(message.value),
                              bool(hard.value))
                if detail:
                    _check_rc(lib.vmp_solution_violation_detail(
                        s, k, byref(vm), byref(host), byref(name),
                        byref(resource), byref(amount), byref(nvms)))
                    named = text(name.value) if name.value is not None else None
                    is_rule = v.kind == "rule"
                    v = v._replace(
                        vm=vms_[vm.value] if vm.value != NONE else None,
                        vms=tuple(vms_[lib.vmp_solution_violation_vm(s, k, j)]
                                  for j in range(nvms.value)),
                        host=hosts[host.value] if host.value != NONE else None,
                        rule=named if is_rule else None,
                        group=None if is_rule else named,
                        resource=(text(resource.value)
                                  if resource.value is not None else None),
                        amount=(amount.value
                                if resource.value is not None else None))
                result.append(v)
        return result

    @property
    def hard_violations(self) -> List[Violation]:
        """The broken hard constraints (empty for every solve result)."""
        return [v for v in self.violations if v.hard]

    @property
    def score(self) -> Dict[str, ScoreTerm]:
        """The score breakdown: term name -> :class:`ScoreTerm`."""
        name, value, weighted = c_char_p(), c_double(), c_double()
        result = {}
        with self._use() as s:
            for k in range(lib.vmp_solution_num_terms(s)):
                _check_rc(lib.vmp_solution_term_at(s, k, byref(name), byref(value),
                                            byref(weighted)))
                result[text(name.value)] = ScoreTerm(value.value, weighted.value)
        return result

    @property
    def stats(self) -> Dict[str, float]:
        """Solver statistics by name (``"compile.seconds"``,
        ``"model.items"``, counters of the solver)."""
        name, value = c_char_p(), c_double()
        result = {}
        with self._use() as s:
            for k in range(lib.vmp_solution_num_stats(s)):
                _check_rc(lib.vmp_solution_stat_at(s, k, byref(name), byref(value)))
                result[text(name.value)] = value.value
        return result

    # ---- output ---------------------------------------------------------------

    def to_json(self) -> str:
        """The solution as solution JSON (docs/formats.md), the same text as
        ``vmplace solve --json``."""
        return self._text(lib.vmp_solution_to_json)

    def to_dict(self) -> Dict[str, Any]:
        """The solution as a dict (the parsed :meth:`to_json`)."""
        result: Dict[str, Any] = json.loads(self.to_json())
        return result

    def write(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes :meth:`to_json` to a file (readable by :func:`check` and
        ``vmplace check``)."""
        self._write(lib.vmp_solution_write, path)

    def to_roadef(self) -> str:
        """The placement in the ROADEF/EURO 2012 solution format: one host
        index per VM (one machine index per process for a problem read from
        a challenge model).  Raises StateError when a VM is unplaced."""
        lib.require("reassign.h", "ROADEF solutions")
        return self._text(lib.vmp_solution_to_roadef)

    def write_roadef(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes :meth:`to_roadef` to a file."""
        lib.require("reassign.h", "ROADEF solutions")
        self._write(lib.vmp_solution_write_roadef, path)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Solution (closed)>"
        with self._use() as s:
            unplaced = lib.vmp_solution_num_unplaced(s)
        return (f"<vmplace.Solution: {self.status} ({self.stop_reason}), "
                f"objective {self.objective:g}, bound {self.bound:g}, "
                f"{self.hosts_used} hosts, {unplaced} unplaced>")

    def __reduce__(self) -> Any:
        raise TypeError("a Solution cannot be pickled; pickle to_json() and "
                        "read it back with vmplace.check(problem, text)")


# ---- checking a placement ------------------------------------------------------


def _host_vector(problem: Problem, assignments: Mapping[str, Optional[str]],
                 what: str) -> Any:
    """One host index per VM of the problem (VMP_NONE when unplaced), from
    VM name -> host name."""
    vms, hosts = problem._names_by_index()
    vm_index = {n: v for v, n in enumerate(vms)}
    host_index = {n: h for h, n in enumerate(hosts)}
    arr = (c_size_t * max(len(vms), 1))()
    for v in range(len(vms)):
        arr[v] = NONE
    for vm, host in assignments.items():
        if not isinstance(vm, str):
            raise TypeError(f"{what}: expected VM names as keys, got "
                            f"{type(vm).__name__}")
        if vm not in vm_index:
            raise NotFoundError(f"{what}: unknown VM \"{vm}\"")
        if host is None:
            continue
        if not isinstance(host, str):
            raise TypeError(f"{what}.{vm}: expected a host name or None, got "
                            f"{type(host).__name__}")
        if host not in host_index:
            raise NotFoundError(f"{what}.{vm}: unknown host \"{host}\"")
        arr[vm_index[vm]] = host_index[host]
    return arr


def check(problem: Problem,
          placement: Union[None, Solution, Mapping[str, Any], str,
                           "os.PathLike[str]"] = None) -> Solution:
    """Evaluates a placement against every constraint and rule of a problem,
    with the same evaluator every solve passes through: its status
    (``invalid`` when hard constraints are broken), every violation, the
    unplaced VMs with their reasons, the score and the lower bound.

    Args:
        problem: the problem.
        placement: what to evaluate:

            - None: the problem's current placement (each VM's ``host``) —
              a compliance audit of what runs now;
            - a :class:`Solution` (of this problem or of another with the
              same names), matched by VM and host names;
            - a dict VM name -> host name (or None); VMs it does not name
              are unplaced;
            - a solution JSON dict (one with an ``"assignments"`` dict), JSON
              text (a str starting with ``{``), or the path of a solution
              JSON file; these must list every VM, under ``assignments`` or
              ``unplaced``, as ``vmplace check`` requires.

    Returns:
        The evaluated :class:`Solution` (stop reason ``not_solved``).

    Raises:
        NotFoundError: a VM or host the problem does not have.
        ParseError, InputOutputError: a malformed or unreadable file.
    """
    check_instance(problem, Problem, "problem")
    out = SolutionP()
    if placement is None:
        with problem._use() as p:
            rc = lib.vmp_evaluate_current(p, byref(out))
            if rc < 0:
                raise error(rc)
        return Solution._wrap(out)
    if isinstance(placement, Solution):
        return _evaluate(problem, placement.assignments, "solution")
    if isinstance(placement, Mapping):
        if isinstance(placement.get("assignments"), Mapping):
            return _parse(problem, json.dumps(placement), "<dict>")
        return _evaluate(problem, placement, "assignments")
    if isinstance(placement, str) and placement.lstrip().startswith("{"):
        return _parse(problem, placement, "<string>")
    if isinstance(placement, (str, os.PathLike)):
        path = to_path(placement)
        with problem._use() as p:
            rc = lib.vmp_solution_read(p, path, byref(out))
            if rc < 0:
                raise error(rc)
        return Solution._wrap(out)
    raise TypeError("placement: expected None, a Solution, a dict, JSON text "
                    f"or a path, got {type(placement).__name__}")


def _evaluate(problem: Problem, assignments: Mapping[str, Any],
              what: str) -> Solution:
    out = SolutionP()
    with problem._use() as p:
        # names and evaluation under one use: the problem cannot gain VMs in
        # between, so the array has one entry per VM
        arr = _host_vector(problem, assignments, what)
        rc = lib.vmp_evaluate(p, arr, byref(out))
        if rc < 0:
            raise error(rc)
    return Solution._wrap(out)


def _parse(problem: Problem, data: str, origin: str) -> Solution:
    raw = data.encode("utf-8", "surrogatepass")
    out = SolutionP()
    with problem._use() as p:
        rc = lib.vmp_solution_parse(p, raw, len(raw), origin.encode(), byref(out))
        if rc < 0:
            raise error(rc)
    return Solution._wrap(out)


def _matching(problem: Problem, solution: Solution, stack: ExitStack) -> Solution:
    """The solution itself when its VMs and hosts are the problem's, by
    index; else the same placement re-evaluated against the problem by
    names (the C calls that take both pair them by index), closed with
    ``stack``."""
    vms, hosts = problem._names_by_index()
    s_vms, s_hosts, _ = solution._names()
    if s_vms == vms and s_hosts == hosts:
        return solution
    evaluated: Solution = stack.enter_context(check(problem, solution))
    return evaluated


def _placement(problem: Problem, placement: object, stack: ExitStack,
               what: str) -> Solution:
    """A placement (a Solution, or what :func:`check` reads except None) as
    a Solution whose VMs and hosts are the problem's by index; one made
    here is closed with ``stack``."""
    if isinstance(placement, Solution):
        return _matching(problem, placement, stack)
    if placement is None or not isinstance(placement, (Mapping, str, os.PathLike)):
        raise TypeError(f"{what}: expected a Solution, a dict, solution JSON "
                        f"text or a path, got {type(placement).__name__}")
    made: Solution = stack.enter_context(check(problem, placement))
    return made
