"""Building, reading, writing and inspecting problems."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import vmplace

from conftest import DATA, DATACENTER, problem_examples


def build(doc: dict) -> vmplace.Problem:
    """A problem built through the Python API from problem JSON."""
    p = vmplace.Problem(doc["resources"])
    for h in doc.get("hosts", []):
        p.add_host(h["name"], h.get("capacity"), overcommit=h.get("overcommit"),
                   reserved=h.get("reserved"), cost=h.get("cost"),
                   labels=h.get("labels"), uri=h.get("uri"),
                   maintenance=h.get("maintenance", False),
                   safety=h.get("safety"),
                   safety_fraction=h.get("safety_fraction"))
    for v in doc.get("vms", []):
        p.add_vm(v["name"], v.get("demand"), host=v.get("host"),
                 labels=v.get("labels"), priority=v.get("priority"),
                 migration_cost=v.get("migration_cost"),
                 allowed_hosts=v.get("allowed_hosts"),
                 pinned=v.get("pinned", False))
    for g in doc.get("groups", []):
        p.add_group(g["name"], g["policy"], g["vms"], hard=g.get("hard", True),
                    scope=g.get("scope"), weight=g.get("weight"),
                    min_domains=g.get("min_domains"))
    for r in doc.get("rules", []):
        p.add_rule(r["name"], require=r["require"], when=r.get("when"),
                   hard=r.get("hard", True), weight=r.get("weight"))
    for r in doc.get("transient", []):
        p.set_transient(r)
    for r, s in doc.get("safety", {}).items():
        p.set_safety(r, fraction=s.get("fraction"), weight=s.get("weight"))
    for b in doc.get("ratio_balance", []):
        p.add_ratio_balance(*b["resources"], target=b.get("target", 1),
                            weight=b.get("weight", 1))
    for d in doc.get("dependencies", []):
        p.add_dependency(d["group"], d["on"], scope=d.get("scope"),
                         hard=d.get("hard", True), weight=d.get("weight"))
    if "host_move_costs" in doc:
        p.set_host_move_costs(**doc["host_move_costs"])
    p.set_objective(**doc.get("objective", {}))
    return p


# What the writer leaves out because it is the default (docs/formats.md).
DEFAULTS = {"cost": 1, "maintenance": False, "priority": 0, "pinned": False,
            "hard": True, "scope": "host", "weight": 1, "when": "",
            "host": None, "overcommit": 1, "reserved": 0}


def assert_contains(original: Any, written: Any, where: str = "",
                    parent: str = "") -> None:
    """Everything the original file says is in what was written, or is the
    default the writer leaves out."""
    if isinstance(original, dict):
        assert isinstance(written, dict), where
        for key, value in original.items():
            if key in written:
                assert_contains(value, written[key], f"{where}.{key}", key)
            elif parent in ("overcommit", "reserved"):
                assert value == DEFAULTS[parent], f"{where}.{key} was lost"
            else:
                assert key in DEFAULTS and value == DEFAULTS[key] or \
                    key in ("overcommit", "reserved") and all(
                        x == DEFAULTS[key] for x in value.values()), \
                    f"{where}.{key} was lost"
    elif isinstance(original, list):
        assert isinstance(written, list) and len(written) == len(original), where
        for k, (a, b) in enumerate(zip(original, written)):
            assert_contains(a, b, f"{where}[{k}]", parent)
    else:
        assert original == written, f"{where}: {original!r} != {written!r}"


EXAMPLES = problem_examples()


def test_problem__examples_are_found():
    assert DATACENTER in EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_problem__every_example_round_trips(path: Path, tmp_path: Path):
    original = json.loads(path.read_text())
    with vmplace.Problem.read(path) as p:
        text = p.to_json()
        assert_contains(original, p.to_dict())
        # text, dict, file and the Python builder all give the same problem
        with vmplace.Problem.from_json(text) as q:
            assert q.to_json() == text
        with vmplace.Problem.from_json(p.to_dict()) as q:
            assert q.to_json() == text
        with vmplace.Problem.from_json(original) as q:
            assert q.to_json() == text
        p.write(tmp_path / "copy.json")
        with vmplace.Problem.from_json(tmp_path / "copy.json") as q:
            assert q.to_json() == text
        with build(original) as q:
            assert q.to_json() == text
        with p.clone() as q:
            assert q.to_json() == text
        assert pickle.loads(pickle.dumps(p)).to_json() == text
        assert copy.deepcopy(p).to_json() == text


FORMATS = sorted(f for f in (DATA / "formats").iterdir() if f.suffix != ".sol")


@pytest.mark.parametrize("path", FORMATS, ids=[p.name for p in FORMATS])
def test_problem__benchmark_formats_read_and_round_trip(path: Path):
    with vmplace.Problem.read(path) as p:
        assert p.num_vms > 0 and p.num_hosts > 0
        with vmplace.Problem.from_json(p.to_json()) as q:
            assert q.to_json() == p.to_json()


def test_problem__explicit_formats():
    with vmplace.Problem.read(DATA / "formats" / "tiny.vbp", format="vbp") as p:
        assert p.resources == ["d1", "d2"]
        assert p.vms == ["i1", "i2_1", "i2_2"]   # "1 1 0": no copies of item 3
    with pytest.raises(vmplace.InvalidArgumentError, match="unknown format 'xml'"):
        vmplace.Problem.read(DATACENTER, format="xml")
    with pytest.raises(TypeError):
        vmplace.Problem.read(DATACENTER, format=1)  # type: ignore[arg-type]
    text = (DATA / "formats" / "tiny.vbp").read_text()
    with vmplace.Problem.parse(text, format="vbp", origin="tiny") as p:
        assert p.num_vms > 0
    with pytest.raises(vmplace.ParseError, match=r"^mine\.vbp: "):
        vmplace.Problem.parse("2\n10 x\n", format="vbp", origin="mine.vbp")


def test_problem__built_in_python_reads_back_field_by_field():
    with vmplace.Problem(["cpu", "memory_mib"]) as p:
        assert p.add_host("h1", {"cpu": 16, "memory_mib": 65536},
                          overcommit={"cpu": 4.0}, reserved={"memory_mib": 4096},
                          cost=2.5, labels={"zone": "a"},
                          uri="qemu+ssh://h1/system") == 0
        assert p.add_host("h2", [8, 32768], maintenance=True) == 1
        assert p.add_vm("web-1", {"cpu": 2, "memory_mib": 4096}, host="h1",
                        labels={"app": "web"}, priority=5, migration_cost=10,
                        allowed_hosts=["h1", "h2"], pinned=True) == 0
        assert p.add_vm("web-2", (2, 4096)) == 1
        assert p.add_group("web", "anti-affinity", ["web-1", "web-2"],
                           hard=False, scope="zone", weight=3) == 0
        assert p.add_rule("pci", require='host.labels.zone == "a"',
                          when='vm.labels.app == "web"', hard=False,
                          weight=0.5) == 0
        p.set_objective("migrations", 0.01)
        p.set_objective(balance=2, unplaced=1000)

        h1 = p.host("h1")
        assert h1 == vmplace.Host(
            name="h1", capacity={"cpu": 16, "memory_mib": 65536},
            overcommit={"cpu": 4, "memory_mib": 1}, reserved={"cpu": 0, "memory_mib": 4096},
            effective_capacity={"cpu": 64, "memory_mib": 61440}, cost=2.5,
            labels={"zone": "a"}, uri="qemu+ssh://h1/system", maintenance=False)
        assert p.host("h2").maintenance and p.host("h2").uri is None
        assert p.vm("web-1") == vmplace.Vm(
            name="web-1", demand={"cpu": 2, "memory_mib": 4096}, host="h1",
            labels={"app": "web"}, priority=5, migration_cost=10,
            allowed_hosts=["h1", "h2"], pinned=True)
        web2 = p.vm("web-2")
        assert web2.host is None and web2.allowed_hosts is None
        assert web2.migration_cost == 4096        # its memory, by default
        assert p.groups == [vmplace.Group("web", "anti-affinity", False, "zone",
                                          3.0, ["web-1", "web-2"])]
        assert p.rules == [vmplace.Rule("pci", 'vm.labels.app == "web"',
                                        'host.labels.zone == "a"', False, 0.5)]
        assert p.objective == {"unplaced": 1000, "cost": 1, "soft": 1,
                               "migrations": 0.01, "balance": 2,
                               "safety": 1, "ratio_balance": 1,
                               "group_moves": 0, "host_moves": 1}
        p.set_objective(unplaced=None)
        assert p.objective["unplaced"] is None
        assert p.resources == ["cpu", "memory_mib"]
        assert p.hosts == ["h1", "h2"] and p.vms == ["web-1", "web-2"]
        assert p.host_index("h2") == 1 and p.vm_index("web-2") == 1
        assert repr(p) == "<vmplace.Problem: 2 resources, 2 hosts, 2 VMs>"


def test_problem__updates_change_only_what_they_name():
    with vmplace.Problem(["cpu", "mem"]) as p:
        p.add_host("h1", {"cpu": 8, "mem": 100}, labels={"zone": "a", "rack": "1"})
        p.add_host("h2", {"cpu": 8, "mem": 100})
        p.add_vm("v", {"cpu": 1, "mem": 10}, host="h1", migration_cost=7,
                 allowed_hosts=["h1"])
        p.update_host("h1", capacity={"cpu": 16}, labels={"rack": None, "row": "3"},
                      cost=0, maintenance=True, uri="u")
        h = p.host("h1")
        assert h.capacity == {"cpu": 16, "mem": 100}
        assert h.labels == {"zone": "a", "row": "3"}
        assert h.cost == 0 and h.maintenance and h.uri == "u"
        p.update_host("h1", uri=None, maintenance=False)
        assert p.host("h1").uri is None and not p.host("h1").maintenance
        p.update_vm("v", demand={"mem": 20}, host=None, migration_cost=None,
                    allowed_hosts=None, priority=3)
        v = p.vm("v")
        assert v.demand == {"cpu": 1, "mem": 20} and v.host is None
        assert v.migration_cost == 20 and v.allowed_hosts is None
        assert v.priority == 3
        p.update_vm("v", host="h2")
        assert p.vm("v").host == "h2"
        with pytest.raises(vmplace.NotFoundError, match='VM "v": host: unknown host "h9"'):
            p.update_vm("v", host="h9")
        with pytest.raises(KeyError):
            p.update_host("nope", cost=1)


def test_problem__a_failed_add_leaves_the_problem_unchanged():
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 8})
        before = p.to_json()
        bad_hosts = [
            dict(overcommit={"cpu": 0}),
            dict(overcommit={"cpu": float("nan")}),
            dict(reserved={"cpu": -1}),
            dict(cost=float("inf")),
            dict(labels={"": "x"}),
            dict(labels={"k\n": "x"}),
            dict(labels={"k": "x" * 5000}),
            dict(labels={"k": 1}),
            dict(uri=""),
            dict(maintenance="false"),
            dict(overcommit={"gpu": 2}),
        ]
        for kwargs in bad_hosts:
            with pytest.raises((ValueError, TypeError, KeyError)):
                p.add_host("h2", {"cpu": 8}, **kwargs)
            assert p.to_json() == before, kwargs
        bad_vms = [
            dict(host="h9"),
            dict(priority=-1),
            dict(priority=2**40),
            dict(priority=1.5),
            dict(migration_cost=float("nan")),
            dict(allowed_hosts=[]),
            dict(allowed_hosts=["h1", "h9"]),
            dict(allowed_hosts="h1"),
            dict(pinned="yes"),
            dict(labels=["a"]),
        ]
        for kwargs in bad_vms:
            with pytest.raises((ValueError, TypeError, KeyError)):
                p.add_vm("v", {"cpu": 1}, **kwargs)
            assert p.to_json() == before, kwargs
        p.add_vm("v1", {"cpu": 1})
        p.add_vm("v2", {"cpu": 1})
        before = p.to_json()
        with pytest.raises(vmplace.RangeError):
            p.add_group("g", "affinity", ["v1", "v2"], weight=-1)
        with pytest.raises(vmplace.ParseError, match='rule "r": require: column'):
            p.add_rule("r", require="host.labels.a ==")
        with pytest.raises(vmplace.RangeError):
            p.add_rule("r", require="true", weight=float("nan"))
        with pytest.raises(vmplace.NotFoundError):
            p.set_objective(cost=2, bogus=1)
        with pytest.raises(vmplace.RangeError):
            p.set_objective(cost=2, migrations=-1)
        assert p.to_json() == before


def test_problem__messages_name_the_object_and_field():
    with vmplace.Problem(["cpu"]) as p:
        with pytest.raises(vmplace.RangeError,
                           match=r'^host "h1": capacity\.cpu: expected a number >= 0, got -2$'):
            p.add_host("h1", {"cpu": -2})
        with pytest.raises(vmplace.RangeError,
                           match=r'^host "h1": overcommit\.cpu: expected a number >= 0.001, got 0$'):
            p.add_host("h1", {"cpu": 2}, overcommit={"cpu": 0})
        with pytest.raises(vmplace.NotFoundError,
                           match=r'^host "h1": capacity: unknown resource "gpu" \(resources: cpu\)$'):
            p.add_host("h1", {"gpu": 2})
        with pytest.raises(vmplace.InvalidArgumentError,
                           match=r"^host \"h1\": capacity: expected 1 values \(one per resource\), got 2$"):
            p.add_host("h1", [1, 2])
        p.add_host("h1", {"cpu": 2})
        with pytest.raises(vmplace.AlreadyExistsError,
                           match=r'^host "h1": duplicate host name "h1"$'):
            p.add_host("h1", {"cpu": 2})
        with pytest.raises(vmplace.StateError):
            p.add_resource("mem")
        with pytest.raises(vmplace.RangeError,
                           match=r'^VM "v": priority: expected an integer in 0\.\.1000000, got 1000001$'):
            p.add_vm("v", priority=1_000_001)


def test_problem__from_json_reports_fields():
    doc = json.loads(DATACENTER.read_text())
    doc["hosts"][3]["capacity"]["cpu"] = -2
    with pytest.raises(vmplace.RangeError,
                       match=r"^<dict>: hosts\[3\]\.capacity\.cpu: expected a number >= 0"):
        vmplace.Problem.from_json(doc)
    doc["hosts"][3]["capacity"]["cpu"] = float("nan")
    with pytest.raises(vmplace.RangeError, match="^<dict>: "):
        vmplace.Problem.from_json(doc)
    with pytest.raises(vmplace.ParseError, match="^<string>: "):
        vmplace.Problem.from_json('{"version": 1, "resources": ["cpu"], "bogus": 1}')
    with pytest.raises(vmplace.ParseError, match="^<bytes>: "):
        vmplace.Problem.from_json(b"{")
    with pytest.raises(vmplace.InputOutputError):
        vmplace.Problem.from_json("no/such/file.json")
    with pytest.raises(TypeError):
        vmplace.Problem.from_json(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vmplace.Problem.from_json({"version": 1, "resources": [object()]})


def test_problem__bad_files_raise_the_right_class():
    expected = {
        "bad_rule.json": vmplace.ParseError,
        "duplicate_host.json": vmplace.AlreadyExistsError,
        "duplicate_key.json": vmplace.ParseError,
        "empty.json": vmplace.ParseError,
        "inf.json": ValueError,
        "nan.json": ValueError,
        "negative.json": vmplace.RangeError,
        "overcommit_zero.json": vmplace.RangeError,
        "unknown_host.json": vmplace.NotFoundError,
        "unknown_vm.json": vmplace.NotFoundError,
        "unknown_key.json": vmplace.ParseError,
    }
    for name, cls in expected.items():
        path = DATA / "bad" / name
        if not path.exists():
            continue
        with pytest.raises(cls) as info:
            vmplace.Problem.read(path)
        assert str(path) in str(info.value), name


def test_problem__numbers_have_ranges():
    """docs/formats.md, "Numbers": the ends are accepted, beyond is a
    RangeError naming the field, and nothing is added."""
    with vmplace.Problem(["cpu"]) as p:
        with pytest.raises(vmplace.RangeError,
                           match=r'^host "h1": cost: expected a number <= 1e9, got 1e\+308$'):
            p.add_host("h1", {"cpu": 4}, cost=1e308)
        with pytest.raises(vmplace.RangeError,
                           match=r'capacity\.cpu: expected a number <= 1e15, got 1e\+16$'):
            p.add_host("h1", {"cpu": 1e16})
        with pytest.raises(vmplace.RangeError,
                           match=r'overcommit\.cpu: expected a number <= 1000, got 2000$'):
            p.add_host("h1", {"cpu": 4}, overcommit={"cpu": 2000})
        assert p.hosts == []
        p.add_host("h1", {"cpu": 1e15}, cost=1e9, overcommit={"cpu": 1000},
                   reserved={"cpu": 1e15})
        with pytest.raises(vmplace.RangeError,
                           match=r'migration_cost: expected a number <= 1e15'):
            p.add_vm("a", {"cpu": 1}, migration_cost=1e16)
        assert p.vms == []
        with pytest.raises(vmplace.RangeError,
                           match=r'^objective\.balance: expected a number <= 1e9, got 1e\+10$'):
            p.set_objective(balance=1e10)


def test_problem__all_or_nothing_groups():
    """Hard affinity lets members stay out; all_or_nothing is the opt-in
    for "together or not at all" (docs/formats.md)."""
    with vmplace.Problem(["cpu"]) as p:
        p.add_host("h1", {"cpu": 2})
        for name in "abc":
            p.add_vm(name, {"cpu": 1})
        p.add_group("g", "affinity", ["a", "b", "c"])
        with p.solve(solver="ilp") as s:
            assert s.objective == 11 and len(s.unplaced) == 1
        with pytest.raises(vmplace.InvalidArgumentError,
                           match=r'all_or_nothing: only a hard affinity group with scope "host"'):
            p.add_group("z", "affinity", ["a", "b"], scope="zone", all_or_nothing=True)
        p.add_group("x", "affinity", ["a", "b", "c"], all_or_nothing=True)
        assert [g.all_or_nothing for g in p.groups] == [False, True]
        assert p.to_dict()["groups"][1]["all_or_nothing"] is True
        with p.solve(solver="ilp") as s:
            assert s.objective == 30 and len(s.unplaced) == 3
