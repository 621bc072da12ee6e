"""Explanations: where one VM fits, host by host, and why not elsewhere."""

from __future__ import annotations

import json
from contextlib import ExitStack
from ctypes import byref, c_char_p, c_size_t, c_void_p
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ._lib import ExplanationP, error, lib, take_string, text
from ._lib import check_instance
from .problem import Problem
from .solution import Solution, _matching

__all__ = ["explain", "Explanation", "HostFit", "Reason"]


class Reason(NamedTuple):
    """One constraint that keeps the VM off a host: its key (``memory_mib``,
    ``anti-affinity web``, ``rule pci``, ``maintenance``, ...) and a
    sentence with the numbers."""

    constraint: str
    message: str


@dataclass(frozen=True)
class HostFit:
    """Whether the VM fits on one host, and if not, every reason."""

    host: str
    fits: bool
    reasons: Tuple[Reason, ...]


@dataclass(frozen=True)
class Explanation:
    """Where a VM can go given where the other VMs are.

    A plain Python object: it holds no C memory and outlives the problem.
    ``str(explanation)`` is the text ``vmplace explain`` prints.
    """

    #: The VM explained.
    vm: str
    #: Every host of the problem, in index order.
    hosts: Tuple[HostFit, ...]
    #: Constraint key -> number of hosts it excludes, most first.
    counts: Dict[str, int] = field(hash=False)
    #: The readable text.
    text: str = field(repr=False)
    _json: str = field(repr=False, compare=False)

    @property
    def fitting_hosts(self) -> List[str]:
        """The hosts the VM fits on."""
        return [h.host for h in self.hosts if h.fits]

    @property
    def fits_anywhere(self) -> bool:
        """Whether the VM fits on at least one host."""
        return any(h.fits for h in self.hosts)

    def host(self, name: str) -> HostFit:
        """The explanation for one host.  Raises KeyError."""
        for h in self.hosts:
            if h.host == name:
                return h
        raise KeyError(name)

    def to_json(self) -> str:
        """The explanation as JSON, as ``vmplace explain --json`` prints it."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The parsed :meth:`to_json`."""
        result: Dict[str, Any] = json.loads(self._json)
        return result

    def __str__(self) -> str:
        return self.text


def explain(problem: Problem, vm: str,
            solution: Optional[Solution] = None) -> Explanation:
    """Explains, host by host, whether a VM fits given where the other VMs
    are, with the exact failing constraints and numbers where it does not
    (``memory_mib: needs 8192, free 4096 of 262144``, ``rule pci:
    host.labels.zone is "a"``).  The VM itself is taken off its host first.

    Args:
        problem: the problem.
        vm: the VM's name.
        solution: where the other VMs are; None means the problem's current
            placement.  A solution of another problem with the same names is
            matched by name.

    Raises:
        NotFoundError: no such VM (or a name of the solution the problem
            does not have).
    """
    check_instance(problem, Problem, "problem")
    check_instance(solution, Solution, "solution", optional=True)
    out = ExplanationP()
    with ExitStack() as stack:
        p = stack.enter_context(problem._use())
        v = problem.vm_index(vm)
        s = None
        if solution is not None:
            s = stack.enter_context(_matching(problem, solution, stack)._use())
        rc = lib.vmp_explain(p, s, v, byref(out))
        if rc < 0:
            raise error(rc, f"explain \"{vm}\"")
    try:
        return _extract(out)
    finally:
        lib.vmp_explanation_free(out)


def _extract(e: Any) -> Explanation:
    key, message = c_char_p(), c_char_p()
    hosts = []
    for k in range(lib.vmp_explanation_num_hosts(e)):
        reasons = []
        for j in range(lib.vmp_explanation_num_reasons(e, k)):
            rc = lib.vmp_explanation_reason_at(e, k, j, byref(key), byref(message))
            if rc < 0:
                raise error(rc)
            reasons.append(Reason(text(key.value), text(message.value)))
        hosts.append(HostFit(text(lib.vmp_explanation_host(e, k)),
                             bool(lib.vmp_explanation_fits(e, k)), tuple(reasons)))
    counts = {}
    n = c_size_t()
    for j in range(lib.vmp_explanation_num_counts(e)):
        rc = lib.vmp_explanation_count_at(e, j, byref(key), byref(n))
        if rc < 0:
            raise error(rc)
        counts[text(key.value)] = n.value
    as_json, as_text = c_void_p(), c_void_p()
    rc = lib.vmp_explanation_to_json(e, byref(as_json))
    if rc < 0:
        raise error(rc)
    json_text = take_string(as_json)
    rc = lib.vmp_explanation_to_text(e, byref(as_text))
    if rc < 0:
        raise error(rc)
    return Explanation(vm=json.loads(json_text)["vm"], hosts=tuple(hosts),
                       counts=counts, text=take_string(as_text), _json=json_text)
