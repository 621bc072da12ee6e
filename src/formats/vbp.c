/*
 * VPSolver vector bin packing (.vbp): identical bins, item types with a
 * number of copies.
 *
 *   d                 dimensions
 *   W_1 .. W_d        bin capacity
 *   m                 item lines
 *   w_1 .. w_d b      m times: an item's size, then its number of copies
 *
 * vmplace has no "unlimited identical hosts", so the reader creates one
 * host per item copy: never fewer than an optimal packing needs, and the
 * cost objective (every host costs 1) counts the bins used.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

typedef struct vbp {
  long long d, m;
  double cap[VMP__MAX_RESOURCES];
  size_t cap_line;
  double *size;       /* [k * d + r] */
  long long *copies;
  size_t *line;       /* of each item, for messages while building */
  long long total;    /* copies over all items */
} vbp;

static void vbp_free(vbp *f) {
  free(f->size);
  free(f->copies);
  free(f->line);
}

static int parse(vmp__tok *t, vbp *f) {
  char what[96];
  int rc;
  if ((rc = vmp__tok_int(t, "number of dimensions", 1, VMP__MAX_RESOURCES,
                         &f->d)))
    return rc;
  for (long long r = 0; r < f->d; r++) {
    snprintf(what, sizeof what, "capacity %lld", r + 1);
    if ((rc = vmp__tok_size(t, what, &f->cap[r]))) return rc;
  }
  f->cap_line = t->line;
  if ((rc = vmp__tok_count(t, "number of items", (size_t)f->d + 1, &f->m)))
    return rc;
  f->size = vmp__calloc((size_t)f->m * (size_t)f->d, sizeof *f->size);
  f->copies = vmp__calloc((size_t)f->m, sizeof *f->copies);
  f->line = vmp__calloc((size_t)f->m, sizeof *f->line);
  if (!f->size || !f->copies || !f->line) return vmp__enomem();
  for (long long k = 0; k < f->m; k++) {
    for (long long r = 0; r < f->d; r++) {
      snprintf(what, sizeof what, "size %lld of item %lld", r + 1, k + 1);
      if ((rc = vmp__tok_size(t, what, &f->size[k * f->d + r]))) return rc;
    }
    f->line[k] = t->line;
    if ((rc = vmp__tok_copies(t, k, &f->copies[k], &f->total))) return rc;
  }
  return vmp__tok_end(t);
}

static int build(const vbp *f, const char *origin, vmp_problem *p) {
  char name[64];
  int rc;
  if ((rc = vmp__text_add_dims(p, f->d, origin))) return rc;
  for (long long h = 0; h < f->total; h++) {
    snprintf(name, sizeof name, "b%lld", h + 1);
    if ((rc = vmp_problem_add_host(p, name, f->cap, NULL)))
      return vmp__error_prefix(rc, "%s: line %zu", origin, f->cap_line);
  }
  return vmp__text_add_items(p, f->m, f->d, f->size, f->copies, f->line, origin);
}

VMP__TEXT_READER(vmp__read_vbp, vbp, parse, build, vbp_free)
