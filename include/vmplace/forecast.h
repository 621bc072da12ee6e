/*
 * vmplace — usage history, demand forecasting, host utilisation and alerts.
 *
 * A vmp_history holds measured usage: per VM and resource, a series of
 * (timestamp, value) samples in the problem's units (docs/forecast.md gives
 * the CSV and JSON formats).  vmp_history_forecast fits one least-squares
 * model per series — trend, daily and weekly Fourier terms, recent lags —
 * and predicts a quantile of the demand over a horizon; where the history
 * is too short or the model predicts worse than the observed peak, the
 * series falls back to its peak and says why.  vmp_forecast_rightsize turns
 * the forecasts into a problem whose demands are the forecasts.
 *
 * vmp_utilization sums demands, observed usage or forecasts per host and
 * resource over time; vmp_utilization_alerts finds sustained overload and
 * underload, and vmp_utilization_to_prometheus writes both in the
 * Prometheus text exposition format.
 *
 * Build: the forecasting functions need OpenBLAS and LAPACKE.  In a build
 * without them (VMPLACE_WITH_FORECAST=OFF; vmp_has_feature("forecast") is
 * 0) every function still exists, so that programs and bindings link
 * against either build: vmp_history_forecast fails with VMP_ENOTSUP, and
 * histories, utilisation and alerts work as documented.
 *
 * Thread-safety: as everywhere in vmplace — histories may be read from
 * several threads while nobody adds to them; forecasts, utilisations and
 * alerts are immutable.  The least-squares fits run on the calling thread
 * with OpenBLAS limited to one thread (docs/threading.md).
 */
#ifndef VMPLACE_FORECAST_H
#define VMPLACE_FORECAST_H

#include "common.h"
#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS

/* ==== usage history ======================================================= */

/** Opaque usage history: one time series per (VM, resource). */
typedef struct vmp_history vmp_history;

/** Formats understood by vmp_history_read and vmp_history_parse. */
typedef enum vmp_history_format {
  VMP_HISTORY_AUTO = 0,  /**< JSON when the file ends in .json or the data
                              starts with '{', else CSV */
  VMP_HISTORY_CSV = 1,   /**< lines timestamp,vm,resource,value; an optional
                              header line names the columns */
  VMP_HISTORY_JSON = 2   /**< {"version": 1, "series": [{"vm", "resource",
                              "points": [[timestamp, value], ...]}]} */
} vmp_history_format;

/**
 * Creates an empty history, to be filled with vmp_history_add.
 *
 * @param out  receives the history (caller owns; vmp_history_free); NULL on
 *             failure.
 * @return VMP_OK, VMP_EINVAL (out is NULL), VMP_ENOMEM.
 */
VMP_API int vmp_history_new(vmp_history **out);

/** Frees a history.  Accepts NULL. */
VMP_API void vmp_history_free(vmp_history *h);

/**
 * Reads a usage history from a file.
 *
 * Timestamps are Unix seconds (a fraction is rounded to the nearest second)
 * or ISO 8601 date-times ("2024-05-01T13:00:00Z"; without a zone offset
 * they are UTC).  Values are finite numbers >= 0.  Samples of one series
 * may come in any order and interleave with other series: each series is
 * sorted by time.  A sample that repeats an earlier one exactly (same
 * series, timestamp and value) is dropped; the same timestamp with another
 * value is an error.  Every message names the file, the line (CSV) or the
 * path (JSON) and the field: "usage.csv: line 7: value: expected a finite
 * number >= 0, got \"NaN\"".
 *
 * @param path    the file.
 * @param format  a vmp_history_format.
 * @param out     receives the history (caller owns); NULL on failure.
 * @return VMP_OK; VMP_EIO (cannot read), VMP_EPARSE (malformed, or no
 *         sample at all), VMP_ERANGE (a value or timestamp out of range),
 *         VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_history_read(const char *path, int format, vmp_history **out);

/**
 * Parses a usage history held in memory; as vmp_history_read.
 *
 * @param data    the bytes (need not be NUL-terminated).
 * @param len     their number.
 * @param format  a vmp_history_format.
 * @param origin  names the input in messages; NULL gives "<input>".
 * @param out     receives the history (caller owns); NULL on failure.
 */
VMP_API int vmp_history_parse(const char *data, size_t len, int format,
                              const char *origin, vmp_history **out);

/**
 * Adds one sample.  Samples are kept sorted by time; adding them in time
 * order costs O(1), out of order O(series length).
 *
 * @param vm         non-empty VM name.
 * @param resource   resource name ([A-Za-z_][A-Za-z0-9_]*).
 * @param timestamp  Unix seconds, |timestamp| <= 10^11.
 * @param value      finite, >= 0.
 * @return VMP_OK (also when the sample repeats an existing one exactly);
 *         VMP_EINVAL (bad name or NULL), VMP_ERANGE (value or timestamp),
 *         VMP_EEXIST (the series has another value at that timestamp),
 *         VMP_ENOMEM.
 */
VMP_API int vmp_history_add(vmp_history *h, const char *vm,
                            const char *resource, int64_t timestamp,
                            double value);

/** Number of series, in order of their first sample in the input. */
VMP_API size_t vmp_history_num_series(const vmp_history *h);
/** VM of series k, or NULL when out of range.  Borrowed (lives with h). */
VMP_API const char *vmp_history_series_vm(const vmp_history *h, size_t k);
/** Resource of series k, or NULL.  Borrowed (lives with h). */
VMP_API const char *vmp_history_series_resource(const vmp_history *h,
                                                size_t k);
/** Number of samples of series k (0 when out of range). */
VMP_API size_t vmp_history_series_len(const vmp_history *h, size_t k);
/**
 * The i-th sample of series k, in time order.  Either out-parameter may be
 * NULL.  @return VMP_OK or VMP_EINVAL (out of range).
 */
VMP_API int vmp_history_series_point_at(const vmp_history *h, size_t k,
                                        size_t i, int64_t *timestamp,
                                        double *value);
/**
 * The step of series k: the median time between consecutive samples, in
 * seconds; 0 for a series of fewer than two samples or out of range.
 */
VMP_API int64_t vmp_history_series_step(const vmp_history *h, size_t k);
/** Looks up the series of a VM and resource.
 * @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_history_find(const vmp_history *h, const char *vm,
                             const char *resource, size_t *k);

/* ==== forecasting ========================================================= */

/** Opaque, immutable set of forecasts: one per series of a history. */
typedef struct vmp_forecast vmp_forecast;

/** How a series was forecast. */
typedef enum vmp_forecast_model {
  /** Least squares: trend, daily and weekly Fourier terms, lags; the
   * quantile comes from the residuals. */
  VMP_FORECAST_REGRESSION = 0,
  /** The observed peak of the history, for every step of the horizon: the
   * history was too short or the model predicted worse (see the reason). */
  VMP_FORECAST_PEAK = 1
} vmp_forecast_model;

#define VMP_FORECAST_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/**
 * Options of a forecast.  Initialise with VMP_FORECAST_OPTS_INIT or
 * vmp_forecast_opts_init; fields are only ever appended.
 */
typedef struct vmp_forecast_opts {
  uint32_t version;           /**< VMP_FORECAST_OPTS_VERSION */
  double horizon;             /**< seconds ahead to predict (> 0);
                                   default 86400 */
  double quantile;            /**< in (0, 1); default 0.95 */
  uint32_t daily_harmonics;   /**< Fourier pairs of the daily cycle, 0..24;
                                   default 4 */
  uint32_t weekly_harmonics;  /**< Fourier pairs of the weekly cycle, 0..24;
                                   default 3 */
  uint32_t lags;              /**< previous steps as regressors, 0..48;
                                   default 2 */
  int32_t trend;              /**< nonzero: a linear trend; default 1 */
  int32_t trend_daily;        /**< nonzero (and trend): the daily cycle's
                                   terms may grow or shrink linearly with
                                   time too, as when usage grows by a
                                   share at every hour; from 2 weeks of
                                   history; default 1 */
  uint32_t min_samples;       /**< fewer samples fall back to the peak
                                   (>= 2); default 24 */
  double min_span;            /**< seconds; a shorter history falls back to
                                   the peak; default 86400 */
  double min_r2;              /**< a fit whose R^2 is lower falls back to
                                   the peak; default 0 (off) */
  int32_t validate;           /**< nonzero: refit without recent parts of
                                   the history (up to 3 windows of the
                                   horizon) and fall back to the peak when
                                   the model predicts them worse than the
                                   peak does; default 1 */
  VMP__NEXT_FIELD
} vmp_forecast_opts;

#define VMP_FORECAST_OPTS_INIT \
  { VMP_FORECAST_OPTS_VERSION, 86400.0, 0.95, 4, 3, 2, 1, 1, 24, 86400.0, 0.0, 1 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_FORECAST_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_FORECAST_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_forecast_opts_init(vmp_forecast_opts *opts, uint32_t version);

/**
 * Forecasts every series of a history (docs/forecast.md: the model, the
 * fallback rules, the quantile).
 *
 * A series that cannot be modelled is not an error: it falls back to its
 * peak, and vmp_forecast_series_reason says why.
 *
 * @param h     the history (only read).
 * @param opts  options; NULL means defaults.
 * @param out   receives the forecasts (caller owns; vmp_forecast_free);
 *              NULL on failure.
 * @return VMP_OK; VMP_EINVAL (bad options), VMP_ERANGE (the horizon needs
 *         more than 10^6 steps of some series), VMP_ENOTSUP (a build without
 *         forecasting), VMP_ENOMEM.
 */
VMP_API int vmp_history_forecast(const vmp_history *h,
                                 const vmp_forecast_opts *opts,
                                 vmp_forecast **out);

/** Frees forecasts.  Accepts NULL. */
VMP_API void vmp_forecast_free(vmp_forecast *f);

/** The quantile the forecasts predict. */
VMP_API double vmp_forecast_quantile(const vmp_forecast *f);
/** The horizon, in seconds. */
VMP_API double vmp_forecast_horizon(const vmp_forecast *f);
/** Number of series (those of the history, in its order). */
VMP_API size_t vmp_forecast_num_series(const vmp_forecast *f);
/** Looks up the forecast of a VM and resource.
 * @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_forecast_find(const vmp_forecast *f, const char *vm,
                              const char *resource, size_t *k);
/** VM of series k, or NULL.  Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_vm(const vmp_forecast *f, size_t k);
/** Resource of series k, or NULL.  Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_resource(const vmp_forecast *f,
                                                 size_t k);
/** The demand to reserve over the horizon: the highest predicted quantile
 * of its steps (>= 0).  NaN when out of range. */
VMP_API double vmp_forecast_series_value(const vmp_forecast *f, size_t k);
/** The model of series k (a vmp_forecast_model), or -1. */
VMP_API int vmp_forecast_series_model(const vmp_forecast *f, size_t k);
/** "regression" or "peak"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_forecast_model_name(int model);
/** Why series k fell back to its peak ("short history: 5 samples over 4h,
 * need 24 samples over 1d"); "" for a regression; NULL when out of range.
 * Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_reason(const vmp_forecast *f,
                                               size_t k);
/** Coefficient of determination of the fit on the whole history; NaN when
 * no model was fitted. */
VMP_API double vmp_forecast_series_r2(const vmp_forecast *f, size_t k);
/** Number of history samples of series k. */
VMP_API size_t vmp_forecast_series_samples(const vmp_forecast *f, size_t k);
/** The series' step in seconds (see vmp_history_series_step); for a
 * series of one sample, the horizon. */
VMP_API int64_t vmp_forecast_series_step(const vmp_forecast *f, size_t k);
/** Number of predicted points: one per step from the last sample to the
 * end of the horizon. */
VMP_API size_t vmp_forecast_series_num_points(const vmp_forecast *f,
                                              size_t k);
/**
 * The i-th predicted point of series k: its time and the predicted
 * quantile.  Either out-parameter may be NULL.
 * @return VMP_OK or VMP_EINVAL.
 */
VMP_API int vmp_forecast_series_point_at(const vmp_forecast *f, size_t k,
                                         size_t i, int64_t *timestamp,
                                         double *value);
/** Number of model terms of series k (0 for the peak). */
VMP_API size_t vmp_forecast_series_num_terms(const vmp_forecast *f,
                                             size_t k);
/**
 * The j-th term of series k's model and its coefficient, in the series'
 * units: "intercept" (the level at the last sample), "trend" (per day),
 * "daily_sinN" / "daily_cosN", "weekly_sinN" / "weekly_cosN" (the N-th
 * harmonic, at the last sample), "trend_daily_sinN" / "trend_daily_cosN"
 * (the change per day of the daily harmonic's coefficient), "lagN" (the
 * value N steps earlier).  Where the terms are
 * collinear the coefficients are the minimum-norm solution.
 * @param name  receives the name (borrowed, lives with f); may be NULL.
 * @param coef  receives the coefficient; may be NULL.
 * @return VMP_OK or VMP_EINVAL.
 */
VMP_API int vmp_forecast_series_term_at(const vmp_forecast *f, size_t k,
                                        size_t j, const char **name,
                                        double *coef);
/** Numerical rank of series k's design matrix (at most its number of
 * terms; lower when terms are collinear); 0 for the peak. */
VMP_API size_t vmp_forecast_series_rank(const vmp_forecast *f, size_t k);

/**
 * The forecasts as JSON: {"quantile", "horizon_s", "forecasts": [{"vm",
 * "resource", "value", "model", "fit_r2", "reason", "samples", "step_s",
 * "points": [{"timestamp", "value"}, ...]}]}; fit_r2 and reason are null
 * where they do not apply, timestamps are Unix seconds.
 *
 * @param out  receives the text (caller owns; vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_forecast_to_json(const vmp_forecast *f, char **out);

/* vmp_forecast_rightsize flags (one bit each, or-ed into a uint32_t). */
/** Skip forecasts of VMs and resources p does not have. */
#define VMP_RIGHTSIZE_IGNORE_UNKNOWN (1u << 0)

/**
 * A copy of a problem whose demands are the forecasts (right-sizing): for
 * every forecast series, the VM's demand of the resource becomes the
 * forecast value.  Demands without a forecast keep their value.
 *
 * @param f      the forecasts.
 * @param p      the problem (only read).
 * @param flags  0 or VMP_RIGHTSIZE_IGNORE_UNKNOWN.
 * @param out    receives the copy (caller owns; vmp_problem_free); NULL on
 *               failure.
 * @return VMP_OK; VMP_ENOTFOUND (a forecast names a VM or resource p does
 *         not have, and the flag is not given: the message names it),
 *         VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_forecast_rightsize(const vmp_forecast *f,
                                   const vmp_problem *p, uint32_t flags,
                                   vmp_problem **out);

/* ==== host utilisation ===================================================== */

/** Opaque, immutable host load per resource over time. */
typedef struct vmp_utilization vmp_utilization;

/** Where a utilisation comes from. */
typedef enum vmp_utilization_source_kind {
  VMP_UTILIZATION_PLACEMENT = 0, /**< the VMs' demands: one point in time */
  VMP_UTILIZATION_OBSERVED = 1,  /**< measured usage (a history) */
  VMP_UTILIZATION_FORECAST = 2   /**< forecast quantiles over the horizon */
} vmp_utilization_source_kind;

/**
 * Host load from a placement's demands: per host and resource, the sum of
 * the demands of its VMs, at a single time (timestamp 0).
 *
 * @param p    the problem.
 * @param s    the placement; NULL means the problem's current placement.
 * @param out  receives the utilisation (caller owns); NULL on failure.  It
 *             copies every name, so p and s may be freed first.
 * @return VMP_OK, VMP_EINVAL (s is not a placement of p), VMP_ENOMEM.
 */
VMP_API int vmp_utilization_from_placement(const vmp_problem *p,
                                           const vmp_solution *s,
                                           vmp_utilization **out);

/**
 * Host load from measured usage.  Samples are grouped in buckets of `step`
 * seconds (aligned on the Unix epoch); a VM's usage in a bucket is the mean
 * of its samples there, else its latest earlier sample, else its first
 * one.  Buckets where no VM has a sample are left out, and break sustained
 * windows.  A placed VM without samples of a resource counts with its
 * demand.  Series of VMs or resources that p does not have are ignored
 * (vmp_utilization_num_unmatched counts them).
 *
 * @param step  bucket width in seconds; 0 means the largest step among the
 *              series used.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE (hosts x resources x buckets above
 *         5 x 10^7: use a larger step), VMP_ENOMEM.
 */
VMP_API int vmp_utilization_from_history(const vmp_problem *p,
                                         const vmp_solution *s,
                                         const vmp_history *h, int64_t step,
                                         vmp_utilization **out);

/**
 * Host load from forecasts: per host, the sum of its VMs' predicted
 * quantiles at each step of the horizon (a sum of quantiles, so at least
 * the quantile of the sum: a conservative load).  Buckets and unmatched
 * series as in vmp_utilization_from_history.
 */
VMP_API int vmp_utilization_from_forecast(const vmp_problem *p,
                                          const vmp_solution *s,
                                          const vmp_forecast *f,
                                          int64_t step,
                                          vmp_utilization **out);

/** Frees a utilisation.  Accepts NULL. */
VMP_API void vmp_utilization_free(vmp_utilization *u);
/** Its source (a vmp_utilization_source_kind). */
VMP_API int vmp_utilization_source(const vmp_utilization *u);
/** "placement", "observed", "forecast"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_utilization_source_name(int source);
/** Number of hosts (those of the problem). */
VMP_API size_t vmp_utilization_num_hosts(const vmp_utilization *u);
/** Name of host h, or NULL.  Borrowed (lives with u). */
VMP_API const char *vmp_utilization_host_name(const vmp_utilization *u,
                                              size_t h);
/** Number of resources (those of the problem). */
VMP_API size_t vmp_utilization_num_resources(const vmp_utilization *u);
/** Name of resource r, or NULL.  Borrowed (lives with u). */
VMP_API const char *vmp_utilization_resource_name(const vmp_utilization *u,
                                                  size_t r);
/** Number of points in time (1 for a placement). */
VMP_API size_t vmp_utilization_num_times(const vmp_utilization *u);
/** Start of the k-th bucket, Unix seconds (0 for a placement). */
VMP_API int64_t vmp_utilization_time(const vmp_utilization *u, size_t k);
/** Bucket width in seconds (0 for a placement). */
VMP_API int64_t vmp_utilization_step(const vmp_utilization *u);
/** Load of host h in resource r at time k, in the resource's unit (NaN when
 * out of range). */
VMP_API double vmp_utilization_load(const vmp_utilization *u, size_t h,
                                    size_t r, size_t k);
/** Effective capacity of host h in resource r (capacity x overcommit -
 * reserved, never below 0). */
VMP_API double vmp_utilization_capacity(const vmp_utilization *u, size_t h,
                                        size_t r);
/** Load over effective capacity: 0 when both are 0, +inf when only the
 * capacity is; NaN when out of range. */
VMP_API double vmp_utilization_ratio(const vmp_utilization *u, size_t h,
                                     size_t r, size_t k);
/** Number of VMs placed on host h. */
VMP_API size_t vmp_utilization_host_num_vms(const vmp_utilization *u,
                                            size_t h);
/** Series (history or forecast) ignored because the problem has no such VM
 * or resource. */
VMP_API size_t vmp_utilization_num_unmatched(const vmp_utilization *u);
/** (placed VM, resource) pairs without a series, counted at their demand. */
VMP_API size_t vmp_utilization_num_unobserved(const vmp_utilization *u);

/* ==== alerts ================================================================= */

/** What an alert is about. */
typedef enum vmp_alert_kind {
  VMP_ALERT_OVERLOAD = 0,   /**< utilisation at or above a threshold */
  VMP_ALERT_UNDERLOAD = 1   /**< utilisation at or below the underload
                                 threshold on a host that runs VMs */
} vmp_alert_kind;

/** How urgent an alert is. */
typedef enum vmp_severity {
  VMP_SEVERITY_INFO = 0,      /**< underload: capacity to reclaim */
  VMP_SEVERITY_WARNING = 1,
  VMP_SEVERITY_CRITICAL = 2
} vmp_severity;

/** Thresholds of one resource; NaN fields keep the general threshold. */
typedef struct vmp_alert_threshold {
  const char *resource;     /**< a resource of the utilisation */
  double warning;           /**< ratio, e.g. 0.8 */
  double critical;          /**< ratio, e.g. 0.95 */
  double underload;         /**< ratio; negative: no underload alert */
} vmp_alert_threshold;

#define VMP_ALERT_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/** Alert thresholds and window.  Initialise with VMP_ALERT_OPTS_INIT or
 * vmp_alert_opts_init; fields are only ever appended. */
typedef struct vmp_alert_opts {
  uint32_t version;         /**< VMP_ALERT_OPTS_VERSION */
  double warning;           /**< overload warning ratio; default 0.80 */
  double critical;          /**< overload critical ratio; default 0.95 */
  double underload;         /**< underload ratio; default 0.20; negative:
                                 no underload alerts */
  double window;            /**< seconds a condition must hold, from its
                                 first to its latest sample, before it
                                 alerts; default 900.  A placement's
                                 demands hold for ever and alert at once. */
  const vmp_alert_threshold *resources; /**< per-resource overrides */
  size_t num_resources;     /**< their number */
  VMP__NEXT_FIELD
} vmp_alert_opts;

#define VMP_ALERT_OPTS_INIT \
  { VMP_ALERT_OPTS_VERSION, 0.80, 0.95, 0.20, 900.0, NULL, 0 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_ALERT_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_ALERT_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_alert_opts_init(vmp_alert_opts *opts, uint32_t version);

/** One alert.  Fields are only ever appended; the library allocates it. */
typedef struct vmp_alert {
  const char *host;         /**< host name (lives with the alerts) */
  const char *resource;     /**< resource name (lives with the alerts) */
  size_t host_index;        /**< index in the utilisation */
  size_t resource_index;
  int kind;                 /**< a vmp_alert_kind */
  int severity;             /**< a vmp_severity */
  double threshold;         /**< the ratio crossed */
  double value;             /**< the ratio at the latest sample (observed,
                                 placement) or the highest in the window
                                 (forecast) */
  int64_t since;            /**< first sample of the window (Unix s; 0 for
                                 a placement) */
  double duration;          /**< seconds the condition has held */
} vmp_alert;

/** Opaque, immutable list of alerts. */
typedef struct vmp_alerts vmp_alerts;

/**
 * Finds the alerts of a utilisation.
 *
 * Observed usage and placements alert on the state at their latest sample:
 * a condition alerts when it has held without a break for at least the
 * window (so a single spike does not).  Forecasts alert when the condition
 * holds for at least the window anywhere in the horizon.  Per host and
 * resource there is at most one overload alert (critical when the critical
 * condition holds, else warning) and one underload alert; hosts that run no
 * VM or are in maintenance never alert underload.
 *
 * @param u     the utilisation.
 * @param opts  thresholds; NULL means defaults.
 * @param out   receives the alerts (caller owns; vmp_alerts_free); NULL on
 *              failure.
 * @return VMP_OK; VMP_EINVAL (a threshold not in (0, 10], warning above
 *         critical, underload not below warning, a negative window);
 *         VMP_ENOTFOUND (a per-resource threshold names an unknown
 *         resource); VMP_ENOMEM.
 */
VMP_API int vmp_utilization_alerts(const vmp_utilization *u,
                                   const vmp_alert_opts *opts,
                                   vmp_alerts **out);
/** Frees alerts.  Accepts NULL. */
VMP_API void vmp_alerts_free(vmp_alerts *a);
/** Number of alerts. */
VMP_API size_t vmp_alerts_num_alerts(const vmp_alerts *a);
/** The k-th alert (critical first, then warnings, then underloads; by host
 * and resource within each), or NULL.  Borrowed (lives with a). */
VMP_API const vmp_alert *vmp_alerts_alert_at(const vmp_alerts *a, size_t k);
/** The highest severity among the alerts, or -1 when there is none. */
VMP_API int vmp_alerts_max_severity(const vmp_alerts *a);
/** "overload", "underload"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_alert_kind_name(int kind);
/** "info", "warning", "critical"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_severity_name(int severity);

/**
 * The alerts as JSON: [{"host", "resource", "kind", "severity",
 * "threshold", "value", "since", "duration_s"}, ...].
 * @param out  receives the text (caller owns; vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_alerts_to_json(const vmp_alerts *a, char **out);

/**
 * Prometheus text exposition (format 0.0.4) of a utilisation and its
 * alerts, for node_exporter's textfile collector: per host and resource
 * vmplace_host_utilization_ratio (latest sample; highest over the horizon
 * for a forecast), vmplace_host_utilization_peak_ratio, vmplace_host_load,
 * vmplace_host_capacity, vmplace_host_overload{severity} and
 * vmplace_host_underload (1 while the sustained condition holds, else 0);
 * vmplace_alert_threshold_ratio, vmplace_alerts{severity} and
 * vmplace_utilization_timestamp_seconds.  Every family has HELP and TYPE
 * lines; label values are escaped.  docs/forecast.md lists them.
 *
 * @param u    the utilisation.
 * @param a    its alerts (from vmp_utilization_alerts on u).
 * @param out  receives the text (caller owns; vmp_free).
 * @return VMP_OK, VMP_EINVAL (a is from another utilisation), VMP_ENOMEM.
 */
VMP_API int vmp_utilization_to_prometheus(const vmp_utilization *u,
                                          const vmp_alerts *a, char **out);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_alerts_count vmp_alerts_num_alerts
#  define vmp_alerts_get vmp_alerts_alert_at
#  define vmp_history_series_point vmp_history_series_point_at
#  define vmp_forecast_series_point vmp_forecast_series_point_at
#  define vmp_forecast_series_term vmp_forecast_series_term_at
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_FORECAST_H */
