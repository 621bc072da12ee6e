"""Usage histories, forecasts identical to `vmplace forecast`, right-sizing,
utilisation, alerts and metrics identical to `vmplace check`, errors, and
use after close."""

from __future__ import annotations

import csv
import datetime
import json
import math
import pickle

import pytest

import vmplace
from vmplace import _lib

from conftest import DATA, DATACENTER, EXAMPLES, cli_json, run_cli

USAGE = EXAMPLES / "usage.csv"
HISTORY = DATA / "history"

needs_forecast = pytest.mark.skipif(not vmplace.has_feature("forecast"),
                                    reason="libvmplace built without forecasting")


@pytest.fixture
def usage():
    with vmplace.History.read(USAGE) as h:
        yield h


@pytest.fixture
def fc(usage):
    if not vmplace.has_feature("forecast"):
        pytest.skip("libvmplace built without forecasting")
    with vmplace.forecast(usage) as f:
        yield f


def _cli_text(*args: str) -> str:
    done = run_cli(*args)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


# ---- histories -----------------------------------------------------------------


def test_forecast__history_read_and_built_in_python_agree(usage):
    assert len(usage) == 4
    assert repr(usage) == "<vmplace.History: 4 series, 1522 samples>"
    series = usage.series
    assert [(s.vm, s.resource, s.step, len(s.samples)) for s in series] == [
        ("web-1", "cpu", 3600, 504), ("db-1", "cpu", 3600, 504),
        ("db-1", "memory_mib", 3600, 504), ("app-4", "cpu", 3600, 10)]
    first = series[0].samples[0]
    assert first == vmplace.Sample(1711929600, 1.469)      # 2024-04-01T00:00:00Z
    assert usage.find("app-4", "cpu") == series[3]
    # the same samples added one by one, timestamps as datetimes, ints and
    # floats, in reverse order: the same history
    with vmplace.History() as built, open(USAGE) as f:
        rows = list(csv.DictReader(f))
        for k, row in enumerate(reversed(rows)):
            when = datetime.datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
            t = (when, int(when.timestamp()), when.timestamp() + 0.4)[k % 3]
            built.add(row["vm"], row["resource"], t, float(row["value"]))
        assert sorted(built.series) == sorted(series)
        if vmplace.has_feature("forecast"):
            with built.forecast() as a, usage.forecast() as b:
                assert sorted(a.to_dict()["forecasts"], key=str) == \
                    sorted(b.to_dict()["forecasts"], key=str)


def test_forecast__history_formats(tmp_path):
    doc = {"version": 1, "series": [{"vm": "v", "resource": "cpu", "points": [
        ["2024-05-01T00:00:00Z", 1.5], [1714525200, 2.25],
        {"timestamp": 1714528800, "value": 2.0}]}]}
    expected = [vmplace.Series("v", "cpu", 3600, (
        vmplace.Sample(1714521600, 1.5), vmplace.Sample(1714525200, 2.25),
        vmplace.Sample(1714528800, 2.0)))]
    csv_text = ("timestamp,vm,resource,value\n2024-05-01T00:00:00Z,v,cpu,1.5\n"
                "1714525200,v,cpu,2.25\n1714528800,v,cpu,2\n")
    (tmp_path / "h.json").write_text(json.dumps(doc))
    (tmp_path / "h.txt").write_text(json.dumps(doc))
    (tmp_path / "h.csv").write_text(csv_text)
    for h in (vmplace.History.parse(json.dumps(doc)),
              vmplace.History.parse(json.dumps(doc).encode(), "json"),
              vmplace.History.parse(csv_text), vmplace.History.parse(csv_text, "csv"),
              vmplace.History.read(tmp_path / "h.json"),
              vmplace.History.read(tmp_path / "h.txt", format="json"),
              vmplace.History.read(str(tmp_path / "h.csv"))):
        with h:
            assert h.series == expected
    with pytest.raises(vmplace.ParseError, match="^mine.csv: line 1: "):
        vmplace.History.parse(json.dumps(doc), "csv", origin="mine.csv")
    with pytest.raises(vmplace.InvalidArgumentError, match="format: expected one of auto, csv, json"):
        vmplace.History.read(tmp_path / "h.csv", format="xml")


@pytest.mark.parametrize("name,cls,message", [
    ("nan.csv", vmplace.RangeError,
     'nan.csv: line 3: value: expected a finite number >= 0, got "NaN"'),
    ("duplicate.csv", vmplace.ParseError,
     "duplicate.csv: line 4: web-1/cpu: timestamp 2024-05-01T00:00:00Z repeats "
     "line 2 with another value (1.7, was 1.5)"),
    ("badtime.csv", vmplace.ParseError,
     'badtime.csv: line 3: timestamp: expected Unix seconds or an ISO 8601 '
     'date-time, got "yesterday"'),
    ("fields.csv", vmplace.ParseError, "fields.csv: line 2: expected 4 fields"),
    ("millis.csv", vmplace.RangeError,
     "millis.csv: line 1: timestamp: too large for Unix seconds (milliseconds?)"),
    ("header_only.csv", vmplace.ParseError, "header_only.csv: no samples"),
    ("negative.json", vmplace.RangeError,
     "negative.json: series[0].points[0][1]: expected a finite number >= 0, got -3"),
    ("no-such.csv", vmplace.InputOutputError, "no-such.csv: No such file or directory"),
])
def test_forecast__bad_history_files(name, cls, message):
    with pytest.raises(cls) as info:
        vmplace.History.read(HISTORY / name)
    assert message in str(info.value)
    # the command line fails on the same input with the same message
    if vmplace.has_feature("forecast"):
        done = run_cli("forecast", str(HISTORY / name))
        assert done.returncode == 2 and message in done.stderr


def test_forecast__bad_samples_change_nothing():
    with vmplace.History() as h:
        h.add("v", "cpu", 0, 1.0)
        h.add("v", "cpu", 0, 1.0)               # the same sample: dropped
        cases = [
            (("v", "cpu", 0, 2.0), vmplace.AlreadyExistsError,
             "^v/cpu: timestamp 1970-01-01T00:00:00Z already has the value 1, not 2$"),
            (("v", "cpu", 60, -1), vmplace.RangeError,
             "^value: expected a finite number >= 0, got -1$"),
            (("v", "cpu", 60, math.nan), vmplace.RangeError, "got nan"),
            (("v", "cpu", 10**12, 1), vmplace.RangeError,
             r"timestamp: 1000000000000 is out of range \(\|t\| <= 10\^11"),
            (("v", "1cpu", 60, 1), vmplace.InvalidArgumentError,
             r'"1cpu" is not a resource name'),
            (("", "cpu", 60, 1), vmplace.InvalidArgumentError, "^vm: expected a name"),
            (("v", "cpu", 2**63, 1), vmplace.RangeError, "timestamp"),
            (("v", "cpu", math.inf, 1), vmplace.RangeError, "timestamp"),
            (("v\0w", "cpu", 60, 1), vmplace.InvalidArgumentError, "NUL"),
        ]
        for args, cls, message in cases:
            with pytest.raises(cls, match=message):
                h.add(*args)
        for args in (("v", "cpu", "yesterday", 1), ("v", "cpu", True, 1),
                     ("v", "cpu", 60, "1"), ("v", None, 60, 1)):
            with pytest.raises(TypeError):
                h.add(*args)
        assert h.series == [vmplace.Series("v", "cpu", 0, (vmplace.Sample(0, 1.0),))]
        with pytest.raises(vmplace.NotFoundError, match='no series for VM "v" and resource "mem"'):
            h.find("v", "mem")
        with pytest.raises(KeyError):
            h.find("w", "cpu")


def test_forecast__timestamps_round_like_the_readers():
    utc = datetime.timezone.utc
    with vmplace.History() as h:
        for t in (10.5, -10.5, 20.4999,
                  datetime.datetime(2024, 5, 1, 0, 0, 0, 500000),          # naive: UTC
                  datetime.datetime(2024, 5, 1, 2, 0, 2,
                                    tzinfo=datetime.timezone(datetime.timedelta(hours=2)))):
            h.add("v", "cpu", t, 1.0)
        assert [s.timestamp for s in h.find("v", "cpu").samples] == \
            [-11, 11, 20, 1714521601, 1714521602]
    assert datetime.datetime(2024, 5, 1, 0, 0, 1, tzinfo=utc).timestamp() == 1714521601


# ---- forecasts ------------------------------------------------------------------


@needs_forecast
def test_forecast__identical_to_the_command_line(usage):
    with vmplace.forecast(usage) as f:
        assert f.to_json() + "\n" == _cli_text("forecast", "--json", str(USAGE))
    options = dict(horizon=datetime.timedelta(hours=2), quantile=0.9, lags=1,
                   daily_harmonics=2, weekly_harmonics=0, trend_daily=False,
                   min_samples=12, min_span=43200, validate=False)
    with usage.forecast(**options) as f:
        assert f.to_dict() == cli_json(
            "forecast", "--horizon", "2h", "--quantile", "0.9", "--lags", "1",
            "--daily", "2", "--weekly", "0", "--no-trend-daily",
            "--min-samples", "12", "--min-span", "12h", "--no-validate", str(USAGE))
        assert f.horizon == 7200 and f.quantile == 0.9
    with usage.forecast(trend=False, min_r2=0.9) as f:
        expected = cli_json("forecast", "--no-trend", "--min-r2", "0.9", str(USAGE))
        assert f.to_dict() == expected
        assert [s.model for s in f] == ["peak", "peak", "regression", "peak"]
        assert f.find("db-1", "cpu").reason == "poor fit: R^2 0.657 below the minimum 0.900"


@needs_forecast
def test_forecast__series_in_detail(fc):
    assert len(fc) == 4 and fc.quantile == 0.95 and fc.horizon == 86400
    assert repr(fc) == ("<vmplace.Forecast: 4 series, quantile 0.95 over 86400 s, "
                        "3 regression, 1 peak>")
    expected = fc.to_dict()["forecasts"]
    for s, e in zip(fc.series, expected):
        assert [s.vm, s.resource, s.model, s.reason, s.samples, s.step] == \
            [e["vm"], e["resource"], e["model"], e["reason"], e["samples"], e["step_s"]]
        assert s.value == pytest.approx(e["value"], rel=1e-9)
        assert s.r2 == (None if e["fit_r2"] is None else pytest.approx(e["fit_r2"], rel=1e-9))
        assert [p.timestamp for p in s.points] == [p["timestamp"] for p in e["points"]]
        assert [p.value for p in s.points] == pytest.approx([p["value"] for p in e["points"]],
                                                            rel=1e-9)
        # the forecast is the highest point of the horizon
        assert s.value == max(p.value for p in s.points)
    web = fc.find("web-1", "cpu")
    assert web.model is vmplace.ForecastModel.REGRESSION and web.reason is None
    assert len(web.points) == 24 and web.step == 3600
    assert web.points[0].timestamp == 1713744000          # one step after the last sample
    assert list(web.terms)[:3] == ["intercept", "trend", "daily_sin1"]
    assert list(web.terms)[-2:] == ["lag1", "lag2"]
    assert 0 < web.rank <= len(web.terms)
    peak = fc.find("app-4", "cpu")
    assert peak.model == "peak" and peak.value == 4.2
    assert peak.reason == "short history: 10 samples over 9h, need 24 samples over 1d"
    assert peak.r2 is None and peak.terms == {} and peak.rank == 0
    assert {p.value for p in peak.points} == {4.2}
    with pytest.raises(vmplace.NotFoundError, match='no forecast for VM "web-1" and resource "gpu"'):
        fc.find("web-1", "gpu")


@needs_forecast
def test_forecast__bad_options(usage):
    cases = [
        (dict(quantile=1.5), vmplace.InvalidArgumentError,
         r"^forecast: quantile: expected a number in \(0, 1\), got 1.5$"),
        (dict(horizon=0), vmplace.InvalidArgumentError,
         r"^forecast: horizon: expected seconds in \(0, 10 years\], got 0$"),
        (dict(daily_harmonics=25), vmplace.InvalidArgumentError,
         "^forecast: harmonics: expected 0..24, got 25 daily and 3 weekly$"),
        (dict(min_samples=1), vmplace.InvalidArgumentError,
         "^forecast: min_samples: expected at least 2, got 1$"),
        (dict(lags=-1), vmplace.RangeError, "lags"),
        (dict(lags=2**32), vmplace.RangeError, "lags"),
    ]
    for options, cls, message in cases:
        with pytest.raises(cls, match=message):
            usage.forecast(**options)
    for options in (dict(horizon="1d"), dict(quantile="high"), dict(trend="yes"),
                    dict(lags=1.5), dict(validate=None, horizon=[1])):
        with pytest.raises(TypeError):
            usage.forecast(**options)
    with pytest.raises(TypeError, match="unexpected keyword"):
        usage.forecast(harmonics=3)
    with pytest.raises(TypeError, match="history: expected a vmplace.History"):
        vmplace.forecast(str(USAGE))                         # type: ignore[arg-type]


@needs_forecast
def test_forecast__rightsizing_matches_the_command_line(fc, datacenter, tmp_path):
    run_cli("forecast", "--problem", str(DATACENTER), "-o", str(tmp_path / "right.json"),
            str(USAGE))
    with fc.rightsize(datacenter) as right:
        assert right.to_dict() == json.loads((tmp_path / "right.json").read_text())
        assert right.vm("db-1").demand["cpu"] == fc.find("db-1", "cpu").value
        assert right.vm("web-2").demand == datacenter.vm("web-2").demand
    assert datacenter.vm("db-1").demand["cpu"] == 16          # unchanged
    with vmplace.History.read(HISTORY / "unknown_vm.csv") as h, h.forecast() as f:
        with pytest.raises(vmplace.NotFoundError, match='the problem has no VM "ghost"'):
            f.rightsize(datacenter)
        with f.rightsize(datacenter, ignore_unknown=True) as right:
            assert right.num_vms == datacenter.num_vms
    with pytest.raises(TypeError):
        fc.rightsize(datacenter, ignore_unknown="yes")


def test_forecast__without_forecasting_the_rest_still_works(usage, datacenter, monkeypatch):
    real = _lib.lib.vmp_has_feature
    monkeypatch.setattr(_lib.lib, "vmp_has_feature",
                        lambda name: 0 if name == b"forecast" else real(name))
    assert not vmplace.has_feature("forecast")
    with pytest.raises(vmplace.NotSupportedError,
                       match=r"^forecasting is not in this build of libvmplace .*"
                             r"histories, utilisation and alerts still work$"):
        usage.forecast()
    with datacenter.utilization(history=usage) as u, u.alerts() as a:
        assert len(a) == 18 and "vmplace_alerts" in u.to_prometheus(a)


# ---- utilisation, alerts, metrics ---------------------------------------------------------


def test_forecast__placement_utilization(datacenter):
    with vmplace.utilization(datacenter) as u:
        assert u.source is vmplace.UtilizationSource.PLACEMENT
        assert u.times == [0] and u.step == 0
        assert u.hosts == datacenter.hosts and u.resources == datacenter.resources
        assert u.capacity("h01", "cpu") == 128 and u.load("h01", "cpu") == [28]
        assert u.ratio("h01", "cpu") == [28 / 128] and u.num_vms("h01") == 3
        assert u.num_unmatched == 0 and u.num_unobserved == 0
        assert repr(u) == "<vmplace.Utilization: placement, 8 hosts, 3 resources, 1 times>"
        with pytest.raises(vmplace.NotFoundError, match='unknown host "h99"'):
            u.load("h99", "cpu")
        with pytest.raises(vmplace.NotFoundError, match='unknown resource "gpu"'):
            u.capacity("h01", "gpu")
        with u.alerts() as a:
            expected = cli_json("check", "--alerts", str(DATACENTER))
            assert a.to_list() == expected["alerts"]
            assert {x.severity for x in a} == {vmplace.Severity.INFO}
            assert a.max_severity is vmplace.Severity.INFO
    # another placement: everything on two hosts
    with datacenter.solve(solver="greedy") as s, datacenter.utilization(s) as u:
        assert sum(u.num_vms(h) for h in u.hosts) == 40
        assert sum(u.load(h, "cpu")[0] for h in u.hosts) == \
            sum(datacenter.vm(v).demand["cpu"] for v in datacenter.vms)


def test_forecast__observed_alerts_match_the_command_line(usage, datacenter):
    with datacenter.utilization(history=usage) as u:
        assert u.source == "observed" and u.step == 3600 and len(u.times) == 504
        assert u.times[0] == 1711929600 and u.times[-1] == 1713740400
        assert u.num_unobserved == 56 and u.num_unmatched == 0
        with u.alerts(warning=0.3, critical=0.5, underload=-1,
                      resources={"cpu": {"warning": 0.2}},
                      window=datetime.timedelta(hours=2)) as a:
            expected = cli_json("check", "--alerts", "--history", str(USAGE),
                                "--warn", "0.3", "--crit", "0.5", "--underload", "off",
                                "--warn", "cpu=0.2", "--window", "2h", str(DATACENTER))
            assert a.to_list() == expected["alerts"] and len(a) == 2
            assert expected["utilization"] == {"source": "observed", "from": u.times[0],
                                               "to": u.times[-1], "step_s": 3600,
                                               "window_s": 7200}
            assert a[0] == vmplace.Alert(
                host="h02", resource="cpu", kind=vmplace.AlertKind.OVERLOAD,
                severity=vmplace.Severity.WARNING, threshold=0.2, value=0.204234375,
                since=1712908800, duration=831600.0)
            assert a.max_severity == vmplace.Severity.WARNING and str(a[0].severity) == "warning"
            assert repr(a) == "<vmplace.Alerts: 0 critical, 2 warning, 0 info>"
            assert list(a[0:1]) == [a[0]]
        with u.alerts(window=0, warning=0.2, critical=0.21, underload=-1) as a:
            assert a.max_severity is vmplace.Severity.CRITICAL
            assert [(x.host, x.severity) for x in a[:2]] == \
                [("h03", vmplace.Severity.CRITICAL), ("h02", vmplace.Severity.WARNING)]


def test_forecast__metrics_match_the_command_line(usage, datacenter, tmp_path):
    prom = tmp_path / "o.prom"
    run_cli("check", "--metrics", str(prom), "--history", str(USAGE), str(DATACENTER))
    with datacenter.utilization(history=usage) as u:
        assert u.to_prometheus() == prom.read_text()
        with u.alerts() as a:
            assert u.to_prometheus(a) == prom.read_text()
        with u.alerts(warning=0.1, critical=0.2, underload=0.05) as a:
            text = u.to_prometheus(a)
            assert 'vmplace_alert_threshold_ratio{resource="cpu",level="warning",' \
                   'source="observed"} 0.1' in text
            assert repr(a) == "<vmplace.Alerts: 3 critical, 6 warning, 4 info>"
            assert 'vmplace_alerts{severity="critical",source="observed"} 3\n' in text
        with datacenter.utilization(history=usage) as other, other.alerts() as foreign:
            with pytest.raises(vmplace.InvalidArgumentError, match="another utilisation"):
                u.to_prometheus(foreign)
    run_cli("check", "--metrics", str(prom), str(DATACENTER))
    with datacenter.utilization() as u:
        assert u.to_prometheus() == prom.read_text()
    if vmplace.has_feature("forecast"):
        run_cli("check", "--metrics", str(prom), "--history", str(USAGE), "--forecast",
                str(DATACENTER))
        with usage.forecast() as f, datacenter.utilization(forecast=f) as u:
            assert u.source == "forecast" and u.to_prometheus() == prom.read_text()
            assert u.times[0] == 1713744000 and u.step == 3600


def test_forecast__bad_alert_options_and_utilization_arguments(usage, datacenter):
    with datacenter.utilization(history=usage, step=7200) as u:
        assert u.step == 7200 and len(u.times) == 252
        cases = [
            (dict(warning=0.9, critical=0.8), vmplace.InvalidArgumentError, "critical"),
            (dict(warning=0), vmplace.InvalidArgumentError, "warning"),
            (dict(window=-1), vmplace.InvalidArgumentError, "window"),
            (dict(resources={"gpu": {"warning": 0.5}}), vmplace.NotFoundError, "gpu"),
            (dict(resources={"cpu": {"warn": 0.5}}), vmplace.InvalidArgumentError,
             "unknown level 'warn'"),
        ]
        for options, cls, message in cases:
            with pytest.raises(cls, match=message):
                u.alerts(**options)
        for options in (dict(warning="80%"), dict(resources=["cpu"]),
                        dict(resources={"cpu": 0.8}), dict(window="15m")):
            with pytest.raises(TypeError):
                u.alerts(**options)
        with pytest.raises(TypeError):
            u.to_prometheus("alerts")                        # type: ignore[arg-type]
    with pytest.raises(vmplace.InvalidArgumentError, match="whole seconds"):
        datacenter.utilization(history=usage, step=1.5)
    with pytest.raises(TypeError, match="history: expected a vmplace.History"):
        datacenter.utilization(history=str(USAGE))
    with pytest.raises(TypeError, match="solution: expected a Solution"):
        datacenter.utilization(42)


# ---- life cycle -------------------------------------------------------------------------


def test_forecast__objects_outlive_their_sources_and_refuse_use_after_close(datacenter):
    h = vmplace.History.read(USAGE)
    f = h.forecast() if vmplace.has_feature("forecast") else None
    p = datacenter.clone()
    u = vmplace.utilization(p, history=h)
    a = u.alerts()
    p.close()
    h.close()
    assert len(u.times) == 504 and len(a) == 18          # they copied what they need
    if f is not None:
        assert len(f.series) == 4
    u_text = u.to_prometheus(a)
    u.close()
    assert len(a) == 18                                  # alerts copy their names
    with pytest.raises(vmplace.ClosedError, match="this utilization is closed"):
        u.to_prometheus(a)
    a.close()
    for obj, calls in [
            (h, [lambda: len(h), lambda: h.series, lambda: h.find("web-1", "cpu"),
                 lambda: h.add("v", "cpu", 0, 1), lambda: h.forecast(),
                 lambda: vmplace.utilization(datacenter, history=h)]),
            (u, [lambda: u.source, lambda: u.hosts, lambda: u.resources,
                 lambda: u.times, lambda: u.step, lambda: u.load("h01", "cpu"),
                 lambda: u.ratio("h01", "cpu"), lambda: u.capacity("h01", "cpu"),
                 lambda: u.num_vms("h01"), lambda: u.num_unmatched,
                 lambda: u.num_unobserved, lambda: u.alerts(), lambda: u.to_prometheus()]),
            (a, [lambda: len(a), lambda: a[0], lambda: list(a), lambda: a.max_severity,
                 lambda: a.to_json(), lambda: a.to_list()])]:
        assert repr(obj).endswith("(closed)>")
        for call in calls:
            with pytest.raises(vmplace.ClosedError, match=f"this {obj._kind} is closed"):
                call()
    assert "vmplace_host_load" in u_text
    if f is not None:
        f.close()
        for call in (lambda: len(f), lambda: f.series, lambda: list(f),
                     lambda: f.find("web-1", "cpu"), lambda: f.quantile,
                     lambda: f.horizon, lambda: f.to_json(),
                     lambda: f.rightsize(datacenter),
                     lambda: vmplace.utilization(datacenter, forecast=f)):
            with pytest.raises(vmplace.ClosedError, match="this forecast is closed"):
                call()


def test_forecast__objects_are_not_built_or_pickled_directly(usage, datacenter):
    for cls in (vmplace.Forecast, vmplace.Utilization, vmplace.Alerts):
        with pytest.raises(TypeError):
            cls()
    with datacenter.utilization() as u, u.alerts() as a:
        for obj in (usage, u, a):
            with pytest.raises(TypeError, match="cannot be pickled"):
                pickle.dumps(obj)
