/*
 * Forecasts out: JSON, and right-sizing a problem with them.  Only the
 * public accessors are used, so the layout of the forecast stays private to
 * forecast.c.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "json_util.h"
#include "problem_impl.h"

static json_t *series_json(const vmp_forecast *f, size_t k) {
  json_t *o = json_object(), *pts = json_array();
  const char *reason = vmp_forecast_series_reason(f, k);
  double r2 = vmp_forecast_series_r2(f, k);
  int bad = !o || !pts;
  if (bad) {
    json_decref(o);
    json_decref(pts);
    return NULL;
  }
  bad |= vmp__json_add(o, "vm", json_string(vmp_forecast_series_vm(f, k)));
  bad |= vmp__json_add(o, "resource", json_string(vmp_forecast_series_resource(f, k)));
  bad |= vmp__json_add(o, "value", vmp__json_num(vmp_forecast_series_value(f, k)));
  bad |= vmp__json_add(o, "model",
                       json_string(vmp_forecast_model_name(vmp_forecast_series_model(f, k))));
  bad |= vmp__json_add(o, "fit_r2", isnan(r2) ? json_null() : vmp__json_num(r2));
  bad |= vmp__json_add(o, "reason", reason && reason[0] ? json_string(reason) : json_null());
  bad |= vmp__json_add(o, "samples",
                       json_integer((json_int_t)vmp_forecast_series_samples(f, k)));
  bad |= vmp__json_add(o, "step_s", json_integer((json_int_t)vmp_forecast_series_step(f, k)));
  for (size_t i = 0; !bad && i < vmp_forecast_series_num_points(f, k); i++) {
    json_t *p;
    int64_t t;
    double v;
    vmp_forecast_series_point_at(f, k, i, &t, &v);
    p = json_pack("{s:I, s:o}", "timestamp", (json_int_t)t, "value", vmp__json_num(v));
    /* json_array_append_new takes p, even when it fails */
    bad |= !p || json_array_append_new(pts, p);
  }
  if (bad) {
    json_decref(pts);
    json_decref(o);
    return NULL;
  }
  if (vmp__json_add(o, "points", pts)) {
    /* json_object_set_new took pts, even though it failed */
    json_decref(o);
    return NULL;
  }
  return o;
}

int vmp_forecast_to_json(const vmp_forecast *f, char **out) {
  json_t *root, *arr;
  int bad;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_forecast_to_json: out is NULL");
  *out = NULL;
  if (!f) return vmp__error(VMP_EINVAL, "vmp_forecast_to_json: forecast is NULL");
  root = json_object();
  arr = json_array();
  if (!root || !arr) {
    json_decref(root);
    json_decref(arr);
    return vmp__enomem();
  }
  bad = vmp__json_add(root, "quantile", vmp__json_num(vmp_forecast_quantile(f)));
  bad |= vmp__json_add(root, "horizon_s", vmp__json_num(vmp_forecast_horizon(f)));
  for (size_t k = 0; !bad && k < vmp_forecast_num_series(f); k++)
    bad |= json_array_append_new(arr, series_json(f, k));
  /* json_object_set_new takes arr whatever happens */
  bad |= vmp__json_add(root, "forecasts", arr);
  /* Ten significant digits: predictions carry no more, and 0.95 stays 0.95. */
  if (!bad) *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(10));
  json_decref(root);
  return *out ? 0 : vmp__enomem();
}

int vmp_forecast_rightsize(const vmp_forecast *f, const vmp_problem *p,
                           uint32_t flags, vmp_problem **out) {
  vmp_problem *q = NULL;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_forecast_rightsize: out is NULL");
  *out = NULL;
  if (!f || !p) return vmp__error(VMP_EINVAL, "vmp_forecast_rightsize: NULL argument");
  if (flags & ~VMP_RIGHTSIZE_IGNORE_UNKNOWN)
    return vmp__error(VMP_EINVAL, "vmp_forecast_rightsize: unknown flags 0x%x", flags);
  if ((rc = vmp_problem_clone(p, &q))) return rc;
  for (size_t k = 0; k < vmp_forecast_num_series(f); k++) {
    const char *vm = vmp_forecast_series_vm(f, k);
    const char *res = vmp_forecast_series_resource(f, k);
    uint32_t v = 0, r = 0;
    /* the maps, not vmp_problem_find_*: a skipped name is no error */
    int no_vm = !vmp__strmap_get(&p->vm_index, vm, &v);
    int no_res = !no_vm && !vmp__strmap_get(&p->res_index, res, &r);
    if (no_vm || no_res) {
      if (flags & VMP_RIGHTSIZE_IGNORE_UNKNOWN) continue;
      vmp_problem_free(q);
      return vmp__error(VMP_ENOTFOUND, "forecast %s/%s: the problem has no %s \"%s\"",
                        vm, res, no_vm ? "VM" : "resource", no_vm ? vm : res);
    }
    if ((rc = vmp_problem_set_vm_demand(q, v, r, vmp_forecast_series_value(f, k)))) {
      vmp_problem_free(q);
      return rc;
    }
  }
  *out = q;
  return 0;
}

const char *vmp_forecast_model_name(int model) {
  switch (model) {
    case VMP_FORECAST_REGRESSION: return "regression";
    case VMP_FORECAST_PEAK: return "peak";
    default: return "unknown";
  }
}
