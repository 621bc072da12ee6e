"""Online placement: VMs placed one at a time as they arrive in a running
datacenter, without moving any other VM.

A :class:`Placer` wraps a C ``vmp_placer``.  It compiles its problem once;
each :meth:`Placer.place` then costs a search of the placer's host trees,
not a solve.  VMs with a current host (their ``host`` in the problem) stay
there, even where that breaks a constraint; every other VM is arriving and
unplaced until it is placed.

The C placer reads its problem for as long as it lives.  So a placer holds
its :class:`~vmplace.Problem`: the problem refuses every change
(:class:`~vmplace.StateError`) until the placer is closed, and closing the
problem first only defers freeing it to the placer's close.
"""

from __future__ import annotations

import operator
import threading
from ctypes import byref, c_size_t
from typing import Any, Callable, Mapping, Optional, Union

from ._handle import Owned
from ._lib import (NONE, PlacerP, SolutionP, SolveOpts, error, lib, new_opts,
                   text, to_bytes)
from .errors import NotFoundError, RangeError
from .problem import Problem
from .solution import Solution
from .solve import _make_params

__all__ = ["Placer"]

_PART = "place.h"
_FEATURE = "online placement"

#: A VM as the placer's methods take it: its name, or its index in the
#: problem.
VmRef = Union[str, int]


def _freer(problem: Problem) -> Callable[[Any], None]:
    """The placer's free function: frees it, then lets go of its problem
    (which is freed then if it was closed meanwhile).  The C function is
    bound here, not looked up at finalisation, when module globals may be
    gone."""
    free = lib.vmp_placer_free

    def free_placer(ptr: Any) -> None:
        try:
            free(ptr)
        finally:
            problem._unhold("placer")

    return free_placer


class Placer(Owned):
    """Places arriving VMs one at a time, moving no other VM.

    Each :meth:`place` puts one arriving VM on a host chosen by the greedy
    rule ``greedy.online_rule`` (default ``bfd_l2_avg``: the used host the
    VM leaves least room on, else the most cost-efficient empty host),
    honouring every hard constraint against what is placed so far: allowed
    hosts, pins, maintenance, rules, capacity with overcommit and reserved
    capacity, anti-affinity and affinity (a VM of a hard affinity group
    joins its partners' host; the first one goes where the whole group
    fits).  :meth:`remove` is a departure: it frees the VM's capacity for
    later arrivals.  :meth:`solution` evaluates the placement so far.

    Placing every VM without a host in problem order gives what ``vmplace
    solve --incremental`` prints, with the same ``params``.

    The problem must not change while the placer is open: every change to
    it raises :class:`~vmplace.StateError` until the placer is closed.
    Close the placer with :meth:`close` or a ``with`` block (it is also
    closed when garbage collected).

    Thread-safety: calls on one placer run one at a time (a lock orders
    them), so threads may share it; each call is short.

    Example::

        with problem.placer() as placer:
            host = placer.place("web-7")      # None: it fits nowhere
            placer.remove("batch-1")          # a departure
            with placer.solution() as now:
                print(now.assignments)
    """

    _kind = "placer"

    def __init__(self, problem: Problem, *,
                 params: Optional[Mapping[str, Any]] = None) -> None:
        """Creates a placer for a problem.

        Args:
            problem: the datacenter: hosts, VMs (those with a ``host`` run
                there and stay), rules.  Held, unchanged, until the placer
                is closed.
            params: solver parameters by name, as for
                :func:`vmplace.solve`; the placer reads
                ``greedy.online_rule`` (a rule name such as
                ``"ffd_l2_avg"``; ``vmplace.parameters()`` describes it).

        Raises:
            ClosedError: the problem is closed.
            NotFoundError: an unknown parameter.
            InvalidArgumentError, RangeError: a bad parameter value; rules
                beyond the compile budget (docs/formats.md).
            NotSupportedError: the library predates online placement.
        """
        if not isinstance(problem, Problem):
            raise TypeError(f"problem: expected a vmplace.Problem, got "
                            f"{type(problem).__name__}")
        lib.require(_PART, _FEATURE)
        opts = new_opts(SolveOpts)
        ps = _make_params(params) if params is not None else None
        out = PlacerP()
        try:
            p = problem._hold("placer")
            try:
                if ps is not None:
                    opts.params = ps
                rc = lib.vmp_placer_new(p, byref(opts), byref(out))
                if rc < 0:
                    raise error(rc, "placer")
                num_vms = int(lib.vmp_problem_num_vms(p))
                num_hosts = int(lib.vmp_problem_num_hosts(p))
            except BaseException:
                lib.vmp_placer_free(out)
                problem._unhold("placer")
                raise
        finally:
            if ps is not None:
                lib.vmp_params_free(ps)
        super().__init__(out, _freer(problem))
        self._problem = problem
        self._p = p                     # valid while the placer holds it
        self._num_vms = num_vms
        self._num_hosts = num_hosts
        self._serial = threading.Lock()

    @property
    def problem(self) -> Problem:
        """The problem the placer was made from."""
        return self._problem

    def _vm_index(self, vm: object) -> int:
        """The index of a VM given by name or index.  Called while the
        placer is in use, so that the problem's memory is there."""
        if isinstance(vm, str):
            idx = c_size_t()
            if lib.vmp_problem_find_vm(self._p, to_bytes(vm, "vm"),
                                       byref(idx)) < 0:
                raise NotFoundError(f"vm: unknown VM \"{vm}\"")
            return idx.value
        try:
            if isinstance(vm, bool):
                raise TypeError
            n = operator.index(vm)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"vm: expected a VM name or index, got "
                            f"{type(vm).__name__}") from None
        if not 0 <= n < self._num_vms:
            raise RangeError(f"vm: index {n} out of range "
                             f"({self._num_vms} VMs)")
        return n

    def place(self, vm: VmRef) -> Optional[str]:
        """Places an arriving VM without moving any other.

        Args:
            vm: the VM's name or index; it must not be placed (running VMs
                are placed from the start).

        Returns:
            The host's name, or None when the VM fits nowhere now (it stays
            unplaced; :func:`vmplace.explain` with :meth:`solution` says
            why).

        Raises:
            StateError: the VM is placed already.
            NotFoundError: an unknown VM name (a KeyError).
            RangeError: an index out of range.
            ClosedError: the placer is closed.
        """
        host = c_size_t()
        with self._use() as pl, self._serial:
            rc = lib.vmp_place(pl, self._vm_index(vm), byref(host))
            if rc < 0:
                raise error(rc)
            if host.value == NONE:
                return None
            return text(lib.vmp_problem_host_name(self._p, host.value))

    def remove(self, vm: VmRef) -> None:
        """Takes a placed VM off its host (a departure, or a VM to place
        again), freeing its capacity for later arrivals.  A running VM may
        be removed too.

        Raises:
            StateError: the VM is not placed.
            NotFoundError, RangeError, ClosedError: as :meth:`place`.
        """
        with self._use() as pl, self._serial:
            rc = lib.vmp_placer_remove(pl, self._vm_index(vm))
            if rc < 0:
                raise error(rc)

    def solution(self) -> Solution:
        """The placement so far, evaluated like every solution: score,
        violations (of running VMs that break constraints where they are),
        unplaced VMs with their reasons.  Its solver is ``online``, its stop
        reason ``completed``; its stats count ``place.placed`` and
        ``place.failed`` calls and ``place.seconds`` spent placing.  The
        solution is independent of the placer: it stays valid after
        :meth:`close`."""
        out = SolutionP()
        with self._use() as pl, self._serial:
            rc = lib.vmp_placer_solution(pl, byref(out))
            if rc < 0:
                raise error(rc)
        return Solution._wrap(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Placer (closed)>"
        return (f"<vmplace.Placer: {self._num_vms} VMs, {self._num_hosts} "
                "hosts>")

    def __reduce__(self) -> Any:
        raise TypeError("a Placer cannot be pickled")
