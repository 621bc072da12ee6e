"""check and explain: the same answers as ``vmplace check`` and
``vmplace explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vmplace

from conftest import DATA, DATACENTER, cli_json, run_cli


def without_time(doc: dict) -> dict:
    doc = dict(doc)
    doc.pop("time_s")
    doc["stats"] = {k: v for k, v in doc["stats"].items() if "seconds" not in k}
    return doc


def test_check__the_current_placement_as_the_cli_audits_it():
    for path in (DATACENTER, DATA / "violations.json"):
        with vmplace.Problem.read(path) as p, vmplace.check(p) as s:
            assert without_time(s.to_dict()) == without_time(cli_json("check", str(path)))
            assert s.stop_reason is vmplace.StopReason.NOT_SOLVED
    with vmplace.Problem.read(DATA / "violations.json") as p, p.check() as s:
        assert s.status is vmplace.Status.INVALID
        hard = s.hard_violations
        assert [v.kind for v in hard] == ["capacity", "anti-affinity"]
        assert all(v.hard for v in hard)


def test_check__a_solution_file_as_the_cli_checks_it(datacenter, tmp_path: Path):
    path = tmp_path / "sol.json"
    with datacenter.solve(solver="greedy") as s:
        s.write(path)
        expected = without_time(cli_json("check", str(DATACENTER), str(path)))
        for placement in (path, str(path), path.read_text(),
                          json.loads(path.read_text()), s, s.assignments):
            with vmplace.check(datacenter, placement) as c:
                assert without_time(c.to_dict()) == expected
                assert c.assignments == s.assignments


def test_check__a_placement_by_names():
    with vmplace.Problem.read(DATA / "violations.json") as p:
        fixed = {"web-1": "h1", "web-2": "h2", "db": "h2"}
        with vmplace.check(p, fixed) as s:
            assert s.violations == [] and s.status in ("optimal", "feasible")
        with vmplace.check(p, {"web-1": "h1"}) as s:   # the others unplaced
            assert sorted(u.vm for u in s.unplaced) == ["db", "web-2"]
        with pytest.raises(vmplace.NotFoundError, match='assignments: unknown VM "x"'):
            vmplace.check(p, {"x": "h1"})
        with pytest.raises(vmplace.NotFoundError, match='assignments.db: unknown host "h9"'):
            vmplace.check(p, {"db": "h9"})
        with pytest.raises(TypeError):
            vmplace.check(p, {"db": 3})
        with pytest.raises(TypeError):
            vmplace.check(p, 42)  # type: ignore[arg-type]
        with pytest.raises(vmplace.ParseError, match='VM "web-2" is missing'):
            vmplace.check(p, {"assignments": {"web-1": "h1", "db": "h2"}})
        with pytest.raises(vmplace.InputOutputError):
            vmplace.check(p, "/nonexistent/sol.json")


def test_check__a_solution_of_another_problem_is_matched_by_names():
    with vmplace.Problem.read(DATACENTER) as p, p.solve(solver="greedy") as s:
        doc = p.to_dict()
        doc["vms"].reverse()
        doc["hosts"].reverse()
        with vmplace.Problem.from_json(doc) as q, vmplace.check(q, s) as c:
            assert c.assignments == s.assignments
            assert c.objective == s.objective


@pytest.mark.parametrize("vm", ["pay-2", "web-1", "db-2", "analytics-1"])
def test_explain__as_the_cli_explains(datacenter, vm: str):
    e = vmplace.explain(datacenter, vm)
    assert e.to_dict() == cli_json("explain", str(DATACENTER), vm)
    assert str(e) == run_cli("explain", str(DATACENTER), vm).stdout
    assert e.vm == vm


def test_explain__with_a_solution_every_reason_and_count():
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 4}, labels={"zone": "a"})
        p.add_host("h2", {"cpu": 8}, labels={"zone": "b"})
        p.add_host("h3", {"cpu": 8}, labels={"zone": "b"})
        p.add_vm("x", {"cpu": 4})
        p.add_vm("y", {"cpu": 6}, labels={"tier": "db"})
        p.add_group("spread", "anti-affinity", ["x", "y"])
        p.add_rule("db-in-b", when='vm.labels.tier == "db"',
                   require='host.labels.zone == "b"')
        with vmplace.check(p, {"x": "h2"}) as s:
            e = vmplace.explain(p, "y", s)
        assert e.vm == "y" and e.fitting_hosts == ["h3"] and e.fits_anywhere
        assert e.counts == {"cpu": 2, "anti-affinity spread": 1, "rule db-in-b": 1}
        assert list(e.counts) == ["cpu", "anti-affinity spread", "rule db-in-b"]
        assert e.hosts == (
            vmplace.HostFit("h1", False, (
                vmplace.Reason("rule db-in-b", 'rule db-in-b: host.labels.zone is "a"'),
                vmplace.Reason("cpu", "cpu: needs 6, free 4 of 4"))),
            vmplace.HostFit("h2", False, (
                vmplace.Reason("cpu", "cpu: needs 6, free 4 of 8"),
                vmplace.Reason("anti-affinity spread",
                               "anti-affinity spread: x already on h2"))),
            vmplace.HostFit("h3", True, ()))
        assert e.host("h3") == vmplace.HostFit("h3", True, ())
        with pytest.raises(KeyError):
            e.host("h99")
        assert str(e).startswith("y fits on 1 of 3 hosts\n  2 hosts: cpu\n")
        assert e.to_dict()["counts"][0] == {"constraint": "cpu", "hosts": 2}
        # without a solution: the problem's placement (nothing placed)
        assert vmplace.explain(p, "y").counts == {"cpu": 1, "rule db-in-b": 1}


def test_explain__with_a_solution_as_the_cli_explains(datacenter, tmp_path: Path):
    with datacenter.solve(solver="greedy") as s:
        s.write(tmp_path / "sol.json")
        for vm in ("pay-2", "db-2", "web-3"):
            e = datacenter.explain(vm, s)
            assert e.to_dict() == cli_json("explain", "--solution", str(tmp_path / "sol.json"),
                                           str(DATACENTER), vm)
        # a solution of a reordered copy is matched by names, not indices
        doc = datacenter.to_dict()
        doc["hosts"].reverse()
        with vmplace.Problem.from_json(doc) as q:
            f = vmplace.explain(q, "pay-2", s)
            e = vmplace.explain(datacenter, "pay-2", s)
            assert sorted(f.fitting_hosts) == sorted(e.fitting_hosts) and f.counts == e.counts


def test_explain__errors(datacenter):
    with pytest.raises(vmplace.NotFoundError, match='unknown VM "web-99"'):
        vmplace.explain(datacenter, "web-99")
    with pytest.raises(TypeError):
        vmplace.explain(datacenter, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vmplace.explain(datacenter, "web-1", solution="sol.json")  # type: ignore[arg-type]
    with vmplace.Problem(["cpu"]) as other:
        other.add_host("h01", {"cpu": 1})
        other.add_vm("web-1", {"cpu": 1})
        with other.solve(solver="greedy") as s:
            # matched by names: web-1 on h01, the other VMs unplaced
            e = vmplace.explain(datacenter, "web-3", s)
            assert len(e.hosts) == 8
        other.add_host("hx", {"cpu": 1})
        other.add_vm("web-2", {"cpu": 1}, allowed_hosts=["hx"])
        with other.solve(solver="greedy") as s, \
                pytest.raises(vmplace.NotFoundError, match='unknown host "hx"'):
            vmplace.explain(datacenter, "web-1", s)
