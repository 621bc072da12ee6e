/*
 * What the exact solvers (ilp, colgen) start from: the best verified
 * placement among the caller's warm start and the fast solvers' answers,
 * and the check that makes a placement safe to hand to GLPK (GLPK takes a
 * heuristic solution on trust: glp_ios_heur_sol does not check it).
 */
#ifndef VMP_WARMSTART_H
#define VMP_WARMSTART_H

#include "solvers.h"

/* Checks an item placement with the evaluator (src/model/evaluate.c).  Returns
 * 1 when it breaks no hard constraint (and sets *objective), 0 when it
 * breaks one, a negative code on failure (VMP_ENOMEM). */
int vmp__verify_items(const vmp__model *m, const int32_t *item_host,
                      double *objective);

/* Runs solver `name` with at most `seconds` of the remaining time; the
 * solve's own deadline and interruption stay in force.  As
 * vmp__solver_run. */
int vmp__solver_run_budget(vmp__ctx *ctx, const char *name, double seconds,
                           vmp__result *res);

/* The best verified placement to start from: ctx->incumbent, "greedy",
 * and "local" when this build has it (given a share of the time left;
 * not when ctx->incumbent verifies: it is taken as polished already).
 * With ctx->incumbent_as_is and an incumbent that verifies, only the
 * incumbent (auto ran greedy, or chose not to, before its exact stage).
 * host ([nitems]) receives it, *objective its evaluated objective
 * (HUGE_VAL and every item unplaced when none verifies), *bound the best
 * bound the fast solvers proved.  0 or a negative code. */
int vmp__warmstart(vmp__ctx *ctx, int32_t *host, double *objective,
                   double *bound);

/* Repairs a rounded or relaxed placement: loads host (items that do not
 * fit where they are become unplaced) and, with place_rest, gives every
 * unplaced placeable item the first host that fits, by decreasing size.
 * Used on answers of the exact solvers. */
int vmp__repair_items(const vmp__model *m, int32_t *host, int place_rest);

#endif /* VMP_WARMSTART_H */
