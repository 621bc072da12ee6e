/*
 * vmplace-forecast-bench — the forecasting benchmark (docs/benchmarks.md).
 *
 * Generates usage series (series.h), forecasts the held-back days from the
 * days before, and scores every step of the held-back days with the
 * pinball loss at the forecast's quantile, against two baselines that need
 * no model: the last value, and the peak of the last window.  With --csv it
 * writes the generated histories instead, for `vmplace forecast`.
 *
 * Losses are divided by each series' mean level before they are averaged,
 * so that large and small VMs weigh the same.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "series.h"
#include "timestamp.h"
#include "vmplace/vmplace.h"

typedef struct args {
  size_t series;
  double days, holdout, window, step;
  uint64_t seed;
  vmp_forecast_opts opts;
  const char *csv, *names;
} args;

static void usage(FILE *f) {
  fprintf(f,
          "usage: vmplace-forecast-bench [OPTIONS]\n"
          "\n"
          "Forecasts generated usage series and scores the held-back days with\n"
          "the pinball loss against the last-value and last-window-peak\n"
          "baselines.\n"
          "\n"
          "options:\n"
          "  --series N      series to generate (default 200)\n"
          "  --days DUR      history before the held-back part (default 28d)\n"
          "  --holdout DUR   held back and forecast (the horizon; default 1d)\n"
          "  --step DUR      time between samples (default 1h)\n"
          "  --window DUR    window of the peak baseline (default 1d)\n"
          "  --quantile Q    quantile (default 0.95)\n"
          "  --seed N        first seed; series k uses seed + k (default 1)\n"
          "  --lags N, --daily N, --weekly N, --no-trend, --no-trend-daily,\n"
          "  --no-validate   model options, as for vmplace forecast\n"
          "  --csv FILE      write the histories (days only) as CSV and exit\n"
          "  --names LIST    with --csv: vm:resource[:base] per series, comma-\n"
          "                  separated (default vm-K:cpu)\n"
          "  -h, --help      this help\n");
}

static int parse_dur(const char *opt, const char *s, double *out) {
  if (vmp__duration_parse(s, out)) {
    fprintf(stderr, "%s: expected a duration (90s, 15m, 24h, 7d), got '%s'\n", opt, s);
    return -1;
  }
  return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  if (end == s || *end || errno || !(*out >= lo && *out <= hi)) {
    fprintf(stderr, "%s: expected a number in [%g, %g], got '%s'\n", opt, lo, hi, s);
    return -1;
  }
  return 0;
}

static int parse_args(int argc, char **argv, args *a) {
  double x;
  a->series = 200;
  a->days = 28 * 86400.0;
  a->holdout = 86400.0;
  a->window = 86400.0;
  a->step = 3600.0;
  a->seed = 1;
  vmp_forecast_opts_init(&a->opts, VMP_FORECAST_OPTS_VERSION);
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int bad = 0, takes = 1;
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(o, "--no-trend")) {
      a->opts.trend = 0;
      takes = 0;
    } else if (!strcmp(o, "--no-trend-daily")) {
      a->opts.trend_daily = 0;
      takes = 0;
    } else if (!strcmp(o, "--no-validate")) {
      a->opts.validate = 0;
      takes = 0;
    } else if (!v) {
      fprintf(stderr, "%s: missing value\n", o);
      return -1;
    } else if (!strcmp(o, "--series")) {
      bad = parse_num(o, v, 1, 1e6, &x);
      a->series = (size_t)x;
    } else if (!strcmp(o, "--days")) {
      bad = parse_dur(o, v, &a->days);
    } else if (!strcmp(o, "--holdout")) {
      bad = parse_dur(o, v, &a->holdout);
    } else if (!strcmp(o, "--step")) {
      bad = parse_dur(o, v, &a->step);
    } else if (!strcmp(o, "--window")) {
      bad = parse_dur(o, v, &a->window);
    } else if (!strcmp(o, "--quantile")) {
      bad = parse_num(o, v, 1e-6, 1 - 1e-6, &a->opts.quantile);
    } else if (!strcmp(o, "--seed")) {
      bad = parse_num(o, v, 0, 1e15, &x);
      a->seed = (uint64_t)x;
    } else if (!strcmp(o, "--lags")) {
      bad = parse_num(o, v, 0, 48, &x);
      a->opts.lags = (uint32_t)x;
    } else if (!strcmp(o, "--daily")) {
      bad = parse_num(o, v, 0, 24, &x);
      a->opts.daily_harmonics = (uint32_t)x;
    } else if (!strcmp(o, "--weekly")) {
      bad = parse_num(o, v, 0, 24, &x);
      a->opts.weekly_harmonics = (uint32_t)x;
    } else if (!strcmp(o, "--csv")) {
      a->csv = v;
    } else if (!strcmp(o, "--names")) {
      a->names = v;
    } else {
      fprintf(stderr, "unknown option '%s' (see --help)\n", o);
      return -1;
    }
    if (bad) return -1;
    i += takes;
  }
  a->opts.horizon = a->holdout;
  return 0;
}

static double pinball(double y, double pred, double q) {
  double d = y - pred;
  return d >= 0 ? q * d : (q - 1.0) * d;
}

/* Options of series k, with the sampling of the run. */
static void series_opts(const args *a, size_t k, size_t n, vmpb_series_opts *o) {
  vmpb_series_opts_init(o, a->seed + k);
  o->step = (int64_t)a->step;
  o->n = n;
}

/* --csv: histories of the first `days`, named by --names. */
static int write_csv(const args *a) {
  size_t n = (size_t)(a->days / a->step);
  double *y = malloc(n * sizeof *y);
  char *names = a->names ? strdup(a->names) : NULL, *save = NULL, *item;
  FILE *f = fopen(a->csv, "w");
  if (!f || !y) {
    fprintf(stderr, "%s: cannot write: %s\n", a->csv, strerror(errno));
    free(y);
    free(names);
    if (f) fclose(f);
    return 2;
  }
  fprintf(f, "timestamp,vm,resource,value\n");
  item = names ? strtok_r(names, ",", &save) : NULL;
  for (size_t k = 0; k < a->series; k++) {
    vmpb_series_opts o;
    char vm[256] = "", res[64] = "cpu";
    double base = NAN;
    series_opts(a, k, n, &o);
    if (item) {
      if (sscanf(item, "%255[^:]:%63[^:]:%lf", vm, res, &base) < 2) {
        fprintf(stderr, "--names: expected vm:resource[:base], got '%s'\n", item);
        fclose(f);
        free(y);
        free(names);
        return 2;
      }
      item = strtok_r(NULL, ",", &save);
    } else {
      snprintf(vm, sizeof vm, "vm-%zu", k + 1);
    }
    if (!isnan(base)) o.base = base;
    vmpb_series_generate(&o, y);
    for (size_t i = 0; i < n; i++) {
      char ts[32];
      fprintf(f, "%s,%s,%s,%.4g\n", vmp__time_format(ts, o.start + (int64_t)i * o.step), vm,
              res, y[i]);
    }
  }
  free(y);
  free(names);
  if (fclose(f)) {
    fprintf(stderr, "%s: write failed: %s\n", a->csv, strerror(errno));
    return 2;
  }
  return 0;
}

typedef struct score {
  double loss, covered, points, wins;
} score;

int main(int argc, char **argv) {
  args a;
  size_t nh, nv, peak_models = 0;
  double *y, fit_s = 0;
  score model = {0}, last = {0}, window = {0};
  char b1[32], b2[32], b3[32], b4[32];
  if (parse_args(argc, argv, &a)) return 2;
  if (a.csv) return write_csv(&a);
  if (!vmp_has_feature("forecast")) {
    fprintf(stderr, "this vmplace has no forecasting (VMPLACE_WITH_FORECAST=OFF)\n");
    return 2;
  }
  nh = (size_t)(a.days / a.step);
  nv = (size_t)(a.holdout / a.step);
  if (nh < 2 || nv < 1 || a.window < a.step) {
    fprintf(stderr, "need at least two history steps, one held-back step, and a window of "
                    "at least one step\n");
    return 2;
  }
  y = malloc((nh + nv) * sizeof *y);
  for (size_t k = 0; k < a.series; k++) {
    vmpb_series_opts o;
    vmp_history *h = NULL;
    vmp_forecast *f = NULL;
    double mean = 0, peak = 0, lm = 0, ll = 0, lw = 0;
    size_t wn = (size_t)(a.window / a.step);
    struct timespec t0, t1;
    int rc;
    series_opts(&a, k, nh + nv, &o);
    vmpb_series_generate(&o, y);
    vmp_history_new(&h);
    for (size_t i = 0; i < nh; i++) {
      vmp_history_add(h, "vm", "cpu", o.start + (int64_t)i * o.step, y[i]);
      mean += y[i];
    }
    mean /= (double)nh;
    for (size_t i = nh - (wn < nh ? wn : nh); i < nh; i++) peak = fmax(peak, y[i]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = vmp_history_forecast(h, &a.opts, &f);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fit_s += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc) {
      fprintf(stderr, "series %zu: %s\n", k, vmp_last_error());
      return 3;
    }
    peak_models += vmp_forecast_series_model(f, 0) == VMP_FORECAST_PEAK;
    for (size_t i = 0; i < nv; i++) {
      double actual = y[nh + i], pred;
      int64_t t;
      vmp_forecast_series_point_at(f, 0, i, &t, &pred);
      lm += pinball(actual, pred, a.opts.quantile);
      ll += pinball(actual, y[nh - 1], a.opts.quantile);
      lw += pinball(actual, peak, a.opts.quantile);
      model.covered += actual <= pred;
      last.covered += actual <= y[nh - 1];
      window.covered += actual <= peak;
    }
    model.loss += lm / (double)nv / mean;
    last.loss += ll / (double)nv / mean;
    window.loss += lw / (double)nv / mean;
    last.wins += lm < ll;
    window.wins += lm < lw;
    model.points += (double)nv;
    vmp_forecast_free(f);
    vmp_history_free(h);
  }
  free(y);
  printf("forecast benchmark: %zu series, %s of %s steps, %s held back, quantile %g, "
         "seeds %llu..%llu\n",
         a.series, vmp__duration_format(b1, a.days), vmp__duration_format(b2, a.step),
         vmp__duration_format(b3, a.holdout), a.opts.quantile, (unsigned long long)a.seed,
         (unsigned long long)(a.seed + a.series - 1));
  printf("model: %zu regression, %zu peak fallback; %.1f ms per series\n",
         a.series - peak_models, peak_models, 1000.0 * fit_s / (double)a.series);
  printf("%-24s %14s %10s %12s %16s\n", "method", "scaled pinball", "coverage",
         "ratio", "model wins on");
  printf("%-24s %14.5f %9.1f%% %12s %16s\n", "forecast", model.loss / (double)a.series,
         100.0 * model.covered / model.points, "1", "-");
  printf("%-24s %14.5f %9.1f%% %12.3f %15.1f%%\n", "last value", last.loss / (double)a.series,
         100.0 * last.covered / model.points, last.loss / model.loss,
         100.0 * last.wins / (double)a.series);
  snprintf(b4, sizeof b4, "peak of last %s", vmp__duration_format(b1, a.window));
  printf("%-24s %14.5f %9.1f%% %12.3f %15.1f%%\n", b4, window.loss / (double)a.series,
         100.0 * window.covered / model.points, window.loss / model.loss,
         100.0 * window.wins / (double)a.series);
  printf("(ratio: the baseline's loss over the forecast's; above 1 the forecast is better)\n");
  return 0;
}
