/*
 * BPPLIB one-dimensional bin packing (.txt): the number of items n, the bin
 * capacity, then n weights.  The files come with CRLF line ends, which the
 * tokenizer treats as whitespace.
 *
 * One resource "size"; n hosts b1..bn (n bins always suffice) with the
 * capacity; VMs i1..in.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

/* n items make n hosts and n VMs; a million of each already takes hundreds
 * of megabytes, whatever the file size. */
#define MAX_ITEMS 1000000

/* Every weight needs a digit and a separator, so a count larger than the
 * rest of the input can hold is refused before anything is allocated. */
static int read_count(vmp__tok *t, const char *what, long long *n) {
  int rc = vmp__tok_count(t, what, 1, n);
  if (rc) return rc;
  if (*n > MAX_ITEMS)
    return vmp__error(VMP_ERANGE, "%s: line %zu: %s: more than %d items are "
                      "not supported", t->origin, t->line, what, MAX_ITEMS);
  return 0;
}

typedef struct bpp {
  long long n;
  double cap;
  size_t cap_line;
  double *weight;
  size_t *line;
} bpp;

static void bpp_free(bpp *f) {
  free(f->weight);
  free(f->line);
}

static int parse(vmp__tok *t, bpp *f) {
  char what[64];
  int rc;
  if ((rc = read_count(t, "number of items", &f->n)) ||
      (rc = vmp__tok_size(t, "capacity", &f->cap)))
    return rc;
  f->cap_line = t->line;
  f->weight = vmp__calloc((size_t)f->n, sizeof *f->weight);
  f->line = vmp__calloc((size_t)f->n, sizeof *f->line);
  if (!f->weight || !f->line) return vmp__enomem();
  for (long long k = 0; k < f->n; k++) {
    snprintf(what, sizeof what, "weight of item %lld", k + 1);
    if ((rc = vmp__tok_size(t, what, &f->weight[k]))) return rc;
    f->line[k] = t->line;
  }
  return vmp__tok_end(t);
}

static int build(const bpp *f, const char *origin, vmp_problem *p) {
  char name[64];
  int rc;
  if ((rc = vmp_problem_add_resource(p, "size", NULL)))
    return vmp__error_prefix(rc, "%s", origin);
  for (long long h = 0; h < f->n; h++) {
    snprintf(name, sizeof name, "b%lld", h + 1);
    if ((rc = vmp_problem_add_host(p, name, &f->cap, NULL)))
      return vmp__error_prefix(rc, "%s: line %zu", origin, f->cap_line);
  }
  for (long long k = 0; k < f->n; k++) {
    snprintf(name, sizeof name, "i%lld", k + 1);
    if ((rc = vmp_problem_add_vm(p, name, &f->weight[k], NULL)))
      return vmp__error_prefix(rc, "%s: line %zu", origin, f->line[k]);
  }
  return 0;
}

VMP__TEXT_READER(vmp__read_bpplib, bpp, parse, build, bpp_free)
