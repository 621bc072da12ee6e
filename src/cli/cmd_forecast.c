/*
 * vmplace forecast — predicted demands from usage history, and a
 * right-sized copy of a problem.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void forecast_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace forecast [OPTIONS] HISTORY\n"
          "\n"
          "Fits a model to each VM's usage of each resource in HISTORY and\n"
          "predicts, for every step of the horizon, the chosen quantile of the\n"
          "demand.  The forecast of a series is the highest of those values:\n"
          "what to reserve over the horizon.  Series whose history is short or\n"
          "poorly fitted fall back to their observed peak, and say why.\n"
          "\n"
          "HISTORY is CSV with lines timestamp,vm,resource,value (an optional\n"
          "header names the columns; timestamps are Unix seconds or ISO 8601,\n"
          "UTC unless an offset is given) or JSON (docs/forecast.md).  Values\n"
          "are in the problem's units.\n"
          "\n"
          "options:\n"
          "      --horizon DUR      how far ahead (default 24h; 90s, 15m, 7d...)\n"
          "      --quantile Q       quantile to predict, in (0, 1) (default 0.95)\n"
          "      --json             print the forecasts as JSON\n"
          "  -q, --quiet            no report (with -o: only the file)\n"
          "      --problem FILE     report reservation against forecast per VM\n"
          "  -o, --output FILE      with --problem: write the problem with the\n"
          "                         forecasts as demands (right-sized)\n"
          "      --ignore-unknown   with --problem: skip series of VMs or\n"
          "                         resources the problem lacks (else an error)\n"
          "      --format FMT       history format: auto, csv, json (default auto)\n"
          "model options:\n"
          "      --lags N           previous steps as regressors (default 2)\n"
          "      --daily N          daily Fourier harmonics (default 4)\n"
          "      --weekly N         weekly Fourier harmonics (default 3)\n"
          "      --no-trend         no linear trend\n"
          "      --no-trend-daily   the daily cycle does not follow the trend\n"
          "      --min-samples N    fewer samples fall back to the peak (default 24)\n"
          "      --min-span DUR     a shorter history falls back (default 1d)\n"
          "      --min-r2 R         a worse fit falls back (default 0: off)\n"
          "      --no-validate      do not check the model on held-back data\n"
          "  -h, --help             this help\n"
          "\n"
          "Exit status: 0 success, 2 bad usage or input, 3 internal error.\n");
}

typedef struct fc_args {
  vmp_forecast_opts opts;
  int json, quiet, format, ignore_unknown;
  const char *problem, *output, *history;
} fc_args;

static int parse_count(const char *opt, const char *text, uint32_t max, uint32_t *out) {
  uint64_t v;
  if (cli_parse_u64(opt, text, &v)) return -1;
  if (v > max) {
    cli_error("%s: expected at most %u, got %s", opt, max, text);
    return -1;
  }
  *out = (uint32_t)v;
  return 0;
}

/* 0, or the exit status for a bad option. */
static int parse_args(int argc, char **argv, fc_args *a) {
  enum { O_HORIZON = 256, O_QUANTILE, O_JSON, O_PROBLEM, O_IGNORE, O_FORMAT, O_LAGS,
         O_DAILY, O_WEEKLY, O_NO_TREND, O_NO_TREND_DAILY, O_MIN_SAMPLES, O_MIN_SPAN, O_MIN_R2,
         O_NO_VALIDATE };
  static const struct option longopts[] = {
      {"horizon", required_argument, NULL, O_HORIZON},
      {"quantile", required_argument, NULL, O_QUANTILE},
      {"json", no_argument, NULL, O_JSON},
      {"problem", required_argument, NULL, O_PROBLEM},
      {"output", required_argument, NULL, 'o'},
      {"ignore-unknown", no_argument, NULL, O_IGNORE},
      {"format", required_argument, NULL, O_FORMAT},
      {"lags", required_argument, NULL, O_LAGS},
      {"daily", required_argument, NULL, O_DAILY},
      {"weekly", required_argument, NULL, O_WEEKLY},
      {"no-trend", no_argument, NULL, O_NO_TREND},
      {"no-trend-daily", no_argument, NULL, O_NO_TREND_DAILY},
      {"min-samples", required_argument, NULL, O_MIN_SAMPLES},
      {"min-span", required_argument, NULL, O_MIN_SPAN},
      {"min-r2", required_argument, NULL, O_MIN_R2},
      {"no-validate", no_argument, NULL, O_NO_VALIDATE},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
    int bad = 0;
    switch (c) {
      case O_HORIZON: bad = cli_parse_duration("--horizon", optarg, &a->opts.horizon); break;
      case O_QUANTILE:
        bad = cli_parse_double("--quantile", optarg, &a->opts.quantile);
        if (!bad && !(a->opts.quantile > 0 && a->opts.quantile < 1)) {
          cli_error("--quantile: expected a number between 0 and 1, got '%s'", optarg);
          bad = 1;
        }
        break;
      case O_JSON: a->json = 1; break;
      case O_PROBLEM: a->problem = optarg; break;
      case 'o': a->output = optarg; break;
      case O_IGNORE: a->ignore_unknown = 1; break;
      case O_FORMAT:
        if (!strcmp(optarg, "auto")) a->format = VMP_HISTORY_AUTO;
        else if (!strcmp(optarg, "csv")) a->format = VMP_HISTORY_CSV;
        else if (!strcmp(optarg, "json")) a->format = VMP_HISTORY_JSON;
        else {
          cli_error("--format: expected auto, csv or json, got '%s'", optarg);
          bad = 1;
        }
        break;
      case O_LAGS: bad = parse_count("--lags", optarg, 48, &a->opts.lags); break;
      case O_DAILY: bad = parse_count("--daily", optarg, 24, &a->opts.daily_harmonics); break;
      case O_WEEKLY: bad = parse_count("--weekly", optarg, 24, &a->opts.weekly_harmonics); break;
      case O_NO_TREND: a->opts.trend = 0; break;
      case O_NO_TREND_DAILY: a->opts.trend_daily = 0; break;
      case O_MIN_SAMPLES:
        bad = parse_count("--min-samples", optarg, UINT32_MAX, &a->opts.min_samples);
        if (!bad && a->opts.min_samples < 2) {
          cli_error("--min-samples: expected at least 2, got '%s'", optarg);
          bad = 1;
        }
        break;
      case O_MIN_SPAN: bad = cli_parse_duration("--min-span", optarg, &a->opts.min_span); break;
      case O_MIN_R2: bad = cli_parse_double("--min-r2", optarg, &a->opts.min_r2); break;
      case O_NO_VALIDATE: a->opts.validate = 0; break;
      case 'q': a->quiet = 1; break;
      case 'h': forecast_usage(stdout); return -1;
      default: cli_bad_option(c, argv); bad = 1; break;
    }
    if (bad) goto usage;
  }
  if (optind != argc - 1) {
    cli_error("forecast: expected one HISTORY file");
    goto usage;
  }
  if (a->output && !a->problem) {
    cli_error("forecast: -o writes a right-sized problem and needs --problem");
    goto usage;
  }
  if (a->ignore_unknown && !a->problem) {
    cli_error("forecast: --ignore-unknown needs --problem");
    goto usage;
  }
  if (a->output && cli_check_output("--output", a->output)) return EXIT_USAGE;
  a->history = argv[optind];
  return 0;
usage:
  return cli_hint();
}

/* ---- readable output ------------------------------------------------------- */

/* Six significant digits, without an exponent below 10^12. */
static const char *fmt(char buf[32], double v) {
  if (fabs(v) >= 1e5 && fabs(v) < 1e12) snprintf(buf, 32, "%.0f", v);
  else snprintf(buf, 32, "%.6g", v);
  return buf;
}

static void print_forecasts(const vmp_forecast *f) {
  size_t n = vmp_forecast_num_series(f), peak = 0;
  char b1[VMP_VALUE_BUFSIZE], b2[VMP_VALUE_BUFSIZE];
  for (size_t k = 0; k < n; k++) peak += vmp_forecast_series_model(f, k) == VMP_FORECAST_PEAK;
  printf("%zu series, quantile %g over %s: %zu regression, %zu peak\n", n,
         vmp_forecast_quantile(f), vmp_duration_format(b2, vmp_forecast_horizon(f)),
         n - peak, peak);
  printf("%-20s %-12s %12s  %-10s %6s  %s\n", "VM", "RESOURCE", "FORECAST", "MODEL", "R2",
         "NOTE");
  for (size_t k = 0; k < n; k++) {
    double r2 = vmp_forecast_series_r2(f, k);
    char r2s[16];
    if (isnan(r2)) snprintf(r2s, sizeof r2s, "-");
    else snprintf(r2s, sizeof r2s, "%.3f", r2);
    const char *note = vmp_forecast_series_reason(f, k);
    printf("%-20s %-12s %12s  %-10s %6s%s%s\n", vmp_forecast_series_vm(f, k),
           vmp_forecast_series_resource(f, k), fmt(b1, vmp_forecast_series_value(f, k)),
           vmp_forecast_model_name(vmp_forecast_series_model(f, k)), r2s,
           note[0] ? "  " : "", note);
  }
}

/* Reservation against forecast for every forecast the problem knows. */
static void print_rightsizing(const vmp_forecast *f, const vmp_problem *p,
                              const vmp_problem *q) {
  size_t nr = vmp_problem_num_resources(p), nv = vmp_problem_num_vms(p), kept = 0;
  char b1[VMP_VALUE_BUFSIZE], b2[VMP_VALUE_BUFSIZE];
  double *before = calloc(nr, sizeof *before), *after = calloc(nr, sizeof *after);
  printf("\nright-sizing (reservation -> forecast):\n");
  for (size_t k = 0; k < vmp_forecast_num_series(f); k++) {
    size_t v, r;
    double was, now;
    if (vmp_problem_find_vm(p, vmp_forecast_series_vm(f, k), &v) ||
        vmp_problem_find_resource(p, vmp_forecast_series_resource(f, k), &r))
      continue;
    was = vmp_problem_vm_demand(p, v, r);
    now = vmp_problem_vm_demand(q, v, r);
    printf("  %-20s %-12s %12s -> %-12s", vmp_problem_vm_name(p, v),
           vmp_problem_resource_name(p, r), fmt(b1, was), fmt(b2, now));
    if (was > 0) printf(" (%+.1f%%)", 100.0 * (now - was) / was);
    printf("\n");
  }
  for (size_t v = 0; v < nv; v++) {
    int changed = 0;
    for (size_t r = 0; r < nr; r++) {
      if (before) before[r] += vmp_problem_vm_demand(p, v, r);
      if (after) after[r] += vmp_problem_vm_demand(q, v, r);
      changed |= vmp_problem_vm_demand(p, v, r) != vmp_problem_vm_demand(q, v, r);
    }
    kept += !changed;
  }
  if (before && after) {
    printf("totals:");
    for (size_t r = 0; r < nr; r++) {
      printf("%s %s %s -> %s", r ? "," : "", vmp_problem_resource_name(p, r),
             fmt(b1, before[r]), fmt(b2, after[r]));
      if (before[r] > 0) printf(" (%+.1f%%)", 100.0 * (after[r] - before[r]) / before[r]);
    }
    printf("\n");
  }
  if (kept) printf("%zu VM%s keep their reservations (no forecast changes them)\n", kept,
                   kept == 1 ? "" : "s");
  free(before);
  free(after);
}

/* ---- JSON output -------------------------------------------------------------- */

static int print_json(const vmp_forecast *f, const vmp_problem *p, const vmp_problem *q,
                      const char *output) {
  char *text = NULL, *out;
  json_t *root, *rs;
  json_error_t err;
  int rc = vmp_forecast_to_json(f, &text);
  if (rc || !p) return cli_write_json(rc, text, "-");
  root = json_loads(text, 0, &err);
  vmp_free(text);
  if (!root || !(rs = json_array())) {
    json_decref(root);
    cli_error("out of memory");
    return EXIT_INTERNAL;
  }
  for (size_t k = 0; k < vmp_forecast_num_series(f); k++) {
    size_t v, r;
    if (vmp_problem_find_vm(p, vmp_forecast_series_vm(f, k), &v) ||
        vmp_problem_find_resource(p, vmp_forecast_series_resource(f, k), &r))
      continue;
    json_array_append_new(rs, json_pack("{s:s, s:s, s:f, s:f}", "vm",
                                         vmp_problem_vm_name(p, v), "resource",
                                         vmp_problem_resource_name(p, r), "reserved",
                                         vmp_problem_vm_demand(p, v, r), "forecast",
                                         vmp_problem_vm_demand(q, v, r)));
  }
  json_object_set_new(root, "rightsizing", rs);
  if (output) json_object_set_new(root, "output", json_string(output));
  out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(root);
  if (!out) {
    cli_error("out of memory");
    return EXIT_INTERNAL;
  }
  rc = cli_write_text("-", out);
  free(out);
  return rc;
}

int cmd_forecast(int argc, char **argv) {
  fc_args a;
  vmp_history *h = NULL;
  vmp_forecast *f = NULL;
  vmp_problem *p = NULL, *q = NULL;
  int rc;
  memset(&a, 0, sizeof a);
  vmp_forecast_opts_init(&a.opts, VMP_FORECAST_OPTS_VERSION);
  if ((rc = parse_args(argc, argv, &a))) return rc < 0 ? EXIT_OK : rc;
  if ((rc = vmp_history_read(a.history, a.format, &h))) {
    rc = cli_fail(rc);
    goto out;
  }
  if (a.problem && (rc = cli_load_problem(a.problem, VMP_FORMAT_AUTO, &p))) goto out;
  if ((rc = vmp_history_forecast(h, &a.opts, &f))) {
    rc = cli_fail(rc);
    goto out;
  }
  if (p && (rc = vmp_forecast_rightsize(f, p, a.ignore_unknown ? VMP_RIGHTSIZE_IGNORE_UNKNOWN : 0,
                                        &q))) {
    if (rc == VMP_ENOTFOUND)
      cli_error("%s and %s: %s (--ignore-unknown skips it)", a.history, a.problem,
                vmp_last_error());
    else
      cli_fail(rc);
    rc = rc == VMP_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
    goto out;
  }
  if (q && a.output) {
    char *text = NULL;
    rc = vmp_problem_to_json(q, &text);
    if ((rc = cli_write_json(rc, text, a.output))) goto out;
  }
  if (a.json) {
    rc = print_json(f, p, q, a.output);
  } else if (a.quiet) {
    rc = EXIT_OK;
  } else {
    print_forecasts(f);
    if (p) print_rightsizing(f, p, q);
    if (a.output) printf("right-sized problem written to %s\n", a.output);
    rc = EXIT_OK;
  }
out:
  vmp_problem_free(q);
  vmp_problem_free(p);
  vmp_forecast_free(f);
  vmp_history_free(h);
  return rc;
}
