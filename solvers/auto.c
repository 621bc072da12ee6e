/*
 * auto: the default.  A chain of stages, each warm-started from the best
 * placement so far; keeps the best placement and the best bound of every
 * stage, and stops as soon as the placement is proven optimal (objective
 * equal to the best bound) or the time is up:
 *
 *   1. greedy: the portfolio of packing rules (milliseconds);
 *   2. local: moves, swaps and emptying hosts, with at most a share of the
 *      remaining time (it also stops by itself when rounds bring nothing);
 *   3. genetic: the grouping GA for the rest of the time limit, on
 *      instances with enough items for it to pay.
 *
 * A stage that is cut short never loses what the earlier ones found.  See
 * docs/solvers.md.
 */
#include <math.h>
#include <string.h>

#include "../src/state.h"
#include "solver.h"

/* Below this many items the GA rarely beats greedy + local; such instances
 * are left to the exact engine when it is in the chain. */
#define AUTO_GENETIC_ITEMS 200
/* Share of the remaining time local search may use before the GA. */
#define AUTO_LOCAL_SHARE 0.25

typedef struct best {
  double objective;
  double bound;
} best;

static int proven(const best *b) {
  double tol = 1e-6 * (fabs(b->objective) > 1.0 ? fabs(b->objective) : 1.0);
  return b->objective <= b->bound + tol;
}

/* Runs `name` warm-started from res->host, with the deadline cut to
 * `share` of the remaining time (1 = all of it), and keeps its placement
 * when it is better.  Merges bound, stop reason and statistics. */
static int stage(vmp__ctx *ctx, const char *name, double share, vmp__result *res,
                 best *b) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  double deadline = ctx->deadline, obj;
  vmp__result r;
  int rc;
  if ((rc = vmp__result_init(&r, m->nitems))) return rc;
  if (share < 1.0 && deadline < HUGE_VAL)
    ctx->deadline = vmp__now() + share * vmp__ctx_remaining(ctx);
  ctx->incumbent = res->host;
  rc = vmp__solver_run(ctx, name, &r);
  ctx->incumbent = saved;
  /* The stage's own deadline may have raised the (sticky) stop flag; only
   * the caller's deadline or an interruption stop the chain. */
  ctx->deadline = deadline;
  if (!ctx->interrupted) atomic_store(&ctx->stop, 0);
  if (!rc) {
    obj = vmp__model_objective(m, r.host);
    if (obj < b->objective) {
      memcpy(res->host, r.host, m->nitems * sizeof *res->host);
      b->objective = obj;
    }
    if (r.bound > b->bound) b->bound = r.bound;
    if (r.bound > res->bound) res->bound = r.bound;
    /* A stage cut by its own share of the time did not stop the chain. */
    res->stop_reason = vmp__ctx_stop_reason(ctx);
    for (size_t k = 0; k < r.stats.n && !rc; k++)
      rc = vmp__stats_set(&res->stats, r.stats.names[k], r.stats.values[k]);
    if (!rc) rc = vmp__stats_add(&res->stats, "auto.stages", 1);
  }
  vmp__result_free(&r);
  return rc;
}

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  best b;
  int rc;
  if ((rc = vmp__solver_run(ctx, "greedy", res))) return rc;
  b.objective = vmp__model_objective(m, res->host);
  b.bound = vmp__model_bound(m);
  if (res->bound > b.bound) b.bound = res->bound;
  if (res->proven_optimal || proven(&b) || vmp__ctx_should_stop(ctx)) return 0;

  if ((rc = stage(ctx, "local", AUTO_LOCAL_SHARE, res, &b))) return rc;
  if (proven(&b) || vmp__ctx_should_stop(ctx)) return 0;

  if (m->nitems >= AUTO_GENETIC_ITEMS &&
      (rc = stage(ctx, "genetic", 1.0, res, &b)))
    return rc;
  return 0;
}

const vmp__solver vmp__solver_auto = {
    "auto", "greedy, local search, then the genetic scheduler within the time limit",
    auto_solve, NULL, 0};
