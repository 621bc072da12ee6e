"""The placement problem: resources, hosts, VMs, groups, rules, objective.

A :class:`Problem` wraps a C ``vmp_problem``.  Build it in Python with the
``add_*`` methods, or read it from a file or JSON; every method checks its
arguments completely before it changes anything, so a call that raises
leaves the problem as it was.
"""

from __future__ import annotations

import json
import os
from ctypes import byref, c_char_p, c_double, c_size_t
from dataclasses import dataclass
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, List,
                    Mapping, Optional, Sequence, Tuple, Union)

from . import _lib
from ._handle import Owned
from ._lib import (NONE, ProblemP, check, error, lib, opt_text, text, to_bool,
                   to_bytes, to_data, to_float, to_int, to_name, to_number,
                   to_path)
from .errors import InvalidArgumentError, NotFoundError, RangeError, StateError

if TYPE_CHECKING:
    from .explain import Explanation
    from .forecast import Forecast, History, Utilization
    from .place import Placer
    from .plan import Plan
    from .solution import Solution
    from .solve import LogLevel, ProgressInfo

__all__ = ["Problem", "Host", "Vm", "Group", "Rule", "OBJECTIVE_TERMS",
           "FORMATS"]

#: The objective terms, in the order of the score breakdown.
OBJECTIVE_TERMS = ("unplaced", "cost", "soft", "migrations", "balance",
                   "safety", "ratio_balance", "group_moves", "host_moves")

#: Input formats of :meth:`Problem.read` and their ``vmp_format`` values.
FORMATS: Dict[str, int] = {
    "auto": 0, "json": 1, "vbp": 2, "mvp": 3, "bpplib": 4,
    "cloud": 5, "cloudbalancing": 5, "roadef": 6,
}

_POLICIES = {"affinity": 0, "anti-affinity": 1, "spread": 2}
_POLICY_NAMES = {v: k for k, v in _POLICIES.items()}
_PART = "reassign.h"
_PRIORITY_MAX = 1_000_000


class _Keep:
    """Marks an argument of ``update_*`` that was not given."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()

Numbers = Union[Mapping[str, float], Sequence[float]]
Labels = Mapping[str, Optional[str]]


@dataclass(frozen=True)
class Host:
    """A host as the problem describes it (a snapshot: later changes to the
    problem do not show here)."""

    name: str
    capacity: Dict[str, float]
    overcommit: Dict[str, float]
    reserved: Dict[str, float]
    #: ``max(0, capacity * overcommit - reserved)``: what VMs may fill.
    effective_capacity: Dict[str, float]
    cost: float
    labels: Dict[str, str]
    uri: Optional[str]
    maintenance: bool


@dataclass(frozen=True)
class Vm:
    """A VM as the problem describes it (a snapshot)."""

    name: str
    demand: Dict[str, float]
    #: Current host, or None for a new VM.
    host: Optional[str]
    labels: Dict[str, str]
    priority: int
    migration_cost: float
    #: The hosts it is restricted to, or None when every host is allowed.
    allowed_hosts: Optional[List[str]]
    pinned: bool


@dataclass(frozen=True)
class Group:
    """An affinity, anti-affinity or spread group (a snapshot)."""

    name: str
    policy: str
    hard: bool
    scope: str
    weight: float
    vms: List[str]
    #: For a spread group, the domains its VMs must cover (else 0).
    min_domains: int = 0
    all_or_nothing: bool = False


@dataclass(frozen=True)
class Rule:
    """A placement rule (a snapshot).  ``when`` is "" when the rule applies
    to every VM."""

    name: str
    when: str
    require: str
    hard: bool
    weight: float


def _format_code(fmt: object) -> int:
    if not isinstance(fmt, str):
        raise TypeError(f"format: expected a str, got {type(fmt).__name__}")
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"format: unknown format {fmt!r} (expected "
                                   f"one of {', '.join(FORMATS)})")
    return FORMATS[fmt]


class Problem(Owned):
    """A placement problem.

    Create an empty one (optionally with its resources), then add hosts,
    VMs, groups and rules; or read one with :meth:`read`,
    :meth:`from_json` or :meth:`parse`.  Hosts, VMs, groups and rules are
    named; every method takes names, and the ``add_*`` methods also return
    the new object's index (0, 1, 2, ... in order of addition).

    A problem owns C memory: free it with :meth:`close` or a ``with`` block
    (it is also freed when garbage collected).  Solutions do not depend on
    it: they stay valid after the problem is closed.

    Thread-safety: any number of threads may read and solve one problem at
    once.  A change while the problem is being read (by a solve on another
    thread, or from a solve's own progress callback) raises
    :class:`~vmplace.errors.StateError` rather than corrupting it.

    Example::

        with vmplace.Problem(["cpu", "memory_mib"]) as p:
            p.add_host("h1", {"cpu": 32, "memory_mib": 262144})
            p.add_vm("web-1", {"cpu": 4, "memory_mib": 16384})
            solution = p.solve(time_limit=5)
    """

    _kind = "problem"

    def __init__(self, resources: Iterable[str] = ()) -> None:
        """Creates an empty problem.

        Args:
            resources: resource names to declare at once (see
                :meth:`add_resource`).
        """
        if isinstance(resources, (str, bytes)):
            raise TypeError("resources: expected an iterable of names, got "
                            f"{type(resources).__name__}")
        ptr = ProblemP()
        check(lib.vmp_problem_new(byref(ptr)))
        super().__init__(ptr, lib.vmp_problem_free)
        self._init_caches()
        try:
            for name in resources:
                self.add_resource(name)
        except BaseException:
            self.close()
            raise

    @classmethod
    def _wrap(cls, ptr: Any) -> "Problem":
        obj = cls._adopt(ptr, lib.vmp_problem_free)
        obj._init_caches()
        return obj

    def _init_caches(self) -> None:
        # (names, name -> index), replaced as a whole
        self._resources: Optional[Tuple[List[str], Dict[str, int]]] = None
        self._names: Optional[Tuple[Tuple[str, ...], Tuple[str, ...]]] = None

    def _on_modify(self) -> None:
        self._names = None

    # ---- reading and writing ---------------------------------------------

    @classmethod
    def read(cls, path: "_lib.StrPath", format: str = "auto") -> "Problem":
        """Reads a problem from a file.

        Args:
            path: the file.
            format: ``"auto"`` (by extension and content), ``"json"``,
                ``"vbp"``, ``"mvp"``, ``"bpplib"``, ``"cloud"`` (Timefold
                cloud balancing JSON) or ``"roadef"`` (ROADEF 2012
                ``model_*.txt``).

        Raises:
            InputOutputError: the file cannot be read.
            ParseError, RangeError, AlreadyExistsError, NotFoundError: bad
                content; the message names the file and the field.
        """
        code = _format_code(format)
        data = to_path(path)
        ptr = ProblemP()
        check(lib.vmp_problem_read(data, code, byref(ptr)))
        return cls._wrap(ptr)

    @classmethod
    def parse(cls, data: Union[str, bytes], format: str = "json",
              origin: Optional[str] = None) -> "Problem":
        """Parses a problem held in memory.

        Args:
            data: the text (str, or bytes in the file's encoding).
            format: as in :meth:`read`; ``"auto"`` means JSON (cloud
                balancing JSON is recognised too).
            origin: how messages name the input (e.g. a file name);
                default ``"<input>"``.
        """
        code = _format_code(format)
        raw = to_data(data)
        where = to_bytes(origin, "origin") if origin is not None else None
        ptr = ProblemP()
        check(lib.vmp_problem_parse(raw, len(raw), code, where, byref(ptr)))
        return cls._wrap(ptr)

    @classmethod
    def from_json(cls, source: Union[Mapping[str, Any], str, bytes,
                                     "os.PathLike[str]"]) -> "Problem":
        """A problem from problem JSON (docs/formats.md).

        Args:
            source: a dict (the parsed JSON), JSON text (a str whose first
                non-blank character is ``{``, or bytes), or the path of a
                JSON file.

        Raises:
            ParseError and the other errors of :meth:`read`, with messages
            that name the field (``hosts[3].capacity.cpu: ...``).
        """
        if isinstance(source, Mapping):
            try:
                data = json.dumps(source, allow_nan=False)
            except ValueError as exc:   # NaN or infinity: not JSON
                raise RangeError(f"<dict>: {exc}") from None
            return cls.parse(data, "json", "<dict>")
        if isinstance(source, (bytes, bytearray, memoryview)):
            return cls.parse(bytes(source), "json", "<bytes>")
        if isinstance(source, str) and source.lstrip().startswith("{"):
            return cls.parse(source, "json", "<string>")
        if isinstance(source, (str, os.PathLike)):
            return cls.read(source, "json")
        raise TypeError("source: expected a dict, JSON text or a path, got "
                        f"{type(source).__name__}")

    def to_json(self) -> str:
        """The problem as problem JSON; :meth:`from_json` reads it back to
        an identical problem."""
        return self._text(lib.vmp_problem_to_json)

    def to_dict(self) -> Dict[str, Any]:
        """The problem as a dict (the parsed :meth:`to_json`)."""
        result: Dict[str, Any] = json.loads(self.to_json())
        return result

    def write(self, path: "_lib.StrPath") -> None:
        """Writes :meth:`to_json` to a file."""
        self._write(lib.vmp_problem_write, path)

    def clone(self) -> "Problem":
        """An independent deep copy."""
        ptr = ProblemP()
        with self._use() as p:
            rc = lib.vmp_problem_clone(p, byref(ptr))
            if rc < 0:
                raise error(rc)
        return Problem._wrap(ptr)

    def __copy__(self) -> "Problem":
        return self.clone()

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Problem":
        return self.clone()

    def __reduce__(self) -> Tuple[Callable[..., "Problem"], Tuple[str, str, str]]:
        return (Problem.parse, (self.to_json(), "json", "<pickle>"))

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Problem (closed)>"
        return (f"<vmplace.Problem: {len(self.resources)} resources, "
                f"{self.num_hosts} hosts, {self.num_vms} VMs>")

    # ---- resources ---------------------------------------------------------

    def add_resource(self, name: str) -> int:
        """Declares a resource (a dimension of capacity and demand).

        Resources come before the first host or VM.  Names match
        ``[A-Za-z_][A-Za-z0-9_]*`` so that rules can name them.

        Returns:
            The resource's index.

        Raises:
            InvalidArgumentError: a bad name.  AlreadyExistsError: declared
            twice.  StateError: hosts or VMs exist already.  RangeError: more
            than 64 resources.
        """
        data = to_bytes(name, "resource name")
        idx = c_size_t()
        with self._modify() as p:
            rc = lib.vmp_problem_add_resource(p, data, byref(idx))
            if rc < 0:
                raise error(rc)
            self._resources = None
        return idx.value

    @property
    def resources(self) -> List[str]:
        """Resource names, in order."""
        return list(self._resource_table()[0])

    def _resource_table(self) -> Tuple[List[str], Dict[str, int]]:
        table = self._resources
        if table is None:
            with self._use() as p:
                names = [text(lib.vmp_problem_resource_name(p, r))
                         for r in range(lib.vmp_problem_num_resources(p))]
                # Stored while still in use: no change can start before
                # this, so the cache cannot be older than the problem.
                table = self._resources = (names, {n: r for r, n in enumerate(names)})
        return table

    def _per_resource(self, values: object, what: str,
                      check_value: Callable[[object, str], float]
                      ) -> List[Tuple[int, float]]:
        """(resource index, value) pairs from a dict by resource name or a
        sequence with one value per resource."""
        names, index = self._resource_table()
        if isinstance(values, Mapping):
            pairs = []
            for key, value in values.items():
                if not isinstance(key, str):
                    raise TypeError(f"{what}: expected resource names as keys, "
                                    f"got {type(key).__name__}")
                if key not in index:
                    raise NotFoundError(f"{what}: unknown resource \"{key}\" "
                                        f"(resources: {', '.join(names)})")
                pairs.append((index[key],
                              check_value(value, f"{what}.{key}")))
            return pairs
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"{what}: expected a dict of resource -> number or "
                            f"a sequence of numbers, got {type(values).__name__}")
        values = list(values)   # any iterable: lists, tuples, numpy arrays
        if len(values) != len(names):
            raise InvalidArgumentError(f"{what}: expected {len(names)} values "
                                       f"(one per resource), got {len(values)}")
        return [(r, check_value(v, f"{what}.{names[r]}"))
                for r, v in enumerate(values)]

    def _vector(self, values: object, what: str) -> Any:
        """A C array of one number per resource (missing ones 0); the
        library checks the values."""
        n = len(self._resource_table()[0])
        arr = (c_double * max(n, 1))()
        for r, v in self._per_resource(values, what, to_float):
            arr[r] = v
        return arr

    @staticmethod
    def _check_vector(p: Any, arr: Any) -> None:
        """Inside a modification: the array still has one entry per
        resource (a resource added by another thread in between would make
        C read past its end)."""
        if arr is not None and lib.vmp_problem_num_resources(p) > len(arr):
            raise StateError("the resources changed during the call (a "
                             "problem needs exclusive access to be changed)")

    # ---- lookups -------------------------------------------------------------

    def _find(self, fn: Any, kind: str, name: object, what: str) -> int:
        data = to_bytes(name, what)
        idx = c_size_t()
        with self._use() as p:
            rc = fn(p, data, byref(idx))
        if rc < 0:
            # the detail message says "unknown host ..."; say where, too
            raise NotFoundError(f"{what}: unknown {kind} \"{name}\"")
        return idx.value

    def host_index(self, name: str) -> int:
        """The index of a host.  Raises NotFoundError (a KeyError)."""
        return self._find(lib.vmp_problem_find_host, "host", name, "host")

    def vm_index(self, name: str) -> int:
        """The index of a VM.  Raises NotFoundError (a KeyError)."""
        return self._find(lib.vmp_problem_find_vm, "VM", name, "VM")

    def _names_by_index(self) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
        """(VM names, host names) in index order; cached until a change."""
        names = self._names
        if names is None:
            with self._use() as p:
                vms = tuple(text(lib.vmp_problem_vm_name(p, v))
                            for v in range(lib.vmp_problem_num_vms(p)))
                hosts = tuple(text(lib.vmp_problem_host_name(p, h))
                              for h in range(lib.vmp_problem_num_hosts(p)))
                names = self._names = (vms, hosts)
        return names

    @property
    def num_hosts(self) -> int:
        """Number of hosts."""
        with self._use() as p:
            return int(lib.vmp_problem_num_hosts(p))

    @property
    def num_vms(self) -> int:
        """Number of VMs."""
        with self._use() as p:
            return int(lib.vmp_problem_num_vms(p))

    @property
    def hosts(self) -> List[str]:
        """Host names, in index order."""
        return list(self._names_by_index()[1])

    @property
    def vms(self) -> List[str]:
        """VM names, in index order."""
        return list(self._names_by_index()[0])

    # ---- hosts --------------------------------------------------------------

    def _host_setters(self, what: str, overcommit: object, reserved: object,
                      cost: object, labels: object, uri: object,
                      maintenance: object) -> List[Tuple[Any, Tuple[Any, ...]]]:
        """Checks every host field that is given and returns the C calls
        that set them (function, arguments after the problem and index)."""
        calls: List[Tuple[Any, Tuple[Any, ...]]] = []
        if overcommit is not KEEP and overcommit is not None:
            for r, v in self._per_resource(
                    overcommit, f"{what}: overcommit",
                    lambda x, w: to_number(x, w, _lib.MIN_OVERCOMMIT,
                                           maximum=_lib.MAX_OVERCOMMIT)):
                calls.append((lib.vmp_problem_set_host_overcommit, (r, v)))
        if reserved is not KEEP and reserved is not None:
            for r, v in self._per_resource(
                    reserved, f"{what}: reserved",
                    lambda x, w: to_number(x, w, maximum=_lib.MAX_QUANTITY)):
                calls.append((lib.vmp_problem_set_host_reserved, (r, v)))
        if cost is not KEEP and cost is not None:
            calls.append((lib.vmp_problem_set_host_cost,
                          (to_number(cost, f"{what}: cost",
                                     maximum=_lib.MAX_WEIGHT),)))
        if labels is not KEEP and labels is not None:
            for key, value in _labels(labels, f"{what}: labels"):
                calls.append((lib.vmp_problem_set_host_label, (key, value)))
        if uri is not KEEP:
            calls.append((lib.vmp_problem_set_host_uri,
                          (None if uri is None else to_name(uri, f"{what}: uri"),)))
        if maintenance is not KEEP:
            calls.append((lib.vmp_problem_set_host_maintenance,
                          (int(to_bool(maintenance, f"{what}: maintenance")),)))
        return calls

    def add_host(self, name: str, capacity: Optional[Numbers] = None, *,
                 overcommit: Optional[Mapping[str, float]] = None,
                 reserved: Optional[Mapping[str, float]] = None,
                 cost: Optional[float] = None,
                 labels: Optional[Labels] = None,
                 uri: Optional[str] = None,
                 maintenance: bool = False,
                 safety: Optional[Mapping[str, float]] = None,
                 safety_fraction: Optional[Mapping[str, float]] = None) -> int:
        """Adds a host.

        Args:
            name: unique host name.
            capacity: raw capacity per resource, as a dict (missing
                resources are 0) or one number per resource; each 0 or
                1e-6 to 1e15.
            overcommit: capacity multipliers by resource (0.001 to 1000;
                default 1).
            reserved: capacity held back by resource (0 to 1e15; default
                0).  VMs may fill ``capacity * overcommit - reserved``.
            cost: cost of using the host (0 to 1e9; default 1).
            labels: labels for rules and group scopes.
            uri: libvirt connection URI.
            maintenance: a host in maintenance receives no VM.
            safety: the host's safety capacity by resource, absolute (>= 0;
                docs/rebalancing.md).
            safety_fraction: the host's safety capacity by resource, as a
                fraction of its effective capacity (0..1).

        Returns:
            The host's index.

        Raises:
            AlreadyExistsError: the name is taken.  NotFoundError: an unknown
            resource.  RangeError: a number outside its range
            (docs/formats.md, "Numbers").  InvalidArgumentError: a bad name or label.
            TypeError: an argument of the wrong type.  Nothing is added
            when it raises.
        """
        what = f"host \"{name}\"" if isinstance(name, str) else "host"
        data = to_bytes(name, "host name")
        cap = self._vector(capacity, f"{what}: capacity") \
            if capacity is not None else None
        calls = self._host_setters(what, overcommit, reserved, cost, labels,
                                   uri if uri is not None else KEEP,
                                   maintenance if maintenance else KEEP)
        if safety is not None or safety_fraction is not None:
            lib.require(_PART, "safety capacities")
        if safety is not None:
            for r, v in self._per_resource(safety, f"{what}: safety", to_number):
                calls.append((lib.vmp_problem_set_host_safety, (r, v)))
        if safety_fraction is not None:
            for r, v in self._per_resource(safety_fraction,
                                           f"{what}: safety_fraction",
                                           _fraction):
                calls.append((lib.vmp_problem_set_host_safety_fraction, (r, v)))
        idx = c_size_t()
        with self._modify() as p:
            self._check_vector(p, cap)
            rc = lib.vmp_problem_add_host(p, data, cap, byref(idx))
            if rc < 0:
                raise error(rc, what)
            _apply(p, idx.value, calls, what)
        return idx.value

    def update_host(self, name: str, *, capacity: Any = KEEP,
                    overcommit: Any = KEEP, reserved: Any = KEEP,
                    cost: Any = KEEP, labels: Any = KEEP, uri: Any = KEEP,
                    maintenance: Any = KEEP) -> None:
        """Changes fields of an existing host; fields not given stay.

        ``capacity``, ``overcommit`` and ``reserved`` change only the
        resources they name; ``labels`` sets the labels it names and removes
        those whose value is None; ``uri=None`` clears the URI.  Everything
        is checked before anything changes.
        """
        h = self.host_index(name)
        what = f"host \"{name}\""
        calls = []
        if capacity is not KEEP:
            for r, v in self._per_resource(capacity, f"{what}: capacity",
                                           to_number):
                calls.append((lib.vmp_problem_set_host_capacity, (r, v)))
        calls += self._host_setters(what, overcommit, reserved, cost, labels,
                                    uri, maintenance)
        with self._modify() as p:
            _apply(p, h, calls, what)

    def host(self, name: str) -> Host:
        """A snapshot of a host's fields."""
        h = self.host_index(name)
        res = self._resource_table()[0]
        with self._use() as p:
            per = [(lib.vmp_problem_host_capacity(p, h, r),
                    lib.vmp_problem_host_overcommit(p, h, r),
                    lib.vmp_problem_host_reserved(p, h, r),
                    lib.vmp_problem_host_effective_capacity(p, h, r))
                   for r in range(len(res))]
            labels = _read_labels(p, h, lib.vmp_problem_host_num_labels,
                                  lib.vmp_problem_host_label_at)
            return Host(
                name=text(lib.vmp_problem_host_name(p, h)),
                capacity={n: per[r][0] for r, n in enumerate(res)},
                overcommit={n: per[r][1] for r, n in enumerate(res)},
                reserved={n: per[r][2] for r, n in enumerate(res)},
                effective_capacity={n: per[r][3] for r, n in enumerate(res)},
                cost=lib.vmp_problem_host_cost(p, h),
                labels=labels,
                uri=opt_text(lib.vmp_problem_host_uri(p, h)),
                maintenance=bool(lib.vmp_problem_host_maintenance(p, h)))

    # ---- VMs ------------------------------------------------------------------

    def _vm_setters(self, what: str, host: object, labels: object,
                    priority: object, migration_cost: object,
                    allowed_hosts: object, pinned: object
                    ) -> List[Tuple[Any, Tuple[Any, ...]]]:
        calls: List[Tuple[Any, Tuple[Any, ...]]] = []
        if host is not KEEP:
            h = NONE if host is None else \
                self._find(lib.vmp_problem_find_host, "host", host, f"{what}: host")
            calls.append((lib.vmp_problem_set_vm_host, (h,)))
        if labels is not KEEP and labels is not None:
            for key, value in _labels(labels, f"{what}: labels"):
                calls.append((lib.vmp_problem_set_vm_label, (key, value)))
        if priority is not KEEP and priority is not None:
            calls.append((lib.vmp_problem_set_vm_priority,
                          (to_int(priority, f"{what}: priority", 0,
                                  _PRIORITY_MAX),)))
        if migration_cost is not KEEP:
            # None (or a negative number, as in C) restores the default
            cost = -1.0 if migration_cost is None else \
                to_number(migration_cost, f"{what}: migration_cost",
                          minimum=-float("inf"), maximum=_lib.MAX_QUANTITY)
            calls.append((lib.vmp_problem_set_vm_migration_cost, (cost,)))
        if allowed_hosts is not KEEP:
            if allowed_hosts is None:
                calls.append((lib.vmp_problem_set_vm_allowed_hosts, (None, 0)))
            else:
                idx = self._host_list(allowed_hosts, f"{what}: allowed_hosts")
                calls.append((lib.vmp_problem_set_vm_allowed_hosts,
                              ((c_size_t * len(idx))(*idx), len(idx))))
        if pinned is not KEEP:
            calls.append((lib.vmp_problem_set_vm_pinned,
                          (int(to_bool(pinned, f"{what}: pinned")),)))
        return calls

    def _host_list(self, hosts: object, what: str) -> List[int]:
        if isinstance(hosts, (str, bytes)) or not isinstance(hosts, Iterable):
            raise TypeError(f"{what}: expected a list of host names, got "
                            f"{type(hosts).__name__}")
        idx = [self._find(lib.vmp_problem_find_host, "host", h, what)
               for h in hosts]
        if not idx:
            # An empty list would lift the restriction in C: refuse it
            # rather than let "allowed nowhere" mean "allowed everywhere".
            raise InvalidArgumentError(f"{what}: expected at least one host "
                                       "(None allows every host)")
        return idx

    def add_vm(self, name: str, demand: Optional[Numbers] = None, *,
               host: Optional[str] = None,
               labels: Optional[Labels] = None,
               priority: Optional[int] = None,
               migration_cost: Optional[float] = None,
               allowed_hosts: Optional[Iterable[str]] = None,
               pinned: bool = False) -> int:
        """Adds a VM.

        Args:
            name: unique VM name.
            demand: demand per resource, as a dict (missing resources are 0)
                or one number per resource; each 0 to 1e15.
            host: its current host (None: a new VM, not placed yet).
            labels: labels for rules.
            priority: 0..1000000; leaving the VM out costs the ``unplaced``
                weight times (1 + priority).
            migration_cost: cost of moving it off its current host (>= 0;
                default: its demand of the first resource named ``mem*``,
                else 1).
            allowed_hosts: host names it may run on (None: any host).
            pinned: it must stay on its current host.

        Returns:
            The VM's index.

        Raises:
            As :meth:`add_host`; NotFoundError for an unknown host.  Nothing
            is added when it raises.
        """
        what = f"VM \"{name}\"" if isinstance(name, str) else "VM"
        data = to_bytes(name, "VM name")
        dem = self._vector(demand, f"{what}: demand") if demand is not None else None
        calls = self._vm_setters(
            what, host if host is not None else KEEP, labels, priority,
            migration_cost if migration_cost is not None else KEEP,
            allowed_hosts if allowed_hosts is not None else KEEP,
            pinned if pinned else KEEP)
        idx = c_size_t()
        with self._modify() as p:
            self._check_vector(p, dem)
            rc = lib.vmp_problem_add_vm(p, data, dem, byref(idx))
            if rc < 0:
                raise error(rc, what)
            _apply(p, idx.value, calls, what)
        return idx.value

    def update_vm(self, name: str, *, demand: Any = KEEP, host: Any = KEEP,
                  labels: Any = KEEP, priority: Any = KEEP,
                  migration_cost: Any = KEEP, allowed_hosts: Any = KEEP,
                  pinned: Any = KEEP) -> None:
        """Changes fields of an existing VM; fields not given stay.

        ``demand`` changes only the resources it names; ``host=None`` makes
        it a new (unplaced) VM; ``labels`` sets the labels it names and
        removes those whose value is None; ``migration_cost=None`` restores
        the default; ``allowed_hosts=None`` allows every host.  Everything is
        checked before anything changes.
        """
        v = self.vm_index(name)
        what = f"VM \"{name}\""
        calls = []
        if demand is not KEEP:
            for r, x in self._per_resource(demand, f"{what}: demand", to_number):
                calls.append((lib.vmp_problem_set_vm_demand, (r, x)))
        calls += self._vm_setters(what, host, labels, priority, migration_cost,
                                  allowed_hosts, pinned)
        with self._modify() as p:
            _apply(p, v, calls, what)

    def vm(self, name: str) -> Vm:
        """A snapshot of a VM's fields."""
        v = self.vm_index(name)
        res = self._resource_table()[0]
        with self._use() as p:
            h = lib.vmp_problem_vm_host(p, v)
            n_allowed = lib.vmp_problem_vm_num_allowed_hosts(p, v)
            allowed = [text(lib.vmp_problem_host_name(
                p, lib.vmp_problem_vm_allowed_host(p, v, k)))
                for k in range(n_allowed)] if n_allowed else None
            return Vm(
                name=text(lib.vmp_problem_vm_name(p, v)),
                demand={n: lib.vmp_problem_vm_demand(p, v, r)
                        for r, n in enumerate(res)},
                host=None if h == NONE else text(lib.vmp_problem_host_name(p, h)),
                labels=_read_labels(p, v, lib.vmp_problem_vm_num_labels,
                                    lib.vmp_problem_vm_label_at),
                priority=int(lib.vmp_problem_vm_priority(p, v)),
                migration_cost=lib.vmp_problem_vm_migration_cost(p, v),
                allowed_hosts=allowed,
                pinned=bool(lib.vmp_problem_vm_pinned(p, v)))

    # ---- groups and rules ----------------------------------------------------

    def add_group(self, name: str, policy: str, vms: Iterable[str], *,
                  hard: bool = True, scope: Optional[str] = None,
                  weight: Optional[float] = None,
                  min_domains: Optional[int] = None,
                  all_or_nothing: bool = False) -> int:
        """Adds an affinity, anti-affinity or spread group.

        Args:
            name: unique group name.
            policy: ``"affinity"`` (members share one domain),
                ``"anti-affinity"`` (no two members share a domain) or
                ``"spread"`` (members cover at least ``min_domains``
                domains).
            vms: member VM names (at least 2, or 1 for a spread group; no
                duplicates).
            hard: a hard group is never violated; a soft one costs ``weight``
                per violation.  A hard affinity group keeps its placed
                members in one domain; any member may stay unplaced.
            scope: ``None`` or ``"host"`` (the domain is a host), or a host
                label key (the domain is the label's value, e.g. ``"zone"``).
            weight: cost of a violation of a soft group (0 to 1e9;
                default 1).
            min_domains: for a spread group, how many domains its VMs cover
                (1..members; required).
            all_or_nothing: for a hard affinity group with scope ``"host"``:
                every member on one host, or none placed.

        Returns:
            The group's index.
        """
        what = f"group \"{name}\"" if isinstance(name, str) else "group"
        data = to_bytes(name, "group name")
        if not isinstance(policy, str):
            raise TypeError(f"{what}: policy: expected a str, got "
                            f"{type(policy).__name__}")
        if policy not in _POLICIES:
            raise InvalidArgumentError(f"{what}: policy: expected \"affinity\", "
                                       f"\"anti-affinity\" or \"spread\", got "
                                       f"{policy!r}")
        if (policy == "spread") != (min_domains is not None):
            raise InvalidArgumentError(
                f"{what}: min_domains: a spread group needs it, other "
                f"policies have none")
        k_min = None
        if policy == "spread":
            lib.require(_PART, "spread groups")
        if isinstance(vms, (str, bytes)) or not isinstance(vms, Iterable):
            raise TypeError(f"{what}: vms: expected a list of VM names, got "
                            f"{type(vms).__name__}")
        members = [self._find(lib.vmp_problem_find_vm, "VM", v, f"{what}: vms")
                   for v in vms]
        if policy == "spread":
            k_min = to_int(min_domains, f"{what}: min_domains", 1,
                           max(len(members), 1))
        is_hard = to_bool(hard, f"{what}: hard")
        scope_b = to_bytes(scope, f"{what}: scope") if scope is not None else None
        w = to_number(weight, f"{what}: weight", maximum=_lib.MAX_WEIGHT) \
            if weight is not None else None
        aon = to_bool(all_or_nothing, f"{what}: all_or_nothing")
        if aon and not (policy == "affinity" and is_hard and scope in (None, "host")):
            raise InvalidArgumentError(
                f"{what}: all_or_nothing: only a hard affinity group with "
                f"scope \"host\" can be all or nothing")
        arr = (c_size_t * max(len(members), 1))(*members)
        idx = c_size_t()
        with self._modify() as p:
            rc = lib.vmp_problem_add_group(p, data, _POLICIES[policy],
                                           int(is_hard), scope_b, arr,
                                           len(members), byref(idx))
            if rc < 0:
                raise error(rc, what)
            if w is not None:
                _apply(p, idx.value, [(lib.vmp_problem_set_group_weight, (w,))],
                       what)
            if k_min is not None:
                _apply(p, idx.value,
                       [(lib.vmp_problem_set_group_min_domains, (k_min,))], what)
            if aon:
                _apply(p, idx.value,
                       [(lib.vmp_problem_set_group_all_or_nothing, (1,))], what)
        return idx.value

    def add_rule(self, name: str, *, require: str, when: Optional[str] = None,
                 hard: bool = True, weight: Optional[float] = None) -> int:
        """Adds a placement rule in the rule language (docs/formats.md).

        For every VM for which ``when`` holds, ``require`` must hold on its
        host, e.g. ``add_rule("pci", when='vm.labels.pci == "true"',
        require='host.labels.zone == "secure"')``.

        Args:
            name: unique rule name.
            require: the condition on the VM's host.
            when: which VMs the rule applies to (None: every VM).
            hard: a hard rule removes hosts; a soft one costs ``weight`` per
                VM placed where it fails.
            weight: the cost of a soft rule (>= 0; default 1).

        Returns:
            The rule's index.

        Raises:
            ParseError: a syntax error; the message gives the column.
            NotFoundError: an unknown resource in ``vm.demand.R``.
        """
        what = f"rule \"{name}\"" if isinstance(name, str) else "rule"
        data = to_bytes(name, "rule name")
        req = to_bytes(require, f"{what}: require")
        cond = to_bytes(when, f"{what}: when") if when is not None else None
        is_hard = to_bool(hard, f"{what}: hard")
        w = to_number(weight, f"{what}: weight", maximum=_lib.MAX_WEIGHT) \
            if weight is not None else None
        idx = c_size_t()
        with self._modify() as p:
            rc = lib.vmp_problem_add_rule(p, data, cond, req, int(is_hard),
                                          byref(idx))
            if rc < 0:
                raise error(rc, what)
            if w is not None:
                _apply(p, idx.value, [(lib.vmp_problem_set_rule_weight, (w,))],
                       what)
        return idx.value

    @property
    def groups(self) -> List[Group]:
        """Snapshots of the groups, in index order."""
        with self._use() as p:
            vm_names = self._names_by_index()[0]
            return [Group(
                name=text(lib.vmp_problem_group_name(p, g)),
                policy=_POLICY_NAMES[lib.vmp_problem_group_policy(p, g)],
                hard=bool(lib.vmp_problem_group_hard(p, g)),
                scope=text(lib.vmp_problem_group_scope(p, g)),
                weight=lib.vmp_problem_group_weight(p, g),
                vms=[vm_names[lib.vmp_problem_group_vm(p, g, k)]
                     for k in range(lib.vmp_problem_group_num_vms(p, g))],
                min_domains=int(lib.vmp_problem_group_min_domains(p, g)),
                all_or_nothing=bool(lib.vmp_problem_group_all_or_nothing(p, g)))
                for g in range(lib.vmp_problem_num_groups(p))]

    @property
    def rules(self) -> List[Rule]:
        """Snapshots of the rules, in index order."""
        with self._use() as p:
            return [Rule(
                name=text(lib.vmp_problem_rule_name(p, r)),
                when=text(lib.vmp_problem_rule_when(p, r)),
                require=text(lib.vmp_problem_rule_require(p, r)),
                hard=bool(lib.vmp_problem_rule_hard(p, r)),
                weight=lib.vmp_problem_rule_weight(p, r))
                for r in range(lib.vmp_problem_num_rules(p))]

    # ---- rebalancing (docs/rebalancing.md) -------------------------------------

    def _resource(self, name: object, what: str) -> int:
        return self._find(lib.vmp_problem_find_resource, "resource", name, what)

    def _group(self, name: object, what: str) -> int:
        if not isinstance(name, str):
            raise TypeError(f"{what}: expected a group name, got "
                            f"{type(name).__name__}")
        with self._use() as p:
            for g in range(lib.vmp_problem_num_groups(p)):
                if text(lib.vmp_problem_group_name(p, g)) == name:
                    return g
        raise NotFoundError(f"{what}: unknown group \"{name}\"")

    def set_transient(self, resource: str, transient: bool = True) -> None:
        """Marks a resource transient: a VM that moves holds it on its
        current host too, and both must fit (a hard constraint)."""
        lib.require(_PART, "transient resources")
        r = self._resource(resource, "transient")
        flag = to_bool(transient, f"transient.{resource}")
        with self._modify() as p:
            check(lib.vmp_problem_set_resource_transient(p, r, int(flag)))

    @property
    def transient(self) -> List[str]:
        """The transient resources."""
        lib.require(_PART, "transient resources")
        with self._use() as p:
            return [name for r, name in enumerate(self.resources)
                    if lib.vmp_problem_resource_transient(p, r)]

    def set_safety(self, resource: str, *, fraction: Optional[float] = None,
                   weight: Optional[float] = None) -> None:
        """Sets the safety capacity of every host in a resource as a
        fraction of its effective capacity (0..1) and/or the cost per unit
        of load above it (the "safety" objective term; default 1).  Hosts'
        own values (``add_host(safety=...)``) win over the fraction."""
        lib.require(_PART, "safety capacities")
        r = self._resource(resource, "safety")
        f = _fraction(fraction, f"safety.{resource}.fraction") \
            if fraction is not None else None
        w = to_number(weight, f"safety.{resource}.weight") \
            if weight is not None else None
        with self._modify() as p:
            if f is not None:
                check(lib.vmp_problem_set_safety_fraction(p, r, f))
            if w is not None:
                check(lib.vmp_problem_set_safety_weight(p, r, w))

    def safety_capacity(self, host: str, resource: str) -> float:
        """The safety capacity in force for a host and a resource."""
        lib.require(_PART, "safety capacities")
        h = self._find(lib.vmp_problem_find_host, "host", host, "safety")
        r = self._resource(resource, "safety")
        with self._use() as p:
            return lib.vmp_problem_host_safety_capacity(p, h, r)

    def add_ratio_balance(self, first: str, second: str, *,
                          target: float = 1.0, weight: float = 1.0) -> int:
        """Adds a ratio balance term: weight x the sum over hosts of
        max(0, target x free(first) - free(second)).  Returns its index."""
        lib.require(_PART, "ratio balance")
        r1 = self._resource(first, "ratio_balance")
        r2 = self._resource(second, "ratio_balance")
        t = to_number(target, "ratio_balance: target")
        w = to_number(weight, "ratio_balance: weight")
        idx = c_size_t()
        with self._modify() as p:
            check(lib.vmp_problem_add_ratio_balance(p, r1, r2, t, w, byref(idx)),
                  "ratio_balance")
        return idx.value

    def add_dependency(self, group: str, on: str, *, scope: Optional[str] = None,
                       hard: bool = True, weight: Optional[float] = None) -> int:
        """Adds a dependency: every placed VM of ``group`` runs in a
        ``scope`` domain (a host label, or each host) that also runs a VM of
        ``on``.  A soft one costs ``weight`` per VM without.  Returns its
        index."""
        lib.require(_PART, "dependencies")
        what = f"dependency {group} -> {on}"
        a = self._group(group, f"{what}: group")
        b = self._group(on, f"{what}: on")
        scope_b = to_bytes(scope, f"{what}: scope") if scope is not None else None
        is_hard = to_bool(hard, f"{what}: hard")
        w = to_number(weight, f"{what}: weight") if weight is not None else None
        idx = c_size_t()
        with self._modify() as p:
            check(lib.vmp_problem_add_dependency(p, a, b, scope_b, byref(idx)),
                  what)
            calls = [(lib.vmp_problem_set_dependency_hard, (int(is_hard),))]
            if w is not None:
                calls.append((lib.vmp_problem_set_dependency_weight, (w,)))
            _apply(p, idx.value, calls, what)
        return idx.value

    def set_host_move_costs(self, *, label: Optional[str] = None,
                            costs: Optional[Mapping[str, Mapping[str, float]]] = None,
                            default: float = 0.0,
                            classes: Optional[Sequence[int]] = None,
                            matrix: Optional[Sequence[Sequence[float]]] = None
                            ) -> None:
        """Sets the cost of moving a VM from one host to another (the
        "host_moves" term), as in problem JSON: by a host ``label`` with
        ``costs[from][to]`` between its values and a ``default``; by
        ``classes`` (one per host) and a square ``matrix`` over classes; or
        by a full host x host ``matrix``."""
        lib.require(_PART, "host move costs")
        if label is not None:
            if classes is not None or matrix is not None:
                raise InvalidArgumentError("host_move_costs: give label (with "
                                           "costs) or matrix, not both")
            src: List[bytes] = []
            dst: List[bytes] = []
            vals: List[float] = []
            for a, row in (costs or {}).items():
                for b, c in row.items():
                    src.append(to_bytes(a, "host_move_costs.costs"))
                    dst.append(to_bytes(b, f"host_move_costs.costs.{a}"))
                    vals.append(to_number(c, f"host_move_costs.costs.{a}.{b}"))
            n = len(vals)
            with self._modify() as p:
                check(lib.vmp_problem_set_host_move_costs_by_label(
                    p, to_bytes(label, "host_move_costs.label"), n,
                    (c_char_p * max(n, 1))(*src), (c_char_p * max(n, 1))(*dst),
                    (c_double * max(n, 1))(*vals),
                    to_number(default, "host_move_costs.default")),
                    "host_move_costs")
            return
        if matrix is None:
            raise InvalidArgumentError("host_move_costs: expected label or matrix")
        rows = [[to_number(x, f"host_move_costs.matrix[{i}][{j}]")
                 for j, x in enumerate(row)] for i, row in enumerate(matrix)]
        n = len(rows)
        if any(len(row) != n for row in rows):
            raise InvalidArgumentError("host_move_costs.matrix: expected a "
                                       "square matrix")
        flat = (c_double * max(n * n, 1))(*[x for row in rows for x in row])
        with self._modify() as p:
            if classes is None:
                if n != lib.vmp_problem_num_hosts(p):
                    raise InvalidArgumentError(
                        f"host_move_costs.matrix: expected {lib.vmp_problem_num_hosts(p)} "
                        f"rows (one per host), got {n}")
                check(lib.vmp_problem_set_host_move_matrix(p, flat),
                      "host_move_costs")
            else:
                cls = [to_int(c, f"host_move_costs.classes[{k}]", 0, max(n - 1, 0))
                       for k, c in enumerate(classes)]
                if len(cls) != lib.vmp_problem_num_hosts(p):
                    raise InvalidArgumentError(
                        "host_move_costs.classes: expected one class per host")
                check(lib.vmp_problem_set_host_move_costs(
                    p, (c_size_t * max(len(cls), 1))(*cls), n, flat),
                    "host_move_costs")

    def host_move_cost(self, source: str, target: str) -> float:
        """The cost of moving a VM from host ``source`` to host ``target``."""
        lib.require(_PART, "host move costs")
        a = self._find(lib.vmp_problem_find_host, "host", source, "host_moves")
        b = self._find(lib.vmp_problem_find_host, "host", target, "host_moves")
        with self._use() as p:
            return lib.vmp_problem_host_move_cost(p, a, b)

    @classmethod
    def read_roadef(cls, model: "_lib.StrPath",
                    assignment: Optional["_lib.StrPath"] = None) -> "Problem":
        """Reads a ROADEF/EURO 2012 model file with its initial assignment,
        or, with ``assignment=None``, to place every process from scratch
        (docs/formats.md)."""
        lib.require(_PART, "ROADEF files")
        ptr = ProblemP()
        check(lib.vmp_problem_read_roadef(
            to_path(model), to_path(assignment) if assignment is not None else None,
            byref(ptr)))
        return cls._wrap(ptr)

    # ---- the objective ---------------------------------------------------------

    def set_objective(self, term: Optional[str] = None,
                      weight: Optional[float] = None, /,
                      **weights: Optional[float]) -> None:
        """Sets objective weights: ``set_objective("cost", 2.0)`` or
        ``set_objective(cost=2.0, migrations=0.001)``.

        Terms: ``cost`` (sum of the cost of used hosts; default 1),
        ``migrations`` (sum of migration costs of moved VMs; default 0),
        ``balance`` (highest utilisation, 0..1; default 0), ``soft`` (broken
        soft rules and groups; default 1), ``unplaced`` (per unplaced VM
        times 1 + priority; default automatic: larger than everything else,
        so placing a VM always pays; None restores it).

        Raises:
            NotFoundError: an unknown term.  RangeError: a negative or
            non-finite weight, or one above 1e9.  Nothing changes when it
            raises.
        """
        items: List[Tuple[str, Optional[float]]] = []
        if term is not None:
            items.append((term, weight))
        elif weight is not None:
            raise TypeError("set_objective: a weight without a term")
        items += list(weights.items())
        checked = []
        for t, w in items:
            if not isinstance(t, str):
                raise TypeError(f"objective term: expected a str, got "
                                f"{type(t).__name__}")
            if t not in OBJECTIVE_TERMS:
                raise NotFoundError(f"objective term \"{t}\": expected "
                                    f"{', '.join(OBJECTIVE_TERMS)}")
            if w is None:
                if t != "unplaced":
                    raise TypeError(f"objective.{t}: expected a number, got None")
                x = -1.0
            elif t == "unplaced":
                x = to_number(w, f"objective.{t}", minimum=-float("inf"),
                              maximum=_lib.MAX_WEIGHT)
            else:
                x = to_number(w, f"objective.{t}", maximum=_lib.MAX_WEIGHT)
            checked.append((t.encode(), x))
        with self._modify() as p:
            for t_b, x in checked:
                rc = lib.vmp_problem_set_objective(p, t_b, x)
                if rc < 0:
                    raise error(rc)

    @property
    def objective(self) -> Dict[str, Optional[float]]:
        """The objective weights by term; ``unplaced`` is None while
        automatic."""
        result: Dict[str, Optional[float]] = {}
        w = c_double()
        with self._use() as p:
            for t in OBJECTIVE_TERMS:
                rc = lib.vmp_problem_get_objective(p, t.encode(), byref(w))
                if rc < 0:
                    raise error(rc)
                result[t] = None if t == "unplaced" and w.value < 0 else w.value
        return result

    # ---- solving --------------------------------------------------------------

    def solve(self, *, solver: Optional[str] = None,
              time_limit: Optional[float] = None, seed: Optional[int] = None,
              threads: Optional[int] = None,
              params: Optional[Mapping[str, Any]] = None,
              progress: Optional[Callable[["ProgressInfo"], Any]] = None,
              progress_interval: Optional[float] = None,
              log: Optional[Callable[["LogLevel", str], Any]] = None,
              log_level: Union["LogLevel", int, str, None] = None,
              incumbent: Optional["Solution"] = None) -> "Solution":
        """Solves this problem: :func:`vmplace.solve` with this problem."""
        from .solve import solve
        return solve(self, solver=solver, time_limit=time_limit, seed=seed,
                     threads=threads, params=params, progress=progress,
                     progress_interval=progress_interval, log=log,
                     log_level=log_level, incumbent=incumbent)

    def check(self, placement: Any = None) -> "Solution":
        """Evaluates a placement: :func:`vmplace.check` with this problem."""
        from .solution import check
        return check(self, placement)

    def explain(self, vm: str, solution: Optional["Solution"] = None
                ) -> "Explanation":
        """Where a VM fits: :func:`vmplace.explain` with this problem."""
        from .explain import explain
        return explain(self, vm, solution)

    def plan(self, target: Any, *, max_concurrent: Optional[int] = None,
             bandwidth_mibps: Optional[float] = None,
             staging: Optional[bool] = None,
             allow_stop: Optional[bool] = None) -> "Plan":
        """The moves from the current placement to ``target``:
        :func:`vmplace.plan` with this problem."""
        from .plan import plan
        return plan(self, target, max_concurrent=max_concurrent,
                    bandwidth_mibps=bandwidth_mibps, staging=staging,
                    allow_stop=allow_stop)

    def prune_moves(self, target: Any, max_moves: Optional[int] = None
                    ) -> "Solution":
        """``target`` without needless moves: :func:`vmplace.prune_moves`
        with this problem."""
        from .plan import prune_moves
        return prune_moves(self, target, max_moves)

    def utilization(self, solution: Any = None, *,
                    history: Optional["History"] = None,
                    forecast: Optional["Forecast"] = None,
                    step: Any = None) -> "Utilization":
        """Host load per resource: :func:`vmplace.utilization` with this
        problem."""
        from .forecast import utilization
        return utilization(self, solution, history=history,
                           forecast=forecast, step=step)

    def placer(self, *, params: Optional[Mapping[str, Any]] = None
               ) -> "Placer":
        """An online placer for this problem: :class:`vmplace.Placer`.
        The problem refuses changes until the placer is closed."""
        from .place import Placer
        return Placer(self, params=params)


# ---- helpers -------------------------------------------------------------------


def _labels(labels: object, what: str) -> List[Tuple[bytes, Optional[bytes]]]:
    """(key, value) pairs checked as the library checks them; a None value
    removes the label."""
    if not isinstance(labels, Mapping):
        raise TypeError(f"{what}: expected a dict of str -> str, got "
                        f"{type(labels).__name__}")
    pairs: List[Tuple[bytes, Optional[bytes]]] = []
    for key, value in labels.items():
        k = to_name(key, f"{what}: key")
        if value is None:
            pairs.append((k, None))
            continue
        v = to_bytes(value, f"{what}.{key}")
        if len(v) > _lib.MAX_NAME:
            raise InvalidArgumentError(f"{what}.{key}: value longer than "
                                       f"{_lib.MAX_NAME} bytes")
        pairs.append((k, v))
    return pairs


def _fraction(value: object, what: str) -> float:
    x = to_number(value, what)
    if x > 1.0:
        raise RangeError(f"{what}: expected a fraction in 0..1, got {x:g}")
    return x


def _apply(p: Any, index: int, calls: List[Tuple[Any, Tuple[Any, ...]]], what: str) -> None:
    """Runs setter calls on an object the caller has just checked (or
    added).  The values were checked beforehand, so only running out of
    memory can make one fail."""
    for fn, args in calls:
        rc = fn(p, index, *args)
        if rc < 0:
            raise error(rc, what)


def _read_labels(p: Any, index: int, count: Any, at: Any) -> Dict[str, str]:
    key, value = c_char_p(), c_char_p()
    labels = {}
    for k in range(count(p, index)):
        if at(p, index, k, byref(key), byref(value)) == 0:
            labels[text(key.value)] = text(value.value)
    return labels
