/*
 * The rebalancer's MIP neighbourhood: a few hosts and some of their VMs
 * re-optimised exactly by GLPK's branch and cut, everything else fixed
 * (docs/benchmarks.md, "A MIP neighbourhood on GLPK").
 */
#ifndef VMP_REBALANCE_RMIP_H
#define VMP_REBALANCE_RMIP_H

#include <stdatomic.h>
#include <stdint.h>

#include "rstate.h"

typedef struct vmp__rmip_limits {
  int64_t nodes;           /* branch-and-bound nodes GLPK may open */
  double deadline;         /* vmp__now() seconds; <= 0: none.  Only a run
                              ended by the clock looks at it, so the answer
                              of a run ended by its move budget does not
                              depend on timing */
  atomic_int *stop;        /* nonzero: stop at the next node; may be NULL */
} vmp__rmip_limits;

/* Re-assigns the n free VMs vm[] (all on the k distinct open hosts hs[])
 * among those hosts, the other VMs staying where they are, by a MIP over
 * every term and hard constraint of the model but the host cost
 * (w_host), started from the current assignment.  Writes to dest[n] the
 * host of each free VM in the best assignment found.  *work counts
 * simplex iterations and nodes (deterministic).  Returns 1 when that
 * assignment differs from the current one and its MIP objective is lower,
 * 0 when not (or GLPK failed: the state is never touched).  The caller
 * applies and verifies the moves. */
int vmp__rmip_solve(const vmp__rstate *s, const int *hs, int k, const int *vm, int n,
                    const vmp__rmip_limits *lim, int *dest, int64_t *work);

#endif
