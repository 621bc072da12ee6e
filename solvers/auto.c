/*
 * auto: the default.  Runs the fast path first, then the exact stage,
 * and keeps the best placement and the best bound of every stage it runs.
 */
#include "solver.h"

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  int rc = vmp__solver_run(ctx, "greedy", res);
  /* Then prove what can be proven in the time left (solvers/exact.c). */
  if (!rc) rc = vmp__exact_stage(ctx, res);
  return rc;
}

const vmp__solver vmp__solver_auto = {
    "auto", "greedy first, then better solvers within the time limit",
    auto_solve, NULL, 0};
