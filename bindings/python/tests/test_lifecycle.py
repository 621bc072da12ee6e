"""Ownership: close, context managers, use after close, freeing problem and
solution in either order, finalisation at interpreter shutdown."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vmplace

from conftest import DATACENTER

PACKAGE_PARENT = str(Path(vmplace.__file__).resolve().parent.parent)


def test_lifecycle__every_problem_method_refuses_a_closed_problem(tmp_path):
    p = vmplace.Problem.read(DATACENTER)
    p.close()
    p.close()                       # idempotent
    assert p.closed and repr(p) == "<vmplace.Problem (closed)>"
    calls = [
        lambda: p.to_json(), lambda: p.to_dict(), lambda: p.write(tmp_path / "x"),
        lambda: p.clone(), lambda: p.resources, lambda: p.hosts, lambda: p.vms,
        lambda: p.num_hosts, lambda: p.num_vms, lambda: p.host("h01"),
        lambda: p.vm("web-1"), lambda: p.groups, lambda: p.rules,
        lambda: p.objective, lambda: p.host_index("h01"),
        lambda: p.add_resource("gpu"), lambda: p.add_host("x"),
        lambda: p.add_vm("x"), lambda: p.add_group("g", "affinity", ["a", "b"]),
        lambda: p.add_rule("r", require="true"), lambda: p.set_objective(cost=1),
        lambda: p.update_host("h01", cost=1), lambda: p.update_vm("web-1", priority=1),
        lambda: p.solve(solver="greedy"), lambda: vmplace.check(p), lambda: vmplace.explain(p, "web-1"),
    ]
    for call in calls:
        with pytest.raises(vmplace.ClosedError, match="this problem is closed"):
            call()
    with pytest.raises(vmplace.ClosedError):
        with p:
            pass


def test_lifecycle__every_solution_method_refuses_a_closed_solution(datacenter, tmp_path):
    s = datacenter.solve(solver="greedy")
    s.close()
    assert repr(s) == "<vmplace.Solution (closed)>"
    calls = [
        lambda: s.status, lambda: s.stop_reason, lambda: s.solver,
        lambda: s.objective, lambda: s.bound, lambda: s.gap, lambda: s.time,
        lambda: s.hosts_used, lambda: s.vms, lambda: s.hosts,
        lambda: s.assignments, lambda: s.host_of("web-1"), lambda: s.unplaced,
        lambda: s.violations, lambda: s.score, lambda: s.stats,
        lambda: s.to_json(), lambda: s.write(tmp_path / "s.json"),
        lambda: vmplace.check(datacenter, s),
        lambda: vmplace.explain(datacenter, "web-1", s),
        lambda: datacenter.solve(solver="greedy", incumbent=s),
    ]
    for call in calls:
        with pytest.raises(vmplace.ClosedError, match="this solution is closed"):
            call()


def test_lifecycle__problem_first_then_solution():
    p = vmplace.Problem.read(DATACENTER)
    s = p.solve(solver="greedy", seed=1)
    expected = p.solve(solver="greedy", seed=1).assignments
    p.close()
    gc.collect()
    assert s.assignments == expected and s.status == "feasible"
    assert "web-1" in s.to_json()
    s.close()


def test_lifecycle__solution_first_then_problem():
    p = vmplace.Problem.read(DATACENTER)
    s = p.solve(solver="greedy")
    s.close()
    assert p.num_vms == 40
    p.close()


def test_lifecycle__garbage_collection_in_either_order():
    for order in (0, 1):
        p = vmplace.Problem.read(DATACENTER)
        s = p.solve(solver="greedy")
        e = vmplace.explain(p, "pay-2", s)
        if order:
            del p
            gc.collect()
            assert s.hosts_used == 5
            del s
        else:
            del s
            gc.collect()
            assert p.num_hosts == 8
            del p
        gc.collect()
        assert e.fits_anywhere          # plain Python: outlives both


def test_lifecycle__context_managers_close():
    with vmplace.Problem.read(DATACENTER) as p:
        with p.solve(solver="greedy") as s:
            assert s.hosts_used == 5
        assert s.closed and not p.closed
    assert p.closed


def test_lifecycle__solutions_are_not_built_or_pickled_directly(datacenter):
    with pytest.raises(TypeError):
        vmplace.Solution()
    import pickle
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(datacenter.solve(solver="greedy"))


def test_lifecycle__objects_alive_at_interpreter_exit_are_finalised_quietly():
    script = (
        "import vmplace\n"
        f"p = vmplace.Problem.read({str(DATACENTER)!r})\n"
        "s = p.solve(solver='greedy')\n"
        "q = vmplace.Problem(['cpu']); q.add_host('h', {'cpu': 1})\n"
        "cycle = [p, s]; cycle.append(cycle)\n"
        "import sys; sys.modules['keep'] = type(sys)('keep'); sys.modules['keep'].s = s\n"
    )
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    done = subprocess.run([sys.executable, "-c", script], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
