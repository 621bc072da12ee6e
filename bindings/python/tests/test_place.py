"""Online placement: identical to `vmplace solve --incremental`, running VMs
never move, departures free capacity, affinity partners follow, errors,
the problem held unchanged while a placer is open, use after close."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import vmplace
from vmplace import _lib

from conftest import DATA, DATACENTER, cli_json, comparable

PACKAGE_PARENT = str(Path(vmplace.__file__).resolve().parent.parent)


@pytest.fixture
def full():
    """h1 and h2 (10 cpu each) run a and b (4 cpu each); c (7 cpu) arrives.
    Packing a and b together would make room for c; online placement may
    not move them, so c fits nowhere until one of them leaves."""
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 10})
        p.add_host("h2", {"cpu": 10})
        p.add_vm("a", {"cpu": 4}, host="h1")
        p.add_vm("b", {"cpu": 4}, host="h2")
        p.add_vm("c", {"cpu": 7})
        yield p


@pytest.fixture
def together():
    """x, y, z (4 cpu each) must share a host (hard affinity).  h1 (8 cpu,
    2 used by v) is the best fit for one of them (without the group, x goes
    there), but only h2 (20 cpu, 6 used by w) has room for the three."""
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 8})
        p.add_host("h2", {"cpu": 20})
        p.add_vm("v", {"cpu": 2}, host="h1")
        p.add_vm("w", {"cpu": 6}, host="h2")
        for name in ("x", "y", "z"):
            p.add_vm(name, {"cpu": 4})
        p.add_group("xyz", "affinity", ["x", "y", "z"])
        yield p


def _arrivals(problem: vmplace.Problem) -> list:
    return [vm for vm in problem.vms if problem.vm(vm).host is None]


def _place_all(problem: vmplace.Problem, **kwargs) -> vmplace.Solution:
    """What `vmplace solve --incremental` does: every VM without a host, in
    problem order."""
    with vmplace.Placer(problem, **kwargs) as placer:
        for vm in _arrivals(problem):
            placer.place(vm)
        return placer.solution()


CASES = [(DATACENTER, None), (DATACENTER, "wfd_l2_avg"),
         (DATACENTER, "dot_avg"), (DATACENTER, "ffd_max_rem"),
         (DATA / "too_large.json", None),
         (DATA / "formats" / "tiny.vbp", None)]
# Current placements that break hard constraints: the placer keeps them as
# they are (it never moves anyone); `solve --incremental` cannot, and
# solves the whole problem instead, as `solve` does (docs/formats.md).
BROKEN = [DATA / "violations.json", DATA / "formats" / "tiny_cloud.json"]


@pytest.mark.parametrize("path,rule", CASES,
                         ids=[f"{p.name}-{r or 'default'}" for p, r in CASES])
def test_place__identical_to_the_command_line(path: Path, rule):
    args = ["solve", "-q", "--incremental", str(path)]
    params = None
    if rule is not None:
        args[2:2] = ["-p", f"greedy.online_rule={rule}"]
        params = {"greedy.online_rule": rule}
    expected = cli_json(*args)
    with vmplace.Problem.read(path) as p, _place_all(p, params=params) as s:
        assert comparable(s.to_dict()) == comparable(expected)
        assert s.solver == "online" and s.stop_reason == "completed"
        assert set(s.stats) == {"place.placed", "place.failed", "place.seconds",
                                "place.added", "place.removed"}
        assert s.stats["place.added"] == 0 and s.stats["place.removed"] == 0
        assert s.stats["place.placed"] + s.stats["place.failed"] == \
            len(_arrivals(p))


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_place__broken_current_placement_is_solved_by_the_cli(path: Path):
    mended = cli_json("solve", "-q", "--incremental", str(path))
    solved = cli_json("solve", "-q", str(path))
    with vmplace.Problem.read(path) as p, _place_all(p) as s:
        assert s.status == "invalid"
    assert mended["status"] == "optimal" and mended["violations"] == []
    assert mended["assignments"] == solved["assignments"]


def test_place__affinity_partners_follow_and_match_the_cli(together, tmp_path):
    together.write(tmp_path / "together.json")
    with together.placer() as placer:
        assert placer.place("x") == "h2"     # where all three fit
        assert placer.place("y") == "h2"
        placer.remove("x")
        assert placer.place("z") == "h2"     # y is still there
        assert placer.place("x") == "h2"
        with placer.solution() as s:
            assert s.status == "feasible" and s.violations == []
            assert s.assignments == {"v": "h1", "w": "h2", "x": "h2", "y": "h2",
                                     "z": "h2"}
    with _place_all(together) as s:
        assert comparable(s.to_dict()) == comparable(
            cli_json("solve", "-q", "--incremental", str(tmp_path / "together.json")))


def test_place__running_vms_never_move(datacenter):
    running = {vm: datacenter.vm(vm).host for vm in datacenter.vms
               if datacenter.vm(vm).host is not None}
    assert len(running) == 20
    placed = {}
    with datacenter.placer(params={"greedy.online_rule": "wfd_l2_avg"}) as placer:
        # in reverse order, so that the arrivals meet other loads than the
        # command line's run
        for vm in reversed(_arrivals(datacenter)):
            placed[vm] = placer.place(vm)
            with placer.solution() as s:
                now = s.assignments
            assert {vm: now[vm] for vm in running} == running
            assert now.get(vm) == placed[vm]
        assert None not in placed.values()
        with placer.solution() as s:
            assert s.hard_violations == []
            assert s.assignments == dict(running, **placed)


def test_place__a_vm_that_needs_a_move_is_left_unplaced(full):
    with full.solve(solver="greedy") as moved:
        assert moved.unplaced == []          # a solve moves a or b for c
    with full.placer() as placer:
        assert placer.place("c") is None     # the placer moves no one
        with placer.solution() as s:
            assert s.status == "partial"
            assert s.assignments == {"a": "h1", "b": "h2"}
            assert s.unplaced == [vmplace.Unplaced("c", "no host fits: 2 hosts: cpu")]
            why = vmplace.explain(full, "c", s)
            assert not why.fits_anywhere
            assert why.host("h1").reasons[0].message == "cpu: needs 7, free 6 of 10"
            assert s.stats["place.failed"] == 1


def test_place__a_departure_frees_capacity(full):
    with vmplace.Placer(full) as placer:
        assert placer.place("c") is None
        placer.remove("b")                   # b leaves h2
        assert placer.place("c") == "h2"
        assert placer.place("b") == "h1"     # best fit: 6 free on h1, 3 on h2
        with placer.solution() as s:
            assert s.status == "optimal" and s.unplaced == []
            assert s.assignments == {"a": "h1", "b": "h1", "c": "h2"}
            assert s.stats["place.placed"] == 2 and s.stats["place.failed"] == 1
    assert full.vm("b").host == "h2"         # the problem is unchanged


def test_place__vms_by_index(full):
    with full.placer() as placer:
        placer.remove(1)                     # b
        assert placer.place(2) == "h2"       # c
        assert placer.place(1) == "h1"


def test_place__errors(full):
    with full.placer() as placer:
        with pytest.raises(vmplace.StateError,
                           match=r"^VM a is placed already \(on h1\)$") as info:
            placer.place("a")
        assert info.value.name == "VMP_ESTATE" and isinstance(info.value, RuntimeError)
        with pytest.raises(vmplace.StateError, match=r"^VM c is not placed$"):
            placer.remove("c")
        placer.remove("b")
        assert placer.place("c") == "h2"
        with pytest.raises(vmplace.StateError, match=r"^VM c is placed already \(on h2\)$"):
            placer.place("c")
        with pytest.raises(KeyError, match='vm: unknown VM "zz"') as missing:
            placer.place("zz")
        assert isinstance(missing.value, vmplace.NotFoundError)
        with pytest.raises(vmplace.NotFoundError, match='unknown VM "zz"'):
            placer.remove("zz")
        for bad in (3, -1, 2**70):
            with pytest.raises(vmplace.RangeError,
                               match=rf"^vm: index {bad} out of range \(3 VMs\)$"):
                placer.place(bad)
        for wrong in (None, True, 1.0, b"a", ["a"]):
            with pytest.raises(TypeError, match="vm: expected a VM name or index"):
                placer.place(wrong)
        with pytest.raises(vmplace.InvalidArgumentError, match="NUL"):
            placer.remove("a\0")
        # nothing above changed the placement
        with placer.solution() as s:
            assert s.assignments == {"a": "h1", "c": "h2"}


def test_place__options_are_checked(full):
    with pytest.raises(TypeError, match="problem: expected a vmplace.Problem"):
        vmplace.Placer("datacenter.json")  # type: ignore[arg-type]
    with pytest.raises(vmplace.NotFoundError, match="no.such"):
        full.placer(params={"no.such": 1})
    with pytest.raises(vmplace.InvalidArgumentError, match='unknown rule "bogus"'):
        full.placer(params={"greedy.online_rule": "bogus"})
    with pytest.raises(TypeError, match="params: expected a dict"):
        full.placer(params=["greedy.online_rule"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vmplace.Placer(full, {})  # type: ignore[misc]   # params by name only
    # a failed creation leaves the problem free to change
    full.add_vm("d", {"cpu": 1})


def test_place__the_problem_cannot_change_while_a_placer_is_open(full):
    message = ("^this problem is in use by an open placer and cannot be "
               "changed until the placer is closed$")
    first, second = full.placer(), vmplace.Placer(full)
    assert first.problem is full
    changes = [lambda: full.add_vm("d", {"cpu": 1}),
               lambda: full.add_host("h3", {"cpu": 1}),
               lambda: full.update_vm("c", host="h1"),
               lambda: full.update_host("h1", capacity={"cpu": 1}),
               lambda: full.add_group("g", "anti-affinity", ["a", "b"]),
               lambda: full.add_rule("r", require="true"),
               lambda: full.set_objective(cost=2)]
    for change in changes:
        with pytest.raises(vmplace.StateError, match=message):
            change()
    # reading and solving it is fine
    assert full.num_vms == 3 and full.vm("c").host is None
    with full.solve(solver="greedy") as s:
        assert s.unplaced == []
    first.close()
    with pytest.raises(vmplace.StateError, match=message):   # second is open
        full.add_vm("d", {"cpu": 1})
    del second                          # garbage collection closes it too
    gc.collect()
    full.add_vm("d", {"cpu": 1})
    assert full.num_vms == 4


def test_place__closing_the_problem_first_is_safe(full):
    placer = full.placer()
    full.close()
    with pytest.raises(vmplace.ClosedError, match="this problem is closed"):
        full.num_vms
    with pytest.raises(vmplace.ClosedError):
        full.placer()
    # the placer keeps the problem's memory until it is closed
    placer.remove("a")
    assert placer.place("c") == "h1"
    with placer.solution() as s:
        assert s.assignments == {"b": "h2", "c": "h1"}
    assert full._ptr is not None
    placer.close()
    assert full._ptr is None            # freed with the placer


def test_place__use_after_close(full):
    placer = full.placer()
    s = placer.solution()
    placer.close()
    placer.close()                      # idempotent
    assert placer.closed and repr(placer) == "<vmplace.Placer (closed)>"
    for call in (lambda: placer.place("c"), lambda: placer.remove("a"),
                 lambda: placer.solution(), lambda: placer.place(2)):
        with pytest.raises(vmplace.ClosedError, match="^this placer is closed$"):
            call()
    with pytest.raises(vmplace.ClosedError):
        with placer:
            pass
    assert s.assignments == {"a": "h1", "b": "h2"}   # outlives its placer
    s.close()
    with full.placer() as placer:
        assert repr(placer) == "<vmplace.Placer: 3 VMs, 2 hosts>"
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(placer)
    assert placer.closed


def test_place__threads_share_a_placer():
    with vmplace.Problem(["cpu"]) as p:
        for h in range(10):
            p.add_host(f"h{h}", {"cpu": 32})
        for v in range(120):
            p.add_vm(f"v{v}", {"cpu": 1 + v % 3})
        got = {}

        def work(first: int) -> None:
            for v in range(first, 120, 4):
                got[f"v{v}"] = placer.place(f"v{v}")

        with p.placer() as placer:
            threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            with placer.solution() as s:
                assert s.unplaced == [] and s.hard_violations == []
                assert s.assignments == got


def test_place__a_library_without_online_placement_raises_not_supported(
        full, monkeypatch):
    for name in _lib._PARTS["place.h"]:
        monkeypatch.setitem(_lib.lib._optional, name, False)
    with pytest.raises(vmplace.NotSupportedError,
                       match=r"^online placement: .* lacks functions of place\.h "
                             r"\(vmp_placer_new, vmp_place, vmp_placer_remove, "
                             r"\.\.\.\); install a newer libvmplace 0\.2$"):
        full.placer()
    full.add_vm("d", {"cpu": 1})        # the problem was not held


def test_place__placers_alive_at_interpreter_exit_are_finalised_quietly():
    script = (
        "import vmplace\n"
        f"p = vmplace.Problem.read({str(DATACENTER)!r})\n"
        "pl = p.placer(); pl.place('web-7')\n"
        "q = vmplace.Problem(['cpu']); q.add_host('h', {'cpu': 1})\n"
        "ql = q.placer(); q.close()\n"
        "cycle = [p, pl]; cycle.append(cycle)\n"
    )
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    done = subprocess.run([sys.executable, "-c", script], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


# ---- VMs that were not in the problem ----------------------------------------------


@pytest.fixture
def online():
    """Three 8-cpu hosts; run1 (5 cpu) runs on h1, run2 (2 cpu) on h2, so
    h1, h2, h3 have 3, 6, 8 cpu free.  A hard rule sends "gold" VMs to zone
    a: h2 only.  Best fit takes the used host left with the least room,
    else the first empty host."""
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 8}, labels={"zone": "b"})
        p.add_host("h2", {"cpu": 8}, labels={"zone": "a"})
        p.add_host("h3", {"cpu": 8}, labels={"zone": "b"})
        p.add_vm("run1", {"cpu": 5}, host="h1")
        p.add_vm("run2", {"cpu": 2}, host="h2")
        p.add_rule("gold", when='vm.labels.tier == "gold"',
                   require='host.labels.zone == "a"')
        yield p


def test_place__added_vms_land_by_best_fit(online):
    with online.placer() as pl:
        assert pl.add_vm("n1", {"cpu": 3}) == "h1"    # h1: 3 -> 0
        assert pl.add_vm("n2", [4]) == "h2"           # h2: 6 -> 2
        assert pl.add_vm("n3", {"cpu": 5}) == "h3"    # no used host has 5
        assert pl.add_vm("n4", {"cpu": 4}) is None    # free 0, 2, 3
        assert pl.host_of("n4") is None
        pl.remove_vm("n2")                            # h2 has 6 again
        assert pl.place("n4") == "h2"
        assert pl.host_of(5) == "h2"                  # n4 by index
        with pl.solution() as s:
            assert s.vms == ["run1", "run2", "n1", "n3", "n4"]
            assert s.assignments == {"run1": "h1", "run2": "h2", "n1": "h1",
                                     "n3": "h3", "n4": "h2"}
            assert s.unplaced == [] and s.violations == []
            assert s.stats["place.added"] == 4
            assert s.stats["place.removed"] == 1


def test_place__added_vms_obey_rules(online):
    with online.placer() as pl:
        # best fit says h1 (3 -> 0); the rule says zone a
        assert pl.add_vm("gold-1", {"cpu": 3}, labels={"tier": "gold"}) == "h2"
        assert pl.add_vm("silver-1", {"cpu": 3}, labels={"tier": "silver"}) == "h1"
        # h2 has 3 left and is the only zone-a host
        assert pl.add_vm("gold-2", {"cpu": 4}, labels={"tier": "gold"}) is None
        with pl.solution() as s:
            assert [u.vm for u in s.unplaced] == ["gold-2"]
            assert s.violations == []


def test_place__maintenance_host_never_chosen(online):
    with online.placer() as pl:
        pl.set_maintenance("h1")
        assert pl.add_vm("m1", {"cpu": 4}) == "h2"    # h2: 6 -> 2
        assert pl.add_vm("m2", {"cpu": 3}) == "h3"    # h1 would be exact
        assert pl.host_of("run1") == "h1"             # it stays
        with pl.solution() as s:
            (v,) = s.violations
            assert v.kind == "maintenance" and v.hard
            assert (v.vm, v.host, v.vms, v.rule, v.group, v.resource,
                    v.amount) == ("run1", "h1", (), None, None, None, None)
        pl.set_maintenance(0, False)
        assert pl.add_vm("m3", {"cpu": 3}) == "h1"
        with pl.solution() as s:
            assert s.violations == []


def test_place__add_and_remove_errors(online):
    with online.placer() as pl:
        with pytest.raises(vmplace.AlreadyExistsError,
                           match='VM "run1" is in the placer already'):
            pl.add_vm("run1", {"cpu": 1})
        assert pl.add_vm("x", {"cpu": 1}) == "h1"
        with pytest.raises(vmplace.AlreadyExistsError, match='VM "x"'):
            pl.add_vm("x", {"cpu": 1})
        with pytest.raises(vmplace.NotFoundError, match='unknown VM "ghost"'):
            pl.remove_vm("ghost")
        pl.remove_vm("x")
        with pytest.raises(vmplace.NotFoundError,
                           match='VM "x" was removed from the placer'):
            pl.remove_vm("x")
        with pytest.raises(vmplace.NotFoundError, match="was removed"):
            pl.place("x")
        assert pl.add_vm("x", {"cpu": 2}) == "h1"     # a name may come back
        with pytest.raises(vmplace.RangeError, match="demand.cpu"):
            pl.add_vm("neg", {"cpu": -1})
        with pytest.raises(vmplace.NotFoundError):
            pl.host_of("neg")
        with pytest.raises(vmplace.NotFoundError, match="mem"):
            pl.add_vm("y", {"mem": 1})
        with pytest.raises(vmplace.NotFoundError, match="h9"):
            pl.set_maintenance("h9")
        with pytest.raises(vmplace.RangeError, match="out of range"):
            pl.set_maintenance(3)


def test_place__violations_have_structured_fields(online):
    online.add_vm("a", {"cpu": 1})
    online.add_vm("b", {"cpu": 1})
    online.add_group("apart", "anti-affinity", ["a", "b"])
    online.add_vm("big", {"cpu": 4}, labels={"tier": "gold"})
    with vmplace.check(online, {"a": "h3", "b": "h3", "run1": "h1",
                                "run2": "h2", "big": "h1"}) as s:
        by_kind = {v.kind: v for v in s.violations}
        cap = by_kind["capacity"]
        assert (cap.host, cap.resource, cap.amount, cap.vm) == ("h1", "cpu", 1.0, None)
        rule = by_kind["rule"]
        assert (rule.vm, rule.host, rule.rule, rule.group) == ("big", "h1", "gold", None)
        apart = by_kind["anti-affinity"]
        assert (apart.group, apart.vms, apart.rule) == ("apart", ("a", "b"), None)


def test_place__added_vms_follow_soft_rules_on_ties():
    """Two empty hosts that cost the same: the first one, unless a soft
    rule read against the added VM's labels prefers the other."""
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 8})
        p.add_host("h2", {"cpu": 8}, labels={"zone": "a"})
        p.add_rule("prefer-a", when='vm.labels.x == "y"',
                   require='host.labels.zone == "a"', hard=False)
        with p.placer() as pl:
            assert pl.add_vm("plain", {"cpu": 1}) == "h1"
        with p.placer() as pl:
            assert pl.add_vm("soft", {"cpu": 1}, labels={"x": "y"}) == "h2"
            with pl.solution() as s:
                assert s.violations == []


def test_place__a_removed_vm_of_the_problem_comes_back_as_a_new_one(online):
    with online.placer() as pl:
        pl.remove_vm("run1")                          # h1 is empty again
        assert pl.add_vm("run1", {"cpu": 8}) == "h1"  # h1, h3 empty: the first
        with pl.solution() as s:
            assert s.assignments == {"run2": "h2", "run1": "h1"}
            assert s.vms == ["run2", "run1"]
    assert online.vm("run1").host == "h1" and online.num_vms == 2
