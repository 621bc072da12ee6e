/*
 * greedy: first-fit decreasing.  Items by priority, then the most
 * restricted first (fewest allowed hosts: a VM that only two hosts accept
 * must not find them full), then by decreasing size (the largest demand
 * relative to the average host capacity of that resource, L-inf); hosts by
 * cost per unit of capacity, so that cheap capacity fills first.
 */
#include <math.h>
#include <stdlib.h>

#include "../src/state.h"
#include "solver.h"

typedef struct keyed {
  double pen;       /* unplaced penalty: priority */
  uint32_t allowed; /* allowed hosts */
  double key;       /* size */
  uint32_t idx;
} keyed;

static int cmp_items(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->pen != y->pen) return x->pen > y->pen ? -1 : 1;
  if (x->allowed != y->allowed) return x->allowed < y->allowed ? -1 : 1;
  if (x->key != y->key) return x->key > y->key ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_hosts(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static int greedy_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  double avg[VMP__MAX_RESOURCES] = {0};
  keyed *items, *hosts;
  vmp__state st;
  int rc;
  items = malloc((m->nitems + 1) * sizeof *items);
  hosts = malloc((m->nhosts + 1) * sizeof *hosts);
  if (!items || !hosts || (rc = vmp__state_init(&st, m))) {
    free(items);
    free(hosts);
    return items && hosts ? rc : vmp__enomem();
  }
  for (size_t h = 0; h < m->nhosts; h++)
    for (uint32_t r = 0; r < m->nres; r++) avg[r] += m->cap[h * m->nres + r];
  for (uint32_t r = 0; r < m->nres; r++)
    avg[r] = m->nhosts && avg[r] > 0.0 ? avg[r] / (double)m->nhosts : 1.0;
  for (size_t i = 0; i < m->nitems; i++) {
    double s = 0.0;
    for (uint32_t r = 0; r < m->nres; r++) {
      double x = m->idem[i * m->nres + r] / avg[r];
      if (x > s) s = x;
    }
    items[i].key = s;
    items[i].idx = (uint32_t)i;
    items[i].pen = m->item_pen[i];
    items[i].allowed = m->aclasses[m->item_aclass[i]].allowed.count;
  }
  qsort(items, m->nitems, sizeof *items, cmp_items);
  for (size_t h = 0; h < m->nhosts; h++) {
    double capsum = 0.0;
    for (uint32_t r = 0; r < m->nres; r++) capsum += m->cap[h * m->nres + r] / avg[r];
    hosts[h].key = capsum > 0.0 ? m->cost[h] / capsum : HUGE_VAL;
    hosts[h].idx = (uint32_t)h;
  }
  qsort(hosts, m->nhosts, sizeof *hosts, cmp_hosts);
  for (size_t k = 0; k < m->nitems; k++) {
    uint32_t i = items[k].idx;
    if (m->item_unplaceable[i]) continue;
    for (size_t j = 0; j < m->nhosts; j++)
      if (vmp__state_fits(&st, i, hosts[j].idx)) {
        vmp__state_place(&st, i, hosts[j].idx);
        break;
      }
  }
  for (size_t i = 0; i < m->nitems; i++) res->host[i] = st.host[i];
  res->stop_reason = VMP_STOP_COMPLETED;
  vmp__state_free(&st);
  free(items);
  free(hosts);
  return 0;
}

const vmp__solver vmp__solver_greedy = {
    "greedy", "first-fit decreasing, hosts by cost efficiency", greedy_solve,
    NULL, 0};
