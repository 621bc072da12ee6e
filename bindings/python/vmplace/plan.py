"""Migration plans: the ordered, capacity-safe moves from a problem's
current placement to a target placement, and targets without needless
moves.

A :class:`Plan` wraps a C ``vmp_plan``.  It is immutable and self-contained
(it copies the host names, URIs, capacities, loads and demands it needs),
so it stays valid after its problem and target are closed, and it pickles
as plan JSON.  Every plan has been replayed by the library's independent
checker before it is returned: no step of it overloads a host.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from ctypes import byref
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

from ._handle import Owned
from ._lib import (NONE, SIZE_MAX, PlanOpts, PlanP, SolutionP, error, lib,
                   new_opts, opt_text, text, to_bool, to_bytes, to_data,
                   to_float, to_int, to_path)
from ._lib import check_instance
from .problem import Problem
from .solution import Solution, _enum, _placement

__all__ = ["Plan", "PlanStatus", "Action", "Step", "Wave", "Blocked",
           "PlanHost", "plan", "prune_moves"]

_FEATURE = "migration plans"

#: What a target may be: a solution, or what :func:`vmplace.check` reads.
Target = Union[Solution, Mapping[str, Any], str, "os.PathLike[str]"]


class PlanStatus(str, Enum):
    """Whether a plan reaches its target.  Compares equal to its name as a
    str."""

    #: Every step needed to reach the target is in the plan (maybe none).
    COMPLETE = "complete"
    #: Some moves have no safe order: :attr:`Plan.blocked` lists them with
    #: their reasons, and the steps are the safe part only.
    BLOCKED = "blocked"

    def __str__(self) -> str:
        return self.value


class Action(str, Enum):
    """What a step does.  Compares equal to its name as a str."""

    #: Move a running VM from one host to another (live where possible).
    MIGRATE = "migrate"
    #: Define and start a VM that runs nowhere now.
    START = "start"
    #: Shut down a VM that the target leaves unplaced; it stays defined
    #: where it ran.
    STOP = "stop"

    def __str__(self) -> str:
        return self.value


class PlanHost(NamedTuple):
    """A host of the plan: its name and libvirt URI (None without one)."""

    name: str
    uri: Optional[str]


class Step(NamedTuple):
    """One step.  ``source`` and ``target`` are the ``from`` and ``to`` of
    plan JSON (``source`` is None for a start step, ``target`` for a stop
    step); ``wave`` counts from 0
    (plan JSON and the command line count from 1)."""

    vm: str
    action: Action
    source: Optional[str]
    target: Optional[str]
    wave: int
    #: The step moves the VM to a staging host; a later step moves it on.
    staging: bool
    #: Memory of the VM in MiB (0 when the problem has no memory resource).
    memory_mib: float
    #: For a temporary eviction (a staging step that moves the VM off its
    #: host only to make room there for another VM; it comes back later):
    #: that other VM.  None for every other step.
    makes_room_for: Optional[str] = None


@dataclass(frozen=True)
class Wave:
    """Steps that may run at the same time, and the wave's estimated
    duration in seconds.  ``index`` counts from 0, as :attr:`Step.wave`."""

    index: int
    duration: float
    steps: Tuple[Step, ...]


class Blocked(NamedTuple):
    """A move with no safe order.  ``source`` is where the VM is when the
    plan's steps are done (None: nowhere), ``target`` where the target
    wants it (None: unplaced, and a plan never stops a running VM);
    ``reason`` says why, with names and numbers."""

    vm: str
    source: Optional[str]
    target: Optional[str]
    reason: str


class Plan(Owned):
    """A migration plan: steps grouped in waves, the moves that are blocked
    with their reasons, and an estimated duration.

    Made by :func:`plan`, or read from plan JSON (:meth:`read`,
    :meth:`parse`, :meth:`from_json`), the format ``vmplace plan -o``
    writes and ``vmplace apply`` reads.  Close it with :meth:`close` or a
    ``with`` block to free its memory at once (it is also freed when
    garbage collected).

    The steps of one wave may run at the same time; a wave starts when the
    previous one has finished.  While a VM migrates it counts on both its
    source and its target host, and every host that receives a VM stays
    within its effective capacity with the whole wave in flight.
    """

    _kind = "plan"

    def __init__(self) -> None:
        raise TypeError("plans come from vmplace.plan() or Plan.read()")

    @classmethod
    def _wrap(cls, ptr: Any) -> "Plan":
        return cls._adopt(ptr, lib.vmp_plan_free)

    # ---- reading ---------------------------------------------------------

    @classmethod
    def read(cls, path: Union[str, "os.PathLike[str]"]) -> "Plan":
        """Reads a plan JSON file.  The plan is replayed by the checker with
        the capacities and loads it carries, so a plan edited into an unsafe
        one is refused.

        Raises:
            InputOutputError: the file cannot be read.
            ParseError: malformed (the message names the field).
            NotFoundError: a step names a host or VM the plan lacks.
            InvalidArgumentError: the plan is unsafe (the message says
                where).
        """
        lib.require("plan.h", _FEATURE)
        data = to_path(path)
        ptr = PlanP()
        rc = lib.vmp_plan_read(data, byref(ptr))
        if rc < 0:
            raise error(rc)
        return cls._wrap(ptr)

    @classmethod
    def parse(cls, data: Union[str, bytes], origin: Optional[str] = None
              ) -> "Plan":
        """Parses plan JSON held in memory; as :meth:`read`.

        Args:
            data: the text (str or UTF-8 bytes).
            origin: how messages name the input; default ``"<plan>"``.
        """
        lib.require("plan.h", _FEATURE)
        raw = to_data(data)
        where = to_bytes(origin, "origin") if origin is not None else None
        ptr = PlanP()
        rc = lib.vmp_plan_parse(raw, len(raw), where, byref(ptr))
        if rc < 0:
            raise error(rc)
        return cls._wrap(ptr)

    @classmethod
    def from_json(cls, source: Union[Mapping[str, Any], str, bytes,
                                     "os.PathLike[str]"]) -> "Plan":
        """A plan from plan JSON: a dict (the parsed JSON), JSON text (a str
        starting with ``{``, or bytes) or the path of a file."""
        if isinstance(source, Mapping):
            return cls.parse(json.dumps(source), "<dict>")
        if isinstance(source, (bytes, bytearray, memoryview)):
            return cls.parse(bytes(source), "<bytes>")
        if isinstance(source, str) and source.lstrip().startswith("{"):
            return cls.parse(source, "<string>")
        if isinstance(source, (str, os.PathLike)):
            return cls.read(source)
        raise TypeError("source: expected a dict, JSON text or a path, got "
                        f"{type(source).__name__}")

    # ---- summary ---------------------------------------------------------

    @property
    def status(self) -> PlanStatus:
        """:class:`PlanStatus`: complete or blocked."""
        with self._use() as pl:
            name = text(lib.vmp_plan_status_name(lib.vmp_plan_status(pl)))
        result: PlanStatus = _enum(PlanStatus, name)
        return result

    @property
    def complete(self) -> bool:
        """Whether the plan reaches its target (no move is blocked)."""
        return self.status == PlanStatus.COMPLETE

    @property
    def max_concurrent(self) -> int:
        """The most steps that touch one host in a wave (0: no cap)."""
        with self._use() as pl:
            return int(lib.vmp_plan_max_concurrent(pl))

    @property
    def bandwidth(self) -> float:
        """The migration bandwidth per host (MiB/s) the durations were
        estimated with."""
        with self._use() as pl:
            return float(lib.vmp_plan_bandwidth(pl))

    @property
    def duration(self) -> float:
        """Estimated seconds: the sum over waves of the longest time a host
        of the wave spends copying memory.  One pass over memory (live
        migrations re-copy dirtied pages, so real ones take longer); start
        steps count 0."""
        with self._use() as pl:
            return float(lib.vmp_plan_duration(pl))

    @property
    def hosts(self) -> List[PlanHost]:
        """Every host of the problem the plan was made from, in index
        order."""
        with self._use() as pl:
            return [PlanHost(text(lib.vmp_plan_host_name(pl, h)),
                             opt_text(lib.vmp_plan_host_uri(pl, h)))
                    for h in range(lib.vmp_plan_num_hosts(pl))]

    # ---- steps, waves, blocked moves ---------------------------------------

    @staticmethod
    def _steps(pl: Any) -> List[Step]:
        steps = []
        for k in range(lib.vmp_plan_num_steps(pl)):
            action = text(lib.vmp_plan_action_name(lib.vmp_plan_step_action(pl, k)))
            steps.append(Step(
                vm=text(lib.vmp_plan_step_vm(pl, k)),
                action=_enum(Action, action),
                source=opt_text(lib.vmp_plan_step_from(pl, k)),
                target=opt_text(lib.vmp_plan_step_to(pl, k)),
                wave=int(lib.vmp_plan_step_wave(pl, k)),
                staging=bool(lib.vmp_plan_step_staging(pl, k)),
                memory_mib=float(lib.vmp_plan_step_memory(pl, k)),
                makes_room_for=opt_text(lib.vmp_plan_step_makes_room_for(pl, k))))
        return steps

    @property
    def steps(self) -> List[Step]:
        """Every step, in execution order (waves in order)."""
        with self._use() as pl:
            return self._steps(pl)

    @property
    def waves(self) -> List[Wave]:
        """The waves in order, each with its steps."""
        with self._use() as pl:
            steps = self._steps(pl)
            durations = [float(lib.vmp_plan_wave_duration(pl, w))
                         for w in range(lib.vmp_plan_num_waves(pl))]
        by_wave: List[List[Step]] = [[] for _ in durations]
        for step in steps:
            by_wave[step.wave].append(step)
        return [Wave(w, d, tuple(s))
                for w, (d, s) in enumerate(zip(durations, by_wave))]

    @property
    def blocked(self) -> List[Blocked]:
        """The moves with no safe order, each with its reason (empty for a
        complete plan)."""
        with self._use() as pl:
            return [Blocked(text(lib.vmp_plan_blocked_vm(pl, k)),
                            opt_text(lib.vmp_plan_blocked_from(pl, k)),
                            opt_text(lib.vmp_plan_blocked_to(pl, k)),
                            text(lib.vmp_plan_blocked_reason(pl, k)))
                    for k in range(lib.vmp_plan_num_blocked(pl))]

    # ---- checking --------------------------------------------------------

    def verify(self, problem: Optional[Problem] = None,
               target: Optional[Target] = None) -> None:
        """Replays the plan step by step with the library's independent
        checker: every step starts where its VM is, no VM moves twice in a
        wave, the per-host cap, capacity at every wave's peak with the wave
        in flight, and (with a problem) that every host a VM visits is
        allowed for it.

        Args:
            problem: None checks against the capacities, loads and demands
                the plan carries; a problem checks against its own (its
                current placement is the starting point) and its host
                rules.
            target: the placement the plan must reach (a Solution, or what
                :func:`vmplace.check` reads, which needs ``problem``): then
                every VM that is not blocked must end on its target host.

        Raises:
            InvalidArgumentError: the plan fails a check; the message names
                the first failure (``wave 2: h3 memory_mib 70000 > 65536
                with web-1, db-2 in flight``).
        """
        check_instance(problem, Problem, "problem", optional=True)
        if target is not None and problem is None and not isinstance(target, Solution):
            raise TypeError("target: without a problem, expected a "
                            f"vmplace.Solution, got {type(target).__name__}")
        with ExitStack() as stack:
            pl = stack.enter_context(self._use())
            p = stack.enter_context(problem._use()) if problem is not None else None
            s = None
            if target is not None:
                goal = (target if problem is None
                        else _placement(problem, target, stack, "target"))
                assert isinstance(goal, Solution)
                s = stack.enter_context(goal._use())
            rc = lib.vmp_plan_verify(pl, p, s)
            if rc < 0:
                raise error(rc)

    # ---- output ----------------------------------------------------------

    def to_json(self) -> str:
        """The plan as plan JSON, the text of ``vmplace plan --json``;
        :meth:`parse` reads it back into an identical plan."""
        return self._text(lib.vmp_plan_to_json)

    def to_dict(self) -> Dict[str, Any]:
        """The parsed :meth:`to_json`."""
        result: Dict[str, Any] = json.loads(self.to_json())
        return result

    def write(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes :meth:`to_json` to a file (for ``vmplace apply``)."""
        self._write(lib.vmp_plan_write, path)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Plan (closed)>"
        with self._use() as pl:
            steps, waves = lib.vmp_plan_num_steps(pl), lib.vmp_plan_num_waves(pl)
            blocked = lib.vmp_plan_num_blocked(pl)
        return (f"<vmplace.Plan: {self.status}, {steps} steps in {waves} "
                f"waves, about {self.duration:.1f} s, {blocked} blocked>")

    def __reduce__(self) -> Any:
        # self-contained: plan JSON carries everything
        return (Plan.parse, (self.to_json(), "<pickle>"))


# ---- making plans -----------------------------------------------------------------


def _check_problem(problem: object) -> None:
    check_instance(problem, Problem, "problem")


def plan(problem: Problem, target: Target, *,
         max_concurrent: Optional[int] = None,
         bandwidth_mibps: Optional[float] = None,
         staging: Optional[bool] = None,
         allow_stop: Optional[bool] = None) -> Plan:
    """Plans the moves from the problem's current placement (each VM's
    ``host``) to a target placement, in waves of steps that may run
    together.

    Where no safe order exists (a cycle of full hosts) one VM of the cycle
    goes through a host with spare room (a staging step); what still has no
    safe order is reported in :attr:`Plan.blocked` with its reason, and the
    plan's status is ``blocked`` — an answer, not an error.  A VM without a
    current host gets a start step; a running VM the target leaves
    unplaced is blocked, or with ``allow_stop`` gets a stop step (shut down
    where it runs, its definition kept there); ``allow_stop`` also lets a
    stuck cycle move one VM cold (a stop step, then a start step on its
    target).  Options left at None
    take the library's defaults, which are ``vmplace plan``'s (2 steps per
    host and wave, 1000 MiB/s, staging on).

    Args:
        problem: the problem: current placement, demands, capacities, hard
            rules.
        target: where the VMs should run: a :class:`Solution` (of this
            problem, or of another with the same names), a dict VM name ->
            host name, or solution JSON (dict, text or a file), as
            :func:`vmplace.check` reads it.  It must break no hard
            constraint.
        max_concurrent: the most steps that touch one host (as source or
            target) in a wave; 0 means no cap.
        bandwidth_mibps: migration bandwidth of a host's link in MiB/s, for
            the duration estimate (> 0).
        staging: whether cycles may go through a staging host; False
            reports them as blocked.
        allow_stop: whether running VMs the target leaves unplaced are
            stopped (stop steps) rather than reported as blocked; also, as
            the last resort, a VM of a cycle no host can break is moved
            cold (stopped, then started on its target).

    Returns:
        The :class:`Plan`, already replayed by the checker.

    Raises:
        InvalidArgumentError: bad options, or a target that breaks a hard
            constraint (the message names the first violation).
        NotFoundError: the target names a VM or host the problem lacks.
        NotSupportedError: the library predates migration plans.
    """
    _check_problem(problem)
    lib.require("plan.h", _FEATURE)
    opts = new_opts(PlanOpts)
    if max_concurrent is not None:
        opts.max_concurrent = to_int(max_concurrent, "max_concurrent", 0, 2**32 - 1)
    if bandwidth_mibps is not None:
        opts.bandwidth_mibps = to_float(bandwidth_mibps, "bandwidth_mibps")
    if staging is not None:
        opts.staging = int(to_bool(staging, "staging"))
    if allow_stop is not None:
        opts.allow_stop = int(to_bool(allow_stop, "allow_stop"))
    out = PlanP()
    with ExitStack() as stack:
        p = stack.enter_context(problem._use())
        goal = _placement(problem, target, stack, "target")
        s = stack.enter_context(goal._use())
        rc = lib.vmp_plan_new(p, s, byref(opts), byref(out))
        if rc < 0:
            raise error(rc, "plan")
    return Plan._wrap(out)


def prune_moves(problem: Problem, target: Target,
                max_moves: Optional[int] = None) -> Solution:
    """The target without the moves that gain nothing.

    Moves VMs back to their current host, one at a time and then in pairs
    (a swap between full hosts), while the placement stays free of hard
    violations and its objective (migrations included, with the problem's
    weights) does not grow; with ``max_moves``, then undoes the moves whose
    undoing costs least until at most that many VMs move.  When the moves
    together gain nothing, none is kept.  VMs without a current host are
    not moves and keep their place.

    Args:
        problem: the problem; its current placement is the reference.
        target: a placement of it, as for :func:`plan`.
        max_moves: the most VMs that may change host; None means no limit.

    Returns:
        The evaluated placement, a new :class:`Solution`.

    Raises:
        InvalidArgumentError: a target that breaks hard constraints.
        RangeError: ``max_moves`` cannot be honoured (every remaining move is
            needed to stay within the hard constraints).
        NotSupportedError: the library predates migration plans.
    """
    _check_problem(problem)
    lib.require("plan.h", _FEATURE)
    limit = NONE if max_moves is None else to_int(max_moves, "max_moves", 0,
                                                  SIZE_MAX - 1)
    out = SolutionP()
    with ExitStack() as stack:
        p = stack.enter_context(problem._use())
        goal = _placement(problem, target, stack, "target")
        s = stack.enter_context(goal._use())
        rc = lib.vmp_solution_prune_moves(p, s, limit, byref(out))
        if rc < 0:
            raise error(rc, "prune_moves")
    return Solution._wrap(out)
