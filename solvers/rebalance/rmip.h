/*
 * The rebalancer's exact stage: on a small model, the whole reassignment
 * problem (every term and hard constraint) as one MIP for GLPK's branch
 * and bound, started from the local search's best (rmip.c,
 * docs/formulations.md "Rebalancing: the exact stage").
 */
#ifndef VMP_REBALANCE_RMIP_H
#define VMP_REBALANCE_RMIP_H

#include <stddef.h>
#include <stdint.h>

#include "rstate.h"

typedef struct vmp__rmip_limits {
  int64_t nodes;           /* branch-and-bound nodes GLPK may open; <= 0:
                              no limit (then deadline must be set) */
  double deadline;         /* vmp__now() seconds; <= 0: none */
  vmp__rebalance_progress_fn progress;  /* as the engine's; nonzero stops */
  void *progress_userdata;
} vmp__rmip_limits;

typedef struct vmp__rmip_out {
  int *a;                  /* nv, the caller's: the best assignment (the
                              start when nothing better was found) */
  int ran;                 /* the MIP's LP was solved: bound holds */
  int unreliable;          /* its duals do not back its value: bound is
                              what they prove, and the tree did not run */
  double lp_value;         /* with unreliable: the LP's value GLPK gave */
  int improved;            /* a[] is better than the start */
  int proven;              /* a[] is optimal (GLPK closed the tree, or the
                              LP bound met the start's objective) */
  int stopped_by;          /* when not proven: 1 the limits, 2 progress */
  double obj;              /* the MIP's objective of a[] when improved */
  double bound;            /* a lower bound on every feasible assignment
                              (-HUGE_VAL when the stage proved nothing) */
  double start_obj, mip_obj;  /* the start, priced by the engine and by
                                 the MIP (the stage runs only if equal) */
  int64_t nodes;
  int rows, cols;
} vmp__rmip_out;

/* Pairs (movable VM, open host it is allowed on): the MIP's size; the
 * count stops soon after it passes `limit` (large models are not walked
 * through). */
size_t vmp__rmip_pairs(const vmp__ridx *x, size_t limit);

/* Solves the whole model from `start` (feasible, no VM on a closed host):
 * the pinned VMs stay, every other VM may go to any host it is allowed.
 * bound_in (a bound the caller knows) is only shown to the progress
 * callback.  out->a must hold nv entries.  Returns 0, or VMP_ENOMEM; a
 * GLPK failure or a formulation that does not price the start as the
 * engine does is no error: the stage then proves nothing (out->ran 0).
 * Without a deadline and with nodes set, the answer depends on nothing
 * but the input. */
int vmp__rmip_exact(const vmp__ridx *x, const int *start, double bound_in,
                    const vmp__rmip_limits *lim, vmp__rmip_out *out);

#endif
