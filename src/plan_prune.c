/*
 * Targets without needless moves (vmp_solution_prune_moves): a solver that
 * ignores the current placement may move VMs for nothing, and every move
 * costs a live migration.  Each move is undone when the evaluator says the
 * placement stays valid and no worse.
 *
 * Cost: one evaluation (O(VMs x rules)) per move tried, so O(moves x VMs)
 * per pass; passes repeat while something is undone.  Rebalancing through
 * libvirt moves hundreds of VMs, not millions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "plan_impl.h"
#include "solution_impl.h"

typedef struct pruner {
  const vmp_problem *p;
  vmp__weights w;
  uint32_t *x;          /* the placement being pruned */
  double obj;           /* its objective */
} pruner;

/* Evaluates P->x: 0 and *obj when it breaks no hard constraint, 1 when it
 * does, or a negative error. */
static int score(pruner *P, double *obj) {
  vmp__eval e;
  int rc = vmp__evaluate(P->p, &P->w, P->x, 0, &e);
  if (rc) return rc;
  *obj = e.objective;
  rc = e.hard_violations ? 1 : 0;
  vmp__eval_free(&e);
  return rc;
}

static double tol(double obj) { return 1e-9 * (fabs(obj) > 1.0 ? fabs(obj) : 1.0); }

static int moved(const pruner *P, size_t v) {
  uint32_t cur = P->p->vm_host[v];
  return cur != VMP__NO_HOST && P->x[v] != cur;
}

/* Tries to undo the moves of v and u together; keeps that when the
 * placement stays valid and no worse.  1 when kept, 0 when not, or a
 * negative error. */
static int try_undo(pruner *P, size_t v, size_t u) {
  uint32_t keep_v = P->x[v], keep_u = u == VMP_NONE ? 0 : P->x[u];
  double obj = HUGE_VAL;
  int rc;
  P->x[v] = P->p->vm_host[v];
  if (u != VMP_NONE) P->x[u] = P->p->vm_host[u];
  if ((rc = score(P, &obj)) < 0) return rc;
  if (rc == 0 && obj <= P->obj + tol(P->obj)) {
    P->obj = obj;
    return 1;
  }
  P->x[v] = keep_v;
  if (u != VMP_NONE) P->x[u] = keep_u;
  return 0;
}

/* Undoes every move whose undoing keeps the placement valid and no worse:
 * one move at a time, then pairs where one VM took the other's old host
 * (a swap cannot be undone one VM at a time when both hosts are full).
 * Repeats while something changed. */
static int undo_useless(pruner *P) {
  int changed = 1, rc;
  while (changed) {
    changed = 0;
    for (size_t v = 0; v < P->p->nvms; v++) {
      if (!moved(P, v)) continue;
      if ((rc = try_undo(P, v, VMP_NONE)) < 0) return rc;
      changed |= rc;
    }
    if (changed) continue;
    for (size_t v = 0; v < P->p->nvms && !changed; v++) {
      if (!moved(P, v)) continue;
      for (size_t u = 0; u < P->p->nvms && !changed; u++) {
        if (u == v || !moved(P, u) || P->x[u] != P->p->vm_host[v]) continue;
        if ((rc = try_undo(P, v, u)) < 0) return rc;
        changed |= rc;
      }
    }
  }
  return VMP_OK;
}

/* Undoes the cheapest-to-undo move until at most max_moves remain. */
static int cap_moves(pruner *P, size_t max_moves) {
  for (;;) {
    size_t n = 0, best = VMP_NONE;
    double best_obj = HUGE_VAL;
    int rc;
    for (size_t v = 0; v < P->p->nvms; v++) n += moved(P, v);
    if (n <= max_moves) return VMP_OK;
    for (size_t v = 0; v < P->p->nvms; v++) {
      uint32_t keep = P->x[v];
      double obj = HUGE_VAL;
      if (!moved(P, v)) continue;
      P->x[v] = P->p->vm_host[v];
      rc = score(P, &obj);
      P->x[v] = keep;
      if (rc < 0) return rc;
      if (rc == 0 && obj < best_obj) {
        best_obj = obj;
        best = v;
      }
    }
    if (best == VMP_NONE)
      return vmp__error(VMP_ERANGE, "max_moves %zu cannot be honoured: each of the %zu "
                                    "remaining moves is needed to keep the hard constraints",
                        max_moves, n);
    P->x[best] = P->p->vm_host[best];
    P->obj = best_obj;
  }
}

/* Keeps no move at all unless the moves together gain something. */
static int require_gain(pruner *P) {
  uint32_t *with = malloc((P->p->nvms + 1) * sizeof *with);
  double obj = HUGE_VAL;
  int rc;
  if (!with) return vmp__enomem();
  memcpy(with, P->x, P->p->nvms * sizeof *with);
  for (size_t v = 0; v < P->p->nvms; v++)
    if (moved(P, v)) P->x[v] = P->p->vm_host[v];
  rc = score(P, &obj);
  if (rc < 0 || rc == 1 || obj > P->obj + tol(P->obj)) {
    memcpy(P->x, with, P->p->nvms * sizeof *with);
  } else {
    P->obj = obj;
  }
  free(with);
  return rc < 0 ? rc : VMP_OK;
}

int vmp_solution_prune_moves(const vmp_problem *p, const vmp_solution *target,
                             size_t max_moves, vmp_solution **out) {
  vmp__solution_info info;
  pruner P;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || !target) return vmp__error(VMP_EINVAL, "problem or target is NULL");
  if ((rc = vmp__plan_check_target(p, target))) return rc;
  memset(&P, 0, sizeof P);
  P.p = p;
  vmp__effective_weights(p, &P.w);
  if (!(P.x = malloc((p->nvms + 1) * sizeof *P.x))) return vmp__enomem();
  memcpy(P.x, target->vm_host, p->nvms * sizeof *P.x);
  rc = score(&P, &P.obj);
  if (rc == 1) rc = vmp__error(VMP_EINVAL, "the target placement breaks hard constraints");
  if (!rc) rc = undo_useless(&P);
  if (!rc && max_moves != VMP_NONE) rc = cap_moves(&P, max_moves);
  if (!rc) rc = require_gain(&P);
  if (!rc) {
    memset(&info, 0, sizeof info);
    info.solver = target->solver;
    info.stop_reason = target->stop_reason;
    info.bound = target->bound;
    info.time_s = target->time_s;
    rc = vmp__solution_build(p, P.x, &info, out);
  }
  free(P.x);
  return rc;
}
