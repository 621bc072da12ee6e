/*
 * The objective of an item placement computed from the compiled model, for
 * solvers comparing candidates.  The evaluator (src/model/evaluate.c) stays the
 * judge of every returned placement; the tests check that both agree.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers.h"

typedef struct dm {
  uint32_t dom;
  uint32_t n;
} dm;

/* Soft penalty of one soft group given item hosts. */
static double soft_group(const vmp__model *m, const vmp__mgroup *g,
                         const int32_t *host, dm *buf) {
  size_t nd = 0, placed = 0, best = 0;
  double viol = 0.0;
  for (uint32_t k = 0; k < g->nvms; k++) {
    int32_t h = host[m->vm_item[g->vms[k]]];
    uint32_t d;
    size_t j;
    if (h < 0) continue;
    placed++;
    d = vmp__model_dom(m, g->scope, (size_t)h);
    for (j = 0; j < nd && buf[j].dom != d; j++) {}
    if (j == nd) {
      buf[nd].dom = d;
      buf[nd++].n = 0;
    }
    buf[j].n++;
  }
  for (size_t j = 0; j < nd; j++) {
    if (g->policy == VMP_ANTI_AFFINITY && buf[j].n > 1) viol += buf[j].n - 1;
    if (buf[j].n > best) best = buf[j].n;
  }
  if (g->policy == VMP_AFFINITY) viol = (double)(placed - best);
  return viol * g->weight;
}

double vmp__model_objective(const vmp__model *m, const int32_t *host) {
  double obj = 0.0, bal = 0.0, cost = 0.0;
  double *load = calloc(m->nhosts * m->nres + 1, sizeof *load);
  uint8_t *used = calloc(m->nhosts + 1, 1);
  dm *buf = NULL;
  if (!load || !used) {
    free(load);
    free(used);
    return HUGE_VAL;
  }
  for (size_t i = 0; i < m->nitems; i++) {
    int32_t h = host[i];
    if (h < 0) {
      obj += m->item_pen[i];
      continue;
    }
    used[h] = 1;
    for (uint32_t r = 0; r < m->nres; r++)
      load[(size_t)h * m->nres + r] += m->idem[i * m->nres + r];
    obj += vmp__model_soft(m, i, (size_t)h);
    obj += vmp__model_migcost(m, i, (size_t)h);
  }
  for (size_t h = 0; h < m->nhosts; h++) {
    if (!used[h]) continue;
    cost += m->cost[h];
    for (uint32_t r = 0; r < m->nres; r++) {
      double c = m->cap[h * m->nres + r];
      if (c > 0.0 && load[h * m->nres + r] / c > bal) bal = load[h * m->nres + r] / c;
    }
  }
  obj += m->w.cost * cost + m->w.balance * bal;
  if (m->has_soft_groups) {
    size_t maxn = 0;
    for (uint32_t g = 0; g < m->ngroups; g++)
      if (!m->groups[g].hard && m->groups[g].nvms > maxn) maxn = m->groups[g].nvms;
    buf = malloc((maxn + 1) * sizeof *buf);
    for (uint32_t g = 0; buf && g < m->ngroups; g++)
      if (!m->groups[g].hard) obj += soft_group(m, &m->groups[g], host, buf);
  }
  free(buf);
  free(load);
  free(used);
  return obj;
}
