/*
 * Demand forecasting (docs/forecast.md): one least-squares model per series
 * — intercept, linear trend, daily and weekly Fourier terms, lags — solved
 * by vmp__lstsq; the quantile over the horizon from the residuals; the
 * fallback to the observed peak, with its reason.
 *
 * Prediction beyond the first step feeds the predicted means back as lag
 * values.  The spread of the residuals widens with the horizon the way an
 * autoregression's error does: by sqrt(sum psi_j^2) over the impulse
 * response psi of the lag coefficients.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "history.h"
#include "opts.h"
#include "timestamp.h"

#define DAY 86400
#define WEEK 604800
#define MAX_HARMONICS 24
#define MAX_LAGS 48
#define MAX_TERMS (2 + 6 * MAX_HARMONICS + MAX_LAGS)
#define MAX_POINTS 1000000
/* Predictions whose spread grows this much faster than a random walk's
 * come from explosive lag coefficients, not from the data. */
#define MAX_INFLATION 10.0
/* Calibration of the spread from the held-back samples (calibrate): the
 * fewest samples it needs, and the most it may widen. */
#define CALIB_MIN 20
#define CALIB_MAX 4.0
/* Held-back windows of the rolling-origin check (validate). */
#define VALIDATION_ORIGINS 3

static const double TWO_PI = 6.283185307179586476925;

/* ---- the result object ---------------------------------------------------------- */

typedef struct fc_series {
  uint32_t vm, resource;  /* pool ids */
  int model;
  double value, r2;
  int64_t step;
  size_t samples, rank;
  char *reason;           /* NULL for a regression */
  size_t npoints;
  int64_t *pt;
  double *pv;
  size_t nterms;
  uint32_t *term;         /* pool ids of the term names */
  double *coef;
} fc_series;

struct vmp_forecast {
  vmp__pool pool;
  fc_series *s;
  size_t n;
  double quantile, horizon;
  vmp__strmap index;      /* "len:vm" + resource -> series */
};

/* ---- model terms -------------------------------------------------------------------- */

enum { T_INTERCEPT, T_TREND, T_DAILY_SIN, T_DAILY_COS, T_WEEKLY_SIN, T_WEEKLY_COS,
       T_TREND_DAILY_SIN, T_TREND_DAILY_COS, T_LAG };

typedef struct term {
  int kind;
  int k;                  /* harmonic number or lag */
} term;

typedef struct spec {
  term terms[MAX_TERMS];
  size_t n;
  size_t nlags;           /* the lag terms are the last nlags */
  int64_t step;           /* > 0 */
  int64_t tref;           /* trend origin: the last sample used */
} spec;

static void add_term(spec *sp, int kind, int k) {
  sp->terms[sp->n].kind = kind;
  sp->terms[sp->n].k = k;
  sp->n++;
}

/* The terms a history of this span and step can support: a cycle needs two
 * full periods to be told from a trend, and each harmonic must be slower
 * than the Nyquist rate of the step or it aliases into a constant.  A daily
 * cycle whose amplitude follows the trend needs two weeks, so that the
 * change of amplitude is not confused with the weekly cycle. */
static void make_spec(spec *sp, const vmp_forecast_opts *o, int64_t span,
                      int64_t step, int64_t tref) {
  sp->n = 0;
  sp->step = step;
  sp->tref = tref;
  add_term(sp, T_INTERCEPT, 0);
  if (o->trend && span >= 2 * DAY) add_term(sp, T_TREND, 0);
  if (span >= 2 * DAY)
    for (int k = 1; k <= (int)o->daily_harmonics; k++)
      if (DAY / k > 2 * step) {
        add_term(sp, T_DAILY_SIN, k);
        add_term(sp, T_DAILY_COS, k);
      }
  if (span >= 2 * WEEK)
    for (int k = 1; k <= (int)o->weekly_harmonics; k++)
      /* every 7th weekly harmonic is a daily one */
      if (k % 7 && WEEK / k > 2 * step) {
        add_term(sp, T_WEEKLY_SIN, k);
        add_term(sp, T_WEEKLY_COS, k);
      }
  if (o->trend && o->trend_daily && span >= 2 * WEEK)
    for (int k = 1; k <= (int)o->daily_harmonics; k++)
      if (DAY / k > 2 * step) {
        add_term(sp, T_TREND_DAILY_SIN, k);
        add_term(sp, T_TREND_DAILY_COS, k);
      }
  sp->nlags = o->lags;
  for (int j = 1; j <= (int)o->lags; j++) add_term(sp, T_LAG, j);
}

static void term_name(char buf[32], const term *t) {
  switch (t->kind) {
    case T_INTERCEPT: snprintf(buf, 32, "intercept"); break;
    case T_TREND: snprintf(buf, 32, "trend"); break;
    case T_DAILY_SIN: snprintf(buf, 32, "daily_sin%d", t->k); break;
    case T_DAILY_COS: snprintf(buf, 32, "daily_cos%d", t->k); break;
    case T_WEEKLY_SIN: snprintf(buf, 32, "weekly_sin%d", t->k); break;
    case T_WEEKLY_COS: snprintf(buf, 32, "weekly_cos%d", t->k); break;
    case T_TREND_DAILY_SIN: snprintf(buf, 32, "trend_daily_sin%d", t->k); break;
    case T_TREND_DAILY_COS: snprintf(buf, 32, "trend_daily_cos%d", t->k); break;
    default: snprintf(buf, 32, "lag%d", t->k); break;
  }
}

/* Phase of t within a period, in radians; exact integer arithmetic first,
 * so that Unix times near 1.7e9 lose no precision. */
static double phase(int64_t t, int64_t period, int k) {
  int64_t r = t % period;
  if (r < 0) r += period;
  return TWO_PI * (double)k * ((double)r / (double)period);
}

/* One row of the design: the terms' values at time t, with lag[j - 1] the
 * value j steps earlier. */
static void fill_row(const spec *sp, int64_t t, const double *lag, double *row) {
  double days = (double)(t - sp->tref) / DAY;
  for (size_t c = 0; c < sp->n; c++) {
    const term *tm = &sp->terms[c];
    switch (tm->kind) {
      case T_INTERCEPT: row[c] = 1.0; break;
      case T_TREND: row[c] = days; break;
      case T_DAILY_SIN: row[c] = sin(phase(t, DAY, tm->k)); break;
      case T_DAILY_COS: row[c] = cos(phase(t, DAY, tm->k)); break;
      case T_WEEKLY_SIN: row[c] = sin(phase(t, WEEK, tm->k)); break;
      case T_WEEKLY_COS: row[c] = cos(phase(t, WEEK, tm->k)); break;
      case T_TREND_DAILY_SIN: row[c] = days * sin(phase(t, DAY, tm->k)); break;
      case T_TREND_DAILY_COS: row[c] = days * cos(phase(t, DAY, tm->k)); break;
      default: row[c] = lag[tm->k - 1]; break;
    }
  }
}

/* The sample of t[0..i) one tolerance from t[i] - j * step, or VMP_NONE. */
static size_t lag_index(const int64_t *t, size_t i, size_t j, int64_t step) {
  int64_t at = t[i] - (int64_t)j * step;
  if (i >= j && t[i - j] == at) return i - j; /* a regular series */
  return vmp__series_near(t, i, at, step / 2);
}

/* ---- fitting ----------------------------------------------------------------------------- */

typedef struct fit {
  double coef[MAX_TERMS];
  size_t rank, rows;
  double r2;
  double q_level, q_median; /* residual quantile at the level, and median */
  double calib;             /* widening of the spread from the rolling-origin
                               check (calibrate); 0 or 1: none */
} fit;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Quantile of sorted x[0..n) with linear interpolation between order
 * statistics (Hyndman and Fan's type 7). */
static double quantile_sorted(const double *x, size_t n, double q) {
  double h = q * (double)(n - 1), f = floor(h);
  size_t i = (size_t)f;
  if (i + 1 >= n) return x[n - 1];
  return x[i] + (h - f) * (x[i + 1] - x[i]);
}

/* Fits the spec to samples [0, n).  0 on success, 1 when there are too few
 * usable rows (why is set), or a negative error. */
static int fit_model(const spec *sp, const int64_t *t, const double *y, size_t n,
                     double q, fit *out, char *why, size_t whylen) {
  size_t p = sp->n, m = 0, *rows = NULL, ldb, bytes;
  double *a = NULL, *b = NULL, *res = NULL, lag[MAX_LAGS], mean = 0, sst = 0,
         sse = 0;
  int rc = 0;
  memset(out, 0, sizeof *out);
  if (!(rows = malloc(n * sizeof *rows))) return vmp__enomem();
  for (size_t i = 0; i < n; i++) {
    size_t j;
    for (j = 1; j <= sp->nlags && lag_index(t, i, j, sp->step) != VMP_NONE; j++)
      continue;
    if (j > sp->nlags) rows[m++] = i;
  }
  /* Twice as many rows as terms keeps the residuals from being mostly
   * absorbed by the fit. */
  if (m < 2 * p) {
    snprintf(why, whylen, "too few samples for the model: %zu usable rows for %zu "
             "terms", m, p);
    free(rows);
    return 1;
  }
  ldb = m > p ? m : p;
  bytes = vmp__mul(vmp__mul(m, p), sizeof *a);
  a = bytes ? malloc(bytes) : NULL;
  b = calloc(ldb, sizeof *b);
  res = malloc(m * sizeof *res);
  if (!a || !b || !res) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t r = 0; r < m; r++) {
    double row[MAX_TERMS];
    size_t i = rows[r];
    for (size_t j = 1; j <= sp->nlags; j++) lag[j - 1] = y[lag_index(t, i, j, sp->step)];
    fill_row(sp, t[i], lag, row);
    for (size_t c = 0; c < p; c++) a[c * m + r] = row[c];
    b[r] = y[i];
  }
  if ((rc = vmp__lstsq(a, m, p, b, VMP__LSTSQ_RCOND, &out->rank))) goto out;
  memcpy(out->coef, b, p * sizeof *b);
  out->rows = m;
  for (size_t r = 0; r < m; r++) mean += y[rows[r]];
  mean /= (double)m;
  for (size_t r = 0; r < m; r++) {
    double row[MAX_TERMS], pred = 0;
    size_t i = rows[r];
    for (size_t j = 1; j <= sp->nlags; j++) lag[j - 1] = y[lag_index(t, i, j, sp->step)];
    fill_row(sp, t[i], lag, row);
    for (size_t c = 0; c < p; c++) pred += out->coef[c] * row[c];
    res[r] = y[i] - pred;
    sse += res[r] * res[r];
    sst += (y[i] - mean) * (y[i] - mean);
  }
  /* A constant series is explained perfectly by its intercept. */
  out->r2 = sst > 0 ? 1.0 - sse / sst : (sse <= 1e-24 * (mean * mean + 1) ? 1.0 : 0.0);
  qsort(res, m, sizeof *res, cmp_double);
  out->q_level = quantile_sorted(res, m, q);
  out->q_median = quantile_sorted(res, m, 0.5);
out:
  VMP__FREE_ALL(rows, a, b, res);
  return rc;
}

/* The value of the series `ago` steps before its sample n - 1: the sample
 * there, else the latest one before, else the first. */
static double value_before(const int64_t *t, const double *y, size_t n,
                           int64_t step, size_t ago) {
  int64_t at = t[n - 1] - (int64_t)ago * step;
  size_t i = vmp__series_near(t, n, at, step / 2), lo = 0, hi = n;
  if (i != VMP_NONE) return y[i];
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo ? y[lo - 1] : y[0];
}

/* Predicts k = 1..K steps after sample n - 1: out[k - 1] is the quantile,
 * never below 0, and width[k - 1] (when width is not NULL) how far it lies
 * above the median prediction mean + q_median.  0, or 1 (why set) when the
 * prediction diverges. */
static int predict(const spec *sp, const fit *f, const int64_t *t, const double *y,
                   size_t n, size_t K, double *mean, double *out, double *width,
                   char *why, size_t whylen) {
  double hist[MAX_LAGS], lag[MAX_LAGS], psi[MAX_LAGS + 1], phi[MAX_LAGS];
  double sum_psi2 = 0,
         spread = (f->q_level - f->q_median) * (f->calib > 1.0 ? f->calib : 1.0);
  size_t L = sp->nlags;
  for (size_t j = 0; j < L; j++) {
    hist[j] = value_before(t, y, n, sp->step, j);
    phi[j] = f->coef[sp->n - L + j];
  }
  for (size_t k = 1; k <= K; k++) {
    double row[MAX_TERMS], m = 0, infl, psi_k = 1;
    int64_t tk = t[n - 1] + (int64_t)k * sp->step;
    for (size_t j = 1; j <= L; j++)
      lag[j - 1] = j < k ? mean[k - j - 1] : hist[j - k];
    fill_row(sp, tk, lag, row);
    for (size_t c = 0; c < sp->n; c++) m += f->coef[c] * row[c];
    /* psi_{k-1} by the recursion psi_i = sum_j phi_j psi_{i-j}, over a
     * window of the last L values (older ones do not enter it). */
    if (k > 1) {
      psi_k = 0;
      for (size_t j = 1; j <= L && j <= k - 1; j++) psi_k += phi[j - 1] * psi[(k - 1 - j) % (L + 1)];
    }
    psi[(k - 1) % (L + 1)] = psi_k;
    sum_psi2 += psi_k * psi_k;
    infl = sqrt(sum_psi2);
    if (!isfinite(m) || !isfinite(infl) || infl > MAX_INFLATION * sqrt((double)k)) {
      snprintf(why, whylen, "unstable model: the lag terms make the prediction "
               "diverge");
      return 1;
    }
    mean[k - 1] = m;
    out[k - 1] = fmax(0.0, m + f->q_median + spread * infl);
    if (width) width[k - 1] = spread * infl;
  }
  return 0;
}

/* ---- one series ------------------------------------------------------------------------------- */

static double pinball(double y, double pred, double q) {
  double d = y - pred;
  return d >= 0 ? q * d : (q - 1.0) * d;
}

static size_t steps_for(double horizon, int64_t step) {
  double k = ceil(horizon / (double)step - 1e-9);
  return k < 1 ? 1 : (size_t)k;
}

typedef struct outcome {
  int model;
  char why[256];
  fit f;
  spec sp;
} outcome;

/* Whether a history of n samples over span is long enough; why when not. */
static int long_enough(const vmp_forecast_opts *o, size_t n, int64_t span,
                       char *why, size_t whylen) {
  char b1[32], b2[32];
  if (n >= o->min_samples && (double)span >= o->min_span) return 1;
  snprintf(why, whylen, "short history: %zu sample%s over %s, need %u samples over %s",
           n, n == 1 ? "" : "s", vmp__duration_format(b1, (double)span),
           o->min_samples, vmp__duration_format(b2, o->min_span));
  return 0;
}

/* Out-of-sample errors of the rolling-origin check, in units of the
 * predicted spread: (y - median prediction) / width (calibrate). */
typedef struct ratios {
  double *r;
  size_t n;
} ratios;

/* Fits samples [0, m) and predicts them up to sample end - 1: adds the
 * pinball losses of the model and of the peak of [0, m) over [m, end), and
 * appends each held-back sample's error ratio to er.  0; 1 when the
 * prediction diverges; 2 when [0, m) says nothing (too short or not
 * fittable); or a negative error. */
static int holdout(const vmp_forecast_opts *o, const int64_t *t, const double *y,
                   size_t m, size_t end, int64_t step, double *loss_model,
                   double *loss_peak, ratios *er) {
  double *mean, *pred, *width, peak = 0;
  char dummy[256];
  size_t K;
  spec sp;
  fit f;
  int rc;
  if (m < 2 || !long_enough(o, m, t[m - 1] - t[0], dummy, sizeof dummy)) return 2;
  make_spec(&sp, o, t[m - 1] - t[0], step, t[m - 1]);
  if ((rc = fit_model(&sp, t, y, m, o->quantile, &f, dummy, sizeof dummy)))
    return rc < 0 && rc != VMP_ESOLVER ? rc : 2;
  K = steps_for((double)(t[end - 1] - t[m - 1]), step);
  mean = malloc(K * sizeof *mean);
  pred = malloc(K * sizeof *pred);
  width = malloc(K * sizeof *width);
  if (!mean || !pred || !width) {
    rc = vmp__enomem();
    goto out;
  }
  if (predict(&sp, &f, t, y, m, K, mean, pred, width, dummy, sizeof dummy)) {
    rc = 1;
    goto out;
  }
  for (size_t i = 0; i < m; i++) peak = fmax(peak, y[i]);
  for (size_t i = m; i < end; i++) {
    double kk = floor((double)(t[i] - t[m - 1]) / (double)step + 0.5);
    size_t k = kk < 1 ? 1 : kk > (double)K ? K : (size_t)kk;
    *loss_model += pinball(y[i], pred[k - 1], o->quantile);
    *loss_peak += pinball(y[i], peak, o->quantile);
    if (width[k - 1] > 0) er->r[er->n++] = (y[i] - mean[k - 1] - f.q_median) / width[k - 1];
  }
out:
  free(mean);
  free(pred);
  free(width);
  return rc;
}

/* The widening of the spread that makes the held-back samples' coverage
 * the quantile: in-sample residuals are smaller than errors a horizon
 * ahead, so a spread from them alone covers less than asked (88% for 95%
 * on the benchmark's series).  Never narrower than the in-sample spread
 * (a reservation errs on the safe side) and at most CALIB_MAX times it;
 * 1 with fewer than CALIB_MIN samples. */
static double calibrate(ratios *er, double q) {
  double c;
  if (er->n < CALIB_MIN) return 1.0;
  qsort(er->r, er->n, sizeof *er->r, cmp_double);
  c = quantile_sorted(er->r, er->n, q);
  return c > CALIB_MAX ? CALIB_MAX : c > 1.0 ? c : 1.0;
}

/* Rolling-origin check of the model against its fallback: up to
 * VALIDATION_ORIGINS times, refit without the last `held` seconds (the
 * horizon, at most a quarter of the history) before an origin and predict
 * them, then compare the summed pinball losses of the model and of the
 * peak.  One window alone is noisy: a single spike in it decides.  0 when
 * the model is at least as good (or there is too little to tell), setting
 * *calib (calibrate); 1 when it is worse (why set); or a negative error. */
static int validate(const vmp_forecast_opts *o, const int64_t *t, const double *y,
                    size_t n, int64_t step, double *calib, char *why, size_t whylen) {
  int64_t span = t[n - 1] - t[0], held = (int64_t)fmin(o->horizon, (double)span / 4);
  double loss_model = 0, loss_peak = 0;
  size_t end = n, nval = 0, windows = 0;
  ratios er = {NULL, 0};
  char b1[32];
  *calib = 1.0;
  if (!(er.r = malloc(n * sizeof *er.r))) return vmp__enomem();
  for (int r = 0; r < VALIDATION_ORIGINS && end > 0; r++) {
    size_t m = end;
    int rc;
    while (m > 0 && t[m - 1] > t[end - 1] - held) m--;
    /* keep at least half of the history to train on */
    if (end - m < 2 || m < 2 || t[m - 1] - t[0] < span / 2) break;
    rc = holdout(o, t, y, m, end, step, &loss_model, &loss_peak, &er);
    if (rc < 0) {
      free(er.r);
      return rc;
    }
    if (rc == 1) {
      snprintf(why, whylen, "poor fit: refitted without the last %s, the model "
               "diverges", vmp__duration_format(b1, (double)(t[n - 1] - t[m - 1])));
      free(er.r);
      return 1;
    }
    if (rc == 2) break;
    nval += end - m;
    windows++;
    end = m;
  }
  if (windows && loss_model > loss_peak) {
    snprintf(why, whylen, "poor fit: predicting the last %zu x %s held back, mean "
             "pinball loss %.4g against %.4g for the peak", windows,
             vmp__duration_format(b1, (double)held), loss_model / (double)nval,
             loss_peak / (double)nval);
    free(er.r);
    return 1;
  }
  *calib = calibrate(&er, o->quantile);
  free(er.r);
  return 0;
}

/* Decides the model of one series and fits it on the whole history. */
static int choose(const vmp_forecast_opts *o, const int64_t *t, const double *y,
                  size_t n, int64_t step, outcome *oc) {
  int64_t span = n ? t[n - 1] - t[0] : 0;
  int rc;
  oc->model = VMP_FORECAST_PEAK;
  if (!long_enough(o, n, span, oc->why, sizeof oc->why) || step <= 0) return 0;
  make_spec(&oc->sp, o, span, step, t[n - 1]);
  rc = fit_model(&oc->sp, t, y, n, o->quantile, &oc->f, oc->why, sizeof oc->why);
  if (rc == VMP_ESOLVER) {
    snprintf(oc->why, sizeof oc->why, "least squares failed: %s", vmp_last_error());
    return 0;
  }
  if (rc) return rc < 0 ? rc : 0;
  if (oc->f.r2 < o->min_r2) {
    snprintf(oc->why, sizeof oc->why, "poor fit: R^2 %.3f below the minimum %.3f",
             oc->f.r2, o->min_r2);
    return 0;
  }
  if (o->validate &&
      (rc = validate(o, t, y, n, step, &oc->f.calib, oc->why, sizeof oc->why)))
    return rc < 0 ? rc : 0;
  oc->model = VMP_FORECAST_REGRESSION;
  return 0;
}

static int set_reason(fc_series *s, const char *why) {
  if (!(s->reason = vmp__strdup(why))) return vmp__enomem();
  return 0;
}

static int forecast_series(vmp_forecast *fc, const vmp_forecast_opts *o,
                           const vmp__series *hs, fc_series *s) {
  const int64_t *t = hs->t;
  const double *y = hs->v;
  size_t n = hs->n, K;
  int64_t step = vmp__series_step(t, n);
  double *mean = NULL;
  outcome oc;
  int rc;
  memset(&oc, 0, sizeof oc);
  s->samples = n;
  s->r2 = NAN;
  s->step = step > 0 ? step : (int64_t)ceil(o->horizon);
  K = steps_for(o->horizon, s->step);
  if ((rc = choose(o, t, y, n, step, &oc))) return rc;
  if (!(s->pt = malloc(K * sizeof *s->pt)) || !(s->pv = malloc(K * sizeof *s->pv)) ||
      !(mean = malloc(K * sizeof *mean)))
    return vmp__enomem();
  s->npoints = K;
  for (size_t k = 0; k < K; k++) s->pt[k] = t[n - 1] + (int64_t)(k + 1) * s->step;
  if (oc.model == VMP_FORECAST_REGRESSION &&
      predict(&oc.sp, &oc.f, t, y, n, K, mean, s->pv, NULL, oc.why, sizeof oc.why))
    oc.model = VMP_FORECAST_PEAK;
  free(mean);
  if (oc.f.rows) s->r2 = oc.f.r2;
  s->model = oc.model;
  if (oc.model == VMP_FORECAST_PEAK) {
    double peak = 0;
    for (size_t i = 0; i < n; i++) peak = fmax(peak, y[i]);
    for (size_t k = 0; k < K; k++) s->pv[k] = peak;
    s->value = peak;
    return set_reason(s, oc.why);
  }
  s->value = 0;
  for (size_t k = 0; k < K; k++) s->value = fmax(s->value, s->pv[k]);
  s->rank = oc.f.rank;
  s->nterms = oc.sp.n;
  if (!(s->term = malloc(oc.sp.n * sizeof *s->term)) ||
      !(s->coef = malloc(oc.sp.n * sizeof *s->coef)))
    return vmp__enomem();
  for (size_t c = 0; c < oc.sp.n; c++) {
    char name[32];
    term_name(name, &oc.sp.terms[c]);
    if (vmp__pool_intern(&fc->pool, name, &s->term[c])) return vmp__enomem();
    s->coef[c] = oc.f.coef[c];
  }
  return 0;
}

/* ---- entry points ------------------------------------------------------------------------------- */

VMP__OPTS_ABI(forecast_opts_abi, vmp_forecast_opts, VMP_FORECAST_OPTS_VERSION,
              VMP_FORECAST_OPTS_INIT, "forecast options", "vmp_forecast_opts_init",
              VMP__OPTS_END(vmp_forecast_opts, validate));

int vmp_forecast_opts_init(vmp_forecast_opts *opts, uint32_t version) {
  return vmp__opts_init(&forecast_opts_abi, opts, version);
}

static int check_opts(const vmp_forecast_opts *o) {
  if (!isfinite(o->horizon) || o->horizon <= 0 || o->horizon > 3650.0 * DAY)
    return vmp__error(VMP_EINVAL, "horizon: expected seconds in (0, 10 years], got %g",
                      o->horizon);
  if (!(o->quantile > 0 && o->quantile < 1))
    return vmp__error(VMP_EINVAL, "quantile: expected a number in (0, 1), got %g",
                      o->quantile);
  if (o->daily_harmonics > MAX_HARMONICS || o->weekly_harmonics > MAX_HARMONICS)
    return vmp__error(VMP_EINVAL, "harmonics: expected 0..%d, got %u daily and %u "
                      "weekly", MAX_HARMONICS, o->daily_harmonics, o->weekly_harmonics);
  if (o->lags > MAX_LAGS)
    return vmp__error(VMP_EINVAL, "lags: expected 0..%d, got %u", MAX_LAGS, o->lags);
  if (o->min_samples < 2)
    return vmp__error(VMP_EINVAL, "min_samples: expected at least 2, got %u",
                      o->min_samples);
  if (!isfinite(o->min_span) || o->min_span < 0)
    return vmp__error(VMP_EINVAL, "min_span: expected seconds >= 0, got %g",
                      o->min_span);
  if (!(o->min_r2 <= 1))
    return vmp__error(VMP_EINVAL, "min_r2: expected a number <= 1, got %g", o->min_r2);
  return 0;
}

/* Steps of the horizon for every series, checked before any work. */
static int check_points(const vmp_history *h, const vmp_forecast_opts *o) {
  for (size_t k = 0; k < h->nseries; k++) {
    int64_t step = vmp__series_step(h->series[k].t, h->series[k].n);
    char b1[32], b2[32];
    if (step > 0 && o->horizon / (double)step > MAX_POINTS)
      return vmp__error(VMP_ERANGE, "horizon %s at the %s step of %s/%s is more "
                        "than %d points", vmp__duration_format(b1, o->horizon),
                        vmp__duration_format(b2, (double)step),
                        vmp__pool_str(&h->pool, h->series[k].vm),
                        vmp__pool_str(&h->pool, h->series[k].resource), MAX_POINTS);
  }
  return 0;
}

static int copy_names(vmp_forecast *fc, const vmp_history *h, size_t k) {
  const char *vm = vmp__pool_str(&h->pool, h->series[k].vm);
  const char *res = vmp__pool_str(&h->pool, h->series[k].resource);
  char key[VMP__MAX_NAME + 96];
  uint32_t kid;
  snprintf(key, sizeof key, "%zu:%s%s", strlen(vm), vm, res);
  if (vmp__pool_intern(&fc->pool, vm, &fc->s[k].vm) ||
      vmp__pool_intern(&fc->pool, res, &fc->s[k].resource) ||
      vmp__pool_intern(&fc->pool, key, &kid) ||
      vmp__strmap_put(&fc->index, vmp__pool_str(&fc->pool, kid), (uint32_t)k))
    return vmp__enomem();
  return 0;
}

int vmp_history_forecast(const vmp_history *h, const vmp_forecast_opts *opts,
                         vmp_forecast **out) {
  vmp_forecast_opts o;
  vmp_forecast *fc;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_history_forecast: out is NULL");
  *out = NULL;
  if (!h) return vmp__error(VMP_EINVAL, "vmp_history_forecast: history is NULL");
  if ((rc = vmp__opts_load(&forecast_opts_abi, &o, opts)) || (rc = check_opts(&o)) || (rc = check_points(h, &o))) return rc;
  if (!(fc = vmp__calloc(1, sizeof *fc))) return vmp__enomem();
  vmp__strmap_init(&fc->index);
  fc->quantile = o.quantile;
  fc->horizon = o.horizon;
  if (vmp__pool_init(&fc->pool) ||
      !(fc->s = vmp__calloc(h->nseries ? h->nseries : 1, sizeof *fc->s))) {
    vmp_forecast_free(fc);
    return vmp__enomem();
  }
  fc->n = h->nseries;
  for (size_t k = 0; k < h->nseries; k++) {
    if ((rc = copy_names(fc, h, k)) ||
        (rc = forecast_series(fc, &o, &h->series[k], &fc->s[k]))) {
      vmp_forecast_free(fc);
      return rc;
    }
  }
  *out = fc;
  return 0;
}

void vmp_forecast_free(vmp_forecast *f) {
  if (!f) return;
  for (size_t k = 0; f->s && k < f->n; k++) {
    VMP__FREE_ALL(f->s[k].reason, f->s[k].pt, f->s[k].pv, f->s[k].term, f->s[k].coef);
  }
  free(f->s);
  vmp__strmap_free(&f->index);
  vmp__pool_free(&f->pool);
  free(f);
}

/* ---- accessors ------------------------------------------------------------------------------------- */

#define SERIES(f, k) ((f) && (k) < (f)->n ? &(f)->s[k] : NULL)

double vmp_forecast_quantile(const vmp_forecast *f) { return f ? f->quantile : NAN; }
double vmp_forecast_horizon(const vmp_forecast *f) { return f ? f->horizon : NAN; }
size_t vmp_forecast_num_series(const vmp_forecast *f) { return f ? f->n : 0; }

int vmp_forecast_find(const vmp_forecast *f, const char *vm, const char *resource,
                      size_t *k) {
  char key[VMP__MAX_NAME + 96];
  uint32_t idx;
  if (!f || !vm || !resource)
    return vmp__error(VMP_EINVAL, "vmp_forecast_find: NULL argument");
  snprintf(key, sizeof key, "%zu:%s%s", strlen(vm), vm, resource);
  if (!vmp__strmap_get(&f->index, key, &idx))
    return vmp__error(VMP_ENOTFOUND, "no forecast for VM \"%s\" and resource \"%s\"",
                      vm, resource);
  if (k) *k = idx;
  return 0;
}

const char *vmp_forecast_series_vm(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? vmp__pool_str(&f->pool, s->vm) : NULL;
}

const char *vmp_forecast_series_resource(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? vmp__pool_str(&f->pool, s->resource) : NULL;
}

double vmp_forecast_series_value(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->value : NAN;
}

int vmp_forecast_series_model(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->model : -1;
}

const char *vmp_forecast_series_reason(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? (s->reason ? s->reason : "") : NULL;
}

double vmp_forecast_series_r2(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->r2 : NAN;
}

size_t vmp_forecast_series_samples(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->samples : 0;
}

int64_t vmp_forecast_series_step(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->step : 0;
}

size_t vmp_forecast_series_num_points(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->npoints : 0;
}

int vmp_forecast_series_point_at(const vmp_forecast *f, size_t k, size_t i,
                              int64_t *timestamp, double *value) {
  const fc_series *s = SERIES(f, k);
  if (!s || i >= s->npoints)
    return vmp__error(VMP_EINVAL, "vmp_forecast_series_point_at: index out of range");
  if (timestamp) *timestamp = s->pt[i];
  if (value) *value = s->pv[i];
  return 0;
}

size_t vmp_forecast_series_num_terms(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->nterms : 0;
}

int vmp_forecast_series_term_at(const vmp_forecast *f, size_t k, size_t j,
                             const char **name, double *coef) {
  const fc_series *s = SERIES(f, k);
  if (!s || j >= s->nterms)
    return vmp__error(VMP_EINVAL, "vmp_forecast_series_term_at: index out of range");
  if (name) *name = vmp__pool_str(&f->pool, s->term[j]);
  if (coef) *coef = s->coef[j];
  return 0;
}

size_t vmp_forecast_series_rank(const vmp_forecast *f, size_t k) {
  const fc_series *s = SERIES(f, k);
  return s ? s->rank : 0;
}
