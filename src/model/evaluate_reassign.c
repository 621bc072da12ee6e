/*
 * The evaluator's rebalancing part (evaluate.h): safety (load above the
 * safety capacity), ratio balance, group and host-to-host move costs, and
 * the hard or soft transient, spread and dependency constraints.  Like
 * evaluate.c it recomputes everything from the problem and trusts no
 * solver bookkeeping.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "model.h"
#include "problem_impl.h"

#define VN(v) vmp_problem_vm_name(p, (v))
#define HN(h) vmp_problem_host_name(p, (h))

static int moved(const vmp_problem *p, const uint32_t *vm_host, size_t v) {
  return p->vm_host[v] != VMP__NO_HOST && vm_host[v] != VMP__NO_HOST &&
         vm_host[v] != p->vm_host[v];
}

static void safety_and_ratio(const vmp_problem *p, const double *load,
                             vmp__eval *e) {
  double safety = 0.0, ratio = 0.0;
  for (uint32_t r = 0; r < p->nres; r++) {
    double w = p->res_safety_weight[r], over = 0.0;
    if (w == 0.0) continue;
    for (size_t h = 0; h < p->nhosts; h++) {
      double sc = vmp_problem_host_safety_capacity(p, h, r);
      double l = load[h * p->nres + r];
      if (l > sc) over += l - sc;
    }
    safety += w * over;
  }
  for (size_t b = 0; b < p->nratios; b++) {
    const vmp__ratio_term *q = &p->ratios[b];
    double sum = 0.0;
    if (q->weight == 0.0) continue;
    for (size_t h = 0; h < p->nhosts; h++) {
      double f1 = vmp_problem_host_effective_capacity(p, h, q->r1) -
                  load[h * p->nres + q->r1];
      double f2 = vmp_problem_host_effective_capacity(p, h, q->r2) -
                  load[h * p->nres + q->r2];
      double x = q->target * f1 - f2;
      if (x > 0.0) sum += x;
    }
    ratio += q->weight * sum;
  }
  e->raw[VMP__TERM_SAFETY] = safety;
  e->raw[VMP__TERM_RATIO] = ratio;
}

static void move_costs(const vmp_problem *p, const uint32_t *vm_host,
                       vmp__eval *e) {
  double hm = 0.0, gm = 0.0;
  if (p->hmc_n)
    for (size_t v = 0; v < p->nvms; v++)
      if (moved(p, vm_host, v))
        hm += vmp_problem_host_move_cost(p, p->vm_host[v], vm_host[v]);
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    double n = 0.0;
    for (uint32_t k = 0; k < gr->nvms; k++)
      if (moved(p, vm_host, gr->vms[k])) n += 1.0;
    if (n > gm) gm = n;
  }
  e->raw[VMP__TERM_HOST_MOVES] = hm;
  e->raw[VMP__TERM_GROUP_MOVES] = gm;
}

double *vmp__eval_transient_held(const vmp_problem *p, const uint32_t *vm_host) {
  double *held = calloc(p->nhosts * p->nres + 1, sizeof *held);
  if (!held || !p->res_transient) return held;
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t c = p->vm_host[v];
    if (c == VMP__NO_HOST || vm_host[v] == c) continue;
    for (uint32_t r = 0; r < p->nres; r++)
      if ((p->res_transient >> r) & 1u)
        held[c * p->nres + r] += p->vm_demand[v * p->nres + r];
  }
  return held;
}

/* Transient: a VM with a current host holds its transient resources there
 * whatever happens to it; a moved VM holds them on its new host too. */
static int check_transient(const vmp_problem *p, const uint32_t *vm_host,
                           const double *load, int detail, vmp__eval *e) {
  vmp__violation *vi;
  double *held;
  if (!p->res_transient) return 0;
  if (!(held = vmp__eval_transient_held(p, vm_host))) return vmp__enomem();
  for (size_t h = 0; h < p->nhosts; h++)
    for (uint32_t r = 0; r < p->nres; r++) {
      double cap, l, x;
      char b1[32], b2[32], b3[32], b4[32];
      if (!((p->res_transient >> r) & 1u)) continue;
      x = held[h * p->nres + r];
      if (x == 0.0) continue;
      cap = vmp_problem_host_effective_capacity(p, h, r);
      l = load[h * p->nres + r];
      if (l + x <= cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
      vi = vmp__eval_violation(e, detail, "transient", 1,
                          "%s: transient %s %s > %s (final load %s + %s still "
                          "held by VMs moving away)",
                          HN(h), vmp_problem_resource_name(p, r),
                          vmp__fmt_num(b1, l + x), vmp__fmt_num(b2, cap),
                          vmp__fmt_num(b3, l), vmp__fmt_num(b4, x));
      if (vi) {
        vi->host = (uint32_t)h;
        vi->amount = l + x - cap;
        if (!(vi->resource = vmp__strdup(vmp_problem_resource_name(p, r))))
          e->oom = 1;
      }
    }
  free(held);
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Sorted distinct domains of the placed members of group g; *n their
 * number, *placed the number of placed members. */
static size_t group_domains(const vmp_problem *p, const uint32_t *vm_host,
                            const vmp__group *gr, uint32_t scope,
                            uint64_t *dom, size_t *placed) {
  size_t n = 0, d = 0;
  for (uint32_t k = 0; k < gr->nvms; k++) {
    uint32_t h = vm_host[gr->vms[k]];
    if (h != VMP__NO_HOST) dom[n++] = vmp__host_domain(p, scope, h);
  }
  *placed = n;
  qsort(dom, n, sizeof *dom, cmp_u64);
  for (size_t k = 0; k < n; k++)
    if (!d || dom[k] != dom[d - 1]) dom[d++] = dom[k];
  return d;
}

static const char *scope_name(const vmp_problem *p, uint32_t scope) {
  return scope ? vmp__pool_str(&p->pool, scope) : "host";
}

static void check_spread(const vmp_problem *p, const uint32_t *vm_host,
                         uint64_t *dom, int detail, vmp__eval *e) {
  vmp__violation *v;
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    size_t placed, nd, need;
    if (gr->policy != VMP_SPREAD) continue;
    nd = group_domains(p, vm_host, gr, gr->scope, dom, &placed);
    need = gr->min_domains < placed ? gr->min_domains : placed;
    if (nd >= need) continue;
    if (!gr->hard) e->raw[VMP__TERM_SOFT] += gr->weight * (double)(need - nd);
    v = vmp__eval_violation(e, detail, "spread", gr->hard,
                        "spread %s: members cover %zu %s domain%s, at least "
                        "%zu needed",
                        vmp__pool_str(&p->pool, gr->name), nd,
                        scope_name(p, gr->scope), nd == 1 ? "" : "s", need);
    if (v && !(v->name = vmp__strdup(vmp__pool_str(&p->pool, gr->name))))
      e->oom = 1;
  }
}

static void check_dependencies(const vmp_problem *p, const uint32_t *vm_host,
                               uint64_t *dom, int detail, vmp__eval *e) {
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
    size_t placed, nd = group_domains(p, vm_host, b, dp->scope, dom, &placed);
    for (uint32_t k = 0; k < a->nvms; k++) {
      uint32_t v = a->vms[k], h = vm_host[v];
      uint64_t x;
      if (h == VMP__NO_HOST) continue;
      x = vmp__host_domain(p, dp->scope, h);
      if (nd && bsearch(&x, dom, nd, sizeof *dom, cmp_u64)) continue;
      if (!dp->hard) e->raw[VMP__TERM_SOFT] += dp->weight;
      if (!detail) {
        vmp__eval_violation(e, 0, "dependency", dp->hard, "%s", "");
        continue;
      }
      {
        uint32_t val = dp->scope ? vmp__labels_get(&p->host_labels[h],
                                                   dp->scope)
                                 : 0;
        char where[600];
        if (val)
          snprintf(where, sizeof where, "%s %s", scope_name(p, dp->scope),
                   vmp__pool_str(&p->pool, val));
        else
          snprintf(where, sizeof where, "host %s", HN(h));
        vmp__violation *vi = vmp__eval_violation(e, 1, "dependency", dp->hard,
                            "dependency %s -> %s: %s on %s, and %s has no "
                            "placed VM in %s",
                            vmp__pool_str(&p->pool, a->name),
                            vmp__pool_str(&p->pool, b->name), VN(v), HN(h),
                            vmp__pool_str(&p->pool, b->name), where);
        if (vi) {
          vi->vm = v;
          vi->host = h;
          if (!(vi->name = vmp__strdup(vmp__pool_str(&p->pool, a->name))))
            e->oom = 1;
        }
      }
    }
  }
}

int vmp__evaluate_reassign(const vmp_problem *p, const uint32_t *vm_host,
                           const double *load, int detail, vmp__eval *e) {
  uint64_t *dom = NULL;
  size_t most = 1;
  int rc;
  safety_and_ratio(p, load, e);
  move_costs(p, vm_host, e);
  if ((rc = check_transient(p, vm_host, load, detail, e))) return rc;
  for (size_t g = 0; g < p->ngroups; g++)
    if (p->groups[g].nvms > most) most = p->groups[g].nvms;
  if (p->ndeps || p->ngroups) {
    dom = malloc(most * sizeof *dom);
    if (!dom) return vmp__enomem();
    check_spread(p, vm_host, dom, detail, e);
    check_dependencies(p, vm_host, dom, detail, e);
    free(dom);
  }
  return 0;
}

size_t vmp__spread_cover(const vmp_problem *p, const vmp__group *gr,
                         const uint32_t *pos, uint32_t v, uint32_t t,
                         size_t *placed) {
  uint64_t small[64], *dom = gr->nvms <= 64 ? small : NULL;
  size_t n = 0, d = 0;
  if (!dom && !(dom = malloc(gr->nvms * sizeof *dom))) {
    *placed = 0;
    return 0;
  }
  for (uint32_t k = 0; k < gr->nvms; k++) {
    uint32_t w = gr->vms[k], h = w == v ? t : pos[w];
    if (h != VMP__NO_HOST) dom[n++] = vmp__host_domain(p, gr->scope, h);
  }
  *placed = n;
  qsort(dom, n, sizeof *dom, cmp_u64);
  for (size_t k = 0; k < n; k++)
    if (!k || dom[k] != dom[k - 1]) d++;
  if (dom != small) free(dom);
  return d;
}

size_t vmp__dep_broken(const vmp_problem *p, const vmp__dep *dp,
                       const uint32_t *pos, uint32_t v, uint32_t t,
                       uint32_t *first) {
  const vmp__group *a = &p->groups[dp->group], *b = &p->groups[dp->on];
  uint64_t small[64], *dom = b->nvms <= 64 ? small : NULL;
  size_t n = 0, bad = 0;
  if (first) *first = VMP__NO_HOST;
  if (!dom && !(dom = malloc(b->nvms * sizeof *dom))) return (size_t)-1;
  for (uint32_t k = 0; k < b->nvms; k++) {
    uint32_t w = b->vms[k], h = w == v ? t : pos[w];
    if (h != VMP__NO_HOST) dom[n++] = vmp__host_domain(p, dp->scope, h);
  }
  qsort(dom, n, sizeof *dom, cmp_u64);
  for (uint32_t k = 0; k < a->nvms; k++) {
    uint32_t w = a->vms[k], h = w == v ? t : pos[w];
    uint64_t x;
    if (h == VMP__NO_HOST) continue;
    x = vmp__host_domain(p, dp->scope, h);
    if (n && bsearch(&x, dom, n, sizeof *dom, cmp_u64)) continue;
    if (!bad++ && first) *first = w;
  }
  if (dom != small) free(dom);
  return bad;
}
