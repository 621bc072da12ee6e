/*
 * VPSolver heterogeneous bins (.mvp): bin types with a cost and a count,
 * item types with copies.
 *
 *   p                           dimensions
 *   q                           bin types
 *   W_1 .. W_p cost count       q times (count -1: unlimited)
 *   m                           item types
 *   t b                         m times: shapes and copies of an item,
 *   w_1 .. w_p                    then t lines, one per shape
 *
 * An item with t > 1 may take any one of its shapes.  vmplace gives a VM
 * one demand, so such files are refused (VMP_ENOTSUP) rather than silently
 * reduced to their first shape, which would change the optimum.
 *
 * An unlimited bin type becomes as many hosts as there are item copies:
 * a packing never needs more bins of one type than items.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

/* Unlimited bin types multiply like copies (readers.h), so the file size
 * does not bound the hosts either; a million already take hundreds of MB. */
#define MAX_HOSTS 1000000

typedef struct mvp {
  long long p;             /* dimensions */
  long long q;             /* bin types */
  double *cap;             /* [j * p + r] */
  double *cost;
  long long *count;        /* -1: unlimited */
  size_t *bin_line;
  long long m;             /* item types */
  double *size;            /* [k * p + r] */
  long long *copies;
  size_t *item_line;
  long long total;         /* item copies over all types */
} mvp;

static void mvp_free(mvp *f) {
  VMP__FREE_ALL(f->cap, f->cost, f->count, f->bin_line, f->size, f->copies, f->item_line);
}

static int parse_bins(vmp__tok *t, mvp *f) {
  char what[96];
  int rc;
  if ((rc = vmp__tok_count(t, "number of bin types", (size_t)f->p + 2, &f->q)))
    return rc;
  f->cap = vmp__calloc((size_t)f->q * (size_t)f->p, sizeof *f->cap);
  f->cost = vmp__calloc((size_t)f->q, sizeof *f->cost);
  f->count = vmp__calloc((size_t)f->q, sizeof *f->count);
  f->bin_line = vmp__calloc((size_t)f->q, sizeof *f->bin_line);
  if (!f->cap || !f->cost || !f->count || !f->bin_line) return vmp__enomem();
  for (long long j = 0; j < f->q; j++) {
    for (long long r = 0; r < f->p; r++) {
      snprintf(what, sizeof what, "capacity %lld of bin type %lld", r + 1,
               j + 1);
      if ((rc = vmp__tok_size(t, what, &f->cap[j * f->p + r]))) return rc;
    }
    f->bin_line[j] = t->line;
    snprintf(what, sizeof what, "cost of bin type %lld", j + 1);
    if ((rc = vmp__tok_size(t, what, &f->cost[j]))) return rc;
    snprintf(what, sizeof what, "number of bins of type %lld (-1: unlimited)",
             j + 1);
    if ((rc = vmp__tok_int(t, what, -1, MAX_HOSTS, &f->count[j]))) return rc;
  }
  return 0;
}

static int parse_items(vmp__tok *t, mvp *f) {
  char what[96];
  int rc;
  if ((rc = vmp__tok_count(t, "number of item types", (size_t)f->p + 2, &f->m)))
    return rc;
  f->size = vmp__calloc((size_t)f->m * (size_t)f->p, sizeof *f->size);
  f->copies = vmp__calloc((size_t)f->m, sizeof *f->copies);
  f->item_line = vmp__calloc((size_t)f->m, sizeof *f->item_line);
  if (!f->size || !f->copies || !f->item_line) return vmp__enomem();
  for (long long k = 0; k < f->m; k++) {
    long long shapes;
    snprintf(what, sizeof what, "number of shapes of item %lld", k + 1);
    if ((rc = vmp__tok_int(t, what, 1, LLONG_MAX, &shapes))) return rc;
    if (shapes > 1)
      return vmp__error(VMP_ENOTSUP, "%s: line %zu: item %lld has %lld "
                        "alternative shapes; items with alternative shapes "
                        "are not supported (a VM has one demand)",
                        t->origin, t->line, k + 1, shapes);
    if ((rc = vmp__tok_copies(t, k, &f->copies[k], &f->total))) return rc;
    for (long long r = 0; r < f->p; r++) {
      snprintf(what, sizeof what, "size %lld of item %lld", r + 1, k + 1);
      if ((rc = vmp__tok_size(t, what, &f->size[k * f->p + r]))) return rc;
    }
    f->item_line[k] = t->line;
  }
  return 0;
}

static int parse(vmp__tok *t, mvp *f) {
  int rc;
  if ((rc = vmp__tok_int(t, "number of dimensions", 1, VMP__MAX_RESOURCES,
                         &f->p)) ||
      (rc = parse_bins(t, f)) || (rc = parse_items(t, f)))
    return rc;
  return vmp__tok_end(t);
}

static long long bins_of_type(const mvp *f, long long j) {
  return f->count[j] < 0 ? f->total : f->count[j];
}

static int build_hosts(const mvp *f, const char *origin, vmp_problem *p) {
  char name[64];
  long long hosts = 0;
  int rc;
  /* Counted before any host is made, so that too many fail at once. */
  for (long long j = 0; j < f->q; j++) {
    hosts += bins_of_type(f, j);
    if (hosts > MAX_HOSTS)
      return vmp__error(VMP_ERANGE, "%s: line %zu: more than %d bins in all "
                        "are not supported", origin, f->bin_line[j],
                        MAX_HOSTS);
  }
  for (long long j = 0; j < f->q; j++) {
    long long n = bins_of_type(f, j);
    for (long long k = 0; k < n; k++) {
      size_t h;
      snprintf(name, sizeof name, "t%lld_%lld", j + 1, k + 1);
      if ((rc = vmp_problem_add_host(p, name, f->cap + j * f->p, &h)) ||
          (rc = vmp_problem_set_host_cost(p, h, f->cost[j])))
        return vmp__error_prefix(rc, "%s: line %zu", origin, f->bin_line[j]);
    }
  }
  return 0;
}

static int build(const mvp *f, const char *origin, vmp_problem *p) {
  int rc;
  if ((rc = vmp__text_add_dims(p, f->p, origin)) || (rc = build_hosts(f, origin, p)))
    return rc;
  return vmp__text_add_items(p, f->m, f->p, f->size, f->copies, f->item_line, origin);
}

VMP__TEXT_READER(vmp__read_mvp, mvp, parse, build, mvp_free)
