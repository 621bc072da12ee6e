/* referee: a brute-force property test of every solver.
 *
 * A seeded generator draws small problems with every feature of the model
 * (overcommit, reserved capacity, costs, hard and soft groups with host and
 * label scopes -- hosts without the label included --, rules, pins, allowed
 * hosts, maintenance, current hosts, explicit and automatic weights), and
 * 35 % of them with the rebalancing model on top (reassign.h: transient
 * resources, safety capacities, ratio balance, spread groups with a
 * minimum, dependencies, migration, group-move and host-to-host move
 * costs, a running placement on every VM or all but one).  An
 * enumerator tries every assignment (each VM on a host or unplaced) through
 * the library's own evaluator, vmp_evaluate, and keeps the lowest objective
 * of a placement without hard violations: the true optimum.  Every solver
 * (the rebalancer included) either declines the problem without claiming
 * anything false -- VMP_ENOTSUP naming what it does not model; the
 * rebalancer giving up (VMP_ESTATE) on a start that indeed breaks a hard
 * constraint, or after finding no way; the refusal of a problem whose
 * running VMs overfill a transient resource, when indeed no placement
 * meets the hard constraints -- or its answer is held to what it claims:
 *   - its placement breaks no hard constraint;
 *   - its objective is the evaluator's objective of that placement;
 *   - its bound is at most the optimum;
 *   - `optimal` only with every VM placed, objective = bound = optimum;
 *   - `feasible` only with every VM placed; `partial` and `infeasible` only
 *     with some VM unplaced;
 *   - `infeasible` only when no placement holds every VM that fits some
 *     host alone.
 * A failing problem is minimised (VMs, hosts, groups, rules and features
 * dropped while it still fails) and written as problem JSON, ready to be
 * kept under tests/data/referee/.
 *
 * Only the public API is used: the referee trusts nothing inside.
 *
 * Without arguments this is a cmocka test: the kept problems of
 * tests/data/referee/ and a few hundred random ones (fewer under the
 * sanitizers).  With arguments -- and as bench/tools' vmplace-referee,
 * which compiles this file with VMP_REFEREE_TOOL -- it is the long run
 * quoted in docs/benchmarks.md:
 *   vmplace-referee --count 3000 [--seed S] [--solvers a,b] [--time-limit T]
 *                   [--budget N] [--out DIR] [--verbose] [FILE.json ...]
 * which exits 1 when any answer is unsound.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#ifndef VMP_REFEREE_TOOL
#include <cmocka.h>
#endif

#include "vmplace/vmplace.h"

#if defined(__SANITIZE_ADDRESS__)
#define REF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define REF_SANITIZED 1
#endif
#endif
#ifndef REF_SANITIZED
#define REF_SANITIZED 0
#endif

#define MAXR 3
#define MAXH 6
#define MAXV 12
#define MAXG 3
#define MAXRULES 3
#define MAXRATIO 2
#define MAXDEPS 2
#define NTERMS 9
#define NCLASSIC_TERMS 5

static const char *const solver_names[] = {"greedy", "local",      "genetic", "ilp",
                                           "colgen", "roundrobin", "auto",    "rebalance"};
#define NSOLVERS (sizeof solver_names / sizeof *solver_names)
/* Move attempts per rebalancer run: small problems settle in far fewer. */
#define REF_REBALANCE_MOVES "20000"
/* The classic terms first, then the rebalancing ones (reassign.h). */
static const char *const term_names[NTERMS] = {"unplaced",      "cost",        "soft",
                                               "migrations",    "balance",     "safety",
                                               "ratio_balance", "group_moves", "host_moves"};
static const char *const res_names[] = {"cpu", "memory", "mem_gb", "disk"};
static const char *const zones[] = {"a", "b", "c"};
static const char *const racks[] = {"r1", "r2"};
static const char *const apps[] = {"web", "db"};
static const char *const scopes[] = {"host", "zone", "rack"};

/* ---- the problem as the generator sees it --------------------------------- */

typedef struct rhost {
  double cap[MAXR], oc[MAXR], res[MAXR], cost; /* oc 0: unset; cost < 0: unset */
  int zone, rack;                              /* -1: no such label */
  int maint;
  int id;                                      /* stable name suffix */
  /* rebalancing model */
  double safety[MAXR], sfrac[MAXR];            /* own safety capacity; < 0: none */
  int hmc_class;                               /* host move-cost class (classes mode) */
} rhost;

typedef struct rvm {
  double dem[MAXR], mig;                       /* mig < 0: unset */
  int app;                                     /* -1: no label */
  int cur;                                     /* host index or -1 */
  int prio, pinned;
  int nallowed, allowed[MAXH];
  int id;
} rvm;

typedef struct rgroup {
  int affinity, hard, scope;                   /* scope 0 host, 1 zone, 2 rack */
  int all_or_nothing;
  int spread, min_domains;                     /* a VMP_SPREAD group (affinity 0) */
  double weight;
  int n, vms[MAXV];
} rgroup;

typedef struct rdep {                          /* group a depends on group b */
  int a, b, scope, hard;
  double weight;
} rdep;

typedef struct rratio {
  int r1, r2;
  double target, weight;
} rratio;

typedef struct rrule {
  int kind, hard;
  double weight;
} rrule;

typedef struct spec {
  int nres, nhosts, nvms, ngroups, nrules;
  int res[MAXR];
  rhost h[MAXH];
  rvm v[MAXV];
  rgroup g[MAXG];
  rrule r[MAXRULES];
  int wset[NTERMS];
  double w[NTERMS];
  double qscale, wscale;  /* quantities and costs/weights scaled toward the
                             ends of their accepted ranges */
  /* The rebalancing model (reassign.h); all zero in a classic problem. */
  int rb;                 /* drawn with the rebalancing model: 1, or 2 with only
                             what the rebalancer models */
  unsigned transient;     /* bit r: resource r is transient */
  double sfrac[MAXR];     /* safety fraction of every host; < 0: none */
  double sweight[MAXR];   /* safety weight; < 0: unset (1) */
  int nratios;
  rratio ratio[MAXRATIO];
  int ndeps;
  rdep dep[MAXDEPS];
  int hmc;                /* host move costs: 0 none, 1 classes, 2 matrix, 3 by label */
  int hmc_nclasses;
  double hmc_cost[MAXH * MAXH]; /* classes x classes, or hosts x hosts */
  int hmc_label;          /* 0 zone, 1 rack */
  double hmc_default;
} spec;

/* ---- random numbers (splitmix64) ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}
static int rnd(uint64_t *s, int n) { return (int)(rng_next(s) % (uint64_t)n); }
static int chance(uint64_t *s, int percent) { return rnd(s, 100) < percent; }

/* ---- generator ------------------------------------------------------------------- */

static void gen_host(uint64_t *s, const spec *sp, rhost *h, int id) {
  static const double caps[] = {0, 4, 8, 8, 12, 16, 16, 24};
  memset(h, 0, sizeof *h);
  h->id = id;
  for (int r = 0; r < MAXR; r++) h->safety[r] = h->sfrac[r] = -1;
  for (int r = 0; r < sp->nres; r++) {
    h->cap[r] = caps[rnd(s, 8)];
    if (chance(s, 15)) h->oc[r] = chance(s, 50) ? 1.5 : 2.0;
    if (chance(s, 15)) h->res[r] = (double)(1 + rnd(s, 3));
  }
  h->cost = chance(s, 40) ? (chance(s, 25) ? 0.5 * (1 + rnd(s, 7)) : (double)rnd(s, 5)) : -1;
  h->zone = chance(s, 70) ? rnd(s, 3) : -1;
  h->rack = chance(s, 40) ? rnd(s, 2) : -1;
  h->maint = chance(s, 10);
}

static void gen_vm(uint64_t *s, const spec *sp, rvm *v, int id) {
  memset(v, 0, sizeof *v);
  v->id = id;
  for (int r = 0; r < sp->nres; r++) v->dem[r] = (double)rnd(s, 9);
  v->mig = chance(s, 20) ? (double)rnd(s, 6) : -1;
  v->app = chance(s, 60) ? rnd(s, 2) : -1;
  v->cur = chance(s, 35) ? rnd(s, sp->nhosts) : -1;
  v->prio = chance(s, 20) ? rnd(s, 4) : 0;
  v->pinned = chance(s, 6);
  if (chance(s, 15)) {
    for (int h = 0; h < sp->nhosts; h++)
      if (chance(s, 50)) v->allowed[v->nallowed++] = h;
    if (!v->nallowed) v->allowed[v->nallowed++] = rnd(s, sp->nhosts);
  }
}

static void gen_group(uint64_t *s, const spec *sp, rgroup *g) {
  int want = 2 + rnd(s, 3);
  memset(g, 0, sizeof *g);
  g->affinity = chance(s, 50);
  g->hard = chance(s, 60);
  g->scope = rnd(s, 3);
  g->weight = chance(s, 50) ? 1.0 : (double)(1 + rnd(s, 5));
  g->all_or_nothing = g->affinity && g->hard && g->scope == 0 && chance(s, 35);
  if (want > sp->nvms) want = sp->nvms;
  while (g->n < want) {
    int v = rnd(s, sp->nvms), dup = 0;
    for (int k = 0; k < g->n; k++) dup |= g->vms[k] == v;
    if (!dup) g->vms[g->n++] = v;
  }
}

/* ---- the rebalancing model -------------------------------------------------------- */

static double effcap_of(const rhost *h, int r) {
  double e = h->cap[r] * (h->oc[r] > 0 ? h->oc[r] : 1.0) - h->res[r];
  return e > 0 ? e : 0;
}

/* A current host for VM v: one where it still fits (effective capacity,
 * the VMs given a current host so far) among a few random tries, else
 * any host -- a running placement that is over-full now and then. */
static int pick_current(uint64_t *s, const spec *sp, double load[MAXH][MAXR], int v) {
  int h = rnd(s, sp->nhosts);
  for (int k = 0; k < 8; k++) {
    int c = rnd(s, sp->nhosts), ok = 1;
    for (int r = 0; r < sp->nres; r++)
      if (load[c][r] + sp->v[v].dem[r] > effcap_of(&sp->h[c], r)) ok = 0;
    if (ok) {
      h = c;
      break;
    }
  }
  for (int r = 0; r < sp->nres; r++) load[h][r] += sp->v[v].dem[r];
  return h;
}

/* Turns the classic problem sp into a running datacenter to rebalance:
 * current hosts on every VM (but one, now and then: the rebalancer then
 * declines), transient resources, safety capacities (for every host as a
 * fraction, per host absolutely or as a fraction; weights), ratio balance
 * terms, spread groups with a minimum of domains (hard or soft),
 * dependencies (hard or soft), migration costs, host-to-host move costs
 * (by classes, a full matrix or a host label) and the weights of the
 * rebalancing terms.  In half of them only what the rebalancer models
 * (hard rules, hard anti-affinity over hosts, hard spread and dependency,
 * no `balance` term), so that it answers rather than declines. */
static void gen_rebalancing(uint64_t *s, spec *sp) {
  static const double targets[] = {0.5, 1, 2, 4};
  double load[MAXH][MAXR];
  int pure = chance(s, 65);
  int lacking = chance(s, pure ? 8 : 30) ? rnd(s, sp->nvms) : -1;
  memset(load, 0, sizeof load);
  sp->rb = pure ? 2 : 1;
  for (int v = 0; v < sp->nvms; v++) {
    rvm *vm = &sp->v[v];
    vm->cur = v == lacking ? -1 : pick_current(s, sp, load, v);
    if (vm->mig < 0 && chance(s, 40)) vm->mig = (double)rnd(s, 6);
  }
  if (pure) {
    /* A VM that fits no open host makes the rebalancer decline: it gets
     * the size of one. */
    for (int v = 0; v < sp->nvms; v++) {
      int fits = 0, open[MAXH], nopen = 0;
      for (int h = 0; h < sp->nhosts; h++) {
        int ok = !sp->h[h].maint;
        for (int r = 0; r < sp->nres; r++) ok &= sp->v[v].dem[r] <= effcap_of(&sp->h[h], r);
        fits |= ok;
        if (!sp->h[h].maint) open[nopen++] = h;
      }
      if (!fits && nopen) {
        const rhost *ho = &sp->h[open[rnd(s, nopen)]];
        for (int r = 0; r < sp->nres; r++)
          if (sp->v[v].dem[r] > effcap_of(ho, r)) sp->v[v].dem[r] = floor(effcap_of(ho, r));
      }
    }
    for (int r = 0; r < sp->nrules; r++) sp->r[r].hard = 1;
    for (int v = 0; v < sp->nvms; v++)
      if (sp->v[v].pinned && chance(s, 50)) sp->v[v].pinned = 0;
    for (int g = 0; g < sp->ngroups; g++) {
      rgroup *gr = &sp->g[g];
      gr->hard = 1;
      gr->all_or_nothing = 0;
      if (gr->affinity) { /* becomes a spread group below */
        gr->affinity = 0;
        gr->spread = 1;
      } else {
        gr->scope = 0;
      }
    }
    sp->wset[4] = 0; /* balance */
  }
  /* Spread groups: some groups become one, and now and then a new one
   * (one member allowed). */
  for (int g = 0; g < sp->ngroups; g++) {
    rgroup *gr = &sp->g[g];
    if (!gr->spread && !chance(s, 40)) continue;
    gr->affinity = 0;
    gr->all_or_nothing = 0;
    gr->spread = 1;
    gr->scope = rnd(s, 3);
    gr->hard = pure || chance(s, 80);
  }
  if (sp->ngroups < MAXG && chance(s, 40)) {
    rgroup *gr = &sp->g[sp->ngroups++];
    int want = 1 + rnd(s, 3);
    memset(gr, 0, sizeof *gr);
    gr->spread = 1;
    gr->scope = rnd(s, 3);
    gr->hard = pure || chance(s, 80);
    gr->weight = (double)(1 + rnd(s, 4));
    if (want > sp->nvms) want = sp->nvms;
    while (gr->n < want) {
      int v = rnd(s, sp->nvms), dup = 0;
      for (int k = 0; k < gr->n; k++) dup |= gr->vms[k] == v;
      if (!dup) gr->vms[gr->n++] = v;
    }
  }
  for (int g = 0; g < sp->ngroups; g++)
    if (sp->g[g].spread) sp->g[g].min_domains = 1 + rnd(s, sp->g[g].n);
  /* Dependencies between groups (a group on itself included). */
  if (sp->ngroups) {
    int want = rnd(s, MAXDEPS + 1);
    for (int k = 0; k < want; k++) {
      rdep d;
      int dup = 0;
      d.a = rnd(s, sp->ngroups);
      d.b = rnd(s, sp->ngroups);
      if (d.a == d.b && sp->ngroups > 1 && chance(s, 80)) d.b = (d.a + 1) % sp->ngroups;
      d.scope = rnd(s, 3);
      d.hard = pure || chance(s, 75);
      d.weight = (double)rnd(s, 4);
      for (int j = 0; j < sp->ndeps; j++)
        dup |= sp->dep[j].a == d.a && sp->dep[j].b == d.b && sp->dep[j].scope == d.scope;
      if (!dup) sp->dep[sp->ndeps++] = d;
    }
  }
  for (int r = 0; r < sp->nres; r++) {
    int over = 0;
    for (int h = 0; h < sp->nhosts; h++) over |= load[h][r] > effcap_of(&sp->h[h], r);
    /* A transient resource that the running VMs already overfill makes the
     * problem one the library refuses (no placement can meet it): now and
     * then only. */
    if (chance(s, 40) && (!over || chance(s, 25))) sp->transient |= 1u << r;
    sp->sfrac[r] = chance(s, 50) ? 0.5 + 0.05 * rnd(s, 10) : -1;
    sp->sweight[r] = chance(s, 50) ? -1 : (double)rnd(s, 6);
    for (int h = 0; h < sp->nhosts; h++) {
      rhost *ho = &sp->h[h];
      ho->safety[r] = ho->sfrac[r] = -1;
      if (chance(s, 15))
        ho->safety[r] = 0.25 * (1 + rnd(s, 4)) * ho->cap[r];
      else if (chance(s, 10))
        ho->sfrac[r] = 0.1 * (3 + rnd(s, 8));
    }
  }
  if (sp->nres >= 2) {
    sp->nratios = rnd(s, MAXRATIO + 1);
    for (int k = 0; k < sp->nratios; k++) {
      rratio *q = &sp->ratio[k];
      q->r1 = rnd(s, sp->nres);
      q->r2 = (q->r1 + 1 + rnd(s, sp->nres - 1)) % sp->nres;
      q->target = targets[rnd(s, 4)];
      q->weight = chance(s, 20) ? 0.0 : (double)(1 + rnd(s, 3));
    }
  }
  switch (rnd(s, 5)) {
  case 0: /* classes */
    sp->hmc = 1;
    sp->hmc_nclasses = 1 + rnd(s, 3);
    for (int h = 0; h < sp->nhosts; h++) sp->h[h].hmc_class = rnd(s, sp->hmc_nclasses);
    for (int k = 0; k < sp->hmc_nclasses * sp->hmc_nclasses; k++)
      sp->hmc_cost[k] = (double)rnd(s, 5);
    break;
  case 1: /* a full matrix */
    sp->hmc = 2;
    for (int k = 0; k < sp->nhosts * sp->nhosts; k++) sp->hmc_cost[k] = (double)rnd(s, 5);
    break;
  case 2: /* by zone or rack: value x value, the pairs present */
    sp->hmc = 3;
    sp->hmc_label = rnd(s, 2);
    sp->hmc_default = (double)rnd(s, 3);
    for (int k = 0; k < 9; k++) sp->hmc_cost[k] = (double)rnd(s, 6);
    break;
  default:
    break;
  }
  for (int t = NCLASSIC_TERMS; t < NTERMS; t++) {
    if (!chance(s, t == 7 ? 60 : 35)) continue; /* group_moves is 0 by default */
    sp->wset[t] = 1;
    sp->w[t] = chance(s, 20) ? 0.0 : (double)(1 + rnd(s, 3));
  }
}

/* (hosts + 1)^VMs, capped. */
static double space(const spec *sp) {
  return pow((double)sp->nhosts + 1.0, (double)sp->nvms);
}

#define REBALANCING_SHARE 35

static void generate(uint64_t seed, spec *sp) {
  uint64_t s = seed;
  int pool[4] = {0, 1, 2, 3};
  memset(sp, 0, sizeof *sp);
  for (int r = 0; r < MAXR; r++) sp->sfrac[r] = sp->sweight[r] = -1;
  sp->nres = 1 + rnd(&s, MAXR);
  for (int k = 0; k < sp->nres; k++) { /* distinct resource names */
    int j = k + rnd(&s, 4 - k), t = pool[k];
    pool[k] = pool[j];
    pool[j] = t;
    sp->res[k] = pool[k];
  }
  sp->nhosts = 2 + rnd(&s, MAXH - 1);
  sp->nvms = 3 + rnd(&s, MAXV - 2);
  /* Keep the enumeration small enough to be exact within the test. */
  while (space(sp) > 2e6 && sp->nvms > 3) sp->nvms--;
  for (int h = 0; h < sp->nhosts; h++) gen_host(&s, sp, &sp->h[h], h);
  for (int v = 0; v < sp->nvms; v++) gen_vm(&s, sp, &sp->v[v], v);
  sp->ngroups = rnd(&s, MAXG + 1);
  for (int g = 0; g < sp->ngroups; g++) gen_group(&s, sp, &sp->g[g]);
  sp->nrules = rnd(&s, MAXRULES + 1);
  for (int r = 0; r < sp->nrules; r++) {
    sp->r[r].kind = rnd(&s, 5);
    sp->r[r].hard = chance(&s, 50);
    sp->r[r].weight = (double)(1 + rnd(&s, 4));
  }
  /* Now and then every number near the top of its accepted range
   * (VMP_MAX_QUANTITY, VMP_MAX_WEIGHT) or tiny. */
  sp->qscale = sp->wscale = 1.0;
  if (chance(&s, 8)) sp->qscale = chance(&s, 50) ? 1e13 : 1e-4;
  if (chance(&s, 8)) sp->wscale = 1e7;
  for (int t = 0; t < NCLASSIC_TERMS; t++) {
    if (!chance(&s, 35)) continue;
    sp->wset[t] = 1;
    switch (t) {
    case 0: sp->w[t] = (double)(1 + rnd(&s, 20)); break; /* explicit unplaced */
    case 4: sp->w[t] = (double)rnd(&s, 10); break;       /* balance */
    default: sp->w[t] = chance(&s, 20) ? 0.0 : (double)(1 + rnd(&s, 3)); break;
    }
  }
  /* A share of the problems with the rebalancing model, drawn from a
   * stream of their own: the classic problems stay those of every seed
   * before it existed. */
  s = seed ^ UINT64_C(0x5bd1e9955bd1e995);
  if (chance(&s, REBALANCING_SHARE)) gen_rebalancing(&s, sp);
}

/* ---- building the library's problem ------------------------------------------------ */

static const char *rule_text(const spec *sp, int kind, int part, char *buf, size_t n) {
  const char *r0 = res_names[sp->res[0]];
  switch (kind) {
  case 0:
    snprintf(buf, n, "%s", part ? "host.labels.zone == \"a\"" : "vm.labels.app == \"db\"");
    break;
  case 1:
    if (part)
      snprintf(buf, n, "host.capacity.%s >= %.17g", r0, 8 * sp->qscale);
    else
      buf[0] = '\0';
    break;
  case 2:
    snprintf(buf, n, "%s", part ? "host.labels.rack != \"r1\"" : "vm.labels.app == \"web\"");
    break;
  case 3:
    if (part)
      snprintf(buf, n, "vm.demand.%s <= %.17g || host.labels.zone in [\"b\", \"c\"]", r0,
               4 * sp->qscale);
    else
      buf[0] = '\0';
    break;
  default:
    snprintf(buf, n, "%s", part ? "host.name != \"h0\"" : "vm.name == \"v1\"");
    break;
  }
  return buf;
}

#define TRY(call)                                                             \
  do {                                                                        \
    if ((rc = (call)) != 0) goto fail;                                         \
  } while (0)

/* The library's problem for sp; NULL (with the reason in err) if the
 * library refuses it. */
static vmp_problem *build(const spec *sp, char *err, size_t errn) {
  vmp_problem *p = NULL;
  int rc;
  char name[16];
  size_t idx;
  TRY(vmp_problem_new(&p));
  for (int r = 0; r < sp->nres; r++)
    TRY(vmp_problem_add_resource(p, res_names[sp->res[r]], NULL));
  for (int h = 0; h < sp->nhosts; h++) {
    const rhost *ho = &sp->h[h];
    double cap[MAXR];
    for (int r = 0; r < sp->nres; r++) cap[r] = ho->cap[r] * sp->qscale;
    snprintf(name, sizeof name, "h%d", ho->id);
    TRY(vmp_problem_add_host(p, name, cap, &idx));
    for (int r = 0; r < sp->nres; r++) {
      if (ho->oc[r] > 0) TRY(vmp_problem_set_host_overcommit(p, idx, (size_t)r, ho->oc[r]));
      if (ho->res[r] > 0)
        TRY(vmp_problem_set_host_reserved(p, idx, (size_t)r, ho->res[r] * sp->qscale));
    }
    if (ho->cost >= 0) TRY(vmp_problem_set_host_cost(p, idx, ho->cost * sp->wscale));
    if (ho->zone >= 0) TRY(vmp_problem_set_host_label(p, idx, "zone", zones[ho->zone]));
    if (ho->rack >= 0) TRY(vmp_problem_set_host_label(p, idx, "rack", racks[ho->rack]));
    if (ho->maint) TRY(vmp_problem_set_host_maintenance(p, idx, 1));
  }
  for (int v = 0; v < sp->nvms; v++) {
    const rvm *vm = &sp->v[v];
    size_t allowed[MAXH];
    double dem[MAXR];
    for (int r = 0; r < sp->nres; r++) dem[r] = vm->dem[r] * sp->qscale;
    snprintf(name, sizeof name, "v%d", vm->id);
    TRY(vmp_problem_add_vm(p, name, dem, &idx));
    if (vm->mig >= 0) TRY(vmp_problem_set_vm_migration_cost(p, idx, vm->mig * sp->qscale));
    if (vm->app >= 0) TRY(vmp_problem_set_vm_label(p, idx, "app", apps[vm->app]));
    if (vm->cur >= 0) TRY(vmp_problem_set_vm_host(p, idx, (size_t)vm->cur));
    if (vm->prio) TRY(vmp_problem_set_vm_priority(p, idx, vm->prio));
    if (vm->pinned) TRY(vmp_problem_set_vm_pinned(p, idx, 1));
    for (int k = 0; k < vm->nallowed; k++) allowed[k] = (size_t)vm->allowed[k];
    if (vm->nallowed)
      TRY(vmp_problem_set_vm_allowed_hosts(p, idx, allowed, (size_t)vm->nallowed));
  }
  for (int g = 0; g < sp->ngroups; g++) {
    const rgroup *gr = &sp->g[g];
    size_t vms[MAXV];
    for (int k = 0; k < gr->n; k++) vms[k] = (size_t)gr->vms[k];
    snprintf(name, sizeof name, "g%d", g);
    TRY(vmp_problem_add_group(p, name,
                              gr->spread     ? VMP_SPREAD
                              : gr->affinity ? VMP_AFFINITY
                                             : VMP_ANTI_AFFINITY,
                              gr->hard, scopes[gr->scope], vms, (size_t)gr->n, &idx));
    if (!gr->hard && gr->weight * sp->wscale != 1.0)
      TRY(vmp_problem_set_group_weight(p, idx, gr->weight * sp->wscale));
    if (gr->all_or_nothing) TRY(vmp_problem_set_group_all_or_nothing(p, idx, 1));
    if (gr->spread)
      TRY(vmp_problem_set_group_min_domains(p, idx, (size_t)gr->min_domains));
  }
  for (int d = 0; d < sp->ndeps; d++) {
    const rdep *dp = &sp->dep[d];
    TRY(vmp_problem_add_dependency(p, (size_t)dp->a, (size_t)dp->b,
                                   dp->scope ? scopes[dp->scope] : NULL, &idx));
    if (!dp->hard) {
      TRY(vmp_problem_set_dependency_hard(p, idx, 0));
      TRY(vmp_problem_set_dependency_weight(p, idx, dp->weight * sp->wscale));
    }
  }
  for (int r = 0; r < sp->nres; r++) {
    if ((sp->transient >> r) & 1u) TRY(vmp_problem_set_resource_transient(p, (size_t)r, 1));
    if (!sp->rb) continue;
    if (sp->sfrac[r] >= 0) TRY(vmp_problem_set_safety_fraction(p, (size_t)r, sp->sfrac[r]));
    if (sp->sweight[r] >= 0)
      TRY(vmp_problem_set_safety_weight(p, (size_t)r, sp->sweight[r] * sp->wscale));
    for (int h = 0; h < sp->nhosts; h++) {
      if (sp->h[h].safety[r] >= 0)
        TRY(vmp_problem_set_host_safety(p, (size_t)h, (size_t)r,
                                        sp->h[h].safety[r] * sp->qscale));
      if (sp->h[h].sfrac[r] >= 0)
        TRY(vmp_problem_set_host_safety_fraction(p, (size_t)h, (size_t)r, sp->h[h].sfrac[r]));
    }
  }
  for (int k = 0; k < sp->nratios; k++) {
    const rratio *q = &sp->ratio[k];
    TRY(vmp_problem_add_ratio_balance(p, (size_t)q->r1, (size_t)q->r2, q->target,
                                      q->weight * sp->wscale, NULL));
  }
  if (sp->hmc == 1 || sp->hmc == 2) {
    size_t cls[MAXH];
    double cost[MAXH * MAXH];
    int n = sp->hmc == 1 ? sp->hmc_nclasses : sp->nhosts;
    for (int h = 0; h < sp->nhosts; h++) cls[h] = (size_t)sp->h[h].hmc_class;
    for (int k = 0; k < n * n; k++) cost[k] = sp->hmc_cost[k] * sp->wscale;
    TRY(sp->hmc == 1 ? vmp_problem_set_host_move_costs(p, cls, (size_t)n, cost)
                     : vmp_problem_set_host_move_matrix(p, cost));
  } else if (sp->hmc == 3) {
    /* (from, to, cost) for the pairs of values some host has */
    const char *const *vals = sp->hmc_label ? racks : zones;
    int nvals = sp->hmc_label ? 2 : 3, has[3] = {0, 0, 0}, n = 0;
    const char *from[9], *to[9];
    double cost[9];
    for (int h = 0; h < sp->nhosts; h++) {
      int x = sp->hmc_label ? sp->h[h].rack : sp->h[h].zone;
      if (x >= 0) has[x] = 1;
    }
    for (int i = 0; i < nvals; i++)
      for (int j = 0; j < nvals; j++)
        if (has[i] && has[j]) {
          from[n] = vals[i];
          to[n] = vals[j];
          cost[n++] = sp->hmc_cost[i * 3 + j] * sp->wscale;
        }
    TRY(vmp_problem_set_host_move_costs_by_label(p, sp->hmc_label ? "rack" : "zone",
                                                 (size_t)n, from, to, cost,
                                                 sp->hmc_default * sp->wscale));
  }
  for (int r = 0; r < sp->nrules; r++) {
    char when[128], req[128];
    snprintf(name, sizeof name, "r%d", r);
    rule_text(sp, sp->r[r].kind, 0, when, sizeof when);
    rule_text(sp, sp->r[r].kind, 1, req, sizeof req);
    TRY(vmp_problem_add_rule(p, name, when[0] ? when : NULL, req, sp->r[r].hard, &idx));
    if (!sp->r[r].hard) TRY(vmp_problem_set_rule_weight(p, idx, sp->r[r].weight * sp->wscale));
  }
  for (int t = 0; t < NTERMS; t++)
    if (sp->wset[t]) TRY(vmp_problem_set_objective(p, term_names[t], sp->w[t] * sp->wscale));
  return p;
fail:
  snprintf(err, errn, "%s: %s", vmp_err_name(rc), vmp_last_error());
  vmp_problem_free(p);
  return NULL;
}

/* ---- the enumerated optimum --------------------------------------------------------- */

typedef struct truth {
  double optimum;      /* lowest objective without hard violations */
  int all_fit;         /* a valid placement holds every VM that fits alone */
  size_t leaves;       /* placements evaluated */
  int error;
} truth;

typedef struct enumctx {
  const vmp_problem *p;
  size_t nv, nh, nr;
  size_t host[MAXV];
  size_t ncand[MAXV], cand[MAXV][MAXH];
  int fits_alone[MAXV];
  double load[MAXH][MAXR], effcap[MAXH][MAXR], dem[MAXV][MAXR];
  truth *t;
  size_t budget;
} enumctx;

static int hard_kind_per_vm(const char *kind) {
  /* Violations a VM has on a host whatever the other VMs do (capacity is
   * monotone: a VM that does not fit alone fits no fuller host). */
  return !strcmp(kind, "capacity") || !strcmp(kind, "maintenance") ||
         !strcmp(kind, "pinned") || !strcmp(kind, "allowed_hosts") ||
         !strcmp(kind, "rule");
}

static int over(double load, double cap) {
  /* Lenient on purpose: a too-lenient prune only costs evaluations, a
   * too-strict one would hide placements. */
  return load > cap * (1.0 + 1e-5) + 1e-5;
}

static void enum_rec(enumctx *c, size_t v) {
  if (c->t->error) return;
  if (v == c->nv) {
    vmp_solution *s = NULL;
    if (c->t->leaves++ >= c->budget) {
      c->t->error = 2;
      return;
    }
    if (vmp_evaluate(c->p, c->host, &s)) {
      c->t->error = 1;
      return;
    }
    if (vmp_solution_status(s) != VMP_STATUS_INVALID) {
      int all = 1;
      if (vmp_solution_objective(s) < c->t->optimum) c->t->optimum = vmp_solution_objective(s);
      for (size_t k = 0; k < c->nv; k++)
        if (c->fits_alone[k] && c->host[k] == VMP_NONE) all = 0;
      if (all) c->t->all_fit = 1;
    }
    vmp_solution_free(s);
    return;
  }
  c->host[v] = VMP_NONE;
  enum_rec(c, v + 1);
  for (size_t k = 0; k < c->ncand[v]; k++) {
    size_t h = c->cand[v][k];
    int ok = 1;
    for (size_t r = 0; r < c->nr; r++)
      if (over(c->load[h][r] + c->dem[v][r], c->effcap[h][r])) ok = 0;
    if (!ok) continue;
    for (size_t r = 0; r < c->nr; r++) c->load[h][r] += c->dem[v][r];
    c->host[v] = h;
    enum_rec(c, v + 1);
    for (size_t r = 0; r < c->nr; r++) c->load[h][r] -= c->dem[v][r];
  }
  c->host[v] = VMP_NONE;
}

static int enumerate(const vmp_problem *p, size_t budget, truth *t) {
  enumctx *c = calloc(1, sizeof *c);
  memset(t, 0, sizeof *t);
  t->optimum = HUGE_VAL;
  if (!c) return -1;
  c->p = p;
  c->t = t;
  c->budget = budget;
  c->nv = vmp_problem_num_vms(p);
  c->nh = vmp_problem_num_hosts(p);
  c->nr = vmp_problem_num_resources(p);
  for (size_t h = 0; h < c->nh; h++)
    for (size_t r = 0; r < c->nr; r++)
      c->effcap[h][r] = vmp_problem_host_effective_capacity(p, h, r);
  for (size_t v = 0; v < c->nv; v++) {
    for (size_t r = 0; r < c->nr; r++) c->dem[v][r] = vmp_problem_vm_demand(p, v, r);
    for (size_t k = 0; k < c->nv; k++) c->host[k] = VMP_NONE;
    for (size_t h = 0; h < c->nh; h++) {
      vmp_solution *s = NULL;
      int ok = 1;
      c->host[v] = h;
      if (vmp_evaluate(p, c->host, &s)) {
        free(c);
        t->error = 1;
        return -1;
      }
      for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
        const char *kind, *msg;
        int hard;
        vmp_solution_violation(s, k, &kind, &msg, &hard);
        if (hard && hard_kind_per_vm(kind)) ok = 0;
      }
      vmp_solution_free(s);
      if (ok) c->cand[v][c->ncand[v]++] = h;
    }
    c->host[v] = VMP_NONE;
    c->fits_alone[v] = c->ncand[v] > 0;
  }
  enum_rec(c, 0);
  free(c);
  return t->error ? -1 : 0;
}

/* ---- a running placement that meets the hard constraints ------------------------------- */

/* Most rebalancing problems start from a running placement that meets
 * every hard constraint (the rebalancer's input; the others test how a
 * broken one is handled).  The generator cannot tell, the library can:
 * random complete placements, each VM on a host it may take alone, until
 * vmp_evaluate finds one without hard violations; then, now and then, one
 * VM moved onto a host in maintenance (to be evacuated).  Deterministic in
 * the seed.  Nothing changes when no such placement turns up. */
static void settle_currents(spec *sp, uint64_t seed) {
  uint64_t s = seed ^ UINT64_C(0x2545f4914f6cdd1d);
  spec free_sp = *sp;
  char err[256];
  vmp_problem *p;
  size_t host[MAXV], ncand[MAXV], cand[MAXV][MAXH];
  int maint[MAXH], nmaint = 0;
  int round = 0, again;
  if (!sp->rb || !chance(&s, sp->rb == 2 ? 100 : 70)) return;
  for (int v = 0; v < free_sp.nvms; v++) free_sp.v[v].cur = -1, free_sp.v[v].pinned = 0;
  free_sp.transient = 0;
candidates:
  if (!(p = build(&free_sp, err, sizeof err))) return;
  for (int v = 0; v < sp->nvms; v++) {
    ncand[v] = 0;
    for (int k = 0; k < sp->nvms; k++) host[k] = VMP_NONE;
    for (int h = 0; h < sp->nhosts; h++) {
      vmp_solution *e = NULL;
      int ok = 1;
      host[v] = (size_t)h;
      if (vmp_evaluate(p, host, &e)) continue;
      for (size_t k = 0; k < vmp_solution_num_violations(e); k++) {
        const char *kind, *msg;
        int hard;
        vmp_solution_violation(e, k, &kind, &msg, &hard);
        if (hard && hard_kind_per_vm(kind)) ok = 0;
      }
      vmp_solution_free(e);
      if (ok) cand[v][ncand[v]++] = (size_t)h;
    }
  }
  /* With only what the rebalancer models, a running VM that may go
   * nowhere loses its allowed hosts (once): the rebalancer declines VMs
   * that fit nowhere. */
  again = 0;
  for (int v = 0; v < sp->nvms && sp->rb == 2 && !round; v++)
    if (!ncand[v] && sp->v[v].cur >= 0 && sp->v[v].nallowed) {
      sp->v[v].nallowed = free_sp.v[v].nallowed = 0;
      again = 1;
    }
  if (again) {
    vmp_problem_free(p);
    round = 1;
    goto candidates;
  }
  for (int tries = 0; tries < 200; tries++) {
    vmp_solution *e = NULL;
    int valid;
    double load[MAXH][MAXR];
    memset(load, 0, sizeof load);
    for (int v = 0; v < sp->nvms; v++) { /* a random host with room */
      size_t n = 0, fit[MAXH];
      host[v] = VMP_NONE;
      if (sp->v[v].cur < 0) continue;
      for (size_t k = 0; k < ncand[v]; k++) {
        size_t h = cand[v][k];
        int ok = 1;
        for (size_t r = 0; r < vmp_problem_num_resources(p); r++)
          if (load[h][r] + vmp_problem_vm_demand(p, (size_t)v, r) >
              vmp_problem_host_effective_capacity(p, h, r))
            ok = 0;
        if (ok) fit[n++] = h;
      }
      if (!n) continue;
      host[v] = fit[rnd(&s, (int)n)];
      for (size_t r = 0; r < vmp_problem_num_resources(p); r++)
        load[host[v]][r] += vmp_problem_vm_demand(p, (size_t)v, r);
    }
    if (vmp_evaluate(p, host, &e)) break;
    valid = vmp_solution_status(e) != VMP_STATUS_INVALID;
    vmp_solution_free(e);
    if (!valid) continue;
    for (int v = 0; v < sp->nvms; v++)
      if (host[v] != VMP_NONE) sp->v[v].cur = (int)host[v];
    for (int h = 0; h < sp->nhosts; h++)
      if (sp->h[h].maint) maint[nmaint++] = h;
    if (nmaint && chance(&s, 40)) {
      int v = rnd(&s, sp->nvms);
      if (sp->v[v].cur >= 0 && !sp->v[v].pinned) sp->v[v].cur = maint[rnd(&s, nmaint)];
    }
    break;
  }
  vmp_problem_free(p);
}

/* 1 when the running placement (every VM on its current host, the others
 * unplaced) breaks a hard constraint other than maintenance. */
static int start_breaks_hard(const vmp_problem *p) {
  size_t nv = vmp_problem_num_vms(p), host[MAXV];
  vmp_solution *e = NULL;
  int broken = 0;
  for (size_t v = 0; v < nv; v++) host[v] = vmp_problem_vm_host(p, v);
  if (vmp_evaluate(p, host, &e)) return 1;
  for (size_t k = 0; k < vmp_solution_num_violations(e); k++) {
    const char *kind, *msg;
    int hard;
    vmp_solution_violation(e, k, &kind, &msg, &hard);
    if (hard && strcmp(kind, "maintenance")) broken = 1;
  }
  vmp_solution_free(e);
  return broken;
}

/* ---- judging one answer -------------------------------------------------------------- */

/* How a solver answered: a placement, or a refusal that claims nothing
 * false -- a decline (VMP_ENOTSUP, naming what it does not model), the
 * rebalancer giving up (VMP_ESTATE: "found no way", not "none exists"), or
 * the refusal of a problem whose running VMs hold more of a transient
 * resource than a host has (VMP_EINVAL), when indeed no placement meets
 * the hard constraints. */
enum { ANSWERED = 0, DECLINED, GAVE_UP, REFUSED, NOUTCOMES };
static const char *const outcome_names[NOUTCOMES] = {"answered", "declined", "gave up",
                                                     "refused"};

typedef struct verdict {
  char what[512];
  int outcome;
} verdict;

static double tol_of(double x) { return 1e-6 * (fabs(x) > 1.0 ? fabs(x) : 1.0); }

/* 0 when the answer of `solver` is sound, else 1 with the reason in out. */
static int judge(const vmp_problem *p, const truth *t, const char *solver,
                 double time_limit, uint64_t seed, verdict *out) {
  vmp_solve_opts o;
  vmp_solution *s = NULL, *e = NULL;
  size_t nv = vmp_problem_num_vms(p), host[MAXV];
  int rc, st, bad = 0;
  double obj, bound, tol;
  vmp_params *ps = NULL;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  /* The GA ends by generations, not by the clock: the answer does not
   * depend on the machine's load. */
  /* The rebalancer (also as auto's first stage) ends by a move budget,
   * not by the clock, for the same reason. */
  if (vmp_params_new(&ps) || vmp_params_set(ps, "genetic.generations", "60") ||
      vmp_params_set(ps, "rebalance.max_moves", REF_REBALANCE_MOVES)) {
    snprintf(out->what, sizeof out->what, "params: %s", vmp_last_error());
    vmp_params_free(ps);
    return 1;
  }
  o.params = ps;
  o.solver = solver;
  o.time_limit = time_limit;
  o.seed = seed;
  o.threads = 1;
  out->what[0] = '\0';
#define BAD(...)                                                              \
  do {                                                                        \
    snprintf(out->what, sizeof out->what, __VA_ARGS__);                       \
    bad = 1;                                                                  \
    goto done;                                                                \
  } while (0)
  out->outcome = ANSWERED;
  if ((rc = vmp_solve(p, &o, &s)) != 0) {
    const char *msg = vmp_last_error();
    snprintf(out->what, sizeof out->what, "%s: %s", vmp_err_name(rc), msg);
    if (rc == VMP_ENOTSUP && msg[0]) {
      out->outcome = DECLINED;
      goto done;
    }
    /* Only the rebalancer may give up (docs/solvers.md); auto then runs
     * its classic chain. */
    if (rc == VMP_ESTATE && !strcmp(solver, "rebalance") && strstr(msg, "found no way")) {
      out->outcome = GAVE_UP;
      goto done;
    }
    if (rc == VMP_ESTATE && !strcmp(solver, "rebalance") &&
        strstr(msg, "placement it starts from") && strstr(msg, "breaks a hard constraint")) {
      /* The rebalancer starts from the running placement: true when that
       * breaks a hard constraint other than maintenance (it evacuates
       * those hosts). */
      if (start_breaks_hard(p)) {
        out->outcome = GAVE_UP;
        goto done;
      }
      BAD("%s: says the running placement is infeasible (%s), but it breaks no hard "
          "constraint", solver, msg);
    }
    if (rc == VMP_EINVAL && strstr(msg, "no placement meets the transient rule")) {
      if (!isfinite(t->optimum)) {
        out->outcome = REFUSED;
        goto done;
      }
      BAD("%s: refuses the problem (%s), but a placement meets every hard constraint "
          "(optimum %.10g)", solver, msg, t->optimum);
    }
    BAD("%s: vmp_solve failed: %s: %s", solver, vmp_err_name(rc), msg);
  }
  st = vmp_solution_status(s);
  obj = vmp_solution_objective(s);
  bound = vmp_solution_bound(s);
  tol = tol_of(t->optimum);
  for (size_t v = 0; v < nv; v++) host[v] = vmp_solution_vm_host(s, v);
  if ((rc = vmp_evaluate(p, host, &e)) != 0)
    BAD("%s: evaluate failed: %s", solver, vmp_last_error());
  if (vmp_solution_status(e) == VMP_STATUS_INVALID || st == VMP_STATUS_INVALID)
    BAD("%s: placement breaks a hard constraint", solver);
  if (!isfinite(obj) || !(fabs(obj - vmp_solution_objective(e)) <= tol_of(obj)))
    BAD("%s: objective %.10g, the evaluator says %.10g", solver, obj,
        vmp_solution_objective(e));
  if (obj < t->optimum - tol)
    BAD("%s: objective %.10g below the enumerated optimum %.10g (referee bug?)", solver,
        obj, t->optimum);
  if (!(bound <= t->optimum + tol))
    BAD("%s: bound %.10g above the optimum %.10g (status %s, objective %.10g)", solver,
        bound, t->optimum, vmp_status_name(st), obj);
  if (st == VMP_STATUS_OPTIMAL && !(fabs(obj - t->optimum) <= tol && fabs(obj - bound) <= tol))
    BAD("%s: optimal at %.10g (bound %.10g), optimum %.10g", solver, obj, bound,
        t->optimum);
  if ((st == VMP_STATUS_OPTIMAL || st == VMP_STATUS_FEASIBLE) && vmp_solution_num_unplaced(s))
    BAD("%s: status %s with %zu VMs unplaced", solver, vmp_status_name(st),
        vmp_solution_num_unplaced(s));
  if ((st == VMP_STATUS_PARTIAL || st == VMP_STATUS_INFEASIBLE) && !vmp_solution_num_unplaced(s))
    BAD("%s: status %s with every VM placed", solver, vmp_status_name(st));
  if (st == VMP_STATUS_INFEASIBLE && t->all_fit)
    BAD("%s: infeasible, but a placement holds every VM that fits alone", solver);
#undef BAD
done:
  vmp_solution_free(s);
  vmp_solution_free(e);
  vmp_params_free(ps);
  return bad;
}

/* ---- one problem, every solver ---------------------------------------------------------- */

typedef struct run {
  const char *const *solvers;
  size_t nsolvers;
  double time_limit;
  size_t budget;
  int verbose;
} run;

enum { OK = 0, UNSOUND = 1, SKIPPED = 2 };

/* Judges p with every solver of r; the first unsound answer in v and in
 * *which (the index of the solver). */
static int check_problem(const run *r, const vmp_problem *p, uint64_t seed, verdict *v,
                         size_t *which, truth *t, int *outcomes) {
  if (enumerate(p, r->budget, t)) {
    snprintf(v->what, sizeof v->what, t->error == 2 ? "enumeration over budget"
                                                    : "enumeration failed: %s",
             vmp_last_error());
    return t->error == 2 ? SKIPPED : UNSOUND;
  }
  for (size_t k = 0; k < r->nsolvers; k++)
    if (judge(p, t, r->solvers[k], r->time_limit, seed, v)) {
      if (which) *which = k;
      return UNSOUND;
    } else {
      if (outcomes) outcomes[k] = v->outcome;
      if (r->verbose && v->outcome != ANSWERED)
        fprintf(stderr, "referee:   %s %s: %s\n", r->solvers[k], outcome_names[v->outcome],
                v->what);
    }
  return OK;
}

/* ---- minimising a failing problem -------------------------------------------------------- */

/* Drops group g, with the dependencies that name it. */
static void drop_group(spec *sp, int g) {
  int n = 0;
  memmove(&sp->g[g], &sp->g[g + 1], (size_t)(sp->ngroups - g - 1) * sizeof *sp->g);
  sp->ngroups--;
  for (int d = 0; d < sp->ndeps; d++) {
    rdep x = sp->dep[d];
    if (x.a == g || x.b == g) continue;
    if (x.a > g) x.a--;
    if (x.b > g) x.b--;
    sp->dep[n++] = x;
  }
  sp->ndeps = n;
}

static void drop_vm(spec *sp, int v) {
  for (int g = 0; g < sp->ngroups; g++) {
    rgroup *gr = &sp->g[g];
    int n = 0;
    for (int k = 0; k < gr->n; k++)
      if (gr->vms[k] != v) gr->vms[n++] = gr->vms[k] > v ? gr->vms[k] - 1 : gr->vms[k];
    gr->n = n;
    if (gr->min_domains > n) gr->min_domains = n;
  }
  memmove(&sp->v[v], &sp->v[v + 1], (size_t)(sp->nvms - v - 1) * sizeof *sp->v);
  sp->nvms--;
  for (int g = 0; g < sp->ngroups;) /* a group needs two members (spread one) */
    if (sp->g[g].n < (sp->g[g].spread ? 1 : 2))
      drop_group(sp, g);
    else
      g++;
}

static void drop_host(spec *sp, int h) {
  for (int v = 0; v < sp->nvms; v++) {
    rvm *vm = &sp->v[v];
    int n = 0, had = vm->nallowed;
    if (vm->cur == h) vm->cur = -1, vm->pinned = 0;
    else if (vm->cur > h) vm->cur--;
    for (int k = 0; k < vm->nallowed; k++)
      if (vm->allowed[k] != h) vm->allowed[n++] = vm->allowed[k] > h ? vm->allowed[k] - 1 : vm->allowed[k];
    vm->nallowed = n;
    if (had && !n) vm->allowed[vm->nallowed++] = 0; /* keep it restricted */
  }
  if (sp->hmc == 2) { /* the matrix without row and column h */
    double m[MAXH * MAXH];
    int n = 0;
    for (int a = 0; a < sp->nhosts; a++)
      for (int b = 0; b < sp->nhosts; b++)
        if (a != h && b != h) m[n++] = sp->hmc_cost[a * sp->nhosts + b];
    memcpy(sp->hmc_cost, m, (size_t)n * sizeof *m);
  }
  memmove(&sp->h[h], &sp->h[h + 1], (size_t)(sp->nhosts - h - 1) * sizeof *sp->h);
  sp->nhosts--;
}

/* Drops resource x (x >= 1: resource 0 is used by rules). */
static void drop_resource(spec *sp, int x) {
  int tail = sp->nres - x - 1, n = 0;
  for (int h = 0; h < sp->nhosts; h++) {
    rhost *ho = &sp->h[h];
    memmove(&ho->cap[x], &ho->cap[x + 1], (size_t)tail * sizeof(double));
    memmove(&ho->oc[x], &ho->oc[x + 1], (size_t)tail * sizeof(double));
    memmove(&ho->res[x], &ho->res[x + 1], (size_t)tail * sizeof(double));
    memmove(&ho->safety[x], &ho->safety[x + 1], (size_t)tail * sizeof(double));
    memmove(&ho->sfrac[x], &ho->sfrac[x + 1], (size_t)tail * sizeof(double));
  }
  for (int v = 0; v < sp->nvms; v++)
    memmove(&sp->v[v].dem[x], &sp->v[v].dem[x + 1], (size_t)tail * sizeof(double));
  memmove(&sp->res[x], &sp->res[x + 1], (size_t)tail * sizeof(int));
  memmove(&sp->sfrac[x], &sp->sfrac[x + 1], (size_t)tail * sizeof(double));
  memmove(&sp->sweight[x], &sp->sweight[x + 1], (size_t)tail * sizeof(double));
  sp->transient = (sp->transient & ((1u << x) - 1u)) | ((sp->transient >> (x + 1)) << x);
  for (int k = 0; k < sp->nratios; k++) {
    rratio q = sp->ratio[k];
    if (q.r1 == x || q.r2 == x) continue;
    if (q.r1 > x) q.r1--;
    if (q.r2 > x) q.r2--;
    sp->ratio[n++] = q;
  }
  sp->nratios = n;
  sp->nres--;
}

static int still_fails(const run *r, const spec *sp, size_t solver, uint64_t seed) {
  char err[256];
  vmp_problem *p;
  verdict v;
  truth t;
  run one = *r;
  int res;
  if (sp->nhosts < 1 || sp->nvms < 1) return 0;
  if (!(p = build(sp, err, sizeof err))) return 0;
  one.solvers = &r->solvers[solver];
  one.nsolvers = 1;
  res = check_problem(&one, p, seed, &v, NULL, &t, NULL);
  vmp_problem_free(p);
  return res == UNSOUND;
}

/* Greedy one-at-a-time reduction, repeated until nothing more goes. */
static void minimise(const run *r, spec *sp, size_t solver, uint64_t seed) {
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int v = sp->nvms - 1; v >= 0; v--) {
      spec t = *sp;
      drop_vm(&t, v);
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int h = sp->nhosts - 1; h >= 0; h--) {
      spec t = *sp;
      if (sp->nhosts < 2) break;
      drop_host(&t, h);
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int g = sp->ngroups - 1; g >= 0; g--) {
      spec t = *sp;
      drop_group(&t, g);
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int d = sp->ndeps - 1; d >= 0; d--) {
      spec t = *sp;
      memmove(&t.dep[d], &t.dep[d + 1], (size_t)(t.ndeps - d - 1) * sizeof *t.dep);
      t.ndeps--;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int k = sp->nratios - 1; k >= 0; k--) {
      spec t = *sp;
      memmove(&t.ratio[k], &t.ratio[k + 1], (size_t)(t.nratios - k - 1) * sizeof *t.ratio);
      t.nratios--;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int x = 0; x < sp->nres; x++) {
      spec t = *sp;
      if ((t.transient >> x) & 1u) {
        t.transient &= ~(1u << x);
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
      t = *sp;
      if (t.sfrac[x] >= 0 || t.sweight[x] >= 0) {
        t.sfrac[x] = t.sweight[x] = -1;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
    }
    if (sp->hmc) {
      spec t = *sp;
      t.hmc = 0;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int g = 0; g < sp->ngroups; g++) {
      spec t = *sp;
      if (!t.g[g].all_or_nothing) continue;
      t.g[g].all_or_nothing = 0;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int k = sp->nrules - 1; k >= 0; k--) {
      spec t = *sp;
      memmove(&t.r[k], &t.r[k + 1], (size_t)(t.nrules - k - 1) * sizeof *t.r);
      t.nrules--;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int x = sp->nres - 1; x >= 1; x--) { /* resource 0 is used by rules */
      spec t = *sp;
      drop_resource(&t, x);
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    /* Features, one at a time. */
    for (int h = 0; h < sp->nhosts; h++) {
      spec t = *sp;
      rhost *ho = &t.h[h];
      int any = 0;
      for (int x = 0; x < t.nres; x++) any |= ho->oc[x] > 0 || ho->res[x] > 0;
      if (any) {
        for (int x = 0; x < t.nres; x++) ho->oc[x] = 0, ho->res[x] = 0;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
      t = *sp;
      if (t.h[h].maint) {
        t.h[h].maint = 0;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
      t = *sp;
      if (t.h[h].cost >= 0) {
        t.h[h].cost = -1;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
      t = *sp;
      any = 0;
      for (int x = 0; x < t.nres; x++) any |= t.h[h].safety[x] >= 0 || t.h[h].sfrac[x] >= 0;
      if (any) {
        for (int x = 0; x < t.nres; x++) t.h[h].safety[x] = t.h[h].sfrac[x] = -1;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
    }
    for (int v = 0; v < sp->nvms; v++) {
      spec t = *sp;
      rvm *vm = &t.v[v];
      if (!(vm->cur >= 0 || vm->nallowed || vm->pinned || vm->prio || vm->mig >= 0)) continue;
      if (vm->pinned) {
        vm->pinned = 0;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
        t = *sp;
      }
      if (t.v[v].nallowed) {
        t.v[v].nallowed = 0;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
        t = *sp;
      }
      if (t.v[v].cur >= 0 && !t.v[v].pinned) {
        t.v[v].cur = -1;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
        t = *sp;
      }
      if (t.v[v].prio || t.v[v].mig >= 0) {
        t.v[v].prio = 0;
        t.v[v].mig = -1;
        if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
      }
    }
    if (sp->qscale != 1.0 || sp->wscale != 1.0) {
      spec t = *sp;
      t.qscale = t.wscale = 1.0;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
    for (int k = 0; k < NTERMS; k++) {
      spec t = *sp;
      if (!t.wset[k]) continue;
      t.wset[k] = 0;
      if (still_fails(r, &t, solver, seed)) *sp = t, changed = 1;
    }
  }
}

static int write_problem(const vmp_problem *p, const char *dir, const char *name) {
  char path[1024];
  char *json = NULL;
  FILE *f;
  if (vmp_problem_to_json(p, &json)) return -1;
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  f = fopen(path, "w");
  if (!f) {
    vmp_free(json);
    return -1;
  }
  fputs(json, f);
  fputc('\n', f);
  fclose(f);
  vmp_free(json);
  fprintf(stderr, "referee: wrote %s\n", path);
  return 0;
}

/* ---- runs ---------------------------------------------------------------------------------- */

typedef struct tally {
  size_t problems, skipped, unsound, answers;
  size_t leaves;
  size_t rb_problems;                   /* judged problems with the rebalancing model */
  size_t outcome[NSOLVERS][NOUTCOMES];  /* answers by solver and outcome */
} tally;

static void print_tally(FILE *f, const run *r, const tally *ty) {
  fprintf(f, "referee: %zu of the %zu problems judged use the rebalancing model\n",
          ty->rb_problems, ty->problems);
  for (size_t k = 0; k < r->nsolvers; k++) {
    fprintf(f, "referee:   %-10s", r->solvers[k]);
    for (int o = 0; o < NOUTCOMES; o++)
      fprintf(f, " %s %zu%s", outcome_names[o], ty->outcome[k][o], o + 1 < NOUTCOMES ? "," : "\n");
  }
}

static int run_file(const run *r, const char *path, char *why, size_t n);

/* Random problems seed0 .. seed0+count-1; minimised failures go to outdir
 * (if not NULL). */
static void run_random(const run *r, uint64_t seed0, size_t count, const char *outdir,
                       tally *ty) {
  for (size_t k = 0; k < count; k++) {
    uint64_t seed = seed0 + k;
    spec sp;
    char err[256];
    vmp_problem *p;
    verdict v;
    truth t;
    size_t which = 0;
    int res, outcomes[NSOLVERS];
    generate(seed * UINT64_C(0x100000001b3) + 7, &sp);
    settle_currents(&sp, seed);
    if (!(p = build(&sp, err, sizeof err))) {
      fprintf(stderr, "referee: seed %llu: the generator made a problem the library refuses: %s\n",
              (unsigned long long)seed, err);
      ty->unsound++;
      continue;
    }
    for (size_t j = 0; j < NSOLVERS; j++) outcomes[j] = -1;
    res = check_problem(r, p, 1, &v, &which, &t, outcomes);
    ty->leaves += t.leaves;
    if (res == SKIPPED) {
      ty->skipped++;
      vmp_problem_free(p);
      continue;
    }
    ty->problems++;
    ty->rb_problems += sp.rb != 0;
    ty->answers += res == OK ? r->nsolvers : which + 1;
    for (size_t j = 0; j < r->nsolvers; j++)
      if (outcomes[j] >= 0) ty->outcome[j][outcomes[j]]++;
    if (res == UNSOUND) {
      char name[64];
      ty->unsound++;
      fprintf(stderr, "referee: seed %llu: %s\n", (unsigned long long)seed, v.what);
      if (outdir) {
        spec m = sp;
        vmp_problem *q;
        minimise(r, &m, which, 1);
        if ((q = build(&m, err, sizeof err))) {
          check_problem(r, q, 1, &v, &which, &t, NULL);
          fprintf(stderr, "referee: seed %llu minimised (%d hosts, %d VMs, %d groups, %d rules): %s\n",
                  (unsigned long long)seed, m.nhosts, m.nvms, m.ngroups, m.nrules, v.what);
          snprintf(name, sizeof name, "seed%llu_%s", (unsigned long long)seed,
                   r->solvers[which]);
          if (write_problem(q, outdir, name) == 0) {
            char path[1024], why[768];
            snprintf(path, sizeof path, "%s/%s.json", outdir, name);
            if (!run_file(r, path, why, sizeof why))
              fprintf(stderr, "referee: %s does not fail when read back\n", path);
          }
          vmp_problem_free(q);
        }
      }
    } else if (r->verbose) {
      fprintf(stderr, "referee: seed %llu ok (%s, optimum %.10g, %zu placements)\n",
              (unsigned long long)seed,
              sp.rb == 2 ? "rebalancing, only what the rebalancer models"
              : sp.rb    ? "rebalancing"
                         : "classic",
              t.optimum, t.leaves);
    }
    vmp_problem_free(p);
  }
}

/* One kept problem file: 0 when every solver answers soundly. */
static int run_file(const run *r, const char *path, char *why, size_t n) {
  vmp_problem *p = NULL;
  verdict v;
  truth t;
  int res;
  if (vmp_problem_read(path, VMP_FORMAT_AUTO, &p)) {
    snprintf(why, n, "%s: %s", path, vmp_last_error());
    return 1;
  }
  res = check_problem(r, p, 1, &v, NULL, &t, NULL);
  vmp_problem_free(p);
  if (res != OK) snprintf(why, n, "%s: %s", path, v.what);
  return res != OK;
}

/* Every solver, 5 s each (the GA by generations), 400,000 placements at
 * most per enumeration. */
static run default_run(void) {
  run r;
  r.solvers = solver_names;
  r.nsolvers = NSOLVERS;
  r.time_limit = 5.0;
  r.budget = 400000;
  r.verbose = 0;
  return r;
}

/* ---- cmocka mode ------------------------------------------------------------------------------ */

#ifndef VMP_REFEREE_TOOL


static int is_json(const char *name) {
  size_t n = strlen(name);
  return n > 5 && !strcmp(name + n - 5, ".json");
}

/* Every kept problem (the soundness examples of test_soundness.c and minimised failures). */
static void test_referee__kept_problems(void **state) {
  run r = default_run();
  const char *dir = VMPLACE_TEST_DATA "/referee";
  DIR *d = opendir(dir);
  struct dirent *de;
  size_t n = 0, failed = 0;
  (void)state;
  assert_non_null(d);
  while ((de = readdir(d))) {
    char path[1024], why[768];
    if (!is_json(de->d_name)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    n++;
    if (run_file(&r, path, why, sizeof why)) {
      print_message("unsound: %s\n", why);
      failed++;
    }
  }
  closedir(d);
  assert_true(n >= 3);
  assert_int_equal(failed, 0);
}

/* A few hundred random problems with fixed seeds. */
static void test_referee__random(void **state) {
  run r = default_run();
  tally ty = {0};
  /* The sanitizers make an evaluation ten times slower (more on a loaded
   * machine, and ctest stops a test at 600 s): fewer problems,
   * and a smaller enumeration (larger ones are skipped, and counted). */
  size_t count = REF_SANITIZED ? 12 : 300;
  const char *env = getenv("VMPLACE_REFEREE_COUNT");
  (void)state;
  if (REF_SANITIZED) r.budget = 5000;
  if (env && *env) count = (size_t)strtoul(env, NULL, 10);
  run_random(&r, 1, count, NULL, &ty);
  print_message("referee: %zu problems, %zu skipped, %zu answers, %zu unsound, %zu placements evaluated\n",
                ty.problems, ty.skipped, ty.answers, ty.unsound, ty.leaves);
  print_tally(stdout, &r, &ty);
  assert_int_equal(ty.unsound, 0);
  /* The rebalancing model is drawn, and the rebalancer answers some of
   * it (it declines the rest). */
  assert_true(ty.rb_problems > 0);
  assert_true(ty.outcome[NSOLVERS - 1][ANSWERED] > 0);
  /* the enumeration covers nearly all */
  assert_true(ty.skipped * (REF_SANITIZED ? 2 : 10) <= count);
}

#endif /* VMP_REFEREE_TOOL */

/* ---- the long run ------------------------------------------------------------------------------ */

static int usage(void) {
  fprintf(stderr,
          "usage: vmplace-referee [--count N] [--seed S] [--solvers a,b,..] [--time-limit T]\n"
          "                       [--budget N] [--out DIR] [--verbose] [FILE.json ...]\n");
  return 2;
}

static int long_run(int argc, char **argv) {
  run r = default_run();
  tally ty = {0};
  uint64_t seed = 1;
  size_t count = 0, nfiles = 0, filebad = 0;
  const char *outdir = NULL;
  static const char *picked[NSOLVERS];
  static char solvers_buf[256];
  time_t t0 = time(NULL);
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k];
    if (!strcmp(a, "--count") && k + 1 < argc) count = (size_t)strtoul(argv[++k], NULL, 10);
    else if (!strcmp(a, "--seed") && k + 1 < argc) seed = strtoull(argv[++k], NULL, 10);
    else if (!strcmp(a, "--time-limit") && k + 1 < argc) r.time_limit = atof(argv[++k]);
    else if (!strcmp(a, "--budget") && k + 1 < argc) r.budget = (size_t)strtoul(argv[++k], NULL, 10);
    else if (!strcmp(a, "--out") && k + 1 < argc) outdir = argv[++k];
    else if (!strcmp(a, "--verbose")) r.verbose = 1;
    else if (!strcmp(a, "--solvers") && k + 1 < argc) {
      char *tok;
      size_t n = 0;
      snprintf(solvers_buf, sizeof solvers_buf, "%s", argv[++k]);
      for (tok = strtok(solvers_buf, ","); tok && n < NSOLVERS; tok = strtok(NULL, ","))
        picked[n++] = tok;
      r.solvers = picked;
      r.nsolvers = n;
    } else if (a[0] == '-') {
      return usage();
    }
  }
  for (int k = 1; k < argc; k++) {
    char why[768];
    const char *a = argv[k];
    if (a[0] == '-') {
      if (strcmp(a, "--verbose")) k++;
      continue;
    }
    nfiles++;
    if (run_file(&r, a, why, sizeof why)) {
      fprintf(stderr, "referee: unsound: %s\n", why);
      filebad++;
    }
  }
  if (count) run_random(&r, seed, count, outdir, &ty);
  printf("referee: seeds %llu..%llu: %zu problems, %zu skipped (enumeration over budget), "
         "%zu answers judged, %zu unsound; %zu files, %zu unsound; %ld s\n",
         (unsigned long long)seed, (unsigned long long)(seed + (count ? count - 1 : 0)),
         ty.problems, ty.skipped, ty.answers, ty.unsound, nfiles, filebad,
         (long)(time(NULL) - t0));
  if (count) print_tally(stdout, &r, &ty);
  return ty.unsound || filebad ? 1 : 0;
}

int main(int argc, char **argv) {
#ifdef VMP_REFEREE_TOOL
  if (argc < 2) return usage();
  return long_run(argc, argv);
#else
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_referee__kept_problems),
      cmocka_unit_test(test_referee__random),
  };
  if (argc > 1) return long_run(argc, argv);
  return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
