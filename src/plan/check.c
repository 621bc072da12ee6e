/*
 * The plan checker (vmp_plan_verify): replays a plan wave by wave and step
 * by step.  It shares no code with the planner, so that a planner bug
 * cannot vouch for itself; with a problem it also reads capacities,
 * demands, the starting placement and the host rules from the problem
 * rather than from what the planner copied into the plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "plan_impl.h"
#include "rule.h"
#include "solution_impl.h"

typedef struct replay {
  const vmp_plan *pl;
  const vmp_problem *p;      /* may be NULL */
  uint32_t nres;
  size_t nhosts;
  uint32_t *host_p;          /* [plan host] problem host (p only) */
  uint32_t *vm_p;            /* [plan VM] problem VM (p only) */
  double *cap;               /* [h*nres+r] */
  double *load;              /* [h*nres+r] */
  double *peak;              /* [h*nres+r] */
  uint32_t *conc;            /* [h] */
  uint8_t *receives;         /* [h] */
  uint32_t *pos;             /* [plan VM] host, NONE, or UNKNOWN */
  uint32_t *seen_wave;       /* [plan VM] last wave the VM moved in, +1 */
  uint32_t *init;            /* [plan VM] host at the start (p only) */
  uint32_t *ppos;            /* [problem VM] problem host now (p only) */
  size_t *cover;             /* [problem group] before a wave: domains a spread
                                group lacks, members of an anti-affinity group
                                sharing a domain */
  size_t *depbad;            /* [problem dependency] VMs of the dependent
                                group in a domain without the other group,
                                before a wave */
  size_t *in_start;          /* [problem VM] start of its entries in in_list */
  uint32_t *in_list;         /* hard spread groups g (as g) and hard
                                dependencies d (as ngroups + d) of each VM */
  uint32_t *seen;            /* [ngroups + ndeps] last wave it was checked, +1 */
  uint64_t *doms;            /* scratch: a group's members' domains (sorted) */
} replay;

#define UNKNOWN (VMP__PLAN_NONE - 1)

static const double *dem(const replay *R, uint32_t v) {
  if (R->p) return &R->p->vm_demand[(size_t)R->vm_p[v] * R->nres];
  return &R->pl->dem[(size_t)v * R->nres];
}

/* Whether resource r of plan VM v is already held on host h: a transient
 * resource stays held on the VM's initial host while the VM is away, so a
 * VM that comes back does not take it again. */
static int held_on(const replay *R, uint32_t v, uint32_t h, uint32_t r) {
  return R->p && ((R->p->res_transient >> r) & 1u) && h == R->init[v];
}

static const char *hname(const replay *R, uint32_t h) {
  return h == VMP__PLAN_NONE ? "(nowhere)" : R->pl->host_name[h];
}

/* Whether the problem lets VM v (plan index) be on host h (plan index):
 * maintenance, pins, allowed_hosts, hard rules. */
static int check_allowed(const replay *R, size_t step, uint32_t v, uint32_t h) {
  const vmp_problem *p = R->p;
  uint32_t pv = R->vm_p[v], ph = R->host_p[h];
  const char *vn = R->pl->vm_name[v], *hn = R->pl->host_name[h];
  if (p->host_maintenance[ph])
    return vmp__error(VMP_EINVAL, "step %zu: %s goes to %s, which is in maintenance", step,
                      vn, hn);
  if (p->vm_pinned[pv])
    return vmp__error(VMP_EINVAL, "step %zu: %s is pinned but moves to %s", step, vn, hn);
  if (p->vm_allowed[pv].n && !vmp__hostlist_has(&p->vm_allowed[pv], ph))
    return vmp__error(VMP_EINVAL, "step %zu: %s goes to %s, which is not among its "
                                  "allowed_hosts", step, vn, hn);
  for (size_t r = 0; r < p->nrules; r++) {
    const vmp__rule *ru = &p->rules[r];
    if (!ru->hard || (ru->when && !vmp__expr_eval(ru->when, p, pv, ph))) continue;
    if (!vmp__expr_eval(ru->require, p, pv, ph))
      return vmp__error(VMP_EINVAL, "step %zu: %s goes to %s, which hard rule %s forbids",
                        step, vn, hn, vmp__pool_str(&p->pool, ru->name));
  }
  return VMP_OK;
}

/* Maps the plan's resources, hosts and VMs onto the problem's by name. */
static int map_problem(replay *R) {
  const vmp_plan *pl = R->pl;
  const vmp_problem *p = R->p;
  size_t idx;
  if (p->nres != pl->nres)
    return vmp__error(VMP_EINVAL, "the plan has %u resources, the problem %u", pl->nres,
                      p->nres);
  for (uint32_t r = 0; r < pl->nres; r++)
    if (strcmp(pl->res_name[r], vmp_problem_resource_name(p, r)))
      return vmp__error(VMP_EINVAL, "plan resource %u is \"%s\", the problem's \"%s\"", r,
                        pl->res_name[r], vmp_problem_resource_name(p, r));
  for (size_t h = 0; h < pl->nhosts; h++) {
    if (vmp_problem_find_host(p, pl->host_name[h], &idx))
      return vmp__error(VMP_EINVAL, "plan host \"%s\" is not in the problem",
                        pl->host_name[h]);
    R->host_p[h] = (uint32_t)idx;
  }
  if (pl->nhosts != p->nhosts)
    return vmp__error(VMP_EINVAL, "the plan has %zu hosts, the problem %zu", pl->nhosts,
                      p->nhosts);
  for (size_t v = 0; v < pl->nvms; v++) {
    if (vmp_problem_find_vm(p, pl->vm_name[v], &idx))
      return vmp__error(VMP_EINVAL, "plan VM \"%s\" is not in the problem", pl->vm_name[v]);
    R->vm_p[v] = (uint32_t)idx;
  }
  return VMP_OK;
}

/* The groups kept between waves: hard spread groups with a minimum of two
 * domains or more, and hard anti-affinity groups. */
static int kept_group(const vmp__group *g) {
  return g->hard && ((g->policy == VMP_SPREAD && g->min_domains >= 2) ||
                     g->policy == VMP_ANTI_AFFINITY);
}

/* Domains spread group gr lacks (positions ppos): min(its minimum,
 * members placed) - domains covered, or 0; *placed and *cov receive the
 * members placed and the domains covered. */
static size_t spread_lacks(const vmp_problem *p, const vmp__group *gr, const uint32_t *ppos,
                           size_t *placed, size_t *cov) {
  size_t need;
  *cov = vmp__spread_cover(p, gr, ppos, VMP__NO_HOST, 0, placed);
  need = gr->min_domains < *placed ? gr->min_domains : *placed;
  return need > *cov ? need - *cov : 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Members of anti-affinity group gr that share a domain with another
 * (the sum over domains of members - 1), placed where ppos has them; *dup
 * receives the domain of one such pair (when the sum is not 0). */
static size_t anti_shared(const replay *R, const vmp__group *gr, uint64_t *dup) {
  size_t n = 0, shared = 0;
  for (uint32_t k = 0; k < gr->nvms; k++) {
    uint32_t h = R->ppos[gr->vms[k]];
    if (h != VMP__NO_HOST) R->doms[n++] = vmp__host_domain(R->p, gr->scope, h);
  }
  qsort(R->doms, n, sizeof *R->doms, cmp_u64);
  for (size_t i = 1; i < n; i++)
    if (R->doms[i] == R->doms[i - 1]) {
      if (!shared) *dup = R->doms[i];
      shared++;
    }
  return shared;
}

/* Calls f(R, x, v) for every member v of hard spread group x (x <
 * ngroups) and of either side of hard dependency x - ngroups. */
static void each_member(replay *R, void (*f)(replay *, uint32_t, uint32_t)) {
  const vmp_problem *p = R->p;
  for (size_t g = 0; g < p->ngroups; g++)
    for (uint32_t k = 0; kept_group(&p->groups[g]) && k < p->groups[g].nvms; k++)
      f(R, (uint32_t)g, p->groups[g].vms[k]);
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__group *a = &p->groups[p->deps[d].group], *b = &p->groups[p->deps[d].on];
    if (!p->deps[d].hard) continue;
    for (uint32_t k = 0; k < a->nvms; k++) f(R, (uint32_t)(p->ngroups + d), a->vms[k]);
    for (uint32_t k = 0; k < b->nvms; k++) f(R, (uint32_t)(p->ngroups + d), b->vms[k]);
  }
}

static void count_member(replay *R, uint32_t x, uint32_t v) {
  (void)x;
  R->in_start[v + 1]++;
}

static void list_member(replay *R, uint32_t x, uint32_t v) {
  R->in_list[R->in_start[v]++] = x;
}

/* Which hard spread groups and dependencies each VM is in, and what they
 * count at the start: a wave then rechecks only those its VMs are in. */
static int index_rules(replay *R) {
  const vmp_problem *p = R->p;
  size_t n;
  R->in_start = calloc(p->nvms + 2, sizeof *R->in_start);
  R->seen = calloc(p->ngroups + p->ndeps + 1, sizeof *R->seen);
  if (!R->in_start || !R->seen) return vmp__enomem();
  each_member(R, count_member);
  for (size_t v = 0; v < p->nvms; v++) R->in_start[v + 1] += R->in_start[v];
  n = R->in_start[p->nvms];
  if (!(R->in_list = malloc((n + 1) * sizeof *R->in_list))) return vmp__enomem();
  each_member(R, list_member); /* leaves in_start[v] at v's end */
  memmove(&R->in_start[1], &R->in_start[0], p->nvms * sizeof *R->in_start);
  R->in_start[0] = 0;
  n = 0;
  for (size_t g = 0; g < p->ngroups; g++)
    if (p->groups[g].nvms > n) n = p->groups[g].nvms;
  if (!(R->doms = malloc((n + 1) * sizeof *R->doms))) return vmp__enomem();
  for (size_t g = 0; g < p->ngroups; g++) {
    size_t placed, cov;
    uint64_t dup;
    if (!kept_group(&p->groups[g])) continue;
    R->cover[g] = p->groups[g].policy == VMP_ANTI_AFFINITY
                      ? anti_shared(R, &p->groups[g], &dup)
                      : spread_lacks(p, &p->groups[g], R->ppos, &placed, &cov);
  }
  for (size_t d = 0; d < p->ndeps; d++)
    if (p->deps[d].hard &&
        (R->depbad[d] = vmp__dep_broken(p, &p->deps[d], R->ppos, VMP__NO_HOST, 0, NULL)) ==
            (size_t)-1)
      return vmp__enomem();
  return VMP_OK;
}

static int replay_init(replay *R, const vmp_plan *pl, const vmp_problem *p) {
  size_t hr = vmp__mul(pl->nhosts, pl->nres);
  int rc;
  memset(R, 0, sizeof *R);
  R->pl = pl;
  R->p = p;
  R->nres = pl->nres;
  R->nhosts = pl->nhosts;
  R->host_p = malloc((pl->nhosts + 1) * sizeof *R->host_p);
  R->vm_p = malloc((pl->nvms + 1) * sizeof *R->vm_p);
  R->cap = malloc((hr + 1) * sizeof *R->cap);
  R->load = calloc(hr + 1, sizeof *R->load);
  R->peak = malloc((hr + 1) * sizeof *R->peak);
  R->conc = calloc(pl->nhosts + 1, sizeof *R->conc);
  R->receives = calloc(pl->nhosts + 1, 1);
  R->pos = malloc((pl->nvms + 1) * sizeof *R->pos);
  R->seen_wave = calloc(pl->nvms + 1, sizeof *R->seen_wave);
  R->init = malloc((pl->nvms + 1) * sizeof *R->init);
  if (!R->host_p || !R->vm_p || !R->cap || !R->load || !R->peak || !R->conc ||
      !R->receives || !R->pos || !R->seen_wave || !R->init)
    return vmp__enomem();
  if (!p) {
    memcpy(R->cap, pl->cap, hr * sizeof *R->cap);
    memcpy(R->load, pl->load, hr * sizeof *R->load);
    for (size_t v = 0; v < pl->nvms; v++) R->pos[v] = UNKNOWN;
    return VMP_OK;
  }
  if ((rc = map_problem(R))) return rc;
  for (size_t h = 0; h < pl->nhosts; h++)
    for (uint32_t r = 0; r < R->nres; r++)
      R->cap[h * R->nres + r] = vmp_problem_host_effective_capacity(p, R->host_p[h], r);
  /* Loads over every VM of the problem, in plan host order. */
  {
    uint32_t *plan_host = malloc((p->nhosts + 1) * sizeof *plan_host);
    if (!plan_host) return vmp__enomem();
    for (size_t h = 0; h < pl->nhosts; h++) plan_host[R->host_p[h]] = (uint32_t)h;
    for (size_t v = 0; v < p->nvms; v++) {
      uint32_t h = p->vm_host[v];
      if (h == VMP__NO_HOST) continue;
      for (uint32_t r = 0; r < R->nres; r++)
        R->load[(size_t)plan_host[h] * R->nres + r] += p->vm_demand[v * R->nres + r];
    }
    for (size_t v = 0; v < pl->nvms; v++) {
      uint32_t h = p->vm_host[R->vm_p[v]];
      R->pos[v] = h == VMP__NO_HOST ? VMP__PLAN_NONE : plan_host[h];
      R->init[v] = R->pos[v];
    }
    free(plan_host);
  }
  R->ppos = malloc((p->nvms + 1) * sizeof *R->ppos);
  R->cover = calloc(p->ngroups + 1, sizeof *R->cover);
  R->depbad = calloc(p->ndeps + 1, sizeof *R->depbad);
  if (!R->ppos || !R->cover || !R->depbad) return vmp__enomem();
  memcpy(R->ppos, p->vm_host, p->nvms * sizeof *R->ppos);
  return index_rules(R);
}

static void replay_free(replay *R) {
  VMP__FREE_ALL(R->host_p, R->vm_p, R->cap, R->load, R->peak, R->conc, R->receives, R->pos,
                R->seen_wave, R->init, R->ppos, R->cover, R->depbad, R->in_start, R->in_list,
                R->seen, R->doms);
}

/* After a wave hard spread group g lacks no more domains than before it
 * (none, from a valid start): it covers min(its minimum, members placed),
 * so a member started in a domain already covered may break it. */
static int check_spread(replay *R, size_t g, uint32_t wave) {
  const vmp_problem *p = R->p;
  if (p->groups[g].policy == VMP_ANTI_AFFINITY) {
    /* no more members together than before the wave (none, from a valid
     * start) */
    const vmp__group *gr = &p->groups[g];
    uint64_t dup = 0;
    size_t shared = anti_shared(R, gr, &dup), n = 0;
    const char *who[2] = {NULL, NULL};
    if (shared <= R->cover[g]) {
      R->cover[g] = shared;
      return VMP_OK;
    }
    for (uint32_t k = 0; k < gr->nvms && n < 2; k++) {
      uint32_t v = gr->vms[k], h = R->ppos[v];
      if (h != VMP__NO_HOST && vmp__host_domain(p, gr->scope, h) == dup)
        who[n++] = vmp_problem_vm_name(p, v);
    }
    return vmp__error(VMP_EINVAL, "wave %u: anti-affinity %s: %s and %s share one %s "
                      "after the wave", wave + 1, vmp__pool_str(&p->pool, gr->name),
                      who[0] ? who[0] : "?", who[1] ? who[1] : "?",
                      gr->scope ? vmp__pool_str(&p->pool, gr->scope) : "host");
  }
  {
    const vmp__group *gr = &p->groups[g];
    size_t placed, cov, lacks = spread_lacks(p, gr, R->ppos, &placed, &cov);
    if (lacks > R->cover[g])
      return vmp__error(VMP_EINVAL, "wave %u: spread %s: its VMs cover %zu "
                        "domain%s of %s after the wave, at least %zu needed",
                        wave + 1, vmp__pool_str(&p->pool, gr->name), cov,
                        cov == 1 ? "" : "s",
                        gr->scope ? vmp__pool_str(&p->pool, gr->scope) : "host",
                        cov + lacks);
    R->cover[g] = lacks;
  }
  return VMP_OK;
}

/* After a wave hard dependency d has no more VMs of its dependent group in
 * a domain without the group it depends on than before the wave (none,
 * from a valid start). */
static int check_dep(replay *R, size_t d, uint32_t wave) {
  const vmp_problem *p = R->p;
  {
    const vmp__dep *dp = &p->deps[d];
    uint32_t v, h, val;
    size_t bad;
    char where[600];
    bad = vmp__dep_broken(p, dp, R->ppos, VMP__NO_HOST, 0, &v);
    if (bad == (size_t)-1) return vmp__enomem();
    if (bad <= R->depbad[d]) {
      R->depbad[d] = bad;
      return VMP_OK;
    }
    h = R->ppos[v];
    val = dp->scope ? vmp__labels_get(&p->host_labels[h], dp->scope) : 0;
    if (val)
      snprintf(where, sizeof where, "%s %s", vmp__pool_str(&p->pool, dp->scope),
               vmp__pool_str(&p->pool, val));
    else
      snprintf(where, sizeof where, "host %s", vmp_problem_host_name(p, h));
    return vmp__error(VMP_EINVAL, "wave %u: dependency %s -> %s: %s runs on %s after "
                      "the wave, and %s has no VM in %s",
                      wave + 1, vmp__pool_str(&p->pool, p->groups[dp->group].name),
                      vmp__pool_str(&p->pool, p->groups[dp->on].name),
                      vmp_problem_vm_name(p, v), vmp_problem_host_name(p, h),
                      vmp__pool_str(&p->pool, p->groups[dp->on].name), where);
  }
  return VMP_OK;
}

/* Names of the VMs of steps [first, end) that go to host h. */
static void inflight_names(const replay *R, size_t first, size_t end, uint32_t h,
                           vmp__buf *b) {
  size_t n = 0;
  for (size_t k = first; k < end; k++)
    if (R->pl->steps[k].to == h)
      vmp__buf_printf(b, "%s%s", n++ ? ", " : "", R->pl->vm_name[R->pl->steps[k].vm]);
}

static int check_step(replay *R, size_t k, uint32_t wave) {
  const vmp__pstep *s = &R->pl->steps[k];
  const char *vn;
  int rc;
  if (s->vm >= R->pl->nvms || (s->to != VMP__PLAN_NONE && s->to >= R->nhosts) ||
      (s->from != VMP__PLAN_NONE && s->from >= R->nhosts))
    return vmp__error(VMP_EINVAL, "step %zu: index out of range", k + 1);
  vn = R->pl->vm_name[s->vm];
  if (s->from == s->to)
    return vmp__error(VMP_EINVAL, "step %zu: %s moves from %s to itself", k + 1, vn,
                      hname(R, s->to));
  if (R->seen_wave[s->vm] == wave + 1)
    return vmp__error(VMP_EINVAL, "step %zu: %s moves twice in wave %u", k + 1, vn,
                      wave + 1);
  if (R->pos[s->vm] == UNKNOWN) R->pos[s->vm] = s->from;
  if (R->pos[s->vm] != s->from)
    return vmp__error(VMP_EINVAL, "step %zu: %s starts from %s but is on %s", k + 1, vn,
                      hname(R, s->from), hname(R, R->pos[s->vm]));
  R->seen_wave[s->vm] = wave + 1;
  if (s->from != VMP__PLAN_NONE) R->conc[s->from]++;
  /* A stop: the VM holds its host's room until the wave is over. */
  if (s->to == VMP__PLAN_NONE) return VMP_OK;
  if (R->p && (rc = check_allowed(R, k + 1, s->vm, s->to))) return rc;
  for (uint32_t r = 0; r < R->nres; r++)
    if (!held_on(R, s->vm, s->to, r)) R->peak[(size_t)s->to * R->nres + r] += dem(R, s->vm)[r];
  R->conc[s->to]++;
  R->receives[s->to] = 1;
  return VMP_OK;
}

static int check_wave(replay *R, size_t first, size_t end, uint32_t wave) {
  const vmp_plan *pl = R->pl;
  size_t hr = vmp__mul(R->nhosts, R->nres);
  int rc;
  memcpy(R->peak, R->load, hr * sizeof *R->peak);
  memset(R->conc, 0, R->nhosts * sizeof *R->conc);
  memset(R->receives, 0, R->nhosts);
  for (size_t k = first; k < end; k++)
    if ((rc = check_step(R, k, wave))) return rc;
  for (uint32_t h = 0; h < R->nhosts; h++) {
    if (pl->max_concurrent && R->conc[h] > pl->max_concurrent)
      return vmp__error(VMP_EINVAL, "wave %u: %u steps touch %s, more than the cap of %u",
                        wave + 1, R->conc[h], pl->host_name[h], pl->max_concurrent);
    if (!R->receives[h]) continue;
    for (uint32_t r = 0; r < R->nres; r++) {
      size_t i = (size_t)h * R->nres + r;
      char b1[32], b2[32];
      vmp__buf who;
      if (R->peak[i] <= R->cap[i] * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
      vmp__buf_init(&who);
      inflight_names(R, first, end, h, &who);
      rc = vmp__error(VMP_EINVAL, "wave %u: %s %s %s > %s with %s in flight", wave + 1,
                      pl->host_name[h], pl->res_name[r], vmp__fmt_num(b1, R->peak[i]),
                      vmp__fmt_num(b2, R->cap[i]), who.data ? who.data : "its VMs");
      vmp__buf_free(&who);
      return rc;
    }
  }
  for (size_t k = first; k < end; k++) {
    const vmp__pstep *s = &pl->steps[k];
    for (uint32_t r = 0; r < R->nres; r++) {
      /* A transient resource stays held on the VM's initial host, also
       * while the VM is away from it and when it comes back. */
      if (s->from != VMP__PLAN_NONE && !held_on(R, s->vm, s->from, r))
        R->load[(size_t)s->from * R->nres + r] -= dem(R, s->vm)[r];
      if (s->to != VMP__PLAN_NONE && !held_on(R, s->vm, s->to, r))
        R->load[(size_t)s->to * R->nres + r] += dem(R, s->vm)[r];
    }
    R->pos[s->vm] = s->to;
    if (R->p)
      R->ppos[R->vm_p[s->vm]] = s->to == VMP__PLAN_NONE ? VMP__NO_HOST : R->host_p[s->to];
  }
  if (!R->p) return VMP_OK;
  /* Only the groups and dependencies of the wave's VMs can have changed. */
  for (size_t k = first; k < end; k++) {
    uint32_t pv = R->vm_p[pl->steps[k].vm];
    for (size_t j = R->in_start[pv]; j < R->in_start[pv + 1]; j++) {
      uint32_t x = R->in_list[j];
      if (R->seen[x] == wave + 1) continue;
      R->seen[x] = wave + 1;
      rc = x < R->p->ngroups ? check_spread(R, x, wave) : check_dep(R, x - R->p->ngroups, wave);
      if (rc) return rc;
    }
  }
  return VMP_OK;
}

/* Where each VM must end: its target, or where its blocked entry says. */
static int check_end(replay *R, const vmp_solution *target) {
  const vmp_plan *pl = R->pl;
  uint8_t *blocked = calloc(pl->nvms + 1, 1);
  vmp__strmap names;
  int rc = VMP_OK;
  vmp__strmap_init(&names);
  for (size_t v = 0; blocked && !rc && v < pl->nvms; v++)
    rc = vmp__strmap_put(&names, pl->vm_name[v], (uint32_t)v);
  if (!blocked || rc) {
    free(blocked);
    vmp__strmap_free(&names);
    return vmp__enomem();
  }
  for (size_t k = 0; !rc && k < pl->nblocked; k++) {
    const vmp__pblocked *b = &pl->blocked[k];
    if (b->vm >= pl->nvms) {
      rc = vmp__error(VMP_EINVAL, "blocked[%zu]: VM index out of range", k);
      break;
    }
    blocked[b->vm] = 1;
    if (R->pos[b->vm] != UNKNOWN && R->pos[b->vm] != b->from)
      rc = vmp__error(VMP_EINVAL, "blocked %s is said to stay on %s but ends on %s",
                      pl->vm_name[b->vm], hname(R, b->from), hname(R, R->pos[b->vm]));
  }
  for (size_t v = 0; !rc && target && v < target->nvms; v++) {
    uint32_t want = target->vm_host[v], pv = VMP__PLAN_NONE;
    const char *want_name = want == VMP__NO_HOST ? NULL : target->host_name[want];
    const char *at_name;
    size_t idx;
    if (!vmp__strmap_get(&names, target->vm_name[v], &pv)) pv = VMP__PLAN_NONE;
    if (pv != VMP__PLAN_NONE && blocked[pv]) continue;
    if (pv != VMP__PLAN_NONE) {
      if (R->pos[pv] == UNKNOWN) {
        rc = vmp__error(VMP_EINVAL, "%s is in the plan but neither moves nor is blocked",
                        target->vm_name[v]);
        break;
      }
      at_name = R->pos[pv] == VMP__PLAN_NONE ? NULL : pl->host_name[R->pos[pv]];
    } else if (R->p && !vmp_problem_find_vm(R->p, target->vm_name[v], &idx)) {
      at_name = vmp_problem_host_name(R->p, R->p->vm_host[idx]);
    } else {
      continue; /* without the problem nothing says where it is */
    }
    if ((at_name == NULL) != (want_name == NULL) ||
        (at_name && strcmp(at_name, want_name)))
      rc = vmp__error(VMP_EINVAL, "%s ends on %s, but the target puts it on %s",
                      target->vm_name[v], at_name ? at_name : "(nowhere)",
                      want_name ? want_name : "(nowhere)");
  }
  free(blocked);
  vmp__strmap_free(&names);
  return rc;
}

int vmp_plan_verify(const vmp_plan *pl, const vmp_problem *p, const vmp_solution *target) {
  replay R;
  int rc;
  if (!pl) return vmp__error(VMP_EINVAL, "plan is NULL");
  if (p && target && (target->nvms != p->nvms || target->nhosts != p->nhosts))
    return vmp__error(VMP_EINVAL, "the target was made for another problem");
  rc = replay_init(&R, pl, p);
  for (size_t k = 0; !rc && k < pl->nsteps;) {
    size_t end = k;
    uint32_t w = pl->steps[k].wave;
    if (k && w < pl->steps[k - 1].wave) {
      rc = vmp__error(VMP_EINVAL, "step %zu: wave %u comes after wave %u", k + 1, w + 1,
                      pl->steps[k - 1].wave + 1);
      break;
    }
    while (end < pl->nsteps && pl->steps[end].wave == w) end++;
    rc = check_wave(&R, k, end, w);
    k = end;
  }
  if (!rc) rc = check_end(&R, target);
  replay_free(&R);
  return rc;
}
