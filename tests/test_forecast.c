/* Forecasting: exact coefficients from noise-free series, rank-deficient
 * designs, the residual quantile, every fallback with its reason,
 * right-sizing, options, JSON, and alerts on forecasts. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "testutil.h"

#define T0 1714521600LL /* 2024-05-01T00:00:00Z, a Wednesday */
#define DAY 86400.0
#define WEEK 604800.0
static const double TWO_PI = 6.283185307179586476925;

/* The noise-free test signal, with the trend measured in days from tref. */
static double signal(int64_t t, int64_t tref) {
  double d = (double)(t - tref) / DAY;
  double day = (double)(t % 86400) / DAY, week = (double)(t % 604800) / WEEK;
  return 30 + 0.5 * d + 3 * sin(TWO_PI * day) + 1 * cos(TWO_PI * 2 * day) -
         0.75 * cos(TWO_PI * 3 * day) + 2 * sin(TWO_PI * week) + 0.5 * cos(TWO_PI * 2 * week);
}

/* n hourly samples of signal() (+ noise[i] when given) as series a/cpu. */
static vmp_history *hourly(size_t n, const double *noise) {
  vmp_history *h = NULL;
  int64_t tref = T0 + (int64_t)(n - 1) * 3600;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (size_t i = 0; i < n; i++) {
    int64_t t = T0 + (int64_t)i * 3600;
    assert_int_equal(vmp_history_add(h, "a", "cpu", t, signal(t, tref) + (noise ? noise[i] : 0)),
                     VMP_OK);
  }
  return h;
}

static vmp_forecast *run(const vmp_history *h, const vmp_forecast_opts *o) {
  vmp_forecast *f = NULL;
  int rc = vmp_history_forecast(h, o, &f);
  if (rc) fail_msg("forecast failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return f;
}

static double coef(const vmp_forecast *f, size_t k, const char *name) {
  for (size_t j = 0; j < vmp_forecast_series_num_terms(f, k); j++) {
    const char *n;
    double c;
    assert_int_equal(vmp_forecast_series_term_at(f, k, j, &n, &c), VMP_OK);
    if (!strcmp(n, name)) return c;
  }
  fail_msg("no term %s", name);
  return NAN;
}

static void test_forecast__exact_coefficients_from_noise_free_series(void **state) {
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  vmp_history *h = hourly(24 * 28, NULL);
  vmp_forecast *f;
  static const struct { const char *name; double value; } want[] = {
      {"intercept", 30},   {"trend", 0.5},      {"daily_sin1", 3},  {"daily_cos1", 0},
      {"daily_sin2", 0},   {"daily_cos2", 1},   {"daily_sin3", 0},  {"daily_cos3", -0.75},
      {"daily_sin4", 0},   {"daily_cos4", 0},   {"weekly_sin1", 2}, {"weekly_cos1", 0},
      {"weekly_sin2", 0},  {"weekly_cos2", 0.5}, {"weekly_sin3", 0}, {"weekly_cos3", 0},
      /* a constant daily amplitude: no change per day */
      {"trend_daily_sin1", 0}, {"trend_daily_cos1", 0}, {"trend_daily_sin2", 0},
      {"trend_daily_cos2", 0}, {"trend_daily_sin3", 0}, {"trend_daily_cos3", 0},
      {"trend_daily_sin4", 0}, {"trend_daily_cos4", 0}};
  (void)state;
  o.lags = 0;
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_REGRESSION);
  assert_string_equal(vmp_forecast_series_reason(f, 0), "");
  assert_int_equal(vmp_forecast_series_num_terms(f, 0), 24);
  assert_int_equal(vmp_forecast_series_rank(f, 0), 24);
  for (size_t j = 0; j < sizeof want / sizeof want[0]; j++)
    if (fabs(coef(f, 0, want[j].name) - want[j].value) > 1e-9)
      fail_msg("%s: %.15g, expected %g", want[j].name, coef(f, 0, want[j].name),
               want[j].value);
  assert_true(fabs(vmp_forecast_series_r2(f, 0) - 1) < 1e-12);
  /* noise-free: zero residuals, so the quantile is the signal itself */
  assert_int_equal(vmp_forecast_series_num_points(f, 0), 24);
  assert_int_equal(vmp_forecast_series_step(f, 0), 3600);
  assert_int_equal(vmp_forecast_series_samples(f, 0), 24 * 28);
  {
    int64_t tref = T0 + (24 * 28 - 1) * 3600LL, t;
    double v, peak = 0;
    for (size_t i = 0; i < 24; i++) {
      assert_int_equal(vmp_forecast_series_point_at(f, 0, i, &t, &v), VMP_OK);
      assert_int_equal(t, tref + (int64_t)(i + 1) * 3600);
      assert_true(fabs(v - signal(t, tref)) < 1e-8);
      peak = fmax(peak, v);
    }
    assert_true(vmp_forecast_series_value(f, 0) == peak);
  }
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__daily_amplitude_following_the_trend(void **state) {
  /* the afternoon swing grows by 0.06 a day (2% of 3) as the level grows */
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  vmp_history *h = NULL;
  vmp_forecast *f;
  size_t n = 24 * 21;
  int64_t tref = T0 + (int64_t)(n - 1) * 3600;
  (void)state;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (size_t i = 0; i < n; i++) {
    int64_t t = T0 + (int64_t)i * 3600;
    double d = (double)(t - tref) / DAY, day = (double)(t % 86400) / DAY;
    assert_int_equal(vmp_history_add(h, "a", "cpu", t,
                                     20 + 0.4 * d + (3 + 0.06 * d) * sin(TWO_PI * day)), 0);
  }
  o.lags = 0;
  f = run(h, &o);
  assert_true(fabs(coef(f, 0, "intercept") - 20) < 1e-9);
  assert_true(fabs(coef(f, 0, "trend") - 0.4) < 1e-9);
  assert_true(fabs(coef(f, 0, "daily_sin1") - 3) < 1e-9);
  assert_true(fabs(coef(f, 0, "trend_daily_sin1") - 0.06) < 1e-9);
  assert_true(fabs(coef(f, 0, "trend_daily_cos1")) < 1e-9);
  vmp_forecast_free(f);
  /* without the term the growth is not modelled */
  o.trend_daily = 0;
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_num_terms(f, 0), 16);
  assert_true(vmp_forecast_series_r2(f, 0) < 1 - 1e-6);
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__collinear_lags_are_rank_deficient(void **state) {
  /* A noise-free seasonal series obeys linear recurrences, so its own lags
   * are linear combinations of the Fourier columns: the design is rank
   * deficient.  The rank-revealing solve still predicts the signal. */
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  vmp_history *h = hourly(24 * 28, NULL);
  vmp_forecast *f;
  int64_t tref = T0 + (24 * 28 - 1) * 3600LL;
  (void)state;
  o.lags = 3;
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_REGRESSION);
  assert_int_equal(vmp_forecast_series_num_terms(f, 0), 27);
  assert_true(vmp_forecast_series_rank(f, 0) < 27);
  for (size_t i = 0; i < vmp_forecast_series_num_points(f, 0); i++) {
    int64_t t;
    double v;
    vmp_forecast_series_point_at(f, 0, i, &t, &v);
    assert_true(fabs(v - signal(t, tref)) < 1e-6);
  }
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__lstsq_collinear_columns(void **state) {
  /* columns 1, t and 2t; b = 1 + 3t.  dgelsd finds rank 2 and the
   * minimum-norm solution of the column-scaled problem: t and 2t scale to
   * the same unit column, which gets 3|t| split evenly, so x = (1, 1.5,
   * 0.75). */
  double a[3 * 5], b[5];
  size_t rank;
  (void)state;
  for (int i = 0; i < 5; i++) {
    a[i] = 1;
    a[5 + i] = i;
    a[10 + i] = 2 * i;
    b[i] = 1 + 3 * i;
  }
  assert_int_equal(vmp__lstsq(a, 5, 3, b, VMP__LSTSQ_RCOND, &rank), VMP_OK);
  assert_int_equal(rank, 2);
  assert_true(fabs(b[0] - 1) < 1e-12);
  assert_true(fabs(b[1] - 1.5) < 1e-12);
  assert_true(fabs(b[2] - 0.75) < 1e-12);
  /* a zero column is no trouble either */
  for (int i = 0; i < 5; i++) {
    a[i] = 1;
    a[5 + i] = 0;
    a[10 + i] = i;
    b[i] = 2 - i;
  }
  assert_int_equal(vmp__lstsq(a, 5, 3, b, VMP__LSTSQ_RCOND, &rank), VMP_OK);
  assert_int_equal(rank, 2);
  assert_true(fabs(b[0] - 2) < 1e-12 && b[1] == 0 && fabs(b[2] + 1) < 1e-12);
  tu_assert_error(vmp__lstsq(a, 0, 3, b, VMP__LSTSQ_RCOND, &rank), VMP_EINVAL, "size");
}

static void test_forecast__quantile_comes_from_the_residuals(void **state) {
  /* residuals alternate +1 / -1: orthogonal to every term (hourly samples,
   * whole weeks, no trend), so the fit is exact and the residuals are
   * exactly +-1: their 95th percentile is 1, their median 0 */
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  size_t n = 24 * 21;
  double *noise = malloc(n * sizeof *noise);
  vmp_history *h;
  vmp_forecast *f;
  int64_t tref = T0 + (int64_t)(n - 1) * 3600;
  (void)state;
  for (size_t i = 0; i < n; i++) noise[i] = i % 2 ? -1 : 1;
  o.lags = 0;
  o.trend = 0;
  o.horizon = 6 * 3600;
  /* the trend of signal() is no term here: take it out of the data */
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (size_t i = 0; i < n; i++) {
    int64_t t = T0 + (int64_t)i * 3600;
    double trend = 0.5 * (double)(t - tref) / DAY;
    assert_int_equal(vmp_history_add(h, "a", "cpu", t, signal(t, tref) - trend + noise[i]), 0);
  }
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_REGRESSION);
  assert_true(fabs(coef(f, 0, "intercept") - 30) < 1e-9);
  for (size_t i = 0; i < 6; i++) {
    int64_t t;
    double v;
    vmp_forecast_series_point_at(f, 0, i, &t, &v);
    assert_true(fabs(v - (signal(t, tref) - 0.5 * (double)(t - tref) / DAY + 1)) < 1e-9);
  }
  vmp_forecast_free(f);
  /* the median: the prediction itself */
  o.quantile = 0.5;
  f = run(h, &o);
  {
    int64_t t;
    double v;
    vmp_forecast_series_point_at(f, 0, 0, &t, &v);
    assert_true(fabs(v - (signal(t, tref) - 0.5 * (double)(t - tref) / DAY)) < 1e-9);
  }
  vmp_forecast_free(f);
  vmp_history_free(h);
  free(noise);
}

static void test_forecast__short_history_falls_back_to_peak(void **state) {
  vmp_history *h = NULL;
  vmp_forecast *f;
  double v;
  int64_t t;
  (void)state;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (int i = 0; i < 10; i++)
    assert_int_equal(vmp_history_add(h, "a", "cpu", T0 + i * 3600, i == 4 ? 7.5 : 1 + i * 0.1), 0);
  assert_int_equal(vmp_history_add(h, "b", "memory_mib", T0, 2048), 0);
  f = run(h, NULL);
  assert_int_equal(vmp_forecast_num_series(f), 2);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_PEAK);
  assert_string_equal(vmp_forecast_series_reason(f, 0),
                      "short history: 10 samples over 9h, need 24 samples over 1d");
  assert_true(isnan(vmp_forecast_series_r2(f, 0)));
  assert_true(vmp_forecast_series_value(f, 0) == 7.5);
  assert_int_equal(vmp_forecast_series_num_terms(f, 0), 0);
  assert_int_equal(vmp_forecast_series_rank(f, 0), 0);
  assert_int_equal(vmp_forecast_series_num_points(f, 0), 24);
  assert_int_equal(vmp_forecast_series_point_at(f, 0, 23, &t, &v), VMP_OK);
  assert_int_equal(t, T0 + 9 * 3600 + 24 * 3600);
  assert_true(v == 7.5);
  /* one sample: no step, one point at the end of the horizon */
  assert_int_equal(vmp_forecast_series_model(f, 1), VMP_FORECAST_PEAK);
  assert_string_equal(vmp_forecast_series_reason(f, 1),
                      "short history: 1 sample over 0s, need 24 samples over 1d");
  assert_int_equal(vmp_forecast_series_step(f, 1), 86400);
  assert_int_equal(vmp_forecast_series_num_points(f, 1), 1);
  assert_int_equal(vmp_forecast_series_point_at(f, 1, 0, &t, &v), VMP_OK);
  assert_int_equal(t, T0 + 86400);
  assert_true(v == 2048);
  assert_int_equal(vmp_forecast_series_point_at(f, 1, 1, &t, &v), VMP_EINVAL);
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__poor_fit_falls_back_to_peak(void **state) {
  /* flat at 1 with one spike to 10 for three weeks, then a day at 8: the
   * model refitted without that day predicts about 1, the peak 10, and
   * the peak loses far less at the 95th percentile */
  vmp_history *h = NULL;
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  vmp_forecast *f;
  size_t n = 24 * 22;
  (void)state;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(vmp_history_add(h, "a", "cpu", T0 + (int64_t)i * 3600,
                                     i >= n - 24 ? 8 : i == 100 ? 10 : 1 + 0.01 * (double)(i % 3)),
                     0);
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_PEAK);
  assert_non_null(strstr(vmp_forecast_series_reason(f, 0),
                         "poor fit: predicting the last 3 x 1d held back, mean pinball loss "));
  assert_non_null(strstr(vmp_forecast_series_reason(f, 0), "for the peak"));
  assert_false(isnan(vmp_forecast_series_r2(f, 0)));
  assert_true(vmp_forecast_series_value(f, 0) == 10);
  vmp_forecast_free(f);
  /* without validation the regression is kept */
  o.validate = 0;
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_REGRESSION);
  vmp_forecast_free(f);
  /* a minimum R^2 the fit does not reach */
  o.min_r2 = 0.999;
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_PEAK);
  assert_non_null(strstr(vmp_forecast_series_reason(f, 0), "poor fit: R^2 "));
  assert_non_null(strstr(vmp_forecast_series_reason(f, 0), "below the minimum 0.999"));
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__gaps_and_jitter(void **state) {
  /* samples a few seconds late and a missing half day: trend and Fourier
   * terms need no regular grid, lag rows without their lags are left out */
  vmp_history *h = NULL;
  vmp_forecast_opts o = VMP_FORECAST_OPTS_INIT;
  vmp_forecast *f;
  size_t n = 24 * 28;
  int64_t tref = T0 + (int64_t)(n - 1) * 3600 + 7;
  (void)state;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (size_t i = 0; i < n; i++) {
    int64_t t = T0 + (int64_t)i * 3600 + (int64_t)(i % 8);
    if (i >= 200 && i < 212) continue;
    assert_int_equal(vmp_history_add(h, "a", "cpu", t, signal(t, tref)), 0);
  }
  f = run(h, &o);
  assert_int_equal(vmp_forecast_series_model(f, 0), VMP_FORECAST_REGRESSION);
  assert_int_equal(vmp_forecast_series_step(f, 0), 3601);
  assert_true(vmp_forecast_series_r2(f, 0) > 0.999999);
  vmp_forecast_free(f);
  o.lags = 0;
  f = run(h, &o);
  assert_true(fabs(coef(f, 0, "trend") - 0.5) < 1e-9);
  assert_true(fabs(coef(f, 0, "daily_sin1") - 3) < 1e-9);
  vmp_forecast_free(f);
  vmp_history_free(h);
}

static void test_forecast__options_are_checked(void **state) {
  vmp_history *h = hourly(48, NULL);
  vmp_forecast_opts o;
  vmp_forecast *f = (vmp_forecast *)1;
  (void)state;
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.quantile = 1;
  tu_assert_error(vmp_history_forecast(h, &o, &f), VMP_EINVAL,
                  "quantile: expected a number in (0, 1), got 1");
  assert_null(f);
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.horizon = 0;
  tu_assert_error(vmp_history_forecast(h, &o, &f), VMP_EINVAL, "horizon");
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.lags = 49;
  tu_assert_error(vmp_history_forecast(h, &o, &f), VMP_EINVAL, "lags: expected 0..48");
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.horizon = 3650.0 * 86400;
  vmp_history_add(h, "b", "cpu", 0, 1);
  vmp_history_add(h, "b", "cpu", 1, 1);
  tu_assert_error(vmp_history_forecast(h, &o, &f), VMP_ERANGE,
                  "horizon 521w3d at the 1s step of b/cpu is more than 1000000 points");
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.version = 99;
  tu_assert_error(vmp_history_forecast(h, &o, &f), VMP_EINVAL,
                  "forecast options: version 99 is unknown; this library knows versions 1..1 "
                  "(initialise with vmp_forecast_opts_init)");
  tu_assert_error(vmp_history_forecast(NULL, NULL, &f), VMP_EINVAL, "history is NULL");
  assert_int_equal(vmp_has_feature("forecast"), 1);
  vmp_history_free(h);
}

static const char *PROBLEM =
    "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":34,\"memory_mib\":1000}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":8,\"memory_mib\":500},\"host\":\"h1\"},"
    "{\"name\":\"b\",\"demand\":{\"cpu\":1,\"memory_mib\":100},\"host\":\"h1\"}]}";

static void test_forecast__rightsize_and_json(void **state) {
  vmp_problem *p = tu_problem_json(PROBLEM), *q = NULL;
  vmp_history *h = hourly(24 * 28, NULL);
  vmp_forecast *f;
  char *text = NULL;
  json_t *root, *fc;
  json_error_t err;
  double value;
  (void)state;
  f = run(h, NULL);
  value = vmp_forecast_series_value(f, 0);
  assert_int_equal(vmp_forecast_rightsize(f, p, 0, &q), VMP_OK);
  assert_true(vmp_problem_vm_demand(q, 0, 0) == value);
  assert_true(vmp_problem_vm_demand(q, 0, 1) == 500);
  assert_true(vmp_problem_vm_demand(q, 1, 0) == 1);
  assert_true(vmp_problem_vm_demand(p, 0, 0) == 8);
  vmp_problem_free(q);
  vmp_forecast_free(f);
  /* a VM the problem lacks */
  assert_int_equal(vmp_history_add(h, "ghost", "cpu", T0, 1), 0);
  assert_int_equal(vmp_history_add(h, "b", "gpu", T0, 1), 0);
  f = run(h, NULL);
  q = (vmp_problem *)1;
  tu_assert_error(vmp_forecast_rightsize(f, p, 0, &q), VMP_ENOTFOUND,
                  "forecast ghost/cpu: the problem has no VM \"ghost\"");
  assert_null(q);
  assert_int_equal(vmp_forecast_rightsize(f, p, VMP_RIGHTSIZE_IGNORE_UNKNOWN, &q), VMP_OK);
  assert_true(vmp_problem_vm_demand(q, 0, 0) == value);
  vmp_problem_free(q);
  /* JSON: the shape of docs/forecast.md */
  assert_int_equal(vmp_forecast_to_json(f, &text), VMP_OK);
  root = json_loads(text, 0, &err);
  assert_non_null(root);
  assert_true(json_real_value(json_object_get(root, "quantile")) == 0.95);
  assert_int_equal(json_integer_value(json_object_get(root, "horizon_s")), 86400);
  assert_int_equal(json_array_size(json_object_get(root, "forecasts")), 3);
  fc = json_array_get(json_object_get(root, "forecasts"), 0);
  assert_string_equal(json_string_value(json_object_get(fc, "vm")), "a");
  assert_string_equal(json_string_value(json_object_get(fc, "model")), "regression");
  assert_true(fabs(json_number_value(json_object_get(fc, "value")) - value) < 1e-9 * value);
  assert_true(json_is_null(json_object_get(fc, "reason")));
  assert_true(json_number_value(json_object_get(fc, "fit_r2")) > 0.999);
  assert_int_equal(json_array_size(json_object_get(fc, "points")), 24);
  assert_int_equal(json_integer_value(json_object_get(
                       json_array_get(json_object_get(fc, "points"), 0), "timestamp")),
                   T0 + 24 * 28 * 3600);
  fc = json_array_get(json_object_get(root, "forecasts"), 1);
  assert_string_equal(json_string_value(json_object_get(fc, "model")), "peak");
  assert_true(json_is_null(json_object_get(fc, "fit_r2")));
  assert_string_equal(json_string_value(json_object_get(fc, "reason")),
                      "short history: 1 sample over 0s, need 24 samples over 1d");
  json_decref(root);
  vmp_free(text);
  vmp_forecast_free(f);
  vmp_history_free(h);
  vmp_problem_free(p);
}

static void test_forecast__alerts_ahead(void **state) {
  /* a on h1 grows 0.5 cpu a day around 30 of 34: the forecast crosses the
   * 95% line within the horizon; b has no history and counts at demand */
  vmp_problem *p = tu_problem_json(PROBLEM);
  vmp_history *h = hourly(24 * 28, NULL);
  vmp_forecast_opts fo = VMP_FORECAST_OPTS_INIT;
  vmp_alert_opts ao = VMP_ALERT_OPTS_INIT;
  vmp_forecast *f;
  vmp_utilization *u;
  vmp_alerts *a;
  const vmp_alert *al;
  (void)state;
  fo.horizon = 2 * DAY;
  f = run(h, &fo);
  assert_int_equal(vmp_utilization_from_forecast(p, NULL, f, 0, &u), VMP_OK);
  assert_int_equal(vmp_utilization_source(u), VMP_UTILIZATION_FORECAST);
  assert_int_equal(vmp_utilization_num_times(u), 48);
  assert_int_equal(vmp_utilization_num_unobserved(u), 3); /* a/memory, b/cpu, b/memory */
  /* the first step: a's prediction plus b's demand */
  assert_true(fabs(vmp_utilization_load(u, 0, 0, 0) -
                   (1 + signal(T0 + 24 * 28 * 3600LL, T0 + (24 * 28 - 1) * 3600LL))) < 1e-6);
  assert_int_equal(vmp_utilization_alerts(u, &ao, &a), VMP_OK);
  assert_true(vmp_alerts_num_alerts(a) >= 1);
  al = vmp_alerts_alert_at(a, 0);
  assert_int_equal(al->kind, VMP_ALERT_OVERLOAD);
  assert_int_equal(al->severity, VMP_SEVERITY_CRITICAL);
  assert_string_equal(al->host, "h1");
  assert_string_equal(al->resource, "cpu");
  assert_true(al->value >= 0.95 && al->duration >= 900);
  assert_true(al->since > T0 + 24 * 28 * 3600LL);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  vmp_forecast_free(f);
  vmp_history_free(h);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_forecast__exact_coefficients_from_noise_free_series),
      cmocka_unit_test(test_forecast__daily_amplitude_following_the_trend),
      cmocka_unit_test(test_forecast__collinear_lags_are_rank_deficient),
      cmocka_unit_test(test_forecast__lstsq_collinear_columns),
      cmocka_unit_test(test_forecast__quantile_comes_from_the_residuals),
      cmocka_unit_test(test_forecast__short_history_falls_back_to_peak),
      cmocka_unit_test(test_forecast__poor_fit_falls_back_to_peak),
      cmocka_unit_test(test_forecast__gaps_and_jitter),
      cmocka_unit_test(test_forecast__options_are_checked),
      cmocka_unit_test(test_forecast__rightsize_and_json),
      cmocka_unit_test(test_forecast__alerts_ahead),
  };
  return cmocka_run_group_tests_name("forecast", tests, NULL, NULL);
}
