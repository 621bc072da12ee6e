/*
 * --online N: the latency of placing arriving VMs one at a time into a
 * loaded datacenter through the online placement API
 * (include/vmplace/place.h: vmp_placer_new, vmp_place, vmp_placer_free),
 * then of N unforeseen VMs, which the placer's problem did not have,
 * added and placed through vmp_placer_add_vm.  The loaded datacenter
 * comes from the generator (bench/generator.c).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplace/vmplace.h"
#include "bench.h"

#include "generator.h"
#include "vmplace/place.h"

/* Adds the VMs of `from` to p as new VMs (no current host) named
 * "arrival-<k>", with their demands and labels.  Returns the index of the
 * first one. */
static int add_arrivals(vmp_problem *p, const vmp_problem *from,
                        size_t *first, char *err) {
  size_t nr = vmp_problem_num_resources(p), n = vmp_problem_num_vms(from);
  double *d = malloc((nr ? nr : 1) * sizeof *d);
  int rc = 0;
  if (!d) return vmpb_errf(err, "out of memory");
  if (vmp_problem_num_resources(from) != nr) {
    free(d);
    return vmpb_errf(err, "generator: the arrivals have other resources");
  }
  *first = vmp_problem_num_vms(p);
  for (size_t v = 0; !rc && v < n; v++) {
    char name[64];
    size_t idx;
    snprintf(name, sizeof name, "arrival-%zu", v + 1);
    for (size_t r = 0; r < nr; r++) d[r] = vmp_problem_vm_demand(from, v, r);
    rc = vmp_problem_add_vm(p, name, d, &idx);
    for (size_t k = 0; !rc && k < vmp_problem_vm_num_labels(from, v); k++) {
      const char *key, *val;
      if (!(rc = vmp_problem_vm_label_at(from, v, k, &key, &val)))
        rc = vmp_problem_set_vm_label(p, idx, key, val);
    }
  }
  free(d);
  if (rc) return vmpb_errf(err, "adding arrivals: %s", vmp_last_error());
  return 0;
}

/* N unforeseen VMs drawn from the generator (other seed), added to the
 * open placer one at a time; each vmp_placer_add_vm call timed. */
static int add_unforeseen(vmp_placer *pl, size_t hosts, size_t n, uint64_t gen_seed,
                          vmpb_online_result *r, char *err) {
  vmpb_gen_opts g;
  vmp_problem *q = NULL;
  double *lat = NULL, *d = NULL;
  const char **keys = NULL, **vals = NULL;
  size_t nr;
  int rc = -1;
  vmpb_gen_opts_init(&g, hosts, n, gen_seed + 2 * 0x9e3779b97f4a7c15ULL);
  g.current = 0;
  g.anti_affinity = 0;
  if (vmpb_generate(&g, &q)) return vmpb_errf(err, "generator: %s", vmp_last_error());
  nr = vmp_problem_num_resources(q);
  lat = malloc((n ? n : 1) * sizeof *lat);
  d = malloc((nr ? nr : 1) * sizeof *d);
  if (!lat || !d) {
    vmpb_errf(err, "out of memory");
    goto done;
  }
  for (size_t v = 0; v < n; v++) {
    size_t nl = vmp_problem_vm_num_labels(q, v), host = VMP_NONE;
    char name[64];
    double t0;
    int prc;
    const char **k2 = realloc(keys, (nl + 1) * sizeof *k2), **v2;
    if (k2) keys = k2;
    v2 = realloc(vals, (nl + 1) * sizeof *v2);
    if (v2) vals = v2;
    if (!k2 || !v2) {
      vmpb_errf(err, "out of memory");
      goto done;
    }
    for (size_t k = 0; k < nl; k++) vmp_problem_vm_label_at(q, v, k, &keys[k], &vals[k]);
    for (size_t res = 0; res < nr; res++) d[res] = vmp_problem_vm_demand(q, v, res);
    snprintf(name, sizeof name, "unforeseen-%zu", v + 1);
    t0 = vmpb_now();
    prc = vmp_placer_add_vm(pl, name, d, keys, vals, nl, NULL, &host);
    lat[v] = (vmpb_now() - t0) * 1e6;
    if (prc != VMP_OK) {
      vmpb_errf(err, "vmp_placer_add_vm %s: %s: %s", name, vmp_err_name(prc),
                vmp_last_error());
      goto done;
    }
    r->added_placed += host != VMP_NONE;
  }
  r->added = n;
  r->add_median_us = vmpb_median(lat, n);
  r->add_p99_us = vmpb_percentile(lat, n, 99);
  r->add_max_us = 0;
  for (size_t v = 0; v < n; v++)
    if (lat[v] > r->add_max_us) r->add_max_us = lat[v];
  rc = 0;
done:
  free(lat);
  free(d);
  free(keys);
  free(vals);
  vmp_problem_free(q);
  return rc;
}

int vmpb_online_run(size_t hosts, size_t vms, uint64_t gen_seed,
                    size_t arrivals, uint64_t seed, vmpb_online_result *r,
                    char *err) {
  vmpb_gen_opts g;
  vmp_problem *p = NULL, *q = NULL;
  vmp_placer *pl = NULL;
  vmp_solve_opts opts;
  double *lat = NULL, t0, sum = 0;
  size_t first = 0, failed = 0;
  int rc = -1, first_rc = 0;
  char first_msg[200] = "";
  memset(r, 0, sizeof *r);
  r->peak_mib = NAN;
  r->add_median_us = r->add_p99_us = r->add_max_us = NAN;
  snprintf(r->status, sizeof r->status, "ok");
  r->hosts = hosts;
  r->vms = vms;
  r->arrivals = arrivals;
  /* the running datacenter: every VM on a host */
  vmpb_gen_opts_init(&g, hosts, vms, gen_seed);
  g.current = 1;
  if (vmpb_generate(&g, &p)) {
    vmpb_errf(err, "generator: %s", vmp_last_error());
    goto done;
  }
  /* the arrivals come from the same catalogue, drawn with another seed;
   * no groups among them (they arrive one by one) */
  vmpb_gen_opts_init(&g, hosts, arrivals, gen_seed + 0x9e3779b97f4a7c15ULL);
  g.current = 0;
  g.anti_affinity = 0;
  if (vmpb_generate(&g, &q)) {
    vmpb_errf(err, "generator: %s", vmp_last_error());
    goto done;
  }
  if (add_arrivals(p, q, &first, err)) goto done;
  vmp_problem_free(q);
  q = NULL;
  if (!(lat = malloc((arrivals ? arrivals : 1) * sizeof *lat))) {
    vmpb_errf(err, "out of memory");
    goto done;
  }
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.seed = seed;
  opts.threads = 1;
  t0 = vmpb_now();
  if (vmp_placer_new(p, &opts, &pl)) {
    vmpb_errf(err, "vmp_placer_new: %s", vmp_last_error());
    goto done;
  }
  r->setup_s = vmpb_now() - t0;
  for (size_t k = 0; k < arrivals; k++) {
    size_t host = VMP_NONE;
    int prc;
    t0 = vmpb_now();
    prc = vmp_place(pl, first + k, &host);
    lat[k] = (vmpb_now() - t0) * 1e6;
    sum += lat[k];
    if (prc == VMP_OK && host != VMP_NONE) {
      r->placed++;
    } else if (prc != VMP_OK) {
      if (!failed++) {
        first_rc = prc;
        snprintf(first_msg, sizeof first_msg, "%s", vmp_last_error());
      }
    }
  }
  if (arrivals && failed == arrivals) {
    vmpb_errf(err, "vmp_place failed for every arrival: %s: %s",
              vmp_err_name(first_rc), first_msg);
    goto done;
  }
  if (failed)
    snprintf(r->note, sizeof r->note, "%zu calls failed, the first: %s: %s",
             failed, vmp_err_name(first_rc), first_msg);
  r->mean_us = arrivals ? sum / (double)arrivals : NAN;
  r->max_us = 0;
  for (size_t k = 0; k < arrivals; k++)
    if (lat[k] > r->max_us) r->max_us = lat[k];
  r->p99_us = vmpb_percentile(lat, arrivals, 99);
  r->median_us = vmpb_median(lat, arrivals);
  if (add_unforeseen(pl, hosts, arrivals, gen_seed, r, err)) goto done;
  r->peak_mib = vmpb_peak_mib(0);
  rc = 0;
done:
  vmp_placer_free(pl);
  vmp_problem_free(p);
  vmp_problem_free(q);
  free(lat);
  return rc;
}

/* ---- the result on the worker's pipe ------------------------------------------------- */

static int put(int fd, const char *key, const char *fmt, ...) {
  char line[600];
  va_list ap;
  int n = snprintf(line, sizeof line, "%s=", key);
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  return vmpb_write_all(fd, line, (size_t)n);
}

int vmpb_online_write_result(int fd, const vmpb_online_result *r) {
  char note[sizeof r->note];
  int bad = 0;
  snprintf(note, sizeof note, "%s", r->note);
  for (char *c = note; *c; c++)
    if (*c == '\n' || *c == '\r') *c = ' ';
  bad |= put(fd, "status", "%s", r->status);
  bad |= put(fd, "hosts", "%zu", r->hosts);
  bad |= put(fd, "vms", "%zu", r->vms);
  bad |= put(fd, "arrivals", "%zu", r->arrivals);
  bad |= put(fd, "placed", "%zu", r->placed);
  bad |= put(fd, "setup_s", "%.17g", r->setup_s);
  bad |= put(fd, "median_us", "%.17g", r->median_us);
  bad |= put(fd, "p99_us", "%.17g", r->p99_us);
  bad |= put(fd, "max_us", "%.17g", r->max_us);
  bad |= put(fd, "mean_us", "%.17g", r->mean_us);
  bad |= put(fd, "peak_mib", "%.17g", r->peak_mib);
  bad |= put(fd, "note", "%s", note);
  bad |= put(fd, "added", "%zu", r->added);
  bad |= put(fd, "added_placed", "%zu", r->added_placed);
  bad |= put(fd, "add_median_us", "%.17g", r->add_median_us);
  bad |= put(fd, "add_p99_us", "%.17g", r->add_p99_us);
  bad |= put(fd, "add_max_us", "%.17g", r->add_max_us);
  bad |= put(fd, "end", "1");
  return bad ? -1 : 0;
}

int vmpb_online_parse_result(const char *text, vmpb_online_result *r) {
  char key[VMPB_KV_KEY], val[VMPB_KV_VAL];
  int complete = 0;
  memset(r, 0, sizeof *r);
  r->setup_s = r->median_us = r->p99_us = r->max_us = r->mean_us = NAN;
  r->peak_mib = NAN;
  r->add_median_us = r->add_p99_us = r->add_max_us = NAN;
  for (const char *p = text; vmpb_kv_next(&p, key, val);) {
    if (!strcmp(key, "status")) snprintf(r->status, sizeof r->status, "%s", val);
    else if (!strcmp(key, "hosts")) r->hosts = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "vms")) r->vms = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "arrivals")) r->arrivals = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "placed")) r->placed = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "setup_s")) r->setup_s = strtod(val, NULL);
    else if (!strcmp(key, "median_us")) r->median_us = strtod(val, NULL);
    else if (!strcmp(key, "p99_us")) r->p99_us = strtod(val, NULL);
    else if (!strcmp(key, "max_us")) r->max_us = strtod(val, NULL);
    else if (!strcmp(key, "mean_us")) r->mean_us = strtod(val, NULL);
    else if (!strcmp(key, "peak_mib")) r->peak_mib = strtod(val, NULL);
    else if (!strcmp(key, "note")) snprintf(r->note, sizeof r->note, "%s", val);
    else if (!strcmp(key, "added")) r->added = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "added_placed")) r->added_placed = (size_t)strtoull(val, NULL, 10);
    else if (!strcmp(key, "add_median_us")) r->add_median_us = strtod(val, NULL);
    else if (!strcmp(key, "add_p99_us")) r->add_p99_us = strtod(val, NULL);
    else if (!strcmp(key, "add_max_us")) r->add_max_us = strtod(val, NULL);
    else if (!strcmp(key, "end")) complete = 1;
  }
  return complete;
}
