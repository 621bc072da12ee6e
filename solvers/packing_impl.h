/*
 * The layout of the packing kernel's workspace (packing.h), shared by
 * packing.c and the greedy portfolio solver (greedy.c), whose iterated
 * greedy reorders items with the workspace's keys and scratch.
 */
#ifndef VMP_PACKING_IMPL_H
#define VMP_PACKING_IMPL_H

#include <string.h>

#include "packing.h"
#include "solvers.h"

/* ---- host trees ------------------------------------------------------------- */

/* A complete binary tree over host positions (leaves size..2*size-1).  Each
 * node holds, per resource and for one extra "presence" dimension, the
 * largest and smallest remaining capacity in its subtree.  An absent leaf
 * (a host not in this tree) has max -inf and min +inf, so that it never
 * covers a demand and never lowers a minimum. */
typedef struct vmp__htree {
  size_t size;
  uint32_t dims;        /* nres + 1 */
  double *mx, *mn;
  /* Whether tree_set keeps the inner minima up to date: only the scores
   * of best-fit style searches read them, so first fit leaves them stale
   * (binding to another rule rebuilds the tree). */
  int minima;
} vmp__htree;

/* ---- the workspace --------------------------------------------------------------- */

#define VMP__GREEDY_NW 3 /* weightings */

struct vmp__greedy {
  const vmp__model *m;
  vmp__state *st;
  int rule, kind, measure, weighting;
  double w[VMP__GREEDY_NW][VMP__MAX_RESOURCES];   /* resource weights */
  uint32_t *order[VMP__GREEDY_NW];                /* position -> host */
  uint32_t *pos[VMP__GREEDY_NW];                  /* host -> position */
  double *eff[VMP__GREEDY_NW];                    /* [h] cost per weighted capacity */
  /* allowed-host lists of small allowed classes, by position (lazy) */
  uint32_t **alist[VMP__GREEDY_NW];
  uint32_t *alist_n[VMP__GREEDY_NW];
  uint32_t nalist[VMP__GREEDY_NW];    /* classes the lists cover */
  uint8_t *alist_done;                /* [VMP__GREEDY_NW] built */
  uint8_t *tier;                      /* [i] restriction tier */
  uint8_t *has_soft;                  /* [i] */
  uint8_t *hidden;                    /* [h] */
  uint8_t *where;                     /* [h] 0 in no tree, 1 used, 2 empty */
  size_t nusable;                     /* hosts not in maintenance */
  vmp__htree used, empty;
  double *rem;                        /* scratch [nres + 1] */
  /* First-fit resume points for identical demands during an insert run
   * (see ff_cache_*); ff_gen invalidates them all at once. */
  struct ffc { uint64_t hash; uint32_t aclass, gen, pos, item; int phase; } *ffc;
  size_t nffc;
  uint32_t ff_gen;
  int ff_cache_on;
  long bb_budget;                     /* 0: exact searches */
  /* sort scratch */
  uint64_t *k1, *k2;
  uint32_t *v2;
  size_t scratch_n;
};

/* ---- sorting helpers ----------------------------------------------------------------- */

/* Makes the sort scratch (k1, k2, v2) hold n + 1 entries.  0 or
 * VMP_ENOMEM. */
int vmp__greedy_scratch(vmp__greedy *g, size_t n);

/* Stable LSD radix sort of (k[j], v[j]) by k ascending, with scratch k2,
 * v2 of n entries; byte passes where every key agrees are skipped. */
void vmp__radix_sort(uint64_t *k, uint32_t *v, uint64_t *k2, uint32_t *v2, size_t n);

/* A non-negative double as a key that sorts the same way. */
static inline uint64_t vmp__dkey(double x) {
  uint64_t u;
  if (!(x > 0.0)) return 0; /* 0, -0 and NaN first */
  memcpy(&u, &x, sizeof u);
  return u;
}

#endif /* VMP_PACKING_IMPL_H */
