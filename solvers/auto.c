/*
 * auto: the default.  The greedy portfolio, then local search from its
 * placement for the rest of the time limit; keeps the best placement of
 * every stage (local search never returns a worse one, but a stage that is
 * cut short must not lose what the earlier ones found).
 */
#include <math.h>
#include <string.h>

#include "solver.h"

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  vmp__result polished;
  double before, after;
  int rc;
  if ((rc = vmp__solver_run(ctx, "greedy", res))) return rc;
  if (vmp__ctx_should_stop(ctx)) return 0;
  if ((rc = vmp__result_init(&polished, m->nitems))) return rc;
  ctx->incumbent = res->host;
  rc = vmp__solver_run(ctx, "local", &polished);
  ctx->incumbent = saved;
  if (!rc) {
    before = vmp__model_objective(m, res->host);
    after = vmp__model_objective(m, polished.host);
    if (after <= before) memcpy(res->host, polished.host, m->nitems * sizeof *res->host);
    res->stop_reason = polished.stop_reason;
    for (size_t k = 0; k < polished.stats.n && !rc; k++)
      rc = vmp__stats_set(&res->stats, polished.stats.names[k], polished.stats.values[k]);
  }
  vmp__result_free(&polished);
  return rc;
}

const vmp__solver vmp__solver_auto = {
    "auto", "greedy portfolio, then local search within the time limit", auto_solve, NULL, 0};
