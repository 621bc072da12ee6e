/*
 * vmplace check's alerts: options, utilisation from the placement, a usage
 * history or its forecast, the alert report and the metrics file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_alerts.h"

void cli_alerts_init(cli_alerts *a) {
  memset(a, 0, sizeof *a);
  vmp_forecast_opts_init(&a->fopts, VMP_FORECAST_OPTS_VERSION);
  vmp_alert_opts_init(&a->opts, VMP_ALERT_OPTS_VERSION);
  a->out = stdout;
}

/* The per-resource entry of name[0..n), created with every level
 * inherited; NULL when the name is empty or too long, or the table full. */
static vmp_alert_threshold *entry(cli_alerts *a, const char *name, size_t n) {
  if (!n || n >= sizeof a->names[0]) return NULL;
  for (size_t k = 0; k < a->nper; k++)
    if (strlen(a->names[k]) == n && !memcmp(a->names[k], name, n)) return &a->per[k];
  if (a->nper == CLI_MAX_THRESHOLDS) return NULL;
  memcpy(a->names[a->nper], name, n);
  a->names[a->nper][n] = '\0';
  a->per[a->nper].resource = a->names[a->nper];
  a->per[a->nper].warning = NAN;
  a->per[a->nper].critical = NAN;
  a->per[a->nper].underload = NAN;
  return &a->per[a->nper++];
}

/* --warn / --crit / --underload: [RESOURCE=]RATIO, RATIO 0.8 or 80%, or
 * "off" for the underload. */
static int threshold(cli_alerts *a, int code, const char *opt, const char *arg) {
  const char *eq = strchr(arg, '='), *value = eq ? eq + 1 : arg;
  double v;
  vmp_alert_threshold *t = NULL;
  if (code == CLI_OPT_UNDERLOAD && !strcmp(value, "off")) v = -1;
  else if (cli_parse_ratio(opt, value, &v)) return -1;
  if (eq && !(t = entry(a, arg, (size_t)(eq - arg)))) {
    cli_error("%s: expected [RESOURCE=]RATIO, got '%s'", opt, arg);
    return -1;
  }
  switch (code) {
    case CLI_OPT_WARN: *(t ? &t->warning : &a->opts.warning) = v; break;
    case CLI_OPT_CRIT: *(t ? &t->critical : &a->opts.critical) = v; break;
    default: *(t ? &t->underload : &a->opts.underload) = v; break;
  }
  return 0;
}

int cli_alerts_option(cli_alerts *a, int code, const char *arg) {
  double d;
  a->other |= code != CLI_OPT_ALERTS && code != CLI_OPT_METRICS;
  switch (code) {
    case CLI_OPT_ALERTS: a->list = 1; return 0;
    case CLI_OPT_METRICS: a->metrics = arg; return 0;
    case CLI_OPT_HISTORY: a->history = arg; return 0;
    case CLI_OPT_FORECAST: a->forecast = 1; return 0;
    case CLI_OPT_HORIZON: return cli_parse_duration("--horizon", arg, &a->fopts.horizon);
    case CLI_OPT_QUANTILE:
      if (cli_parse_double("--quantile", arg, &d)) return -1;
      if (!(d > 0 && d < 1)) {
        cli_error("--quantile: expected a number between 0 and 1, got '%s'", arg);
        return -1;
      }
      a->fopts.quantile = d;
      return 0;
    case CLI_OPT_STEP: return cli_parse_duration("--step", arg, &a->step);
    case CLI_OPT_WINDOW:
      /* 0 is a valid window: every sample alerts */
      if (!strcmp(arg, "0")) {
        a->opts.window = 0;
        return 0;
      }
      return cli_parse_duration("--window", arg, &a->opts.window);
    case CLI_OPT_WARN: return threshold(a, code, "--warn", arg);
    case CLI_OPT_CRIT: return threshold(a, code, "--crit", arg);
    case CLI_OPT_UNDERLOAD: return threshold(a, code, "--underload", arg);
    default: return -1;
  }
}

int cli_alerts_wanted(const cli_alerts *a) { return a->list || a->metrics; }

int cli_alerts_check(const cli_alerts *a) {
  if (a->other && !cli_alerts_wanted(a)) {
    cli_error("check: the alert options need --alerts or --metrics FILE");
    return -1;
  }
  if (a->forecast && !a->history) {
    cli_error("check: --forecast forecasts a usage history: give it with --history FILE");
    return -1;
  }
  /* Fail fast: the thresholds and the metrics path before any work. */
  if (a->opts.warning > a->opts.critical) {
    cli_error("check: warning threshold %g is above the critical %g", a->opts.warning,
              a->opts.critical);
    return -1;
  }
  if (a->opts.underload >= a->opts.warning) {
    cli_error("check: underload threshold %g is not below the warning %g (--underload off "
              "turns it off)", a->opts.underload, a->opts.warning);
    return -1;
  }
  if (a->metrics && cli_check_output("--metrics", a->metrics)) return -1;
  return 0;
}

/* ---- the report ---------------------------------------------------------------- */

static void describe_source(char *buf, size_t size, const cli_alerts *a,
                            const vmp_utilization *u) {
  char b1[VMP_VALUE_BUFSIZE], b2[VMP_VALUE_BUFSIZE], b3[VMP_VALUE_BUFSIZE], b4[VMP_VALUE_BUFSIZE], b5[VMP_VALUE_BUFSIZE];
  size_t nt = vmp_utilization_num_times(u);
  vmp_time_format(b1, vmp_utilization_time(u, 0));
  vmp_time_format(b2, vmp_utilization_time(u, nt - 1));
  vmp_duration_format(b3, (double)vmp_utilization_step(u));
  vmp_duration_format(b4, a->opts.window);
  if (vmp_utilization_source(u) == VMP_UTILIZATION_PLACEMENT)
    snprintf(buf, size, "the placement's demands");
  else if (a->forecast)
    snprintf(buf, size, "forecast at quantile %g over %s, %s to %s, %s buckets, window %s",
             a->fopts.quantile, vmp_duration_format(b5, a->fopts.horizon), b1, b2, b3, b4);
  else
    snprintf(buf, size, "observed usage, %s to %s, %s buckets, window %s", b1, b2, b3, b4);
}

static void print_alerts(const cli_alerts *a, const vmp_utilization *u,
                         const vmp_alerts *al) {
  char src[256];
  describe_source(src, sizeof src, a, u);
  if (!vmp_alerts_num_alerts(al)) {
    fprintf(a->out, "alerts (%s): none\n", src);
    return;
  }
  fprintf(a->out, "alerts (%s):\n", src);
  for (size_t k = 0; k < vmp_alerts_num_alerts(al); k++) {
    const vmp_alert *x = vmp_alerts_alert_at(al, k);
    int under = x->kind == VMP_ALERT_UNDERLOAD;
    char sev[16], b1[32], b2[32];
    snprintf(sev, sizeof sev, "[%s]", vmp_severity_name(x->severity));
    fprintf(a->out, "  %-10s %s %s %s: %s%.1f%% %s %g%%", sev, x->host, x->resource,
           vmp_alert_kind_name(x->kind),
           vmp_utilization_source(u) == VMP_UTILIZATION_FORECAST ? (under ? "down to " : "up to ")
                                                                 : "",
           100.0 * x->value, under ? "<=" : ">=", 100.0 * x->threshold);
    if (vmp_utilization_source(u) != VMP_UTILIZATION_PLACEMENT)
      fprintf(a->out, " for %s %s %s", vmp_duration_format(b1, x->duration),
             vmp_utilization_source(u) == VMP_UTILIZATION_FORECAST ? "from" : "since",
             vmp_time_format(b2, x->since));
    fprintf(a->out, "\n");
  }
}

/* Writes the metrics atomically (a temporary file renamed over FILE), so
 * that the textfile collector never reads half a file. */
static int write_metrics(const char *path, const char *text) {
  char *tmp;
  FILE *f;
  size_t n;
  if (!strcmp(path, "-")) return fputs(text, stdout) < 0 ? EXIT_INTERNAL : EXIT_OK;
  n = strlen(path) + 32;
  if (!(tmp = malloc(n))) return EXIT_INTERNAL;
  snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
  if (!(f = fopen(tmp, "w"))) {
    cli_error("%s: cannot open for writing: %s", tmp, strerror(errno));
    free(tmp);
    return EXIT_USAGE;
  }
  if (fputs(text, f) < 0 || fclose(f)) {
    cli_error("%s: write failed: %s", tmp, strerror(errno));
    remove(tmp);
    free(tmp);
    return EXIT_USAGE;
  }
  if (rename(tmp, path)) {
    cli_error("%s: cannot replace: %s", path, strerror(errno));
    remove(tmp);
    free(tmp);
    return EXIT_USAGE;
  }
  free(tmp);
  return EXIT_OK;
}

/* The utilisation the options ask for. */
static int utilization(const cli_alerts *a, const vmp_problem *p, const vmp_solution *s,
                       vmp_utilization **u) {
  vmp_history *h = NULL;
  vmp_forecast *f = NULL;
  int rc;
  if (!a->history) {
    rc = vmp_utilization_from_placement(p, s, u);
    return rc ? cli_fail(rc) : 0;
  }
  if ((rc = vmp_history_read(a->history, VMP_HISTORY_AUTO, &h))) return cli_fail(rc);
  if (a->forecast && (rc = vmp_history_forecast(h, &a->fopts, &f))) {
    vmp_history_free(h);
    return cli_fail(rc);
  }
  rc = a->forecast ? vmp_utilization_from_forecast(p, s, f, (int64_t)a->step, u)
                   : vmp_utilization_from_history(p, s, h, (int64_t)a->step, u);
  if (rc) {
    /* the library's message names neither file */
    cli_error("%s: %s", a->history, vmp_last_error());
    rc = rc == VMP_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
  } else {
    size_t un = vmp_utilization_num_unmatched(*u), uo = vmp_utilization_num_unobserved(*u);
    if (un)
      fprintf(stderr, "vmplace: note: %s: %zu series name a VM or resource the problem "
              "lacks; ignored\n", a->history, un);
    if (uo)
      fprintf(stderr, "vmplace: note: %zu (VM, resource) pair%s of placed VMs have no "
              "usage in %s; counted at their demand\n", uo, uo == 1 ? "" : "s", a->history);
  }
  vmp_forecast_free(f);
  vmp_history_free(h);
  return rc;
}

int cli_alerts_run(const cli_alerts *a, const vmp_problem *p, const vmp_solution *s,
                   json_t *json, int *critical) {
  vmp_utilization *u = NULL;
  vmp_alerts *al = NULL;
  vmp_alert_opts opts = a->opts;
  char *text = NULL;
  int rc;
  *critical = 0;
  if ((rc = utilization(a, p, s, &u))) return rc;
  opts.resources = a->per;
  opts.num_resources = a->nper;
  if ((rc = vmp_utilization_alerts(u, &opts, &al))) {
    rc = cli_fail(rc);
    goto out;
  }
  *critical = vmp_alerts_max_severity(al) == VMP_SEVERITY_CRITICAL;
  if (a->metrics) {
    if ((rc = vmp_utilization_to_prometheus(u, al, &text))) {
      rc = cli_fail(rc);
      goto out;
    }
    if ((rc = write_metrics(a->metrics, text))) goto out;
  }
  if (a->list && !json) print_alerts(a, u, al);
  if (a->list && json) {
    char *aj = NULL;
    json_error_t err;
    json_t *arr, *info;
    size_t nt = vmp_utilization_num_times(u);
    if ((rc = vmp_alerts_to_json(al, &aj))) {
      rc = cli_fail(rc);
      goto out;
    }
    arr = json_loads(aj, 0, &err);
    vmp_free(aj);
    info = json_pack("{s:s, s:I, s:I, s:I, s:f}", "source",
                     vmp_utilization_source_name(vmp_utilization_source(u)), "from",
                     (json_int_t)vmp_utilization_time(u, 0), "to",
                     (json_int_t)vmp_utilization_time(u, nt ? nt - 1 : 0), "step_s",
                     (json_int_t)vmp_utilization_step(u), "window_s", opts.window);
    if (!arr || !info) {
      json_decref(arr);
      json_decref(info);
      info = arr = NULL;
    }
    /* json_object_set_new takes its value, even when it fails */
    if (!arr || json_object_set_new(json, "alerts", arr) ||
        json_object_set_new(json, "utilization", info)) {
      cli_error("out of memory");
      rc = EXIT_INTERNAL;
      goto out;
    }
  }
  rc = EXIT_OK;
out:
  vmp_free(text);
  vmp_alerts_free(al);
  vmp_utilization_free(u);
  return rc;
}
