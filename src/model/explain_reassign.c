/*
 * Explanations of the rebalancing constraints (explain.h): why a VM cannot
 * go to a host because of a transient resource, a spread minimum or a
 * dependency, with names and numbers, and the cycle when a dependency
 * waits on a group that waits on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "model.h"

#define VN(v) vmp_problem_vm_name(p, (v))
#define HN(h) vmp_problem_host_name(p, (h))

static void dom_text(const vmp_problem *p, uint32_t scope, uint32_t h,
                     char *buf, size_t n) {
  uint32_t val = scope ? vmp__labels_get(&p->host_labels[h], scope) : 0;
  if (val)
    snprintf(buf, n, "%s %s", vmp__pool_str(&p->pool, scope),
             vmp__pool_str(&p->pool, val));
  else
    snprintf(buf, n, "host %s", HN(h));
}

/* A transient resource of host h holds the final load and what the VMs
 * whose current host is h but that end elsewhere still hold there.  With
 * v on h: the others' load and holds, and v's demand once (a VM coming
 * back to its current host holds nothing more there).  This applies to
 * every VM that goes to h, new ones and ones coming home included: the
 * holds of the others take room whoever comes. */
static void transient(const vmp__explainer *ex, uint32_t v, uint32_t h,
                      vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  uint32_t c = p->vm_host[v];
  if (!p->res_transient || !ex->held) return;
  for (uint32_t q = 0; q < p->nres; q++) {
    double cap, used, d = p->vm_demand[v * p->nres + q];
    char key[300], b1[32], b2[32], b3[32];
    if (!((p->res_transient >> q) & 1u)) continue;
    cap = vmp_problem_host_effective_capacity(p, h, q);
    used = ex->load[h * p->nres + q] + ex->held[h * p->nres + q];
    if (ex->vm_host[v] == h) used -= d;             /* v's own load there */
    else if (c == h) used -= d;                     /* v's own hold there */
    if (used + d <= cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
    snprintf(key, sizeof key, "transient %s", vmp_problem_resource_name(p, q));
    vmp__reasons_add(r, key,
                     "transient %s: needs %s, free %s of %s counting what VMs "
                     "moving away from %s still hold",
                     vmp_problem_resource_name(p, q), vmp__fmt_num(b1, d),
                     vmp__fmt_num(b2, cap - used > 0 ? cap - used : 0),
                     vmp__fmt_num(b3, cap), HN(h));
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static void spread(const vmp__explainer *ex, uint32_t v, uint32_t h,
                   const vmp__group *g, uint64_t *buf, vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  size_t n = 0, nd = 0, need;
  char key[600], where[600];
  for (uint32_t k = 0; k < g->nvms; k++) {
    uint32_t w = g->vms[k], wh = w == v ? h : ex->vm_host[w];
    if (wh != VMP__NO_HOST) buf[n++] = vmp__host_domain(p, g->scope, wh);
  }
  qsort(buf, n, sizeof *buf, cmp_u64);
  for (size_t k = 0; k < n; k++)
    if (!k || buf[k] != buf[k - 1]) nd++;
  need = g->min_domains < n ? g->min_domains : n;
  if (nd >= need) return;
  snprintf(key, sizeof key, "spread %s", vmp__pool_str(&p->pool, g->name));
  dom_text(p, g->scope, h, where, sizeof where);
  vmp__reasons_add(r, key,
                   "spread %s: with %s in %s its VMs cover %zu domain%s of "
                   "%s, at least %zu needed",
                   vmp__pool_str(&p->pool, g->name), VN(v), where, nd,
                   nd == 1 ? "" : "s",
                   g->scope ? vmp__pool_str(&p->pool, g->scope) : "host", need);
}

static int group_placed(const vmp__explainer *ex, const vmp__group *g,
                        uint32_t skip) {
  for (uint32_t k = 0; k < g->nvms; k++)
    if (g->vms[k] != skip && ex->vm_host[g->vms[k]] != VMP__NO_HOST) return 1;
  return 0;
}

/* Whether group `from` reaches group `to` through dependencies whose
 * groups have no placed VM (a cycle that keeps them all empty). */
static int empty_chain(const vmp__explainer *ex, uint32_t from, uint32_t to,
                       uint32_t v, uint8_t *seen) {
  const vmp_problem *p = ex->p;
  if (from == to) return 1;
  if (seen[from]) return 0;
  seen[from] = 1;
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    if (dp->group != from || !dp->hard) continue;
    if (group_placed(ex, &p->groups[dp->on], v)) continue;
    if (empty_chain(ex, dp->on, to, v, seen)) return 1;
  }
  return 0;
}

static void dependency(const vmp__explainer *ex, uint32_t v, uint32_t h,
                       const vmp__dep *dp, vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
  uint64_t d = vmp__host_domain(p, dp->scope, h);
  char key[600], where[600];
  uint8_t *seen;
  int cycle = 0;
  for (uint32_t k = 0; k < b->nvms; k++) {
    uint32_t w = b->vms[k], wh = w == v ? h : ex->vm_host[w];
    if (wh != VMP__NO_HOST && vmp__host_domain(p, dp->scope, wh) == d) return;
  }
  snprintf(key, sizeof key, "dependency %s -> %s",
           vmp__pool_str(&p->pool, a->name), vmp__pool_str(&p->pool, b->name));
  dom_text(p, dp->scope, h, where, sizeof where);
  if (!group_placed(ex, b, v) && (seen = calloc(p->ngroups + 1, 1))) {
    cycle = empty_chain(ex, dp->on, dp->group, v, seen);
    free(seen);
  }
  if (cycle)
    vmp__reasons_add(r, key,
                     "dependency %s -> %s: no VM of %s runs in %s; %s has no "
                     "placed VM and depends, through a cycle, on %s: their "
                     "first VMs must be placed together",
                     vmp__pool_str(&p->pool, a->name),
                     vmp__pool_str(&p->pool, b->name),
                     vmp__pool_str(&p->pool, b->name), where,
                     vmp__pool_str(&p->pool, b->name),
                     vmp__pool_str(&p->pool, a->name));
  else
    vmp__reasons_add(r, key, "dependency %s -> %s: no VM of %s runs in %s",
                     vmp__pool_str(&p->pool, a->name),
                     vmp__pool_str(&p->pool, b->name),
                     vmp__pool_str(&p->pool, b->name), where);
}

void vmp__explain_reassign(const vmp__explainer *ex, uint32_t v, uint32_t h,
                           vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  uint64_t *buf = NULL;
  transient(ex, v, h, r);
  for (uint32_t k = ex->vg_start[v]; k < ex->vg_start[v + 1]; k++) {
    const vmp__group *g = &p->groups[ex->vg[k]];
    if (g->policy != VMP_SPREAD || !g->hard || g->min_domains < 2) continue;
    free(buf);
    if (!(buf = malloc(g->nvms * sizeof *buf))) {
      r->oom = 1;
      return;
    }
    spread(ex, v, h, g, buf, r);
  }
  free(buf);
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    const vmp__group *a = &p->groups[dp->group];
    if (!dp->hard) continue;
    for (uint32_t k = 0; k < a->nvms; k++)
      if (a->vms[k] == v) {
        dependency(ex, v, h, dp, r);
        break;
      }
  }
}
