/*
 * Alerts on host utilisation — overload at warning and critical
 * thresholds, underload — that must hold for a window before they fire, so
 * that one spike does not page anyone; and the Prometheus text exposition
 * of utilisation and alerts (docs/forecast.md, "Alerts", "Metrics").
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "opts.h"
#include "utilization.h"

enum { LVL_WARNING, LVL_CRITICAL, LVL_UNDERLOAD, NLEVELS };

struct vmp_alerts {
  const vmp_utilization *u;  /* identity only, for the metrics */
  size_t nh, nr;
  vmp_alert *list;
  size_t n;
  char *names;               /* copies of the names the alerts point to */
  double *thr;               /* [r * NLEVELS + level]; underload < 0: off */
  unsigned char *active;     /* [(h * nr + r) * NLEVELS + level] */
};

VMP__OPTS_ABI(alert_opts_abi, vmp_alert_opts, VMP_ALERT_OPTS_VERSION, VMP_ALERT_OPTS_INIT,
              "alert options", "vmp_alert_opts_init",
              VMP__OPTS_END(vmp_alert_opts, num_resources));

int vmp_alert_opts_init(vmp_alert_opts *opts, uint32_t version) {
  return vmp__opts_init(&alert_opts_abi, opts, version);
}

void vmp_alerts_free(vmp_alerts *a) {
  if (!a) return;
  VMP__FREE_ALL(a->list, a->names, a->thr, a->active, a);
}

/* ---- thresholds ------------------------------------------------------------------ */

static int check_levels(const char *what, double warn, double crit, double under) {
  if (!(warn > 0 && warn <= 10))
    return vmp__error(VMP_EINVAL, "%swarning threshold: expected a ratio in (0, 10], "
                      "got %g", what, warn);
  if (!(crit > 0 && crit <= 10))
    return vmp__error(VMP_EINVAL, "%scritical threshold: expected a ratio in (0, 10], "
                      "got %g", what, crit);
  if (warn > crit)
    return vmp__error(VMP_EINVAL, "%swarning threshold %g is above the critical %g",
                      what, warn, crit);
  if (isnan(under) || under >= warn)
    return vmp__error(VMP_EINVAL, "%sunderload threshold: expected a ratio below the "
                      "warning %g (negative: none), got %g", what, warn, under);
  return 0;
}

static int resolve_thresholds(vmp_alerts *a, const vmp_utilization *u,
                              const vmp_alert_opts *o) {
  int rc;
  if ((rc = check_levels("", o->warning, o->critical, o->underload))) return rc;
  if (!(o->window >= 0) || !isfinite(o->window))
    return vmp__error(VMP_EINVAL, "window: expected seconds >= 0, got %g", o->window);
  if (o->num_resources && !o->resources)
    return vmp__error(VMP_EINVAL, "alert options: resources is NULL");
  for (size_t r = 0; r < u->nr; r++) {
    a->thr[r * NLEVELS + LVL_WARNING] = o->warning;
    a->thr[r * NLEVELS + LVL_CRITICAL] = o->critical;
    a->thr[r * NLEVELS + LVL_UNDERLOAD] = o->underload;
  }
  for (size_t k = 0; k < o->num_resources; k++) {
    const vmp_alert_threshold *t = &o->resources[k];
    double *thr;
    char what[96];
    size_t r;
    for (r = 0; r < u->nr && t->resource && strcmp(u->res[r], t->resource); r++) continue;
    if (!t->resource || r == u->nr)
      return vmp__error(VMP_ENOTFOUND, "alert thresholds: unknown resource \"%s\"",
                        t->resource ? t->resource : "(null)");
    thr = a->thr + r * NLEVELS;
    if (!isnan(t->warning)) thr[LVL_WARNING] = t->warning;
    if (!isnan(t->critical)) thr[LVL_CRITICAL] = t->critical;
    if (!isnan(t->underload)) thr[LVL_UNDERLOAD] = t->underload;
    snprintf(what, sizeof what, "%.64s: ", u->res[r]);
    if ((rc = check_levels(what, thr[LVL_WARNING], thr[LVL_CRITICAL],
                           thr[LVL_UNDERLOAD])))
      return rc;
  }
  return 0;
}

/* ---- sustained conditions ------------------------------------------------------------ */

typedef struct run {
  int active;
  int64_t since;
  double duration, value;
} run;

static int holds(double x, double thr, int level) {
  return level == LVL_UNDERLOAD ? x <= thr : x >= thr;
}

/* Observed usage: does the condition hold at the latest bucket, without a
 * break since at least `window` seconds?  Buckets one step apart are
 * consecutive; a missing bucket is a break. */
static run trailing(const vmp_utilization *u, const double *load, double cap,
                    double thr, int level, double window) {
  run out = {0, 0, 0, 0};
  size_t k = u->nt, s;
  if (!u->nt || !holds(vmp__ratio(load[u->nt - 1], cap), thr, level)) return out;
  s = k - 1;
  while (s > 0 && u->time[s] - u->time[s - 1] == u->step &&
         holds(vmp__ratio(load[s - 1], cap), thr, level))
    s--;
  out.since = u->time[s];
  out.duration = (double)(u->time[k - 1] - u->time[s]);
  out.value = vmp__ratio(load[k - 1], cap);
  out.active = u->source == VMP_UTILIZATION_PLACEMENT || out.duration >= window;
  return out;
}

/* Forecasts: the first stretch of the horizon where the condition holds for
 * at least `window` seconds; its value is the extreme ratio in it. */
static run ahead(const vmp_utilization *u, const double *load, double cap, double thr,
                 int level, double window) {
  run out = {0, 0, 0, 0};
  size_t k = 0;
  while (k < u->nt) {
    size_t s = k;
    double extreme;
    if (!holds(vmp__ratio(load[k], cap), thr, level)) {
      k++;
      continue;
    }
    extreme = vmp__ratio(load[k], cap);
    while (k + 1 < u->nt && u->time[k + 1] - u->time[k] == u->step &&
           holds(vmp__ratio(load[k + 1], cap), thr, level)) {
      double x = vmp__ratio(load[++k], cap);
      extreme = level == LVL_UNDERLOAD ? fmin(extreme, x) : fmax(extreme, x);
    }
    if ((double)(u->time[k] - u->time[s]) >= window) {
      out.active = 1;
      out.since = u->time[s];
      out.duration = (double)(u->time[k] - u->time[s]);
      out.value = extreme;
      return out;
    }
    k++;
  }
  return out;
}

/* ---- the list ---------------------------------------------------------------------- */

static int copy_names(vmp_alerts *a, const vmp_utilization *u, const char ***host,
                      const char ***res) {
  size_t bytes = 0;
  char *w;
  for (size_t h = 0; h < u->nh; h++) bytes += strlen(u->host[h]) + 1;
  for (size_t r = 0; r < u->nr; r++) bytes += strlen(u->res[r]) + 1;
  *host = vmp__calloc(u->nh, sizeof **host);
  *res = vmp__calloc(u->nr, sizeof **res);
  if (!(a->names = vmp__malloc(bytes)) || !*host || !*res) return vmp__enomem();
  w = a->names;
  for (size_t h = 0; h < u->nh; h++) {
    size_t n = strlen(u->host[h]) + 1;
    (*host)[h] = memcpy(w, u->host[h], n);
    w += n;
  }
  for (size_t r = 0; r < u->nr; r++) {
    size_t n = strlen(u->res[r]) + 1;
    (*res)[r] = memcpy(w, u->res[r], n);
    w += n;
  }
  return 0;
}

int vmp_utilization_alerts(const vmp_utilization *u, const vmp_alert_opts *opts,
                           vmp_alerts **out) {
  vmp_alert_opts o;
  vmp_alerts *a;
  run *runs = NULL;
  const char **host = NULL, **res = NULL;
  size_t cells;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_utilization_alerts: out is NULL");
  *out = NULL;
  if (!u) return vmp__error(VMP_EINVAL, "vmp_utilization_alerts: utilization is NULL");
  if ((rc = vmp__opts_load(&alert_opts_abi, &o, opts))) return rc;
  cells = u->nh * u->nr;
  if (!(a = vmp__calloc(1, sizeof *a))) return vmp__enomem();
  a->u = u;
  a->nh = u->nh;
  a->nr = u->nr;
  a->thr = vmp__calloc(vmp__mul(u->nr, NLEVELS), sizeof *a->thr);
  a->active = vmp__calloc(vmp__mul(cells, NLEVELS), 1);
  runs = vmp__calloc(vmp__mul(cells, NLEVELS), sizeof *runs);
  /* at most one overload and one underload alert per host and resource */
  a->list = vmp__calloc(vmp__mul(cells, 2), sizeof *a->list);
  if (!a->thr || !a->active || !runs || !a->list) {
    rc = vmp__enomem();
    goto out;
  }
  if ((rc = resolve_thresholds(a, u, &o)) || (rc = copy_names(a, u, &host, &res))) goto out;
  for (size_t c = 0; c < cells; c++) {
    size_t h = c / u->nr, r = c % u->nr;
    const double *load = u->load + c * u->nt;
    for (int l = 0; l < NLEVELS; l++) {
      double thr = a->thr[r * NLEVELS + l];
      run *x = &runs[c * NLEVELS + l];
      if (l == LVL_UNDERLOAD && (thr < 0 || !u->nvms[h] || u->maintenance[h])) continue;
      *x = u->source == VMP_UTILIZATION_FORECAST
               ? ahead(u, load, u->cap[c], thr, l, o.window)
               : trailing(u, load, u->cap[c], thr, l, o.window);
      a->active[c * NLEVELS + l] = (unsigned char)x->active;
    }
  }
  /* critical first, then warnings, then underloads */
  for (int pass = 0; pass < 3; pass++)
    for (size_t c = 0; c < cells; c++) {
      int crit = a->active[c * NLEVELS + LVL_CRITICAL];
      int l = pass == 0 ? (crit ? LVL_CRITICAL : -1)
              : pass == 1 ? (!crit && a->active[c * NLEVELS + LVL_WARNING] ? LVL_WARNING : -1)
                          : (a->active[c * NLEVELS + LVL_UNDERLOAD] ? LVL_UNDERLOAD : -1);
      vmp_alert *al;
      const run *x;
      if (l < 0) continue;
      x = &runs[c * NLEVELS + l];
      al = &a->list[a->n++];
      al->host_index = c / u->nr;
      al->resource_index = c % u->nr;
      al->host = host[al->host_index];
      al->resource = res[al->resource_index];
      al->kind = l == LVL_UNDERLOAD ? VMP_ALERT_UNDERLOAD : VMP_ALERT_OVERLOAD;
      al->severity = l == LVL_CRITICAL ? VMP_SEVERITY_CRITICAL
                     : l == LVL_WARNING ? VMP_SEVERITY_WARNING : VMP_SEVERITY_INFO;
      al->threshold = a->thr[al->resource_index * NLEVELS + l];
      al->value = x->value;
      al->since = x->since;
      al->duration = x->duration;
    }
  *out = a;
  a = NULL;
out:
  free(runs);
  free(host);
  free(res);
  vmp_alerts_free(a);
  return rc;
}

size_t vmp_alerts_num_alerts(const vmp_alerts *a) { return a ? a->n : 0; }

const vmp_alert *vmp_alerts_alert_at(const vmp_alerts *a, size_t k) {
  return a && k < a->n ? &a->list[k] : NULL;
}

int vmp_alerts_max_severity(const vmp_alerts *a) {
  int m = -1;
  for (size_t k = 0; a && k < a->n; k++)
    if (a->list[k].severity > m) m = a->list[k].severity;
  return m;
}

const char *vmp_alert_kind_name(int kind) {
  switch (kind) {
    case VMP_ALERT_OVERLOAD: return "overload";
    case VMP_ALERT_UNDERLOAD: return "underload";
    default: return "unknown";
  }
}

const char *vmp_severity_name(int severity) {
  switch (severity) {
    case VMP_SEVERITY_INFO: return "info";
    case VMP_SEVERITY_WARNING: return "warning";
    case VMP_SEVERITY_CRITICAL: return "critical";
    default: return "unknown";
  }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *num(double v) {
  if (isinf(v)) return json_string(v > 0 ? "+Inf" : "-Inf");
  return vmp__json_num(v);
}

int vmp_alerts_to_json(const vmp_alerts *a, char **out) {
  json_t *arr;
  int bad;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_alerts_to_json: out is NULL");
  *out = NULL;
  if (!a) return vmp__error(VMP_EINVAL, "vmp_alerts_to_json: alerts is NULL");
  bad = !(arr = json_array());
  for (size_t k = 0; !bad && k < a->n; k++) {
    const vmp_alert *al = &a->list[k];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o}", "host", al->host,
                          "resource", al->resource, "kind", vmp_alert_kind_name(al->kind),
                          "severity", vmp_severity_name(al->severity), "threshold",
                          num(al->threshold), "value", num(al->value), "since",
                          (json_int_t)al->since, "duration_s", num(al->duration));
    bad = !o || json_array_append_new(arr, o);
  }
  if (!bad) *out = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(10));
  json_decref(arr);
  return *out ? 0 : vmp__enomem();
}

/* ---- Prometheus text exposition ------------------------------------------------------------ */

/* Label values escape backslash, double quote and line feed. */
static void label(vmp__buf *b, const char *name, const char *value, int first) {
  vmp__buf_printf(b, "%s%s=\"", first ? "" : ",", name);
  for (const char *s = value; *s; s++) {
    if (*s == '\\') vmp__buf_puts(b, "\\\\");
    else if (*s == '"') vmp__buf_puts(b, "\\\"");
    else if (*s == '\n') vmp__buf_puts(b, "\\n");
    else vmp__buf_add(b, s, 1);
  }
  vmp__buf_add(b, "\"", 1);
}

static void value(vmp__buf *b, double v) {
  char buf[32];
  if (isnan(v)) vmp__buf_puts(b, " NaN\n");
  else if (isinf(v)) vmp__buf_puts(b, v > 0 ? " +Inf\n" : " -Inf\n");
  else vmp__buf_printf(b, " %s\n", vmp__fmt_num(buf, v));
}

static void family(vmp__buf *b, const char *name, const char *help) {
  vmp__buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{host="..",resource="..",source=".."[,severity=".."]} */
static void host_sample(vmp__buf *b, const char *name, const vmp_utilization *u,
                        size_t h, size_t r, const char *severity, double v) {
  vmp__buf_printf(b, "%s{", name);
  label(b, "host", u->host[h], 1);
  label(b, "resource", u->res[r], 0);
  label(b, "source", vmp_utilization_source_name(u->source), 0);
  if (severity) label(b, "severity", severity, 0);
  vmp__buf_add(b, "}", 1);
  value(b, v);
}

/* The index of the bucket the gauges report: the latest sample, or for a
 * forecast the highest ratio of the horizon. */
static size_t reported(const vmp_utilization *u, size_t c) {
  const double *load = u->load + c * u->nt;
  size_t best = u->nt - 1;
  if (u->source != VMP_UTILIZATION_FORECAST) return best;
  for (size_t k = 0; k < u->nt; k++)
    if (vmp__ratio(load[k], u->cap[c]) > vmp__ratio(load[best], u->cap[c])) best = k;
  return best;
}

int vmp_utilization_to_prometheus(const vmp_utilization *u, const vmp_alerts *a,
                                  char **out) {
  static const char *const level_names[NLEVELS] = {"warning", "critical", "underload"};
  size_t cells, counts[3] = {0, 0, 0};
  const char *src;
  vmp__buf b;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_utilization_to_prometheus: out is NULL");
  *out = NULL;
  if (!u || !a) return vmp__error(VMP_EINVAL, "vmp_utilization_to_prometheus: NULL argument");
  if (a->u != u || a->nh != u->nh || a->nr != u->nr)
    return vmp__error(VMP_EINVAL, "vmp_utilization_to_prometheus: the alerts are not "
                      "those of this utilization");
  cells = u->nh * u->nr;
  src = vmp_utilization_source_name(u->source);
  vmp__buf_init(&b);
  family(&b, "vmplace_host_utilization_ratio",
         "Host load over effective capacity, per resource: at the latest sample, or "
         "the highest over the horizon of a forecast.");
  for (size_t c = 0; u->nt && c < cells; c++)
    host_sample(&b, "vmplace_host_utilization_ratio", u, c / u->nr, c % u->nr, NULL,
                vmp__ratio(u->load[c * u->nt + reported(u, c)], u->cap[c]));
  family(&b, "vmplace_host_utilization_peak_ratio",
         "Highest host load over effective capacity in the period evaluated.");
  for (size_t c = 0; u->nt && c < cells; c++) {
    double peak = 0;
    for (size_t k = 0; k < u->nt; k++) peak = fmax(peak, vmp__ratio(u->load[c * u->nt + k], u->cap[c]));
    host_sample(&b, "vmplace_host_utilization_peak_ratio", u, c / u->nr, c % u->nr, NULL,
                peak);
  }
  family(&b, "vmplace_host_load",
         "Host load in the resource's own unit, when vmplace_host_utilization_ratio is "
         "taken.");
  for (size_t c = 0; u->nt && c < cells; c++)
    host_sample(&b, "vmplace_host_load", u, c / u->nr, c % u->nr, NULL,
                u->load[c * u->nt + reported(u, c)]);
  family(&b, "vmplace_host_capacity",
         "Effective host capacity (capacity x overcommit - reserved) in the resource's "
         "own unit.");
  for (size_t c = 0; c < cells; c++)
    host_sample(&b, "vmplace_host_capacity", u, c / u->nr, c % u->nr, NULL, u->cap[c]);
  family(&b, "vmplace_host_overload",
         "1 while the utilisation has stayed at or above the threshold of this severity "
         "for the alert window, else 0.");
  for (size_t c = 0; c < cells; c++) {
    host_sample(&b, "vmplace_host_overload", u, c / u->nr, c % u->nr, "warning",
                a->active[c * NLEVELS + LVL_WARNING]);
    host_sample(&b, "vmplace_host_overload", u, c / u->nr, c % u->nr, "critical",
                a->active[c * NLEVELS + LVL_CRITICAL]);
  }
  family(&b, "vmplace_host_underload",
         "1 while the utilisation of a host that runs VMs has stayed at or below the "
         "underload threshold for the alert window, else 0.");
  for (size_t c = 0; c < cells; c++)
    host_sample(&b, "vmplace_host_underload", u, c / u->nr, c % u->nr, NULL,
                a->active[c * NLEVELS + LVL_UNDERLOAD]);
  family(&b, "vmplace_alert_threshold_ratio",
         "Alert threshold in force, per resource and level (a negative underload "
         "threshold disables it).");
  for (size_t r = 0; r < u->nr; r++)
    for (int l = 0; l < NLEVELS; l++) {
      vmp__buf_puts(&b, "vmplace_alert_threshold_ratio{");
      label(&b, "resource", u->res[r], 1);
      label(&b, "level", level_names[l], 0);
      label(&b, "source", src, 0);
      vmp__buf_add(&b, "}", 1);
      value(&b, a->thr[r * NLEVELS + l]);
    }
  for (size_t k = 0; k < a->n; k++) counts[a->list[k].severity]++;
  family(&b, "vmplace_alerts", "Number of active alerts, by severity.");
  for (int s = VMP_SEVERITY_CRITICAL; s >= VMP_SEVERITY_INFO; s--) {
    vmp__buf_puts(&b, "vmplace_alerts{");
    label(&b, "severity", vmp_severity_name(s), 1);
    label(&b, "source", src, 0);
    vmp__buf_add(&b, "}", 1);
    value(&b, (double)counts[s]);
  }
  family(&b, "vmplace_utilization_timestamp_seconds",
         "Unix time of the latest sample used (for a forecast, of the last step of the "
         "horizon); 0 for a placement's demands.");
  vmp__buf_puts(&b, "vmplace_utilization_timestamp_seconds{");
  label(&b, "source", src, 1);
  vmp__buf_add(&b, "}", 1);
  value(&b, u->nt ? (double)u->time[u->nt - 1] : 0.0);
  if (!(*out = vmp__buf_take(&b))) return vmp__enomem();
  return 0;
}
