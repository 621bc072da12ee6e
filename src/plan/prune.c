/*
 * vmp_solution_prune_moves: a target placement without its needless moves
 * (the work is in src/engine/disruption.c, shared with vmp_solve).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "disruption.h"
#include "model.h"
#include "plan_impl.h"
#include "solution_impl.h"

int vmp_solution_prune_moves(const vmp_problem *p, const vmp_solution *target,
                             size_t max_moves, vmp_solution **out) {
  vmp__solution_info info;
  vmp__model *m = NULL;
  uint32_t *vh = NULL;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || !target) return vmp__error(VMP_EINVAL, "problem or target is NULL");
  if ((rc = vmp__plan_check_target(p, target)) || (rc = vmp__model_compile(p, &m))) return rc;
  if (!(vh = malloc((p->nvms + 1) * sizeof *vh))) rc = vmp__enomem();
  if (!rc) {
    memcpy(vh, target->vm_host, p->nvms * sizeof *vh);
    /* a caller's target keeps its hosts: only its moves are undone */
    rc = vmp__disruption_prune(p, m, vh, max_moves, HUGE_VAL, 0);
  }
  if (!rc) {
    memset(&info, 0, sizeof info);
    info.solver = target->solver;
    info.stop_reason = target->stop_reason;
    info.bound = target->bound;
    info.time_s = target->time_s;
    rc = vmp__solution_build(p, vh, &info, out);
  }
  free(vh);
  vmp__model_free(m);
  return rc;
}
