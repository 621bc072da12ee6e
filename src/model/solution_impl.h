/*
 * The layout of vmp_solution and the one function that builds a solution:
 * it runs the evaluator on a placement and derives status and gap, so no
 * path can produce a solution the evaluator has not seen.
 */
#ifndef VMP_SOLUTION_IMPL_H
#define VMP_SOLUTION_IMPL_H

#include "evaluate.h"
#include "problem_impl.h"

typedef struct vmp__stat {
  char *name;
  double value;
} vmp__stat;

struct vmp_solution {
  int status;
  int stop_reason;
  char *solver;
  double objective, bound, gap, time_s;
  size_t hosts_used;
  size_t nvms, nhosts;
  char *names;            /* every VM and host name, NUL-separated */
  const char **vm_name;   /* into names */
  const char **host_name; /* into names */
  uint32_t *vm_host;      /* VMP__NO_HOST for unplaced */
  size_t nunplaced;
  uint32_t *unplaced;
  char **unplaced_reason;
  vmp__violation *viol;
  size_t nviol;
  double raw[VMP__NTERMS], weighted[VMP__NTERMS];
  vmp__stat *stats;
  size_t nstats;
};

/* What the caller knows beyond the placement. */
typedef struct vmp__solution_info {
  const char *solver;     /* "" for an evaluated placement */
  int stop_reason;
  double bound;           /* best proven bound, or -HUGE_VAL */
  int proven_infeasible;
  double time_s;
  const char *const *stat_names;
  const double *stat_values;
  size_t nstats;
} vmp__solution_info;

/* Evaluates vm_host against p and builds the solution.  VMP_OK,
 * VMP_EINVAL, VMP_ENOMEM. */
int vmp__solution_build(const vmp_problem *p, const uint32_t *vm_host,
                        const vmp__solution_info *info, vmp_solution **out);

#endif /* VMP_SOLUTION_IMPL_H */
