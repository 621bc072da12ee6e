/*
 * A build without forecasting (VMPLACE_WITH_FORECAST=OFF, no OpenBLAS):
 * the forecast API still exists, so that one program or binding links
 * against either build and asks vmp_has_feature("forecast") at run time.
 * No forecast can be made, so the accessors only ever see NULL.
 */
#ifndef VMPLACE_WITH_FORECAST
#include <math.h>

#include "internal.h"
#include "opts.h"

int vmp_history_forecast(const vmp_history *h, const vmp_forecast_opts *opts,
                         vmp_forecast **out) {
  (void)h;
  (void)opts;
  if (out) *out = NULL;
  return vmp__error(VMP_ENOTSUP, "forecasting is not in this build of vmplace "
                    "(built with VMPLACE_WITH_FORECAST=OFF)");
}

VMP__OPTS_ABI(forecast_opts_abi, vmp_forecast_opts, VMP_FORECAST_OPTS_VERSION,
              VMP_FORECAST_OPTS_INIT, "forecast options", "vmp_forecast_opts_init",
              VMP__OPTS_END(vmp_forecast_opts, validate));

int vmp_forecast_opts_init(vmp_forecast_opts *opts, uint32_t version) {
  return vmp__opts_init(&forecast_opts_abi, opts, version);
}

void vmp_forecast_free(vmp_forecast *f) { (void)f; }
double vmp_forecast_quantile(const vmp_forecast *f) { (void)f; return NAN; }
double vmp_forecast_horizon(const vmp_forecast *f) { (void)f; return NAN; }
size_t vmp_forecast_num_series(const vmp_forecast *f) { (void)f; return 0; }

int vmp_forecast_find(const vmp_forecast *f, const char *vm, const char *resource,
                      size_t *k) {
  (void)f;
  (void)vm;
  (void)resource;
  (void)k;
  return vmp__error(VMP_EINVAL, "vmp_forecast_find: no forecast in this build");
}

const char *vmp_forecast_series_vm(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return NULL;
}

const char *vmp_forecast_series_resource(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return NULL;
}

double vmp_forecast_series_value(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return NAN;
}

int vmp_forecast_series_model(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return -1;
}

const char *vmp_forecast_model_name(int model) {
  switch (model) {
    case VMP_FORECAST_REGRESSION: return "regression";
    case VMP_FORECAST_PEAK: return "peak";
    default: return "unknown";
  }
}

const char *vmp_forecast_series_reason(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return NULL;
}

double vmp_forecast_series_r2(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return NAN;
}

size_t vmp_forecast_series_samples(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return 0;
}

int64_t vmp_forecast_series_step(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return 0;
}

size_t vmp_forecast_series_num_points(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return 0;
}

int vmp_forecast_series_point_at(const vmp_forecast *f, size_t k, size_t i,
                              int64_t *timestamp, double *value) {
  (void)f;
  (void)k;
  (void)i;
  (void)timestamp;
  (void)value;
  return vmp__error(VMP_EINVAL, "vmp_forecast_series_point_at: no forecast in this build");
}

size_t vmp_forecast_series_num_terms(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return 0;
}

int vmp_forecast_series_term_at(const vmp_forecast *f, size_t k, size_t j,
                             const char **name, double *coef) {
  (void)f;
  (void)k;
  (void)j;
  (void)name;
  (void)coef;
  return vmp__error(VMP_EINVAL, "vmp_forecast_series_term_at: no forecast in this build");
}

size_t vmp_forecast_series_rank(const vmp_forecast *f, size_t k) {
  (void)f;
  (void)k;
  return 0;
}

int vmp_forecast_to_json(const vmp_forecast *f, char **out) {
  (void)f;
  if (out) *out = NULL;
  return vmp__error(VMP_ENOTSUP, "forecasting is not in this build of vmplace");
}

int vmp_forecast_rightsize(const vmp_forecast *f, const vmp_problem *p,
                           uint32_t flags, vmp_problem **out) {
  (void)f;
  (void)p;
  (void)flags;
  if (out) *out = NULL;
  return vmp__error(VMP_ENOTSUP, "forecasting is not in this build of vmplace");
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int vmp__no_forecast_unused;
#endif
