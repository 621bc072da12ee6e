/*
 * Host utilisation: per host and resource, the load over time from a
 * placement's demands, from measured usage, or from forecasts
 * (docs/forecast.md, "Utilisation").
 *
 * Series are put on one grid of buckets `step` seconds wide, aligned on the
 * epoch, so that VMs scraped a few seconds apart add up.  Only buckets where
 * some series has a sample exist: a period nobody measured is not a period
 * of sustained load.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "problem_impl.h"
#include "utilization.h"

/* Hosts x resources x buckets beyond this need a coarser step. */
#define MAX_CELLS 50000000.0

/* ---- the object ----------------------------------------------------------------- */

void vmp_utilization_free(vmp_utilization *u) {
  if (!u) return;
  VMP__FREE_ALL(u->names, u->host, u->res, u->cap, u->load, u->time, u->nvms, u->maintenance, u);
}

/* Allocates u for p with nt times; copies names and capacities. */
static int util_new(const vmp_problem *p, int source, size_t nt, vmp_utilization **out) {
  vmp_utilization *u;
  size_t nh = vmp_problem_num_hosts(p), nr = vmp_problem_num_resources(p), bytes = 0;
  size_t cells = vmp__mul(vmp__mul(nh, nr), nt);
  char *w;
  *out = NULL;
  if (!(u = vmp__calloc(1, sizeof *u))) return vmp__enomem();
  u->source = source;
  u->nh = nh;
  u->nr = nr;
  u->nt = nt;
  for (size_t h = 0; h < nh; h++) bytes += strlen(vmp_problem_host_name(p, h)) + 1;
  for (size_t r = 0; r < nr; r++) bytes += strlen(vmp_problem_resource_name(p, r)) + 1;
  u->names = vmp__malloc(bytes);
  u->host = vmp__calloc(nh, sizeof *u->host);
  u->res = vmp__calloc(nr, sizeof *u->res);
  u->cap = vmp__calloc(vmp__mul(nh, nr), sizeof *u->cap);
  u->load = cells || !(nh && nr && nt) ? vmp__calloc(cells, sizeof *u->load) : NULL;
  u->time = vmp__calloc(nt, sizeof *u->time);
  u->nvms = vmp__calloc(nh, sizeof *u->nvms);
  u->maintenance = vmp__calloc(nh, 1);
  if (!u->names || !u->host || !u->res || !u->cap || !u->load || !u->time ||
      !u->nvms || !u->maintenance) {
    vmp_utilization_free(u);
    return vmp__enomem();
  }
  w = u->names;
  for (size_t h = 0; h < nh; h++) {
    size_t n = strlen(vmp_problem_host_name(p, h)) + 1;
    memcpy(w, vmp_problem_host_name(p, h), n);
    u->host[h] = w;
    w += n;
    u->maintenance[h] = (unsigned char)vmp_problem_host_maintenance(p, h);
    for (size_t r = 0; r < nr; r++)
      u->cap[h * nr + r] = vmp_problem_host_effective_capacity(p, h, r);
  }
  for (size_t r = 0; r < nr; r++) {
    size_t n = strlen(vmp_problem_resource_name(p, r)) + 1;
    memcpy(w, vmp_problem_resource_name(p, r), n);
    u->res[r] = w;
    w += n;
  }
  *out = u;
  return 0;
}

/* The host of every VM: from s, or the problem's current placement. */
static int vm_hosts(const vmp_problem *p, const vmp_solution *s, size_t **out) {
  size_t nv = vmp_problem_num_vms(p), *host;
  *out = NULL;
  if (s) {
    if (vmp_solution_num_vms(s) != nv ||
        vmp_solution_num_hosts(s) != vmp_problem_num_hosts(p))
      return vmp__error(VMP_EINVAL, "the placement is not one of this problem (%zu "
                        "VMs and %zu hosts, the problem has %zu and %zu)",
                        vmp_solution_num_vms(s), vmp_solution_num_hosts(s), nv,
                        vmp_problem_num_hosts(p));
    for (size_t v = 0; v < nv; v++)
      if (strcmp(vmp_solution_vm_name(s, v), vmp_problem_vm_name(p, v)))
        return vmp__error(VMP_EINVAL, "the placement is not one of this problem "
                          "(VM %zu is \"%s\", not \"%s\")", v,
                          vmp_solution_vm_name(s, v), vmp_problem_vm_name(p, v));
  }
  if (!(host = vmp__calloc(nv, sizeof *host))) return vmp__enomem();
  for (size_t v = 0; v < nv; v++)
    host[v] = s ? vmp_solution_vm_host(s, v) : vmp_problem_vm_host(p, v);
  *out = host;
  return 0;
}

int vmp_utilization_from_placement(const vmp_problem *p, const vmp_solution *s,
                                   vmp_utilization **out) {
  vmp_utilization *u;
  size_t *host, nr;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_utilization_from_placement: out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "vmp_utilization_from_placement: problem is NULL");
  if ((rc = vm_hosts(p, s, &host))) return rc;
  if ((rc = util_new(p, VMP_UTILIZATION_PLACEMENT, 1, &u))) {
    free(host);
    return rc;
  }
  nr = u->nr;
  for (size_t v = 0; v < vmp_problem_num_vms(p); v++) {
    size_t h = host[v];
    if (h == VMP_NONE) continue;
    u->nvms[h]++;
    for (size_t r = 0; r < nr; r++) u->load[h * nr + r] += vmp_problem_vm_demand(p, v, r);
  }
  free(host);
  *out = u;
  return 0;
}

/* ---- series onto buckets ------------------------------------------------------------- */

/* One series to spread over the hosts, whatever it comes from. */
typedef struct view {
  const char *vm, *res;
  const int64_t *t;
  const double *v;
  size_t n;
  int64_t step;
  size_t vi, ri;          /* problem indices, once matched */
} view;

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Adds a matched series of a VM on host h to u's load at its buckets. */
static void add_series(vmp_utilization *u, const view *w, size_t h) {
  double *load = u->load + (h * u->nr + w->ri) * u->nt, hold = w->v[0];
  size_t i = 0;
  for (size_t j = 0; j < u->nt; j++) {
    int64_t b = u->time[j] / u->step;
    double sum = 0;
    size_t cnt = 0;
    while (i < w->n && floor_div(w->t[i], u->step) <= b) {
      if (floor_div(w->t[i], u->step) == b) {
        sum += w->v[i];
        cnt++;
      } else {
        hold = w->v[i];
      }
      i++;
    }
    if (cnt) hold = sum / (double)cnt;
    load[j] += hold;
  }
}

/* The utilisation of p under placement s from a set of series. */
static int from_views(const vmp_problem *p, const vmp_solution *s, view *w, size_t nw,
                      int64_t step, int source, vmp_utilization **out) {
  size_t nv = vmp_problem_num_vms(p), nr = vmp_problem_num_resources(p);
  size_t *host = NULL, matched = 0, unmatched = 0, total = 0, nb = 0;
  unsigned char *observed = NULL;
  int64_t *buckets = NULL, auto_step = 0;
  vmp_utilization *u = NULL;
  int rc;
  *out = NULL;
  if (step < 0) return vmp__error(VMP_EINVAL, "step: expected seconds >= 0, got %lld",
                                  (long long)step);
  if ((rc = vm_hosts(p, s, &host))) return rc;
  if (!(observed = vmp__calloc(vmp__mul(nv, nr), 1))) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t k = 0; k < nw; k++) {
    uint32_t vi, ri;
    /* the maps, not vmp_problem_find_*: a miss here is no error */
    if (w[k].n == 0 || !vmp__strmap_get(&p->vm_index, w[k].vm, &vi) ||
        !vmp__strmap_get(&p->res_index, w[k].res, &ri)) {
      w[k].vi = VMP_NONE;
      unmatched += w[k].n > 0;
      continue;
    }
    w[k].vi = vi;
    w[k].ri = ri;
    matched++;
    total += w[k].n;
    observed[w[k].vi * nr + w[k].ri] = 1;
    if (w[k].step > auto_step) auto_step = w[k].step;
  }
  if (!matched) {
    rc = vmp__error(VMP_ENOTFOUND, "none of the %zu series names a VM and a resource "
                    "of the problem", nw);
    goto out;
  }
  if (!step) step = auto_step > 0 ? auto_step : 1;
  if (!(buckets = vmp__malloc(vmp__mul(total, sizeof *buckets)))) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t k = 0; k < nw; k++)
    for (size_t i = 0; w[k].vi != VMP_NONE && i < w[k].n; i++)
      buckets[nb++] = floor_div(w[k].t[i], step);
  qsort(buckets, nb, sizeof *buckets, cmp_i64);
  {
    size_t m = 0;
    for (size_t i = 0; i < nb; i++)
      if (!m || buckets[i] != buckets[m - 1]) buckets[m++] = buckets[i];
    nb = m;
  }
  if ((double)vmp_problem_num_hosts(p) * (double)nr * (double)nb > MAX_CELLS) {
    rc = vmp__error(VMP_ERANGE, "%zu hosts x %zu resources x %zu buckets of %llds is "
                    "more than 5e7 values: use a larger step", vmp_problem_num_hosts(p),
                    nr, nb, (long long)step);
    goto out;
  }
  if ((rc = util_new(p, source, nb, &u))) goto out;
  u->step = step;
  u->unmatched = unmatched;
  for (size_t j = 0; j < nb; j++) u->time[j] = buckets[j] * step;
  for (size_t v = 0; v < nv; v++) {
    size_t h = host[v];
    if (h == VMP_NONE) continue;
    u->nvms[h]++;
    for (size_t r = 0; r < nr; r++) {
      double d = vmp_problem_vm_demand(p, v, r), *load = u->load + (h * nr + r) * nb;
      if (observed[v * nr + r]) continue;
      u->unobserved++;
      for (size_t j = 0; j < nb; j++) load[j] += d;
    }
  }
  for (size_t k = 0; k < nw; k++)
    if (w[k].vi != VMP_NONE && host[w[k].vi] != VMP_NONE) add_series(u, &w[k], host[w[k].vi]);
  *out = u;
  u = NULL;
out:
  vmp_utilization_free(u);
  free(host);
  free(observed);
  free(buckets);
  return rc;
}

int vmp_utilization_from_history(const vmp_problem *p, const vmp_solution *s,
                                 const vmp_history *h, int64_t step,
                                 vmp_utilization **out) {
  view *w;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_utilization_from_history: out is NULL");
  *out = NULL;
  if (!p || !h) return vmp__error(VMP_EINVAL, "vmp_utilization_from_history: NULL argument");
  if (!(w = vmp__calloc(h->nseries, sizeof *w))) return vmp__enomem();
  for (size_t k = 0; k < h->nseries; k++) {
    const vmp__series *hs = &h->series[k];
    w[k].vm = vmp__pool_str(&h->pool, hs->vm);
    w[k].res = vmp__pool_str(&h->pool, hs->resource);
    w[k].t = hs->t;
    w[k].v = hs->v;
    w[k].n = hs->n;
    w[k].step = vmp__series_step(hs->t, hs->n);
  }
  rc = from_views(p, s, w, h->nseries, step, VMP_UTILIZATION_OBSERVED, out);
  free(w);
  return rc;
}

int vmp_utilization_from_forecast(const vmp_problem *p, const vmp_solution *s,
                                  const vmp_forecast *f, int64_t step,
                                  vmp_utilization **out) {
  size_t n = vmp_forecast_num_series(f), total = 0, at = 0;
  int64_t *t = NULL;
  double *v = NULL;
  view *w = NULL;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_utilization_from_forecast: out is NULL");
  *out = NULL;
  if (!p || !f) return vmp__error(VMP_EINVAL, "vmp_utilization_from_forecast: NULL argument");
  for (size_t k = 0; k < n; k++) total += vmp_forecast_series_num_points(f, k);
  w = vmp__calloc(n, sizeof *w);
  t = vmp__malloc(vmp__mul(total, sizeof *t));
  v = vmp__malloc(vmp__mul(total, sizeof *v));
  if (!w || !t || !v) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t k = 0; k < n; k++) {
    w[k].vm = vmp_forecast_series_vm(f, k);
    w[k].res = vmp_forecast_series_resource(f, k);
    w[k].t = t + at;
    w[k].v = v + at;
    w[k].n = vmp_forecast_series_num_points(f, k);
    w[k].step = vmp_forecast_series_step(f, k);
    for (size_t i = 0; i < w[k].n; i++, at++)
      vmp_forecast_series_point_at(f, k, i, &t[at], &v[at]);
  }
  rc = from_views(p, s, w, n, step, VMP_UTILIZATION_FORECAST, out);
out:
  free(w);
  free(t);
  free(v);
  return rc;
}

/* ---- accessors ---------------------------------------------------------------------------- */

int vmp_utilization_source(const vmp_utilization *u) { return u ? u->source : -1; }

const char *vmp_utilization_source_name(int source) {
  switch (source) {
    case VMP_UTILIZATION_PLACEMENT: return "placement";
    case VMP_UTILIZATION_OBSERVED: return "observed";
    case VMP_UTILIZATION_FORECAST: return "forecast";
    default: return "unknown";
  }
}

size_t vmp_utilization_num_hosts(const vmp_utilization *u) { return u ? u->nh : 0; }

const char *vmp_utilization_host_name(const vmp_utilization *u, size_t h) {
  return u && h < u->nh ? u->host[h] : NULL;
}

size_t vmp_utilization_num_resources(const vmp_utilization *u) { return u ? u->nr : 0; }

const char *vmp_utilization_resource_name(const vmp_utilization *u, size_t r) {
  return u && r < u->nr ? u->res[r] : NULL;
}

size_t vmp_utilization_num_times(const vmp_utilization *u) { return u ? u->nt : 0; }

int64_t vmp_utilization_time(const vmp_utilization *u, size_t k) {
  return u && k < u->nt ? u->time[k] : 0;
}

int64_t vmp_utilization_step(const vmp_utilization *u) { return u ? u->step : 0; }

double vmp_utilization_load(const vmp_utilization *u, size_t h, size_t r, size_t k) {
  if (!u || h >= u->nh || r >= u->nr || k >= u->nt) return NAN;
  return u->load[(h * u->nr + r) * u->nt + k];
}

double vmp_utilization_capacity(const vmp_utilization *u, size_t h, size_t r) {
  if (!u || h >= u->nh || r >= u->nr) return NAN;
  return u->cap[h * u->nr + r];
}

double vmp__ratio(double load, double cap) {
  if (cap > 0) return load / cap;
  return load > 0 ? INFINITY : 0.0;
}

double vmp_utilization_ratio(const vmp_utilization *u, size_t h, size_t r, size_t k) {
  if (!u || h >= u->nh || r >= u->nr || k >= u->nt) return NAN;
  return vmp__ratio(u->load[(h * u->nr + r) * u->nt + k], u->cap[h * u->nr + r]);
}

size_t vmp_utilization_host_num_vms(const vmp_utilization *u, size_t h) {
  return u && h < u->nh ? u->nvms[h] : 0;
}

size_t vmp_utilization_num_unmatched(const vmp_utilization *u) {
  return u ? u->unmatched : 0;
}

size_t vmp_utilization_num_unobserved(const vmp_utilization *u) {
  return u ? u->unobserved : 0;
}
