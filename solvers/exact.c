/*
 * The exact stage of `auto` (docs/solvers.md): after the fast
 * solvers, prove what can be proven in the time left.  The assignment MIP
 * where it is small enough, column generation where hosts cost; when both
 * pay, the one suited to the problem first with a share of the time, the
 * other with the rest; the better placement and the better bound are kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warmstart.h"

/* Groups the pattern master relaxes (docs/formulations.md): with them,
 * column generation still bounds, but its placements need repair. */
static int master_relaxes(const vmp__model *m) {
  if (m->w.balance > 0.0 || m->has_soft_groups) return 1;
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (m->groups[g].hard && m->scopes[m->groups[g].scope].dom != NULL) return 1;
  return 0;
}

/* Share of the exact stage's time the first of two methods gets; the
 * second gets the rest (and whatever the first left).  Column generation
 * on identical hosts usually proves or ends by itself, so it gets more
 * (bin packing's hard cases are won in its dives). */
#define COLGEN_FIRST_SHARE 0.75
#define ILP_FIRST_SHARE 0.6
/* The bin completion search (solvers/binproof.c) before the other
 * methods: at most this many nodes, and this share of the stage's time. */
#define BINPROOF_QUICK_NODES 100000u
/* ... then, with column generation's root duals, a short search before
 * colgen's dives (most proofs take 10^5 to 3 x 10^6 nodes; more would
 * delay files the dives prove in a second), and a long one after them,
 * with this share of what the MIP would get. */
#define BINPROOF_SHORT_NODES 2000000u
#define BINPROOF_NODES 40000000u
#define BINPROOF_SHARE 0.5
/* ... on models with at least this many resources (vector bin packing):
 * one and two go through auto's quick column generation first; the
 * search was not measured there, and Falkenauer's times stay as they
 * are. */
#define BINPROOF_MIN_RES 3
/* The searches before colgen's dives (the one on volume, colgen's root
 * alone, the short one with its duals, and colgen's restart from the
 * root's columns) only where they are cheap beside the dives: at most
 * this many items (a small tree: the proofs measured took 800 to 1.2
 * million nodes) or at most this many resources (cheap nodes, pruned
 * hard by the duals).  Elsewhere (120 items on five or ten resources)
 * the dives prove in 4-40 s and any work moved ahead of them changes
 * their columns and their start: colgen runs there as it would without
 * the search, which gets only the time the dives leave (the long search
 * after them). */
#define BINPROOF_EARLY_ITEMS 60
#define BINPROOF_EARLY_RES 3
/* Hosts per class from which a problem counts as one of identical hosts
 * (column generation's ground). */
#define IDENTICAL_HOSTS_PER_CLASS 4.0

/* Rules that make the assignment MIP's relaxation strong where the
 * pattern master's pricing is slow: allowed sets that differ between VMs
 * (compliance zones) or hard host anti-affinity (conflicts in every
 * knapsack).  Bin packing has neither. */
int vmp__exact_rule_laden(const vmp__model *m) {
  if (m->naclasses > 1) return 1;
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (m->groups[g].hard && m->groups[g].policy == VMP_ANTI_AFFINITY &&
        m->scopes[m->groups[g].scope].dom == NULL)
      return 1;
  return 0;
}

/* Which exact solvers pay, in order (at most two), NULL-terminated.  The
 * assignment MIP where the model is small enough, column generation
 * where it has costs to bound; when both pay, the one that suits the
 * problem goes first: column generation where many hosts are identical
 * and its master expresses the problem (it proves what the assignment
 * model cannot), the MIP on heterogeneous or rule-laden models (small
 * classes, groups the master relaxes, compliance zones and hard
 * anti-affinity), where its branch and bound closes the gap and column
 * generation mostly adds a bound or a placement. */
static void choose(const vmp__model *m, const char *out[3]) {
  double pairs = (double)m->nitems * (double)m->nhosts;
  int cg = m->w.cost > 0.0 && m->nitems <= 200000, ilp = pairs <= 200000.0, n = 0;
  int identical = (double)m->nhosts >= IDENTICAL_HOSTS_PER_CLASS * (double)m->nhclasses;
  if (cg && ilp) {
    if (identical && !master_relaxes(m) && !vmp__exact_rule_laden(m)) {
      out[n++] = "colgen";
      out[n++] = "ilp";
    } else {
      out[n++] = "ilp";
      out[n++] = "colgen";
    }
  } else if (ilp) {
    out[n++] = "ilp";
  } else if (cg) {
    out[n++] = "colgen";
  }
  out[n] = NULL;
}

/* Runs one exact solver from res's placement for at most `seconds`;
 * keeps the better placement and the better bound.  *cut is set when the
 * clock stopped it short of a proof. */
static int stage(vmp__ctx *ctx, const char *name, double seconds, vmp__result *res,
                 double *cur, int *cut) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  vmp__result ex;
  double obj;
  int rc, ok, as_is = ctx->incumbent_as_is;
  if ((rc = vmp__result_init(&ex, m->nitems))) return rc;
  /* The fast stages of auto chose this start: the solver's warm start
   * takes it as it is (solvers/warmstart.h). */
  if (*cur < HUGE_VAL) {
    ctx->incumbent = res->host;
    ctx->incumbent_as_is = 1;
  }
  rc = vmp__solver_run_budget(ctx, name, seconds, &ex);
  ctx->incumbent = saved;
  ctx->incumbent_as_is = as_is;
  if (rc == VMP_ENOMEM || rc == VMP_EINTERNAL) {
    vmp__result_free(&ex);
    return rc;
  }
  if (rc) {
    /* A failed exact stage leaves the answer so far standing. */
    vmp__ctx_log(ctx, VMP_LOG_WARN, "auto: %s failed (%s): %s; keeping the placement found",
                 name, vmp_err_name(rc), vmp_last_error());
    vmp__stats_set(&res->stats, "auto.exact_failed", 1);
    vmp__result_free(&ex);
    return 0;
  }
  if ((ok = vmp__verify_items(m, ex.host, &obj)) < 0) {
    vmp__result_free(&ex);
    return ok;
  }
  if (ok && obj <= *cur) {
    memcpy(res->host, ex.host, m->nitems * sizeof *res->host);
    res->proven_optimal = ex.proven_optimal;
    res->proven_infeasible = ex.proven_infeasible;
    *cur = obj;
  }
  if (!ex.proven_optimal && ex.stop_reason == VMP_STOP_TIME_LIMIT) *cut = 1;
  if (ex.bound > res->bound) res->bound = ex.bound;
  for (size_t k = 0; k < ex.stats.n; k++) vmp__stats_set(&res->stats, ex.stats.names[k], ex.stats.values[k]);
  vmp__stats_set(&res->stats, !strcmp(name, "ilp") ? "auto.exact_ilp" : "auto.exact_colgen", 1);
  vmp__result_free(&ex);
  return 0;
}

/* Column generation's root alone (no dive, no integer master), with the
 * caller's parameters otherwise: it leaves its columns and its duals in
 * ctx->colgen_pool, for the search and for the full run after it. */
static int root_only(vmp__ctx *ctx, double seconds, vmp__result *res, double *cur, int *cut) {
  static const char *const root[][2] = {{"colgen.dive", "false"},
                                        {"colgen.integer_master", "false"}};
  const vmp_params *saved = ctx->params;
  vmp_params *ps;
  int rc = vmp_params_new(&ps);
  for (size_t k = 0; !rc && k < saved->n; k++)
    rc = vmp__params_put(ps, saved->v[k].spec, saved->v[k].text);
  for (size_t k = 0; !rc && k < sizeof root / sizeof root[0]; k++) {
    const vmp__param_spec *spec = vmp__param_spec_find(root[k][0]);
    if (spec && !vmp__params_find(saved, spec)) rc = vmp__params_put(ps, spec, root[k][1]);
  }
  if (!rc) {
    ctx->params = ps;
    rc = stage(ctx, "colgen", seconds, res, cur, cut);
    ctx->params = saved;
  }
  vmp_params_free(ps);
  return rc;
}

static int proven(const vmp__ctx *ctx, const vmp__result *res, double cur) {
  double b = res->bound > ctx->best_bound ? res->bound : ctx->best_bound;
  return cur < HUGE_VAL && cur - b <= 1e-6 * (fabs(cur) > 1.0 ? fabs(cur) : 1.0);
}

/* On pure vector bin packing: whether the items fit in one host fewer
 * than res's placement uses (then again from the new placement, while
 * the bound allows one fewer).  A proof that they do not closes the gap
 * that the pattern master's bound, rounded up, leaves one short. */
static int prove_packing(vmp__ctx *ctx, vmp__result *res, double *cur, const double *pi,
                         uint64_t budget, double share) {
  const vmp__model *m = ctx->m;
  double unit = m->w.cost * m->cost[m->hclass_hosts[0]], deadline = ctx->deadline, obj;
  uint64_t nodes = 0, total = 0;
  int32_t *host = malloc(m->nitems * sizeof *host);
  uint8_t *open = calloc(m->nhosts, 1);
  int rc = 0, ok;
  if (!host || !open) {
    rc = vmp__enomem();
    goto out;
  }
  if (deadline < HUGE_VAL) ctx->deadline = vmp__now() + share * vmp__ctx_remaining(ctx);
  for (;;) {
    double b = res->bound > ctx->best_bound ? res->bound : ctx->best_bound;
    uint32_t used = 0;
    size_t unplaced = 0;
    memset(open, 0, m->nhosts);
    for (size_t i = 0; i < m->nitems; i++)
      if (res->host[i] < 0) {
        unplaced++;
      } else if (!open[res->host[i]]) {
        open[res->host[i]] = 1;
        used++;
      }
    /* A host fewer than the bound allows cannot be.  With an item left
     * out, a proof that all items need `used` hosts would not make this
     * placement optimal (one with every item on `used` hosts costs less):
     * the search is only run on complete placements. */
    if (unplaced || used == 0 || (double)(used - 1) * unit < b - 1e-6 * unit) break;
    rc = vmp__binproof(ctx, used - 1, pi, budget - total, host, &nodes);
    total += nodes;
    vmp__ctx_log(ctx, VMP_LOG_DEBUG, "binproof: %u hosts%s: %d after %llu nodes", used - 1,
                 pi ? " (duals)" : "", rc, (unsigned long long)nodes);
    if (rc < 0) goto out;
    if (rc == 0) {
      res->proven_optimal = 1;
      if (*cur > res->bound) res->bound = *cur;
      vmp__stats_set(&res->stats, "binproof.proven", 1);
    }
    if (rc != 1) break;
    if ((ok = vmp__verify_items(m, host, &obj)) < 0) {
      rc = ok;
      goto out;
    }
    if (!ok || obj > *cur) break;
    memcpy(res->host, host, m->nitems * sizeof *host);
    *cur = obj;
    vmp__stats_add(&res->stats, "binproof.improved", 1);
  }
  rc = 0;
  vmp__stats_add(&res->stats, "binproof.nodes", (double)total);
out:
  ctx->deadline = deadline;
  if (!ctx->interrupted) atomic_store(&ctx->stop, 0);
  free(host);
  free(open);
  return rc;
}

int vmp__exact_stage(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  const char *names[3];
  double cur;
  const double *pi;
  int rc = 0, ok, cut = 0, packing, early, own_pool = 0;
  choose(m, names);
  if ((ok = vmp__verify_items(m, res->host, &cur)) < 0) return ok;
  if (!ok) cur = HUGE_VAL;
  packing = ok && m->nres >= BINPROOF_MIN_RES && vmp__binproof_applies(m);
  early = packing && (m->nitems <= BINPROOF_EARLY_ITEMS || m->nres <= BINPROOF_EARLY_RES);
  if (early && (rc = prove_packing(ctx, res, &cur, NULL, BINPROOF_QUICK_NODES, 1.0))) return rc;
  /* Column generation's root alone, then the search with its duals,
   * before the methods below (whose colgen starts from the root's
   * columns, kept in a pool for this stage). */
  if (early && names[0] && !strcmp(names[0], "colgen") && !ctx->colgen_pool &&
      !proven(ctx, res, cur) && !res->proven_optimal && !vmp__ctx_should_stop(ctx)) {
    double left = vmp__ctx_remaining(ctx);
    if ((rc = vmp__colgen_pool_new(&ctx->colgen_pool))) return rc;
    own_pool = 1;
    if ((rc = root_only(ctx, left < HUGE_VAL ? COLGEN_FIRST_SHARE * left : left, res, &cur,
                        &cut)))
      goto out;
    pi = vmp__colgen_pool_duals(ctx->colgen_pool, m);
    if (pi && !proven(ctx, res, cur) && !res->proven_optimal &&
        (rc = prove_packing(ctx, res, &cur, pi, BINPROOF_SHORT_NODES, BINPROOF_SHARE)))
      goto out;
  } else if (packing && names[0] && !strcmp(names[0], "colgen") && !ctx->colgen_pool) {
    /* An empty pool, only for the root's duals: colgen adds no column
     * from it and runs its root and dives as without it (it copies the
     * duals after the root, its patterns at the end). */
    if ((rc = vmp__colgen_pool_new(&ctx->colgen_pool))) return rc;
    own_pool = 1;
  }
  for (int k = 0; names[k]; k++) {
    double left = vmp__ctx_remaining(ctx), share;
    if (proven(ctx, res, cur) || res->proven_optimal || vmp__ctx_should_stop(ctx) ||
        left < 0.05)
      break;
    /* The first of two gets a share, so that it cannot starve the other;
     * the second gets the rest, with whatever the first left when it
     * ended early (column generation does when its methods are
     * exhausted, the MIP when it proves). */
    share = !names[k + 1] ? 1.0 : !strcmp(names[k], "colgen") ? COLGEN_FIRST_SHARE
                                                                    : ILP_FIRST_SHARE;
    if ((rc = stage(ctx, names[k], left < HUGE_VAL ? share * left : left, res, &cur, &cut)))
      break;
    /* The long search after colgen, with a share of the MIP's time. */
    pi = own_pool && names[k + 1] ? vmp__colgen_pool_duals(ctx->colgen_pool, m) : NULL;
    if (pi && !proven(ctx, res, cur) && !res->proven_optimal && !vmp__ctx_should_stop(ctx) &&
        (rc = prove_packing(ctx, res, &cur, pi, BINPROOF_NODES, BINPROOF_SHARE)))
      break;
  }
out:
  if (own_pool) {
    vmp__colgen_pool_free(ctx->colgen_pool);
    ctx->colgen_pool = NULL;
  }
  if (rc) return rc;
  /* For auto: whether a clock cut a method short. */
  res->stop_reason = cut ? VMP_STOP_TIME_LIMIT : VMP_STOP_COMPLETED;
  return 0;
}
