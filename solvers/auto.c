/*
 * auto: the default.  Runs the fast path first and keeps the best
 * placement and the best bound of every stage it runs.
 *
 * greedy, then, when its placement is not proven optimal, the instance
 * has at least AUTO_GENETIC_ITEMS items and time is left, the genetic
 * scheduler for the rest of the time limit, warm-started from the better
 * of greedy's placement and the caller's incumbent.  Smaller instances are
 * meant for the exact engine (issue 4), which is not in this build yet.
 */
#include <math.h>
#include <string.h>

#include "../src/state.h"
#include "solver.h"

#define AUTO_GENETIC_ITEMS 200

/* The objective of a placement if every placed item fits (in item order,
 * as vmp__state_load checks), else HUGE_VAL. */
static double feasible_objective(const vmp__model *m, const int32_t *host) {
  vmp__state st;
  size_t dropped;
  if (vmp__state_init(&st, m)) return HUGE_VAL;
  dropped = vmp__state_load(&st, host);
  vmp__state_free(&st);
  return dropped ? HUGE_VAL : vmp__model_objective(m, host);
}

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  vmp__result ga;
  double obj, bound, tol;
  int rc;
  if ((rc = vmp__solver_run(ctx, "greedy", res))) return rc;
  obj = vmp__model_objective(m, res->host);
  bound = vmp__model_bound(m);
  if (res->bound > bound) bound = res->bound;
  tol = 1e-6 * (fabs(obj) > 1.0 ? fabs(obj) : 1.0);
  if (res->proven_optimal || obj <= bound + tol || m->nitems < AUTO_GENETIC_ITEMS ||
      vmp__ctx_should_stop(ctx))
    return 0;
  if ((rc = vmp__result_init(&ga, m->nitems))) return rc;
  if (!saved || feasible_objective(m, saved) > obj) ctx->incumbent = res->host;
  rc = vmp__solver_run(ctx, "genetic", &ga);
  ctx->incumbent = saved;
  if (!rc) {
    if (vmp__model_objective(m, ga.host) < obj)
      memcpy(res->host, ga.host, m->nitems * sizeof *res->host);
    if (ga.bound > res->bound) res->bound = ga.bound;
    res->stop_reason = ga.stop_reason;
    for (size_t k = 0; k < ga.stats.n && !rc; k++)
      rc = vmp__stats_set(&res->stats, ga.stats.names[k], ga.stats.values[k]);
  }
  vmp__result_free(&ga);
  return rc;
}

const vmp__solver vmp__solver_auto = {
    "auto", "greedy first, then better solvers within the time limit",
    auto_solve, NULL, 0};
