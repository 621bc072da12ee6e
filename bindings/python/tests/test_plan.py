"""Migration plans: identical to `vmplace plan`, checked step by step,
blocked moves with their reasons, staging, plan JSON round trips, pruning
needless moves, errors and use after close."""

from __future__ import annotations

import copy
import json
import pickle
from collections import Counter

import pytest

import vmplace
from vmplace import _lib

from conftest import DATA, DATACENTER, cli_json, run_cli

SWAP = DATA / "plan" / "swap.json"
SWAP_TARGET = DATA / "plan" / "swap_target.json"


@pytest.fixture
def cycle():
    """a (4 cpu) on h1 must go to h2, b (4 cpu) on h2 to h1; h3 is empty:
    one of them has to pass through h3."""
    with vmplace.Problem(["cpu", "memory_mib"]) as p:
        for h in ("h1", "h2", "h3"):
            p.add_host(h, {"cpu": 4, "memory_mib": 8192})
        p.add_vm("a", {"cpu": 4, "memory_mib": 8192}, host="h1")
        p.add_vm("b", {"cpu": 4, "memory_mib": 4096}, host="h2")
        yield p


def _replay(problem: vmplace.Problem, plan: vmplace.Plan) -> dict:
    """Where every VM is after the plan, checking that each step starts
    where its VM is and that the waves come in order and respect the cap."""
    where = {vm: problem.vm(vm).host for vm in problem.vms}
    last_wave = 0
    for wave in plan.waves:
        assert wave.index >= last_wave
        last_wave = wave.index
        touches = Counter()
        for step in wave.steps:
            assert step.wave == wave.index
            assert step.source == where[step.vm], step
            assert (step.action == "start") == (step.source is None)
            where[step.vm] = step.target
            touches.update(h for h in (step.source, step.target) if h)
        if plan.max_concurrent:
            assert max(touches.values()) <= plan.max_concurrent
    return where


def test_plan__datacenter_matches_the_cli_and_verifies(datacenter, tmp_path):
    with datacenter.solve(seed=1) as target:
        target.write(tmp_path / "target.json")
        with vmplace.plan(datacenter, target) as pl:
            expected = cli_json("plan", str(DATACENTER), str(tmp_path / "target.json"))
            assert pl.to_dict() == expected
            # the accessors say what the JSON says
            assert pl.status is vmplace.PlanStatus.COMPLETE and pl.complete
            assert pl.max_concurrent == expected["max_concurrent"] == 2
            assert pl.bandwidth == expected["bandwidth_mibps"] == 1000
            assert pl.duration == expected["duration_s"]
            assert [h.name for h in pl.hosts] == datacenter.hosts
            assert [h.uri for h in pl.hosts] == [h.get("uri") for h in expected["hosts"]]
            assert [[s.vm, s.action, s.source, s.target, s.wave + 1, s.staging,
                     s.memory_mib] for s in pl.steps] == \
                [[s["vm"], s["action"], s["from"], s["to"], s["wave"],
                  s.get("staging", False), s.get("memory_mib", 0)]
                 for s in expected["steps"]]
            assert [w.duration for w in pl.waves] == \
                [w["duration_s"] for w in expected["waves"]]
            assert pl.duration == pytest.approx(sum(w.duration for w in pl.waves))
            assert pl.blocked == []
            # the library's checker, against the plan itself, the problem,
            # and the target; and an independent replay here
            pl.verify()
            pl.verify(datacenter)
            pl.verify(datacenter, target)
            pl.verify(target=target)
            assert _replay(datacenter, pl) == {
                vm: target.host_of(vm) for vm in datacenter.vms}


def test_plan__options_match_the_cli(datacenter, tmp_path):
    with datacenter.solve(solver="greedy", seed=3) as target:
        target.write(tmp_path / "target.json")
        with datacenter.plan(target, max_concurrent=1, bandwidth_mibps=250.5,
                             staging=False) as pl:
            assert pl.to_dict() == cli_json(
                "plan", "--max-concurrent", "1", "--bandwidth", "250.5",
                "--no-staging", str(DATACENTER), str(tmp_path / "target.json"))
            assert pl.max_concurrent == 1 and pl.bandwidth == 250.5
            _replay(datacenter, pl)
        with datacenter.plan(target, max_concurrent=0) as uncapped:
            assert uncapped.max_concurrent == 0
            assert len(uncapped.waves) <= 2
            uncapped.verify(datacenter, target)


def test_plan__a_cycle_of_full_hosts_is_blocked_with_reasons():
    with vmplace.Problem.read(SWAP) as p, vmplace.plan(p, SWAP_TARGET) as pl:
        assert pl.status == "blocked" and not pl.complete
        assert pl.steps == [] and pl.waves == [] and pl.duration == 0
        assert pl.blocked == [
            vmplace.Blocked("a", "h1", "h2",
                            "h2 has no room for it (cpu: needs 4, free 0 of 4, "
                            "memory_mib: needs 8192, free 0 of 8192); it waits "
                            "for b to leave h2, which is blocked too; no allowed "
                            "host has room to stage a VM through, nor can one be "
                            "freed by moving a few of its VMs away for a while"),
            vmplace.Blocked("b", "h2", "h1",
                            "h1 has no room for it (cpu: needs 4, free 0 of 4, "
                            "memory_mib: needs 8192, free 0 of 8192); it waits "
                            "for a to leave h1, which is blocked too; no allowed "
                            "host has room to stage a VM through, nor can one be "
                            "freed by moving a few of its VMs away for a while")]
        done = run_cli("plan", "--json", str(SWAP), str(SWAP_TARGET))
        assert done.returncode == 1          # blocked, as the CLI says
        assert json.loads(done.stdout) == pl.to_dict()
        pl.verify(p, p.check(SWAP_TARGET))


def test_plan__staging_breaks_a_cycle(cycle):
    with vmplace.plan(cycle, {"a": "h2", "b": "h1"}, bandwidth_mibps=512) as pl:
        assert pl.complete
        S = vmplace.Step
        assert pl.steps == [
            S("b", vmplace.Action.MIGRATE, "h2", "h3", 0, True, 4096.0),
            S("a", vmplace.Action.MIGRATE, "h1", "h2", 1, False, 8192.0),
            S("b", vmplace.Action.MIGRATE, "h3", "h1", 2, False, 4096.0)]
        assert pl.waves == [vmplace.Wave(0, 8.0, (pl.steps[0],)),  # MiB / 512 MiB/s
                            vmplace.Wave(1, 16.0, (pl.steps[1],)),
                            vmplace.Wave(2, 8.0, (pl.steps[2],))]
        assert pl.duration == 32.0
    with cycle.plan({"a": "h2", "b": "h1"}, staging=False) as pl:
        assert [b.vm for b in pl.blocked] == ["a", "b"]
        assert pl.blocked[0].reason.endswith("; staging is off")


def test_plan__new_vms_start_and_running_vms_are_never_stopped(cycle):
    cycle.add_vm("c", {"cpu": 1, "memory_mib": 1024})        # runs nowhere
    with cycle.plan({"a": "h1", "c": "h3"}) as pl:          # b unplaced
        assert pl.steps == [vmplace.Step("c", vmplace.Action.START, None,
                                         "h3", 0, False, 1024.0)]
        assert pl.blocked == [vmplace.Blocked(
            "b", "h2", None,
            "the target leaves it unplaced, and a running VM is never stopped")]


def test_plan__allow_stop_stops_what_the_target_leaves_unplaced(cycle):
    # a must go to h2, where b runs, and the target leaves b unplaced:
    # without stops both are blocked; stopping b first makes room for a
    with cycle.plan({"a": "h2"}) as pl:
        assert [b.vm for b in pl.blocked] == ["b", "a"] and pl.steps == []
    with cycle.plan({"a": "h2"}, allow_stop=True) as pl:
        assert pl.status == "complete" and pl.blocked == []
        assert pl.steps == [
            vmplace.Step("b", vmplace.Action.STOP, "h2", None, 0, False, 4096.0),
            vmplace.Step("a", vmplace.Action.MIGRATE, "h1", "h2", 1, False, 8192.0)]
        again = vmplace.Plan.parse(pl.to_json())
        assert again.steps == pl.steps
        assert json.loads(pl.to_json())["steps"][0]["to"] is None


def test_plan__targets_in_every_form_give_the_same_plan(datacenter, tmp_path):
    with datacenter.solve(solver="greedy", seed=1) as target:
        target.write(tmp_path / "target.json")
        expected = datacenter.plan(target).to_json()
        forms = [target.assignments, target.to_dict(), target.to_json(),
                 tmp_path / "target.json", str(tmp_path / "target.json")]
        for form in forms:
            assert datacenter.plan(form).to_json() == expected
        # a solution of another problem with the same names, in another
        # order, is matched by name
        doc = datacenter.to_dict()
        doc["vms"].reverse()
        with vmplace.Problem.from_json(doc) as other, other.check(target) as moved:
            assert datacenter.plan(moved).to_json() == expected


def test_plan__json_round_trips(cycle, tmp_path):
    with cycle.plan({"a": "h2", "b": "h1"}) as pl:
        text = pl.to_json()
        for again in (vmplace.Plan.parse(text), vmplace.Plan.parse(text.encode()),
                      vmplace.Plan.from_json(json.loads(text)),
                      vmplace.Plan.from_json(text),
                      pickle.loads(pickle.dumps(pl))):
            with again:
                assert again.to_json() == text
                assert again.steps == pl.steps and again.waves == pl.waves
        pl.write(tmp_path / "plan.json")
        with vmplace.Plan.read(tmp_path / "plan.json") as read:
            assert read.to_json() == text
        assert vmplace.Plan.from_json(tmp_path / "plan.json").to_json() == text


def test_plan__an_unsafe_plan_is_refused_when_read():
    with vmplace.Problem.read(SWAP) as p, p.plan(SWAP_TARGET) as blocked:
        doc = blocked.to_dict()
    # move a into h2 while b is still there
    unsafe = copy.deepcopy(doc)
    unsafe.update(status="complete", blocked=[], steps=[
        {"wave": 1, "action": "migrate", "vm": "a", "from": "h1", "to": "h2"}])
    with pytest.raises(vmplace.InvalidArgumentError,
                       match=r"^<dict>: unsafe plan: wave 1: h2 cpu 8 > 4 with a in flight$"):
        vmplace.Plan.from_json(unsafe)
    unsafe["steps"][0]["to"] = "h9"
    with pytest.raises(vmplace.NotFoundError, match=r'steps\[0\]: to: unknown host "h9"'):
        vmplace.Plan.from_json(unsafe)
    with pytest.raises(vmplace.ParseError, match="^<plan>: line 1 column 1"):
        vmplace.Plan.parse("{")
    with pytest.raises(vmplace.ParseError, match="^origin.json: "):
        vmplace.Plan.parse('{"version": 1, "surprise": 2}', origin="origin.json")
    with pytest.raises(vmplace.InputOutputError, match="No such file"):
        vmplace.Plan.read(DATA / "plan" / "no-such.json")


def test_plan__verify_names_the_first_failure(cycle):
    with cycle.plan({"a": "h2", "b": "h1"}) as pl:
        # another target: the plan does not reach it
        with pytest.raises(vmplace.InvalidArgumentError,
                           match="b ends on h1, but the target puts it on h3"):
            pl.verify(cycle, {"a": "h2", "b": "h3"})
        # the problem changed since: b is no longer where the plan starts,
        # or the staging host went into maintenance (checked only with the
        # problem: the plan does not carry the host rules)
        with cycle.clone() as moved:
            moved.update_vm("b", host="h3")
            with pytest.raises(vmplace.InvalidArgumentError,
                               match="^step 1: b starts from h2 but is on h3$"):
                pl.verify(moved)
        with cycle.clone() as closed:
            closed.update_host("h3", maintenance=True)
            pl.verify()
            with pytest.raises(vmplace.InvalidArgumentError,
                               match="^step 1: b goes to h3, which is in maintenance$"):
                pl.verify(closed)
        with pytest.raises(TypeError, match="without a problem"):
            pl.verify(target={"a": "h2"})
        with pytest.raises(TypeError):
            pl.verify("problem.json")   # type: ignore[arg-type]


def test_plan__bad_targets_and_options(cycle, datacenter):
    target = {"a": "h2", "b": "h1"}
    with pytest.raises(vmplace.InvalidArgumentError,
                       match="^plan: the target placement breaks a hard constraint: "):
        cycle.plan({"a": "h2", "b": "h2"})                  # 8 cpu on h2
    with pytest.raises(vmplace.InvalidArgumentError,
                       match="bandwidth_mibps must be > 0, got 0"):
        cycle.plan(target, bandwidth_mibps=0)
    with pytest.raises(vmplace.InvalidArgumentError, match="got nan"):
        cycle.plan(target, bandwidth_mibps=float("nan"))
    with pytest.raises(vmplace.RangeError, match="max_concurrent"):
        cycle.plan(target, max_concurrent=-1)
    with pytest.raises(vmplace.RangeError, match="max_concurrent"):
        cycle.plan(target, max_concurrent=2**32)
    with pytest.raises(TypeError, match="staging: expected a bool"):
        cycle.plan(target, staging="no")
    with pytest.raises(TypeError, match="bandwidth_mibps"):
        cycle.plan(target, bandwidth_mibps="fast")
    with pytest.raises(vmplace.NotFoundError, match='unknown VM "zz"'):
        cycle.plan({"zz": "h1"})
    with pytest.raises(vmplace.NotFoundError, match='unknown host "h9"'):
        cycle.plan({"a": "h9"})
    with pytest.raises(TypeError, match="target: expected a Solution"):
        cycle.plan(None)                                    # type: ignore[arg-type]
    with pytest.raises(TypeError, match="problem: expected a vmplace.Problem"):
        vmplace.plan("dc.json", target)                     # type: ignore[arg-type]
    # a solution of a problem with other names cannot be matched
    with datacenter.solve(solver="greedy") as other:
        with pytest.raises(vmplace.NotFoundError, match="unknown VM"):
            cycle.plan(other)
    with pytest.raises(TypeError, match="plans come from"):
        vmplace.Plan()


def test_plan__prune_moves(datacenter):
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 8})
        p.add_host("h2", {"cpu": 8})
        p.add_vm("x", {"cpu": 2}, host="h1")
        p.add_vm("y", {"cpu": 2}, host="h1")
        # moving both gains nothing: both stay
        with vmplace.prune_moves(p, {"x": "h2", "y": "h2"}) as kept:
            assert kept.assignments == {"x": "h1", "y": "h1"}
            assert kept.stop_reason == "not_solved"
        # h1 goes into maintenance: both moves are needed
        p.update_host("h1", maintenance=True)
        with p.prune_moves({"x": "h2", "y": "h2"}) as kept:
            assert kept.assignments == {"x": "h2", "y": "h2"}
        with pytest.raises(vmplace.RangeError,
                           match="^prune_moves: max_moves 1 cannot be honoured: "
                                 "each of the 2 remaining moves is needed"):
            p.prune_moves({"x": "h2", "y": "h2"}, max_moves=1)
        with pytest.raises(vmplace.RangeError, match="max_moves"):
            p.prune_moves({"x": "h2"}, max_moves=-1)
    # on the example: every kept move is a move of the target
    with datacenter.solve(seed=1) as target, datacenter.prune_moves(target) as kept:
        moved = {vm for vm, h in kept.assignments.items()
                 if h != datacenter.vm(vm).host}
        assert moved <= {vm for vm, h in target.assignments.items()
                         if h != datacenter.vm(vm).host}
        assert kept.hard_violations == []
        with datacenter.prune_moves(target, max_moves=len(moved)) as same:
            assert same.assignments == kept.assignments


def test_plan__plans_outlive_problem_and_target_and_refuse_use_after_close(
        cycle, tmp_path):
    with cycle.clone() as p:
        target = p.check({"a": "h2", "b": "h1"})
        pl = p.plan(target)
    target.close()
    assert pl.complete and len(pl.steps) == 3     # self-contained
    pl.close()
    pl.close()
    assert repr(pl) == "<vmplace.Plan (closed)>"
    calls = [lambda: pl.status, lambda: pl.complete, lambda: pl.max_concurrent,
             lambda: pl.bandwidth, lambda: pl.duration, lambda: pl.hosts,
             lambda: pl.steps, lambda: pl.waves, lambda: pl.blocked,
             lambda: pl.verify(), lambda: pl.to_json(), lambda: pl.to_dict(),
             lambda: pl.write(tmp_path / "p.json"), lambda: pickle.dumps(pl)]
    for call in calls:
        with pytest.raises(vmplace.ClosedError, match="this plan is closed"):
            call()
    closed = cycle.check({"a": "h2", "b": "h1"})
    closed.close()
    with pytest.raises(vmplace.ClosedError, match="this solution is closed"):
        cycle.plan(closed)


def test_plan__a_library_without_plans_raises_not_supported(cycle, monkeypatch):
    for name in _lib._PARTS["plan.h"]:
        monkeypatch.setitem(_lib.lib._optional, name, False)
    with pytest.raises(vmplace.NotSupportedError,
                       match=r"^migration plans: .* lacks functions of plan\.h "
                             r"\(vmp_plan_opts_init, vmp_plan_new, vmp_plan_free, "
                             r"\.\.\.\); install a newer libvmplace 0\.2$"):
        cycle.plan({"a": "h2", "b": "h1"})
    with pytest.raises(NotImplementedError):
        vmplace.Plan.read(DATA / "plan" / "swap.json")
    with cycle.solve(solver="greedy") as s:                   # the rest works
        assert s.unplaced == []
