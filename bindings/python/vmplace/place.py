"""Online placement: VMs placed one at a time as they arrive in a running
datacenter, without moving any other VM.

A :class:`Placer` wraps a C ``vmp_placer``.  It compiles its problem once;
each :meth:`Placer.place` then costs a search of the placer's host trees,
not a solve.  VMs with a current host (their ``host`` in the problem) stay
there, even where that breaks a constraint; every other VM is arriving and
unplaced until it is placed.

The datacenter may change while a placer is open: :meth:`Placer.add_vm`
places a VM that was not in the problem, :meth:`Placer.remove_vm` takes any
VM out for good, :meth:`Placer.set_maintenance` closes a host to new VMs
and reopens it.

A placer holds its :class:`~vmplace.Problem`: the problem refuses every
change (:class:`~vmplace.StateError`) until the placer is closed, and
closing the problem first only defers freeing it to the placer's close.
VMs added to the placer are the placer's, not the problem's.
"""

from __future__ import annotations

import operator
import threading
from ctypes import byref, c_char_p, c_size_t
from typing import Any, Callable, Mapping, Optional, Union

from ._handle import Owned
from ._lib import (NONE, PlacerP, SolutionP, SolveOpts, error, lib, new_opts,
                   text, to_bytes)
from ._lib import check_instance
from .errors import NotFoundError, RangeError
from .problem import Problem
from .solution import Solution
from .solve import _make_params

__all__ = ["Placer"]

_PART = "place.h"
_FEATURE = "online placement"

#: A VM as the placer's methods take it: its name, or its index in the
#: placer (the problem's VMs keep their index; added VMs follow).
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
        check_instance(problem, Problem, "problem")
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

    def _vm_index(self, vm: object, pl: Any = None) -> int:
        """The index of a VM given by name or index.  Called while the
        placer is in use (pl), so that the problem's memory is there."""
        online = pl is not None and lib.has("vmp_placer_find_vm")
        if isinstance(vm, str):
            idx = c_size_t()
            if online:
                rc = lib.vmp_placer_find_vm(pl, to_bytes(vm, "vm"), byref(idx))
                if rc < 0:
                    raise error(rc, "vm")
            elif lib.vmp_problem_find_vm(self._p, to_bytes(vm, "vm"),
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
        count = int(lib.vmp_placer_num_vms(pl)) if online else self._num_vms
        if not 0 <= n < count:
            raise RangeError(f"vm: index {n} out of range ({count} VMs)")
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
            rc = lib.vmp_place(pl, self._vm_index(vm, pl), byref(host))
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
            rc = lib.vmp_placer_remove(pl, self._vm_index(vm, pl))
            if rc < 0:
                raise error(rc)

    def add_vm(self, name: str, demand: Optional[Any] = None, *,
               labels: Optional[Mapping[str, str]] = None) -> Optional[str]:
        """Adds a VM that was not in the problem and places it, moving no
        other VM: the same choice as :meth:`place`, under the problem's hard
        rules (read against ``labels``), capacity and maintenance.  The VM
        belongs to no group and has priority 0.  When it fits nowhere it
        stays in the placer, unplaced: :meth:`place` may place it later,
        :meth:`remove_vm` takes it out.

        Args:
            name: the VM's name, unique among the placer's VMs (the name of
                a removed VM may come back, as a new VM in no group).
            demand: demand per resource, as a dict (missing resources are
                0) or one number per resource; None: all 0.
            labels: the VM's labels, for the problem's rules.

        Returns:
            The host's name, or None when the VM fits nowhere now.

        Raises:
            AlreadyExistsError: the name is taken.
            InvalidArgumentError, RangeError: a bad name, label or demand.
            NotFoundError: an unknown resource in ``demand``.
            NotSupportedError: the library predates online placement.
            ClosedError: the placer is closed.
        """
        what = f"VM \"{name}\"" if isinstance(name, str) else "VM"
        data = to_bytes(name, "VM name")
        items = list((labels or {}).items())
        keys = (c_char_p * max(len(items), 1))(
            *[to_bytes(k, f"{what}: label key") for k, _ in items])
        values = (c_char_p * max(len(items), 1))(
            *[to_bytes(v, f"{what}: label {k}") for k, v in items])
        dem = (self._problem._vector(demand, f"{what}: demand")
               if demand is not None else None)
        vm, host = c_size_t(), c_size_t()
        with self._use() as pl, self._serial:
            rc = lib.vmp_placer_add_vm(pl, data, dem, keys, values, len(items),
                                       byref(vm), byref(host))
            if rc < 0:
                # name the VM once: most messages name it already
                named = f"\"{name}\"" in (text(lib.vmp_last_error()) or "")
                raise error(rc, None if named else what)
            if host.value == NONE:
                return None
            return text(lib.vmp_problem_host_name(self._p, host.value))

    def remove_vm(self, vm: str) -> None:
        """Removes a VM for good (a departure): a VM of the problem or an
        added one.  Its capacity is freed at once; :meth:`solution` leaves
        it out.  (:meth:`remove` takes a VM off its host but keeps it.)

        Raises:
            NotFoundError: no such VM, or removed already (a KeyError).
            NotSupportedError, ClosedError: as :meth:`add_vm`.
        """
        with self._use() as pl, self._serial:
            rc = lib.vmp_placer_remove_vm(pl, to_bytes(vm, "vm"))
            if rc < 0:
                raise error(rc, "vm")

    def set_maintenance(self, host: Union[str, int], maintenance: bool = True) -> None:
        """Puts a host into maintenance (or back in service with
        ``maintenance=False``).  No VM is placed on a host in maintenance;
        the VMs on it stay until the caller moves them (:meth:`remove`, then
        :meth:`place`), and :meth:`solution` reports each as a hard
        ``maintenance`` violation meanwhile.

        Raises:
            NotFoundError: an unknown host name.
            RangeError: a host index out of range.
            NotSupportedError, ClosedError: as :meth:`add_vm`.
        """
        if isinstance(host, str):
            h = self._problem.host_index(host)
        else:
            if isinstance(host, bool):
                raise TypeError("host: expected a host name or index, got bool")
            h = operator.index(host)
            if not 0 <= h < self._num_hosts:
                raise RangeError(f"host: index {h} out of range "
                                 f"({self._num_hosts} hosts)")
        with self._use() as pl, self._serial:
            rc = lib.vmp_placer_set_host_maintenance(pl, h, int(bool(maintenance)))
            if rc < 0:
                raise error(rc, "host")

    def host_of(self, vm: VmRef) -> Optional[str]:
        """The host a VM is on now, or None (unplaced)."""
        with self._use() as pl, self._serial:
            h = lib.vmp_placer_vm_host(pl, self._vm_index(vm, pl))
            return None if h == NONE else text(lib.vmp_problem_host_name(self._p, h))

    def solution(self) -> Solution:
        """The placement so far, evaluated like every solution: score,
        violations (of running VMs that break constraints where they are),
        unplaced VMs with their reasons.  Its solver is ``online``, its stop
        reason ``completed``; its stats count ``place.placed`` and
        ``place.failed`` placements, ``place.added`` and ``place.removed``
        VMs, and ``place.seconds`` spent placing.  Added VMs are in it,
        removed ones are not.  The
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
