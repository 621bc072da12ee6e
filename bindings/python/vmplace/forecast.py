"""Usage histories, demand forecasts, host utilisation, alerts and
Prometheus metrics.

- A :class:`History` holds measured usage: per VM and resource, samples
  ``(timestamp, value)`` in the problem's units.
- :func:`forecast` fits one least-squares model per series and predicts a
  quantile of the demand over a horizon (a :class:`Forecast`);
  :meth:`Forecast.rightsize` gives a copy of a problem whose demands are
  the forecasts.
- :func:`utilization` sums demands, observed usage or forecasts per host
  and resource over time; :meth:`Utilization.alerts` finds sustained
  overload and underload, :meth:`Utilization.to_prometheus` writes both as
  metrics.

Forecasting needs a library built with OpenBLAS (``has_feature("forecast")``);
without it :func:`forecast` raises :class:`~vmplace.NotSupportedError`, and
histories, utilisation and alerts work as usual.

Timestamps are Unix seconds (ints); functions that take one also take a
:class:`datetime.datetime` (naive ones are UTC), and durations may be
given as :class:`datetime.timedelta`.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from contextlib import ExitStack
from ctypes import byref, c_char_p, c_double, c_int64, c_size_t, c_void_p
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import (Any, Dict, Iterator, List, Mapping, NamedTuple, Optional,
                    Tuple, Union, overload)

from ._handle import Owned
from ._lib import (AlertOpts, AlertThreshold, ForecastOpts, ForecastP,
                   HistoryP, ProblemP, UtilizationP, AlertsP, error, lib,
                   new_opts, take_string, text, to_bool, to_bytes, to_data,
                   to_float, to_int, to_path, to_seconds, to_timestamp)
from ._lib import check_instance
from .errors import InvalidArgumentError, NotFoundError, NotSupportedError
from .problem import Problem
from .solution import _enum, _placement

__all__ = ["History", "Sample", "Series", "forecast", "Forecast",
           "SeriesForecast", "ForecastModel", "utilization", "Utilization",
           "UtilizationSource", "Alerts", "Alert", "AlertKind", "Severity",
           "HISTORY_FORMATS"]

#: Formats of :meth:`History.read` and their ``vmp_history_format`` values.
HISTORY_FORMATS: Dict[str, int] = {"auto": 0, "csv": 1, "json": 2}

_U32 = 2**32 - 1

#: A duration: seconds, or a timedelta.
Seconds = Union[float, datetime.timedelta]
#: A point in time: Unix seconds, or a datetime (naive is UTC).
Timestamp = Union[int, float, datetime.datetime]


def _format_code(fmt: object) -> int:
    if not isinstance(fmt, str):
        raise TypeError(f"format: expected a str, got {type(fmt).__name__}")
    try:
        return HISTORY_FORMATS[fmt]
    except KeyError:
        raise InvalidArgumentError(
            f"format: expected one of {', '.join(HISTORY_FORMATS)}, got {fmt!r}"
        ) from None


def _not_picklable(kind: str) -> Any:
    raise TypeError(f"a {kind} cannot be pickled")


# ==== usage history ==========================================================


def _find_series(owner: Any, find: Any, what: str, vm: str,
                 resource: str) -> Any:
    """owner's series (a History's or a Forecast's) of a VM and resource,
    looked up by the C function find; NotFoundError when there is none."""
    vm_b, resource_b = to_bytes(vm, "vm"), to_bytes(resource, "resource")
    k = c_size_t()
    with owner._use() as h:
        if find(h, vm_b, resource_b, byref(k)) < 0:
            raise NotFoundError(f"no {what} for VM \"{vm}\" and resource "
                                f"\"{resource}\"")
        return owner._series(h, k.value)


class Sample(NamedTuple):
    """One measurement, or one predicted point: Unix seconds and a value."""

    timestamp: int
    value: float


class Series(NamedTuple):
    """The samples of one VM and resource, in time order.  ``step`` is the
    median time between samples in seconds (0 with fewer than two)."""

    vm: str
    resource: str
    step: int
    samples: Tuple[Sample, ...]


class History(Owned):
    """Measured usage: one time series per (VM, resource), in the problem's
    units (cores, MiB, ...) so that a forecast can replace a demand.

    Start empty and :meth:`add` samples, or :meth:`read` / :meth:`parse`
    CSV (``timestamp,vm,resource,value``) or history JSON
    (docs/forecast.md).  Samples may come in any order: each series is
    kept sorted by time.  A history owns C memory: close it, use ``with``,
    or let it be garbage collected.
    """

    _kind = "history"

    def __init__(self) -> None:
        """Creates an empty history."""
        lib.require("history.h", "usage histories")
        ptr = HistoryP()
        rc = lib.vmp_history_new(byref(ptr))
        if rc < 0:
            raise error(rc)
        super().__init__(ptr, lib.vmp_history_free)

    @classmethod
    def _wrap(cls, ptr: Any) -> "History":
        return cls._adopt(ptr, lib.vmp_history_free)

    @classmethod
    def read(cls, path: Union[str, "os.PathLike[str]"],
             format: str = "auto") -> "History":
        """Reads a usage history.

        Args:
            path: the file.
            format: ``"auto"`` (JSON for ``.json`` files or text starting
                with ``{``, else CSV), ``"csv"`` or ``"json"``.

        Raises:
            InputOutputError: the file cannot be read.
            ParseError: malformed, or no sample at all; the message names the
                file, the line (CSV) or the path (JSON) and the field.
            RangeError: a value or timestamp out of range.
            AlreadyExistsError, ParseError: the same series and time twice
                with different values.
        """
        lib.require("history.h", "usage histories")
        code = _format_code(format)
        data = to_path(path)
        ptr = HistoryP()
        rc = lib.vmp_history_read(data, code, byref(ptr))
        if rc < 0:
            raise error(rc)
        return cls._wrap(ptr)

    @classmethod
    def parse(cls, data: Union[str, bytes], format: str = "auto",
              origin: Optional[str] = None) -> "History":
        """Parses a usage history held in memory; as :meth:`read`.

        Args:
            data: CSV or JSON text (str or UTF-8 bytes).
            format: as in :meth:`read` (``"auto"``: JSON when it starts with
                ``{``).
            origin: how messages name the input; default ``"<input>"``.
        """
        lib.require("history.h", "usage histories")
        code = _format_code(format)
        raw = to_data(data)
        where = to_bytes(origin, "origin") if origin is not None else None
        ptr = HistoryP()
        rc = lib.vmp_history_parse(raw, len(raw), code, where, byref(ptr))
        if rc < 0:
            raise error(rc)
        return cls._wrap(ptr)

    def add(self, vm: str, resource: str,
            timestamp: Timestamp, value: float) -> None:
        """Adds one sample.  Adding samples in time order is cheapest.

        Args:
            vm: the VM's name (non-empty).
            resource: the resource's name (``[A-Za-z_][A-Za-z0-9_]*``).
            timestamp: Unix seconds (a fraction is rounded to the nearest
                second) or a :class:`datetime.datetime` (naive is UTC).
            value: a finite number >= 0.

        Raises:
            InvalidArgumentError: a bad name.
            RangeError: a negative or non-finite value, a timestamp beyond
                ±10^11 s.
            AlreadyExistsError: the series has another value at that time
                (the same value again is accepted and dropped).
        """
        vm_b = to_bytes(vm, "vm")
        resource_b = to_bytes(resource, "resource")
        t = to_timestamp(timestamp, "timestamp")
        x = to_float(value, "value")
        with self._modify() as h:
            rc = lib.vmp_history_add(h, vm_b, resource_b, t, x)
            if rc < 0:
                raise error(rc)

    def __len__(self) -> int:
        """The number of series."""
        with self._use() as h:
            return int(lib.vmp_history_num_series(h))

    @staticmethod
    def _series(h: Any, k: int) -> Series:
        t, v = c_int64(), c_double()
        samples = []
        for i in range(lib.vmp_history_series_len(h, k)):
            rc = lib.vmp_history_series_point_at(h, k, i, byref(t), byref(v))
            if rc < 0:
                raise error(rc)
            samples.append(Sample(t.value, v.value))
        return Series(text(lib.vmp_history_series_vm(h, k)),
                      text(lib.vmp_history_series_resource(h, k)),
                      int(lib.vmp_history_series_step(h, k)), tuple(samples))

    @property
    def series(self) -> List[Series]:
        """Every series, in order of its first sample in the input."""
        with self._use() as h:
            return [self._series(h, k)
                    for k in range(lib.vmp_history_num_series(h))]

    def find(self, vm: str, resource: str) -> Series:
        """The series of a VM and resource.  Raises NotFoundError (a
        KeyError)."""
        return _find_series(self, lib.vmp_history_find, "series", vm, resource)

    def forecast(self, **options: Any) -> "Forecast":
        """Forecasts every series: :func:`vmplace.forecast` with this
        history."""
        return forecast(self, **options)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.History (closed)>"
        with self._use() as h:
            n = lib.vmp_history_num_series(h)
            samples = sum(lib.vmp_history_series_len(h, k) for k in range(n))
        return f"<vmplace.History: {n} series, {samples} samples>"

    def __reduce__(self) -> Any:
        return _not_picklable("History")


# ==== forecasts ==============================================================


class ForecastModel(str, Enum):
    """How a series was forecast.  Compares equal to its name as a str."""

    #: Least squares: trend, daily and weekly Fourier terms, lags.
    REGRESSION = "regression"
    #: The observed peak at every step: the history was too short or the
    #: model predicted worse (:attr:`SeriesForecast.reason` says which).
    PEAK = "peak"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SeriesForecast:
    """The forecast of one VM's usage of one resource."""

    vm: str
    resource: str
    #: The demand to reserve over the horizon: the highest predicted
    #: quantile of its steps.
    value: float
    model: ForecastModel
    #: Why the series fell back to its peak; None for a regression.
    reason: Optional[str]
    #: R² of the fit on the whole history; None where no model was fitted.
    r2: Optional[float]
    #: History samples of the series.
    samples: int
    #: The series' step in seconds (for a single sample, the horizon).
    step: int
    #: Numerical rank of the design matrix (0 for the peak).
    rank: int
    #: Model term -> coefficient, in the series' units (``intercept``,
    #: ``trend`` per day, ``daily_sin1``, ``lag1``, ...); empty for the peak.
    terms: Dict[str, float] = field(hash=False, repr=False)
    #: One predicted quantile per step, from the last sample to the end of
    #: the horizon.
    points: Tuple[Sample, ...] = field(repr=False)


class Forecast(Owned):
    """Forecasts of every series of a history, at one quantile over one
    horizon.  Made by :func:`forecast`; immutable.  Iterating gives the
    :class:`SeriesForecast` of each series in the history's order."""

    _kind = "forecast"

    def __init__(self) -> None:
        raise TypeError("forecasts come from vmplace.forecast()")

    @classmethod
    def _wrap(cls, ptr: Any) -> "Forecast":
        return cls._adopt(ptr, lib.vmp_forecast_free)

    @property
    def quantile(self) -> float:
        """The quantile the forecasts predict."""
        with self._use() as f:
            return float(lib.vmp_forecast_quantile(f))

    @property
    def horizon(self) -> float:
        """The horizon, in seconds."""
        with self._use() as f:
            return float(lib.vmp_forecast_horizon(f))

    def __len__(self) -> int:
        """The number of series."""
        with self._use() as f:
            return int(lib.vmp_forecast_num_series(f))

    @staticmethod
    def _series(f: Any, k: int) -> SeriesForecast:
        t, v, name = c_int64(), c_double(), c_char_p()
        points = []
        for i in range(lib.vmp_forecast_series_num_points(f, k)):
            rc = lib.vmp_forecast_series_point_at(f, k, i, byref(t), byref(v))
            if rc < 0:
                raise error(rc)
            points.append(Sample(t.value, v.value))
        terms = {}
        for j in range(lib.vmp_forecast_series_num_terms(f, k)):
            rc = lib.vmp_forecast_series_term_at(f, k, j, byref(name), byref(v))
            if rc < 0:
                raise error(rc)
            terms[text(name.value)] = v.value
        r2 = float(lib.vmp_forecast_series_r2(f, k))
        model = text(lib.vmp_forecast_model_name(lib.vmp_forecast_series_model(f, k)))
        return SeriesForecast(
            vm=text(lib.vmp_forecast_series_vm(f, k)),
            resource=text(lib.vmp_forecast_series_resource(f, k)),
            value=float(lib.vmp_forecast_series_value(f, k)),
            model=_enum(ForecastModel, model),
            reason=text(lib.vmp_forecast_series_reason(f, k)) or None,
            r2=None if math.isnan(r2) else r2,
            samples=int(lib.vmp_forecast_series_samples(f, k)),
            step=int(lib.vmp_forecast_series_step(f, k)),
            rank=int(lib.vmp_forecast_series_rank(f, k)),
            terms=terms, points=tuple(points))

    @property
    def series(self) -> List[SeriesForecast]:
        """Every series' forecast, in the history's order."""
        with self._use() as f:
            return [self._series(f, k)
                    for k in range(lib.vmp_forecast_num_series(f))]

    def __iter__(self) -> Iterator[SeriesForecast]:
        return iter(self.series)

    def find(self, vm: str, resource: str) -> SeriesForecast:
        """The forecast of a VM and resource.  Raises NotFoundError (a
        KeyError)."""
        return _find_series(self, lib.vmp_forecast_find, "forecast", vm,
                            resource)

    def to_json(self) -> str:
        """The forecasts as JSON, the text of ``vmplace forecast --json``
        (without ``--problem``)."""
        return self._text(lib.vmp_forecast_to_json)

    def to_dict(self) -> Dict[str, Any]:
        """The parsed :meth:`to_json`."""
        result: Dict[str, Any] = json.loads(self.to_json())
        return result

    def rightsize(self, problem: Problem, ignore_unknown: bool = False
                  ) -> Problem:
        """A copy of a problem whose demands are the forecasts: for every
        forecast series, that VM's demand of that resource becomes the
        forecast :attr:`~SeriesForecast.value`; other demands keep their
        value.  The problem itself is not changed.

        Args:
            problem: the problem.
            ignore_unknown: skip forecasts of VMs and resources the problem
                lacks, instead of raising.

        Raises:
            NotFoundError: a forecast names a VM or resource the problem
                lacks (the message names it).
        """
        check_instance(problem, Problem, "problem")
        flags = 1 if to_bool(ignore_unknown, "ignore_unknown") else 0
        out = ProblemP()
        with self._use() as f, problem._use() as p:
            rc = lib.vmp_forecast_rightsize(f, p, flags, byref(out))
            if rc < 0:
                raise error(rc)
        return Problem._wrap(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Forecast (closed)>"
        with self._use() as f:
            n = lib.vmp_forecast_num_series(f)
            peak = sum(text(lib.vmp_forecast_model_name(
                lib.vmp_forecast_series_model(f, k))) == "peak" for k in range(n))
        return (f"<vmplace.Forecast: {n} series, quantile {self.quantile:g} "
                f"over {self.horizon:g} s, {n - peak} regression, {peak} peak>")

    def __reduce__(self) -> Any:
        return _not_picklable("Forecast")


def forecast(history: History, *, horizon: Optional[Seconds] = None,
             quantile: Optional[float] = None,
             daily_harmonics: Optional[int] = None,
             weekly_harmonics: Optional[int] = None,
             lags: Optional[int] = None, trend: Optional[bool] = None,
             trend_daily: Optional[bool] = None,
             min_samples: Optional[int] = None,
             min_span: Optional[Seconds] = None,
             min_r2: Optional[float] = None,
             validate: Optional[bool] = None) -> Forecast:
    """Forecasts every series of a history (docs/forecast.md: the model,
    the fallback rules, the quantile).

    A series that cannot be modelled is not an error: it falls back to its
    observed peak and says why.  Options left at None take the library's
    defaults, which are ``vmplace forecast``'s (one day ahead, quantile
    0.95, ...), so the same history gives the same forecasts as the command
    line.

    Args:
        history: the usage history.
        horizon: how far ahead to predict: seconds or a timedelta (> 0).
        quantile: the quantile of the demand to predict, in (0, 1).
        daily_harmonics: Fourier pairs of the daily cycle, 0..24.
        weekly_harmonics: Fourier pairs of the weekly cycle, 0..24.
        lags: previous steps as regressors, 0..48.
        trend: a linear trend.
        trend_daily: the daily cycle may grow with the trend.
        min_samples: fewer samples fall back to the peak (>= 2).
        min_span: a shorter history (seconds or a timedelta) falls back.
        min_r2: a fit with a lower R² falls back (0: off).
        validate: check the model on held-back recent data, and fall back
            when the peak predicts it better.

    Returns:
        The :class:`Forecast`.

    Raises:
        InvalidArgumentError: bad options (the message names the field).
        RangeError: the horizon needs more than 10^6 steps of some series.
        NotSupportedError: this libvmplace was built without forecasting.
    """
    check_instance(history, History, "history")
    history._check_open()
    lib.require("forecast.h", "forecasting")
    if not lib.vmp_has_feature(b"forecast"):
        raise NotSupportedError(
            "forecasting is not in this build of libvmplace (built without "
            "OpenBLAS/LAPACKE, VMPLACE_WITH_FORECAST=OFF); histories, "
            "utilisation and alerts still work")
    opts = new_opts(ForecastOpts)
    if horizon is not None:
        opts.horizon = to_seconds(horizon, "horizon")
    if quantile is not None:
        opts.quantile = to_float(quantile, "quantile")
    if daily_harmonics is not None:
        opts.daily_harmonics = to_int(daily_harmonics, "daily_harmonics", 0, _U32)
    if weekly_harmonics is not None:
        opts.weekly_harmonics = to_int(weekly_harmonics, "weekly_harmonics", 0, _U32)
    if lags is not None:
        opts.lags = to_int(lags, "lags", 0, _U32)
    if trend is not None:
        opts.trend = int(to_bool(trend, "trend"))
    if trend_daily is not None:
        opts.trend_daily = int(to_bool(trend_daily, "trend_daily"))
    if min_samples is not None:
        opts.min_samples = to_int(min_samples, "min_samples", 0, _U32)
    if min_span is not None:
        opts.min_span = to_seconds(min_span, "min_span")
    if min_r2 is not None:
        opts.min_r2 = to_float(min_r2, "min_r2")
    if validate is not None:
        opts.validate = int(to_bool(validate, "validate"))
    out = ForecastP()
    with history._use() as h:
        rc = lib.vmp_history_forecast(h, byref(opts), byref(out))
        if rc < 0:
            raise error(rc, "forecast")
    return Forecast._wrap(out)


# ==== host utilisation =========================================================


class UtilizationSource(str, Enum):
    """Where a utilisation comes from.  Compares equal to its name as a
    str."""

    #: The VMs' demands: one point in time.
    PLACEMENT = "placement"
    #: Measured usage (a history).
    OBSERVED = "observed"
    #: Forecast quantiles over the horizon.
    FORECAST = "forecast"

    def __str__(self) -> str:
        return self.value


class Utilization(Owned):
    """Host load per resource over time: load, effective capacity and
    their ratio, for every host, resource and point in time.  Made by
    :func:`utilization`; immutable, and it copies every name, so the
    problem, solution and history may be closed first.

    Hosts and resources are named as in the problem; the series of
    :meth:`load` and :meth:`ratio` follow :attr:`times`.
    """

    _kind = "utilization"
    _names: Tuple[Dict[str, int], Dict[str, int]]

    def __init__(self) -> None:
        raise TypeError("utilisations come from vmplace.utilization()")

    @classmethod
    def _wrap(cls, ptr: Any) -> "Utilization":
        obj = cls._adopt(ptr, lib.vmp_utilization_free)
        hosts = {text(lib.vmp_utilization_host_name(ptr, h)): h
                 for h in range(lib.vmp_utilization_num_hosts(ptr))}
        resources = {text(lib.vmp_utilization_resource_name(ptr, r)): r
                     for r in range(lib.vmp_utilization_num_resources(ptr))}
        obj._names = (hosts, resources)
        return obj

    @property
    def source(self) -> UtilizationSource:
        """:class:`UtilizationSource`: placement, observed or forecast."""
        with self._use() as u:
            name = text(lib.vmp_utilization_source_name(
                lib.vmp_utilization_source(u)))
        result: UtilizationSource = _enum(UtilizationSource, name)
        return result

    @property
    def hosts(self) -> List[str]:
        """Host names (those of the problem), in index order."""
        self._check_open()
        return list(self._names[0])

    @property
    def resources(self) -> List[str]:
        """Resource names (those of the problem), in index order."""
        self._check_open()
        return list(self._names[1])

    @property
    def times(self) -> List[int]:
        """The start of each bucket, Unix seconds (``[0]`` for a
        placement)."""
        with self._use() as u:
            return [int(lib.vmp_utilization_time(u, k))
                    for k in range(lib.vmp_utilization_num_times(u))]

    @property
    def step(self) -> int:
        """Bucket width in seconds (0 for a placement)."""
        with self._use() as u:
            return int(lib.vmp_utilization_step(u))

    def _index(self, host: str, resource: str) -> Tuple[int, int]:
        to_bytes(host, "host")
        to_bytes(resource, "resource")
        hosts, resources = self._names
        if host not in hosts:
            raise NotFoundError(f"host: unknown host \"{host}\"")
        if resource not in resources:
            raise NotFoundError(f"resource: unknown resource \"{resource}\"")
        return hosts[host], resources[resource]

    def load(self, host: str, resource: str) -> List[float]:
        """The load of a host in a resource at each of :attr:`times`, in the
        resource's unit."""
        h, r = self._index(host, resource)
        with self._use() as u:
            return [float(lib.vmp_utilization_load(u, h, r, k))
                    for k in range(lib.vmp_utilization_num_times(u))]

    def ratio(self, host: str, resource: str) -> List[float]:
        """Load over effective capacity at each of :attr:`times` (0 when both
        are 0, ``inf`` when only the capacity is)."""
        h, r = self._index(host, resource)
        with self._use() as u:
            return [float(lib.vmp_utilization_ratio(u, h, r, k))
                    for k in range(lib.vmp_utilization_num_times(u))]

    def capacity(self, host: str, resource: str) -> float:
        """The effective capacity of a host in a resource (capacity x
        overcommit - reserved, never below 0)."""
        h, r = self._index(host, resource)
        with self._use() as u:
            return float(lib.vmp_utilization_capacity(u, h, r))

    def num_vms(self, host: str) -> int:
        """The number of VMs placed on a host."""
        to_bytes(host, "host")
        if host not in self._names[0]:
            raise NotFoundError(f"host: unknown host \"{host}\"")
        with self._use() as u:
            return int(lib.vmp_utilization_host_num_vms(u, self._names[0][host]))

    @property
    def num_unmatched(self) -> int:
        """Series ignored because the problem has no such VM or resource."""
        with self._use() as u:
            return int(lib.vmp_utilization_num_unmatched(u))

    @property
    def num_unobserved(self) -> int:
        """(placed VM, resource) pairs without a series, counted at their
        demand."""
        with self._use() as u:
            return int(lib.vmp_utilization_num_unobserved(u))

    def alerts(self, *, warning: Optional[float] = None,
               critical: Optional[float] = None,
               underload: Optional[float] = None,
               window: Optional[Seconds] = None,
               resources: Optional[Mapping[str, Mapping[str, float]]] = None
               ) -> "Alerts":
        """Finds sustained overload and underload.

        Observed usage and placements alert on the state at their latest
        sample, when the condition has held without a break for at least
        ``window``; forecasts alert when it holds that long anywhere in the
        horizon.  Per host and resource there is at most one overload alert
        (critical, else warning) and one underload alert; hosts without VMs
        or in maintenance never alert underload.  Options left at None take
        the library's defaults (``vmplace check --alerts``'s: 0.80, 0.95,
        0.20, 15 minutes).

        Args:
            warning: overload warning ratio, e.g. 0.8.
            critical: overload critical ratio.
            underload: underload ratio; negative: no underload alerts.
            window: seconds (or a timedelta) a condition must hold.
            resources: per-resource overrides, e.g. ``{"memory_mib":
                {"warning": 0.9, "underload": -1}}``; the levels not given
                keep the general ones.

        Raises:
            InvalidArgumentError: a threshold not in (0, 10], warning above
                critical, underload not below warning, a negative window.
            NotFoundError: an override names an unknown resource.
        """
        opts = new_opts(AlertOpts)
        if warning is not None:
            opts.warning = to_float(warning, "warning")
        if critical is not None:
            opts.critical = to_float(critical, "critical")
        if underload is not None:
            opts.underload = to_float(underload, "underload")
        if window is not None:
            opts.window = to_seconds(window, "window")
        per = _thresholds(resources)
        if per is not None:
            opts.resources = per
            opts.num_resources = len(per)
        out = AlertsP()
        with self._use() as u:
            rc = lib.vmp_utilization_alerts(u, byref(opts), byref(out))
            if rc < 0:
                raise error(rc, "alerts")
        return Alerts._wrap(out, self)

    def to_prometheus(self, alerts: Optional["Alerts"] = None) -> str:
        """The utilisation and its alerts in the Prometheus text exposition
        format (0.0.4), as ``vmplace check --metrics`` writes it for
        node_exporter's textfile collector (docs/forecast.md lists the
        metrics).

        Args:
            alerts: alerts of this utilisation (from :meth:`alerts`); None
                finds them with the default thresholds.
        """
        with ExitStack() as stack:
            if alerts is None:
                alerts = stack.enter_context(self.alerts())
            elif not isinstance(alerts, Alerts):
                raise TypeError(f"alerts: expected vmplace.Alerts, got "
                                f"{type(alerts).__name__}")
            elif alerts._utilization is not self:
                raise InvalidArgumentError(
                    "alerts: these alerts were found on another utilisation")
            out = c_void_p()
            u = stack.enter_context(self._use())
            a = stack.enter_context(alerts._use())
            rc = lib.vmp_utilization_to_prometheus(u, a, byref(out))
            if rc < 0:
                raise error(rc)
        return take_string(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Utilization (closed)>"
        with self._use() as u:
            times = lib.vmp_utilization_num_times(u)
        return (f"<vmplace.Utilization: {self.source}, {len(self._names[0])} "
                f"hosts, {len(self._names[1])} resources, {times} times>")

    def __reduce__(self) -> Any:
        return _not_picklable("Utilization")


_LEVELS = ("warning", "critical", "underload")


def _thresholds(resources: Optional[Mapping[str, Mapping[str, float]]]) -> Any:
    """The per-resource overrides as a C array, or None."""
    if resources is None:
        return None
    if not isinstance(resources, Mapping):
        raise TypeError(f"resources: expected a dict, got {type(resources).__name__}")
    per = (AlertThreshold * max(len(resources), 1))()
    for k, (name, levels) in enumerate(resources.items()):
        what = f"resources[{name!r}]"
        per[k].resource = to_bytes(name, "resources key")
        if not isinstance(levels, Mapping):
            raise TypeError(f"{what}: expected a dict of {', '.join(_LEVELS)}, "
                            f"got {type(levels).__name__}")
        unknown = set(levels) - set(_LEVELS)
        if unknown:
            raise InvalidArgumentError(
                f"{what}: unknown level {sorted(map(str, unknown))[0]!r} "
                f"(levels: {', '.join(_LEVELS)})")
        for level in _LEVELS:
            # NaN is the C API's "keep the general threshold"
            value = levels.get(level)
            setattr(per[k], level, math.nan if value is None
                    else to_float(value, f"{what}[{level!r}]"))
    return per


def utilization(problem: Problem, solution: Any = None, *,
                history: Optional[History] = None,
                forecast: Optional[Forecast] = None,
                step: Optional[Seconds] = None) -> Utilization:
    """Host load per resource, from one of three sources:

    - neither ``history`` nor ``forecast``: the placement's demands (one
      point in time);
    - ``history``: measured usage in buckets of ``step`` seconds, aligned on
      the Unix epoch (a VM's value in a bucket is the mean of its samples
      there, else its latest earlier one); a placed VM without a series for
      a resource counts with its demand;
    - ``forecast``: the forecast quantiles over the horizon, bucketed the
      same way (a sum of quantiles: a conservative load).

    Series of VMs or resources the problem lacks are ignored and counted in
    :attr:`Utilization.num_unmatched`.

    Args:
        problem: the problem.
        solution: where the VMs are: None for the problem's current
            placement, a :class:`Solution`, or what :func:`vmplace.check`
            reads.
        history: measured usage.
        forecast: forecasts (of a history of this problem's VMs).
        step: bucket width in seconds or a timedelta; None or 0 means the
            largest step among the series used.

    Raises:
        RangeError: hosts x resources x buckets above 5 x 10^7 (use a larger
            step).
    """
    check_instance(problem, Problem, "problem")
    if history is not None and forecast is not None:
        raise InvalidArgumentError("utilization: give history or forecast, "
                                   "not both")
    check_instance(history, History, "history", optional=True)
    check_instance(forecast, Forecast, "forecast", optional=True)
    lib.require("utilization.h", "utilisation")
    width = 0
    if step is not None:
        seconds = to_seconds(step, "step")
        if not math.isfinite(seconds) or seconds != int(seconds):
            raise InvalidArgumentError(f"step: expected whole seconds, got {seconds:g}")
        width = to_int(int(seconds), "step", -2**63, 2**63 - 1)
    out = UtilizationP()
    with ExitStack() as stack:
        p = stack.enter_context(problem._use())
        s = None
        if solution is not None:
            placed = _placement(problem, solution, stack, "solution")
            s = stack.enter_context(placed._use())
        if history is not None:
            h = stack.enter_context(history._use())
            rc = lib.vmp_utilization_from_history(p, s, h, width, byref(out))
        elif forecast is not None:
            f = stack.enter_context(forecast._use())
            rc = lib.vmp_utilization_from_forecast(p, s, f, width, byref(out))
        else:
            rc = lib.vmp_utilization_from_placement(p, s, byref(out))
        if rc < 0:
            raise error(rc, "utilization")
    return Utilization._wrap(out)


# ==== alerts ======================================================================


class AlertKind(str, Enum):
    """What an alert is about.  Compares equal to its name as a str."""

    OVERLOAD = "overload"
    UNDERLOAD = "underload"

    def __str__(self) -> str:
        return self.value


class Severity(IntEnum):
    """How urgent an alert is; ordered (``CRITICAL > WARNING > INFO``).
    ``str()`` gives the library's name."""

    #: Underload: capacity to reclaim.
    INFO = 0
    WARNING = 1
    CRITICAL = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Alert:
    """One alert."""

    host: str
    resource: str
    kind: AlertKind
    severity: Severity
    #: The ratio crossed.
    threshold: float
    #: The ratio at the latest sample (observed, placement) or the highest
    #: in the window (forecast).
    value: float
    #: First sample of the window, Unix seconds (0 for a placement).
    since: int
    #: Seconds the condition has held.
    duration: float


def _severity(value: int) -> Any:
    try:
        return Severity(value)
    except ValueError:     # a level a newer library added
        return value


class Alerts(Owned):
    """The alerts of a utilisation, critical first, then warnings, then
    underloads (by host and resource within each).  A sequence of
    :class:`Alert`; made by :meth:`Utilization.alerts`."""

    _kind = "alerts"
    _list: Tuple[Alert, ...]
    _utilization: Utilization

    def __init__(self) -> None:
        raise TypeError("alerts come from Utilization.alerts()")

    @classmethod
    def _wrap(cls, ptr: Any, utilization: Utilization) -> "Alerts":
        obj = cls._adopt(ptr, lib.vmp_alerts_free)
        # the metrics need the utilisation the alerts were found on
        obj._utilization = utilization
        found = []
        for k in range(lib.vmp_alerts_num_alerts(ptr)):
            a = lib.vmp_alerts_alert_at(ptr, k).contents
            found.append(Alert(
                host=text(a.host), resource=text(a.resource),
                kind=_enum(AlertKind, text(lib.vmp_alert_kind_name(a.kind))),
                severity=_severity(a.severity), threshold=a.threshold,
                value=a.value, since=a.since, duration=a.duration))
        obj._list = tuple(found)
        return obj

    def __len__(self) -> int:
        self._check_open()
        return len(self._list)

    @overload
    def __getitem__(self, index: int) -> Alert: ...

    @overload
    def __getitem__(self, index: slice) -> Tuple[Alert, ...]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Alert, Tuple[Alert, ...]]:
        self._check_open()
        return self._list[index]

    def __iter__(self) -> Iterator[Alert]:
        self._check_open()
        return iter(self._list)

    @property
    def max_severity(self) -> Optional[Severity]:
        """The highest severity among the alerts, None when there is
        none."""
        with self._use() as a:
            level = int(lib.vmp_alerts_max_severity(a))
        result: Optional[Severity] = None if level < 0 else _severity(level)
        return result

    def to_json(self) -> str:
        """The alerts as JSON, the ``"alerts"`` of ``vmplace check --alerts
        --json``."""
        return self._text(lib.vmp_alerts_to_json)

    def to_list(self) -> List[Dict[str, Any]]:
        """The parsed :meth:`to_json`."""
        result: List[Dict[str, Any]] = json.loads(self.to_json())
        return result

    def __repr__(self) -> str:
        if self.closed:
            return "<vmplace.Alerts (closed)>"
        counts = {s: sum(a.severity == s for a in self._list) for s in Severity}
        return ("<vmplace.Alerts: " + ", ".join(
            f"{n} {s}" for s, n in reversed(counts.items())) + ">")

    def __reduce__(self) -> Any:
        return _not_picklable("Alerts")
