/*
 * vmplace — host utilisation and alerts.
 *
 * vmp_utilization sums demands, observed usage (vmplace/history.h) or
 * forecasts (vmplace/forecast.h) per host and resource over time;
 * vmp_utilization_alerts finds sustained overload and underload, and
 * vmp_utilization_to_prometheus writes both in the Prometheus text
 * exposition format.  Both work in every build.
 *
 * Thread-safety: utilisations and alerts are immutable.
 */
#ifndef VMPLACE_UTILIZATION_H
#define VMPLACE_UTILIZATION_H

#include "common.h"
#include "problem.h"
#include "solution.h"
#include "history.h"
#include "forecast.h"

VMP_BEGIN_DECLS

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
/* vmp_alert_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_ALERT_OPTS_VERSION). */
#  define vmp_alert_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_alert_opts_init, VMP_ALERT_OPTS_VERSION, \
                          __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_UTILIZATION_H */
