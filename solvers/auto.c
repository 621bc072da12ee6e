/*
 * auto: the default.  A chain of stages, each warm-started from the best
 * placement so far; keeps the best placement and the best bound of every
 * stage, and stops as soon as the placement is proven optimal (objective
 * equal to the best bound) or the time is up:
 *
 *   0. on pure bin packing only (auto_packing): one greedy rule, then
 *      column generation's root and one dive (at most half of the time);
 *      they settle Falkenauer U in hundredths of a second, less than the
 *      portfolio and local search would spend before them.  Short of a
 *      proof, with the root converged, the exact stage (3) follows at
 *      once from the quick attempt's placement and columns (1 and 2 are
 *      left out); with the root cut short, the chain below runs as on any
 *      other model, and the quick attempt's placement is kept when the
 *      chain does no better;
 *   1. greedy: the portfolio of packing rules (milliseconds);
 *   2. local: moves, swaps and emptying hosts, until its rounds bring
 *      nothing or it has examined AUTO_LOCAL_BUDGET hosts per item without
 *      a gain (plus three times what it spent up to its last gain; never
 *      more than a quarter of the remaining time): on problems the exact
 *      stage settles in milliseconds it must not take seconds;
 *   3. exact (solvers/exact.c): column generation and/or the assignment
 *      MIP where they pay — all the remaining time on small instances, half
 *      of it when the genetic stage follows, 60 s without a time limit;
 *   4. genetic: the grouping GA for the rest of the time limit, on
 *      instances with enough items for it to pay.
 *
 * A running datacenter with the rebalancing model (wants_rebalance) goes
 * to the rebalancer instead.  When it declines (a VM without a current
 * host, a maintenance host it finds no way to empty, a feature it does not
 * model), the chain above runs with AUTO_REBALANCE_CHAIN_SHARE of the
 * time (every solver of it keeps the hard constraints, and it may leave
 * VMs unplaced, with their reasons), and then, when its placement holds
 * every VM, the rebalancer starts from it for the rest.
 *
 * A stage that is cut short never loses what the earlier ones found.  See
 * docs/solvers.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers.h"

/* Below this many items the GA rarely beats the other stages. */
#define AUTO_GENETIC_ITEMS 200
#define AUTO_LOCAL_SHARE 0.25
/* local's stage may examine this many hosts per item without a gain (and
 * three times what paid off before, solvers/local.c).  On Falkenauer
 * u1000_00, where there is no gain to find, it then spends about 0.05 s
 * instead of 2.4 s; on the ten realistic 20x60 and on Panigrahy
 * class1_120_5_* it ends at the objective of the unbudgeted search but
 * on two of those ten (docs/benchmarks.md, "Falkenauer U and T").  A
 * patience of one round lost a host on five of those ten. */
#define AUTO_LOCAL_BUDGET "5000"
#define AUTO_EXACT_SHARE 0.5
/* Pure bin packing (auto_packing()): column generation's root and this
 * many dives first, from this one greedy rule, with at most this share of
 * the time; see auto_solve(). */
#define AUTO_EARLY_RULE "ffd_max_avg"
#define AUTO_EARLY_SHARE 0.5
#define AUTO_EARLY_MAX_RES 2
#define AUTO_EARLY_MAX_ITEMS 200000
#define AUTO_EARLY_DIVES "1"
/* Without a time limit every other stage ends by itself, but a MIP may
 * not end for days: the exact stage then gets this many seconds. */
#define AUTO_EXACT_UNLIMITED_S 60.0
/* When the rebalancer declines a running datacenter, the classic chain
 * gets this share of the time, and the rebalancer the rest from its
 * placement. */
#define AUTO_REBALANCE_CHAIN_SHARE 0.5

typedef int (*stage_fn)(vmp__ctx *ctx, const char *name, vmp__result *res);

static int run_solver(vmp__ctx *ctx, const char *name, vmp__result *res) {
  return vmp__solver_run(ctx, name, res);
}

static int run_exact(vmp__ctx *ctx, const char *name, vmp__result *res) {
  (void)name;
  return vmp__exact_stage(ctx, res);
}

static int proven(const vmp__result *res, double objective, double bound) {
  double tol = 1e-6 * (fabs(objective) > 1.0 ? fabs(objective) : 1.0);
  return res->proven_optimal || objective <= bound + tol;
}

/* Runs one stage with its deadline cut to `share` of the remaining time
 * (1 = all of it).  Solver stages start from res->host and fill their own
 * result, kept when better; the exact stage works on res itself. */
static int stage(vmp__ctx *ctx, stage_fn fn, const char *name, double share,
                 vmp__result *res, double *objective, int *cut) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  double deadline = ctx->deadline, obj;
  vmp__result r;
  int rc;
  if (share < 1.0 && deadline < HUGE_VAL)
    ctx->deadline = vmp__now() + share * vmp__ctx_remaining(ctx);
  if (fn == run_exact && deadline == HUGE_VAL) ctx->deadline = vmp__now() + AUTO_EXACT_UNLIMITED_S;
  if (fn == run_exact) {
    rc = fn(ctx, name, res);
    if (!rc) *objective = vmp__model_objective(m, res->host);
    /* the exact stage says whether a clock cut one of its solvers */
    if (!rc && res->stop_reason == VMP_STOP_TIME_LIMIT) *cut = 1;
  } else if (!(rc = vmp__result_init(&r, m->nitems))) {
    ctx->incumbent = res->host;
    rc = fn(ctx, name, &r);
    ctx->incumbent = saved;
    if (!rc && r.stop_reason == VMP_STOP_TIME_LIMIT) *cut = 1;
    if (!rc) {
      obj = vmp__model_objective(m, r.host);
      if (obj < *objective) {
        memcpy(res->host, r.host, m->nitems * sizeof *res->host);
        *objective = obj;
      }
      if (r.bound > res->bound) res->bound = r.bound;
      for (size_t k = 0; k < r.stats.n && !rc; k++)
        rc = vmp__stats_set(&res->stats, r.stats.names[k], r.stats.values[k]);
    }
    vmp__result_free(&r);
  }
  /* The stage's own deadline may have raised the (sticky) stop flag; only
   * the caller's deadline or an interruption stop the chain. */
  ctx->deadline = deadline;
  if (!ctx->interrupted) atomic_store(&ctx->stop, 0);
  if (!rc) res->stop_reason = vmp__ctx_stop_reason(ctx);
  if (!rc) rc = vmp__stats_add(&res->stats, "auto.stages", 1);
  return rc;
}

/* The caller's parameters, plus each of `extra` (name, value) the caller
 * did not set.  *out is the caller's to free. */
static int params_with(const vmp__ctx *ctx, const char *const (*extra)[2], size_t nextra,
                       vmp_params **out) {
  const vmp_params *mine = ctx->params;
  vmp_params *ps;
  int rc = vmp_params_new(&ps);
  for (size_t k = 0; !rc && k < mine->n; k++)
    rc = vmp__params_put(ps, mine->v[k].spec, mine->v[k].text);
  for (size_t k = 0; !rc && k < nextra; k++) {
    const vmp__param_spec *spec = vmp__param_spec_find(extra[k][0]);
    if (spec && !vmp__params_find(mine, spec)) rc = vmp__params_put(ps, spec, extra[k][1]);
  }
  if (rc) {
    vmp_params_free(ps);
    ps = NULL;
  }
  *out = ps;
  return rc;
}

/* Runs solver `name` with the caller's parameters plus `extra`. */
static int run_with(vmp__ctx *ctx, const char *name, const char *const (*extra)[2],
                    size_t nextra, vmp__result *res) {
  const vmp_params *saved = ctx->params;
  vmp_params *ps;
  int rc = params_with(ctx, extra, nextra, &ps);
  if (rc) return rc;
  ctx->params = ps;
  rc = vmp__solver_run(ctx, name, res);
  ctx->params = saved;
  vmp_params_free(ps);
  return rc;
}

/* local with the stage's budget where the caller set none. */
static int run_local(vmp__ctx *ctx, const char *name, vmp__result *res) {
  static const char *const lean[][2] = {{"local.budget", AUTO_LOCAL_BUDGET}};
  return run_with(ctx, name, lean, sizeof lean / sizeof lean[0], res);
}

/* greedy's first rule alone, without iterated passes, where the caller
 * chose neither. */
static int run_one_rule(vmp__ctx *ctx, vmp__result *res) {
  static const char *const one[][2] = {{"greedy.rules", AUTO_EARLY_RULE},
                                       {"greedy.restarts", "0"}};
  return run_with(ctx, "greedy", one, sizeof one / sizeof one[0], res);
}
/* A running datacenter to rebalance: every VM has a current host and the
 * problem uses the rebalancing model (docs/rebalancing.md). */
static int wants_rebalance(const vmp__model *m) {
  if (!m->needs) return 0;
  for (size_t v = 0; v < m->nvms; v++)
    if (m->cur[v] < 0) return (m->needs & VMP__NEED_HARD) != 0;
  return 1;
}

/* Pure bin packing: identical hosts with a cost, one or two resources,
 * every VM allowed everywhere, no groups, rules, current hosts or other
 * terms.  Column generation settles such models from its root (its bound
 * is the LP's, rounded up) and its dives, in hundredths of a second where
 * the greedy portfolio and local search spend tenths before it
 * (docs/solvers.md, auto). */
static int auto_packing(const vmp__model *m) {
  if (m->needs || m->nhclasses != 1 || m->naclasses != 1 || m->ngroups ||
      m->nres > AUTO_EARLY_MAX_RES || m->nitems > AUTO_EARLY_MAX_ITEMS ||
      m->has_soft_rules || m->has_soft_groups)
    return 0;
  if (m->w.cost <= 0.0 || m->w.balance > 0.0 || m->aclasses[0].allowed.bits) return 0;
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_cur[i] != -1) return 0;
  return 1;
}

/* What the chain proved decides the stop reason: `completed` only with
 * the placement proven optimal; otherwise the clock (the caller's, or a
 * stage's share of it), an interruption, or `gap_reached`: every stage
 * ended by itself with the gap still open. */
static void stop_reason(vmp__ctx *ctx, vmp__result *res, double objective, int cut) {
  double bound = res->bound > ctx->best_bound ? res->bound : ctx->best_bound;
  if (proven(res, objective, bound))
    res->stop_reason = VMP_STOP_COMPLETED;
  else if (ctx->interrupted)
    res->stop_reason = VMP_STOP_INTERRUPTED;
  else if (cut || vmp__ctx_stop_reason(ctx) == VMP_STOP_TIME_LIMIT)
    res->stop_reason = VMP_STOP_TIME_LIMIT;
  else
    res->stop_reason = VMP_STOP_GAP_REACHED;
}

/* Column generation's root and one dive, from the placement at hand as it
 * is (solvers/warmstart.h). */
static int run_early(vmp__ctx *ctx, const char *name, vmp__result *res) {
  static const char *const quick[][2] = {{"colgen.max_dives", AUTO_EARLY_DIVES},
                                         {"colgen.integer_master", "false"}};
  int as_is = ctx->incumbent_as_is, rc;
  ctx->incumbent_as_is = 1;
  rc = run_with(ctx, name, quick, sizeof quick / sizeof quick[0], res);
  ctx->incumbent_as_is = as_is;
  return rc;
}

/* The quick exact attempt before the others on pure bin packing, with at
 * most a share of the time (of the exact stage's minute when there is no
 * limit). */
static int early_exact(vmp__ctx *ctx, vmp__result *res, double *objective, int *cut) {
  int unlimited = ctx->deadline == HUGE_VAL, rc;
  if (unlimited) ctx->deadline = vmp__now() + AUTO_EXACT_UNLIMITED_S;
  rc = stage(ctx, run_early, "colgen", AUTO_EARLY_SHARE, res, objective, cut);
  if (unlimited) ctx->deadline = HUGE_VAL;
  return rc;
}

/* After the classic chain on a running datacenter the rebalancer declined:
 * the rest of the time (the caller's deadline `full`) to the rebalancer,
 * from the chain's placement when it holds every VM.  Declining again is
 * not an error: the chain's placement stands. */
static int rebalance_from_chain(vmp__ctx *ctx, vmp__result *res, double full,
                                double *objective, int *cut) {
  const vmp__model *m = ctx->m;
  int rc;
  ctx->deadline = full;
  if (!ctx->interrupted) atomic_store(&ctx->stop, 0);
  for (size_t i = 0; i < m->nitems; i++)
    if (res->host[i] < 0) return VMP_OK;
  if (vmp__ctx_should_stop(ctx) ||
      proven(res, *objective, res->bound > ctx->best_bound ? res->bound : ctx->best_bound))
    return VMP_OK;
  rc = stage(ctx, run_solver, "rebalance", 1.0, res, objective, cut);
  if (rc == VMP_ENOTSUP || rc == VMP_ESTATE) {
    vmp__ctx_log(ctx, VMP_LOG_INFO, "auto: %s; the classic chain's placement stands",
                 vmp_last_error());
    rc = VMP_OK;
  }
  return rc;
}

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  int genetic = m->nitems >= AUTO_GENETIC_ITEMS, cut = 0;
  double objective, bound, aside_obj = HUGE_VAL;
  int32_t *aside = NULL;
  double full = ctx->deadline;
  int rebalance_after = 0;
  int rc;
  if (wants_rebalance(m)) {
    /* The rebalancer; when it declines, the classic chain below (which
     * keeps every hard constraint and may leave VMs unplaced), then the
     * rebalancer again from the chain's placement. */
    rc = vmp__solver_run(ctx, "rebalance", res);
    if (!rc || (rc != VMP_ENOTSUP && rc != VMP_ESTATE)) return rc;
    vmp__ctx_log(ctx, VMP_LOG_INFO, "auto: %s; the classic chain first, then the "
                 "rebalancer from its placement", vmp_last_error());
    rebalance_after = 1;
    if (full < HUGE_VAL)
      ctx->deadline = vmp__now() + AUTO_REBALANCE_CHAIN_SHARE * vmp__ctx_remaining(ctx);
  }
#define DONE()                                                               \
  (bound = res->bound > ctx->best_bound ? res->bound : ctx->best_bound,     \
   proven(res, objective, bound) || vmp__ctx_should_stop(ctx))
  if (auto_packing(m)) {
    /* One greedy rule, then column generation's root and one dive; short
     * of a proof, the exact stage goes on from what they left (below). */
    vmp__ctx_log(ctx, VMP_LOG_INFO, "auto: pure bin packing: column generation first");
    if ((rc = run_one_rule(ctx, res))) return rc;
    objective = vmp__model_objective(m, res->host);
    if (DONE()) goto done;
    if ((rc = vmp__colgen_pool_new(&ctx->colgen_pool))) return rc;
    if ((rc = early_exact(ctx, res, &objective, &cut))) goto fail;
    if (DONE()) goto done;
    /* A converged root: the exact stage next, from the quick attempt's
     * placement and its columns (the pool), so that its colgen starts at
     * the optimum of the master LP instead of building it again; the
     * portfolio and local search, which on such models rarely come near
     * the dives' placements, are left out.  Falkenauer T, paired with
     * the full chain after the quick attempt (docs/benchmarks.md,
     * work/falk3): 0.69x its summed time, 0.52-0.76x its median per set
     * from t120 to t501.  The pool alone, with the chain kept, spared
     * the root (0.03 s instead of 0.56 s on t501_05) but not the total
     * (141 s against 139 s over the 80): the dives that follow depend on
     * their start, and the chain's did no better. */
    if (vmp__colgen_pool_converged(ctx->colgen_pool)) goto exact;
    /* A root cut short (a large model, half the time spent): the chain
     * from the portfolio's placement, as on any other model, with the
     * quick attempt's placement aside in case the chain does no better
     * and its columns in the pool. */
    if (!(aside = malloc((m->nitems + 1) * sizeof *aside))) {
      rc = vmp__enomem();
      goto fail;
    }
    memcpy(aside, res->host, m->nitems * sizeof *aside);
    aside_obj = objective;
  }
  if ((rc = vmp__solver_run(ctx, "greedy", res))) goto fail;
  objective = vmp__model_objective(m, res->host);
  if (DONE()) goto done;
  if ((rc = stage(ctx, run_local, "local", AUTO_LOCAL_SHARE, res, &objective, &cut))) goto fail;
  if (DONE()) goto done;
exact:
  if ((rc = stage(ctx, run_exact, "exact", genetic ? AUTO_EXACT_SHARE : 1.0, res,
                  &objective, &cut)))
    goto fail;
  if (DONE() || !genetic) goto done;
  if ((rc = stage(ctx, run_solver, "genetic", 1.0, res, &objective, &cut))) goto fail;
#undef DONE
done:
  if (aside && aside_obj < objective) {
    memcpy(res->host, aside, m->nitems * sizeof *aside);
    objective = aside_obj;
    res->proven_optimal = 0;
  }
  if (rebalance_after && (rc = rebalance_from_chain(ctx, res, full, &objective, &cut)))
    goto fail;
  stop_reason(ctx, res, objective, cut);
fail:
  ctx->deadline = full;
  free(aside);
  vmp__colgen_pool_free(ctx->colgen_pool);
  ctx->colgen_pool = NULL;
  return rc;
}

const vmp__solver vmp__solver_auto = {
    "auto",
    "greedy, local search, the exact engine, then the genetic scheduler within "
    "the time limit",
    auto_solve, NULL, 0, VMP__NEED_HARD};
