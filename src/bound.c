/*
 * Lower bounds on the objective that need no solver (docs/formulations.md,
 * "Bounds").  Every solution's bound is at least this.
 *
 * Let S be the items that can be placed at all, P0 the penalty of the
 * others (they are unplaced in every placement) and pmin the smallest
 * penalty in S.  Any placement either places all of S, paying at least the
 * cheapest fractional cover of S's volume in each resource (host cost),
 * the average utilisation (balance) and the migrations forced by current
 * hosts that are no longer allowed; or leaves some item of S out, paying at
 * least pmin.  Hence
 *     bound = P0 + min(pmin, w_cost * max_r cover_r + w_bal * util + mig).
 * cover_r is rounded up when every host cost is an integer.
 */
#include <math.h>
#include <stdlib.h>

#include "model.h"

typedef struct ratio {
  double key;   /* cost per unit of capacity */
  uint32_t h;
} ratio;

static int cmp_ratio(const void *a, const void *b) {
  const ratio *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->h > y->h) - (x->h < y->h);
}

/* Cheapest fractional set of usable hosts whose capacity in r covers vol;
 * HUGE_VAL when even every host together is too small. */
static double cover(const vmp__model *m, uint32_t r, double vol, ratio *buf) {
  size_t n = 0;
  double total = 0.0, cost = 0.0;
  for (size_t h = 0; h < m->nhosts; h++) {
    double c = m->cap[h * m->nres + r];
    if (!m->usable[h] || c <= 0.0) continue;
    buf[n].key = m->cost[h] / c;
    buf[n].h = (uint32_t)h;
    total += c;
    n++;
  }
  if (vol <= 0.0) return 0.0;
  if (vol > total * (1 + VMP__REL_EPS) + VMP__ABS_EPS) return HUGE_VAL;
  qsort(buf, n, sizeof *buf, cmp_ratio);
  for (size_t k = 0; k < n && vol > 0.0; k++) {
    double c = m->cap[buf[k].h * m->nres + r];
    double take = vol < c ? vol : c;
    cost += m->cost[buf[k].h] * take / c;
    vol -= take;
  }
  return cost;
}

double vmp__model_bound(const vmp__model *m) {
  double p0 = 0.0, pmin = HUGE_VAL, best_cover = 0.0, util = 0.0, mig = 0.0;
  int integral = 1, any = 0;
  ratio *buf;
  for (size_t h = 0; h < m->nhosts; h++)
    if (m->cost[h] != floor(m->cost[h])) integral = 0;
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) {
      p0 += m->item_pen[i];
      continue;
    }
    any = 1;
    if (m->item_pen[i] < pmin) pmin = m->item_pen[i];
    if (m->item_cur[i] >= 0 && !vmp__model_allowed(m, i, (size_t)m->item_cur[i]))
      mig += m->item_mig[i];
  }
  if (!any) return p0;
  buf = malloc((m->nhosts ? m->nhosts : 1) * sizeof *buf);
  if (!buf) return p0; /* still a valid bound */
  for (uint32_t r = 0; r < m->nres; r++) {
    double vol = 0.0, capsum = 0.0, c;
    for (size_t i = 0; i < m->nitems; i++)
      if (!m->item_unplaceable[i]) vol += m->idem[i * m->nres + r];
    for (size_t h = 0; h < m->nhosts; h++)
      if (m->usable[h]) capsum += m->cap[h * m->nres + r];
    c = cover(m, r, vol, buf);
    if (c == HUGE_VAL) {
      /* Not everything placeable fits together: something is left out. */
      free(buf);
      return p0 + pmin;
    }
    if (integral) c = ceil(c - 1e-9);
    if (c > best_cover) best_cover = c;
    if (capsum > 0.0 && vol / capsum > util) util = vol / capsum;
  }
  free(buf);
  {
    double placed_all = m->w.cost * best_cover + m->w.balance * util + mig;
    return p0 + (placed_all < pmin ? placed_all : pmin);
  }
}
