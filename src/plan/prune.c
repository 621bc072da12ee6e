/*
 * Targets without needless moves (vmp_solution_prune_moves): a solver that
 * ignores the current placement may move VMs for nothing, and every move
 * costs a migration.
 *
 * The search works on the compiled model, like a solver: items (hard
 * affinity units move as one), vmp__state for the hard constraints
 * (allowed hosts, capacity, hard groups) in O(resources + group sizes),
 * and the objective change of a move computed from its terms (host cost,
 * migration cost, soft rules; the whole model objective when soft groups or
 * balance are weighted, since those are not local).  The evaluator stays
 * the judge: the result is evaluated from scratch before it is returned,
 * and a placement it finds invalid is reported as VMP_EINTERNAL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers.h"
#include "model.h"
#include "plan_impl.h"
#include "solution_impl.h"
#include "state.h"

typedef struct pruner {
  const vmp_problem *p;
  const vmp__model *m;
  vmp__state st;         /* the placement being pruned, by item */
  int global;            /* soft groups or balance: use the whole objective */
  double obj;            /* model objective of st (only kept when global) */
  int32_t *from;         /* [nitems] scratch of try_undo */
  size_t *list;          /* [nitems] scratch of undo_groups */
} pruner;

static double tol(double obj) { return 1e-9 * (fabs(obj) > 1.0 ? fabs(obj) : 1.0); }

/* Item i is a move that can be undone as a unit. */
static int movable(const pruner *P, size_t i) {
  int32_t cur = P->m->item_cur[i];
  return cur >= 0 && P->st.host[i] >= 0 && P->st.host[i] != cur;
}

/* Local objective change of item i going from host a to host b, i being
 * unplaced (the counts are those without it). */
static double local_delta(const pruner *P, size_t i, size_t a, size_t b) {
  const vmp__model *m = P->m;
  double d = 0.0;
  if (P->st.count[a] == 0) d -= m->w.cost * m->cost[a];
  if (P->st.count[b] == 0) d += m->w.cost * m->cost[b];
  d += vmp__model_migcost(m, i, b) - vmp__model_migcost(m, i, a);
  d += vmp__model_soft(m, i, b) - vmp__model_soft(m, i, a);
  return d;
}

/* Moves the items back to their current hosts if the placement stays
 * valid and the objective does not grow by more than `slack`; *gain gets
 * the change.  Returns 1 when done, 0 when refused (nothing changed). */
static int try_undo(pruner *P, const size_t *items, size_t n, double slack, double *gain) {
  const vmp__model *m = P->m;
  int32_t *from = P->from;
  double d = 0.0;
  size_t k;
  for (k = 0; k < n; k++) {
    from[k] = P->st.host[items[k]];
    vmp__state_unplace(&P->st, items[k]);
  }
  for (k = 0; k < n; k++) {
    size_t i = items[k], c = (size_t)m->item_cur[i];
    if (!vmp__state_fits(&P->st, i, c)) break;
    if (!P->global) d += local_delta(P, i, (size_t)from[k], c);
    vmp__state_place(&P->st, i, c);
  }
  if (k == n && P->global) d = vmp__model_objective(m, P->st.host) - P->obj;
  if (k == n && d <= slack) {
    if (P->global) P->obj += d;
    *gain = d;
    return 1;
  }
  while (k-- > 0) vmp__state_unplace(&P->st, items[k]);
  for (k = 0; k < n; k++) vmp__state_place(&P->st, items[k], (size_t)from[k]);
  return 0;
}

/* The moves of a hard affinity group's members undone together: one at a
 * time would split the group.  Returns 1 when one group's were. */
static int undo_groups(pruner *P) {
  const vmp__model *m = P->m;
  double gain;
  for (uint32_t g = 0; g < m->ngroups; g++) {
    const vmp__mgroup *mg = &m->groups[g];
    size_t n = 0;
    if (!mg->hard || mg->policy != VMP_AFFINITY) continue;
    for (uint32_t k = 0; k < mg->nitems; k++)
      if (movable(P, mg->items[k])) P->list[n++] = mg->items[k];
    if (n > 1 && try_undo(P, P->list, n, tol(P->obj), &gain)) return 1;
  }
  return 0;
}

/* Undoes every move whose undoing keeps the placement valid and no worse:
 * one item at a time, then the members of hard affinity groups together,
 * then pairs where one took the other's old host (a swap between full
 * hosts cannot be undone one item at a time).  Repeats while something
 * changed. */
static void undo_useless(pruner *P) {
  const vmp__model *m = P->m;
  double gain;
  int changed = 1;
  while (changed) {
    changed = 0;
    for (size_t i = 0; i < m->nitems; i++)
      if (movable(P, i) && try_undo(P, &i, 1, tol(P->obj), &gain)) changed = 1;
    if (!changed) changed = undo_groups(P);
    for (size_t i = 0; !changed && i < m->nitems; i++) {
      if (!movable(P, i)) continue;
      for (size_t j = 0; j < m->nitems; j++) {
        size_t pair[2] = {i, j};
        if (j == i || !movable(P, j) || P->st.host[j] != m->item_cur[i]) continue;
        if (try_undo(P, pair, 2, tol(P->obj), &gain)) {
          changed = 1;
          break;
        }
      }
    }
  }
}

static size_t vms_moving(const pruner *P) {
  const vmp__model *m = P->m;
  size_t n = 0;
  for (size_t v = 0; v < P->p->nvms; v++) {
    uint32_t cur = P->p->vm_host[v];
    int32_t h = P->st.host[m->vm_item[v]];
    n += cur != VMP__NO_HOST && (h < 0 || (uint32_t)h != cur);
  }
  return n;
}

/* The objective change of undoing item i's move, without keeping it;
 * 0 when it cannot be undone alone. */
static int undo_cost(pruner *P, size_t i, double *d) {
  int32_t t = P->st.host[i];
  if (!try_undo(P, &i, 1, HUGE_VAL, d)) return 0;
  vmp__state_unplace(&P->st, i);
  vmp__state_place(&P->st, i, (size_t)t);
  if (P->global) P->obj -= *d;
  return 1;
}

/* Undoes the move that costs least to undo until at most max_moves VMs
 * move. */
static int cap_moves(pruner *P, size_t max_moves) {
  const vmp__model *m = P->m;
  size_t n;
  while ((n = vms_moving(P)) > max_moves) {
    size_t best = VMP_NONE;
    double best_d = HUGE_VAL, d;
    for (size_t i = 0; i < m->nitems; i++)
      if (movable(P, i) && undo_cost(P, i, &d) && d < best_d) {
        best_d = d;
        best = i;
      }
    if (best == VMP_NONE)
      return vmp__error(VMP_ERANGE, "max_moves %zu cannot be honoured: each of the %zu "
                                    "remaining moves is needed to keep the hard constraints",
                        max_moves, n);
    try_undo(P, &best, 1, HUGE_VAL, &d);
  }
  return VMP_OK;
}

/* The VM placement of the pruned items. */
static void to_vms(const pruner *P, uint32_t *vh) {
  for (size_t v = 0; v < P->p->nvms; v++) {
    int32_t h = P->st.host[P->m->vm_item[v]];
    vh[v] = h < 0 ? VMP__NO_HOST : (uint32_t)h;
  }
}

/* Keeps no move at all unless the moves together gain something: the
 * evaluator compares the pruned placement with the same one with every
 * move undone.  *vh is replaced by the latter when it is valid and no
 * worse. */
static int require_gain(const vmp_problem *p, uint32_t *vh) {
  vmp__weights w;
  vmp__eval with, without;
  uint32_t *undone = malloc((p->nvms + 1) * sizeof *undone);
  int rc;
  if (!undone) return vmp__enomem();
  for (size_t v = 0; v < p->nvms; v++)
    undone[v] = p->vm_host[v] != VMP__NO_HOST ? p->vm_host[v] : vh[v];
  vmp__effective_weights(p, &w);
  if ((rc = vmp__evaluate(p, &w, vh, 0, &with))) {
    free(undone);
    return rc;
  }
  if ((rc = vmp__evaluate(p, &w, undone, 0, &without))) {
    vmp__eval_free(&with);
    free(undone);
    return rc;
  }
  if (with.hard_violations)
    rc = vmp__error(VMP_EINTERNAL, "pruning moves produced a placement with %zu hard "
                                   "violations", with.hard_violations);
  else if (!without.hard_violations && without.objective <= with.objective + tol(with.objective))
    memcpy(vh, undone, p->nvms * sizeof *vh);
  vmp__eval_free(&with);
  vmp__eval_free(&without);
  free(undone);
  return rc;
}

static int load_target(pruner *P, const vmp_solution *target) {
  const vmp__model *m = P->m;
  int32_t *ih = malloc((m->nitems + 1) * sizeof *ih);
  size_t left;
  int rc;
  if (!ih) return vmp__enomem();
  /* Hard host-affinity members share a host in a valid target. */
  for (size_t i = 0; i < m->nitems; i++) {
    uint32_t h = target->vm_host[m->item_vms[m->item_start[i]]];
    ih[i] = h == VMP__NO_HOST ? -1 : (int32_t)h;
  }
  if ((rc = vmp__state_init(&P->st, m))) {
    free(ih);
    return rc;
  }
  left = vmp__state_load(&P->st, ih);
  free(ih);
  if (left)
    return vmp__error(VMP_EINTERNAL, "the target placement breaks no hard constraint for the "
                                     "evaluator but %zu units do not fit the model", left);
  P->global = m->has_soft_groups || m->w.balance > 0.0;
  if (P->global) P->obj = vmp__model_objective(m, P->st.host);
  return VMP_OK;
}

int vmp_solution_prune_moves(const vmp_problem *p, const vmp_solution *target,
                             size_t max_moves, vmp_solution **out) {
  vmp__solution_info info;
  vmp__model *m = NULL;
  uint32_t *vh = NULL;
  pruner P;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || !target) return vmp__error(VMP_EINVAL, "problem or target is NULL");
  if ((rc = vmp__plan_check_target(p, target)) || (rc = vmp__model_compile(p, &m))) return rc;
  memset(&P, 0, sizeof P);
  P.p = p;
  P.m = m;
  P.from = malloc((m->nitems + 1) * sizeof *P.from);
  P.list = malloc((m->nitems + 1) * sizeof *P.list);
  rc = P.from && P.list ? load_target(&P, target) : vmp__enomem();
  if (!rc) {
    undo_useless(&P);
    if (max_moves != VMP_NONE) rc = cap_moves(&P, max_moves);
  }
  if (!rc && !(vh = malloc((p->nvms + 1) * sizeof *vh))) rc = vmp__enomem();
  if (!rc) {
    to_vms(&P, vh);
    rc = require_gain(p, vh);
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
  free(P.from);
  free(P.list);
  vmp__state_free(&P.st);
  vmp__model_free(m);
  return rc;
}
