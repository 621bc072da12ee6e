/*
 * Multi-dimensional bounded knapsack, the pricing problem of column
 * generation (docs/formulations.md, (C4)):
 *
 *     max  sum_t p_t a_t
 *     s.t. sum_t w_tr a_t <= cap_r     for every resource r
 *          0 <= a_t <= ub_t, integer
 *          at most one item of each conflict set
 *
 * Two exact methods: dynamic programming over the capacity grid when
 * sizes are integers and the grid is small (one table serves every host
 * class with the same profits: it is read at each class's capacity), and
 * depth-first branch and bound otherwise.
 */
#ifndef VMP_KNAPSACK_H
#define VMP_KNAPSACK_H

#include <stddef.h>
#include <stdint.h>

typedef struct vmp__kp {
  uint32_t n;             /* items */
  uint32_t nres;          /* resources */
  const double *w;        /* [t*nres+r] sizes */
  const double *p;        /* [t] profits; items with p <= 0 are ignored */
  const uint32_t *ub;     /* [t] most copies */
  /* Conflict sets (CSR): item t belongs to sets cset[cstart[t]..
   * cstart[t+1]); NULL when there are none.  Items in a conflict set
   * have ub 1. */
  const uint32_t *cstart, *cset;
  uint32_t nsets;
  /* Optional: polled every few thousand nodes (branch and bound) or
   * pieces (dynamic programming); nonzero stops the search, which then
   * reports itself incomplete.  NULL: never stops early. */
  int (*stop)(void *arg);
  void *stop_arg;
  /* Optional [nres]: multipliers of the surrogate constraint branch and
   * bound prunes with (any >= 0 is valid; the duals of the LP
   * relaxation make it as strong as the LP at the root).  NULL, or all
   * zero: each resource divided by its capacity. */
  const double *sw;
} vmp__kp;

/* A solution: copies per item. */
typedef struct vmp__kp_sol {
  uint32_t *a;            /* [n] */
  double value;
} vmp__kp_sol;

/* ---- dynamic programming ---------------------------------------------------- */

typedef struct vmp__kp_dp vmp__kp_dp;

/* Cells and choice bits the table for `box` would need: 0 when DP does
 * not apply (sizes not integers, conflicts). */
double vmp__kp_dp_cells(const vmp__kp *kp, const double *box, double *bits);
/* Builds the table for capacities up to box (every size an integer).
 * 0, 1 when kp->stop interrupted it (*out is then NULL), or VMP_ENOMEM. */
int vmp__kp_dp_build(vmp__kp_dp **out, const vmp__kp *kp, const double *box);
/* The best solution within cap (<= box in every resource); sol->a must
 * hold kp->n entries. */
void vmp__kp_dp_query(const vmp__kp_dp *dp, const double *cap, vmp__kp_sol *sol);
void vmp__kp_dp_free(vmp__kp_dp *dp);

/* ---- greedy ------------------------------------------------------------------- */

/* A good solution fast: items by decreasing profit per unit of the
 * largest relative size they need, as many copies as fit.  sol->a must
 * hold kp->n entries. */
void vmp__kp_greedy(const vmp__kp *kp, const double *cap, vmp__kp_sol *sol);

/* A proven upper bound on the optimum within cap, fast: the smallest
 * over resources of the fractional knapsack of that resource alone
 * (conflicts relaxed). */
double vmp__kp_upper(const vmp__kp *kp, const double *cap);

/* ---- branch and bound ------------------------------------------------------ */

/* Finds the best solution of value above `floor_value` within cap,
 * exploring at most node_limit nodes.  Up to `want` improving solutions
 * go to sols[0..*nsols) (best first; each sols[k].a holds kp->n
 * entries).  *upper receives a proven upper bound on the optimum (the
 * best value, or floor_value when nothing beats it, when the search
 * completed; the root's relaxation otherwise).  Returns 1 when the search
 * completed, 0 when the node limit or kp->stop stopped it, VMP_ENOMEM. */
int vmp__kp_bb(const vmp__kp *kp, const double *cap, double floor_value,
               uint64_t node_limit, vmp__kp_sol *sols, size_t want,
               size_t *nsols, double *upper);

#endif /* VMP_KNAPSACK_H */
