/*
 * Placements without needless moves (disruption.h): a solver that ignores the
 * current placement may move VMs for nothing, and every move costs a
 * migration.  vmp_solve runs this on every solver's placement (the
 * minimal-disruption tie-break) and vmp_solution_prune_moves on any target.
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

#include "disruption.h"
#include "model.h"
#include "solution_impl.h"
#include "solvers.h"
#include "state.h"

typedef struct pruner {
  const vmp_problem *p;
  const vmp__model *m;
  vmp__state st;         /* the placement being pruned, by item */
  int global;            /* soft groups or balance: use the whole objective */
  double obj;            /* model objective of st (only kept when global) */
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
  int32_t from[2];
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

/* Undoes every move whose undoing keeps the placement valid and no worse:
 * one item at a time, then pairs where one took the other's old host (a
 * swap between full hosts cannot be undone one item at a time).  Repeats
 * while something changed, or until the deadline (vmp__now() seconds;
 * HUGE_VAL: none): what is left then is still a valid placement, only with
 * fewer moves undone. */
static int undo_useless(pruner *P, double deadline) {
  const vmp__model *m = P->m;
  size_t *head = malloc((m->nhosts + 1) * sizeof *head), *next = NULL;
  double gain;
  int changed = 1;
  if (!head || !(next = malloc((m->nitems + 1) * sizeof *next))) {
    free(head);
    return vmp__enomem();
  }
  while (changed && vmp__now() < deadline) {
    changed = 0;
    for (size_t i = 0; i < m->nitems; i++)
      if (movable(P, i) && try_undo(P, &i, 1, tol(P->obj), &gain)) changed = 1;
    if (changed) continue;
    /* The moved items by the host they are on now, for the pairs. */
    for (size_t h = 0; h < m->nhosts; h++) head[h] = VMP_NONE;
    for (size_t j = m->nitems; j-- > 0;)
      if (movable(P, j)) {
        next[j] = head[P->st.host[j]];
        head[P->st.host[j]] = j;
      }
    for (size_t i = 0; !changed && i < m->nitems; i++) {
      if (!movable(P, i)) continue;
      for (size_t j = head[m->item_cur[i]]; j != VMP_NONE; j = next[j]) {
        size_t pair[2] = {i, j};
        if (j == i || !movable(P, j) || P->st.host[j] != m->item_cur[i]) continue;
        if (try_undo(P, pair, 2, tol(P->obj), &gain)) {
          changed = 1;
          break;
        }
      }
    }
  }
  free(head);
  free(next);
  return VMP_OK;
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

static int load_target(pruner *P, const uint32_t *vm_host) {
  const vmp__model *m = P->m;
  int32_t *ih = malloc((m->nitems + 1) * sizeof *ih);
  size_t left;
  int rc;
  if (!ih) return vmp__enomem();
  /* Hard host-affinity members share a host in a valid target. */
  for (size_t i = 0; i < m->nitems; i++) {
    uint32_t h = vm_host[m->item_vms[m->item_start[i]]];
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

/* ---- host relabelling ------------------------------------------------------------- */

typedef struct pairw {
  uint32_t s, c;          /* host in the placement, current host */
  double count, mig;      /* VMs that would stay, their migration cost */
} pairw;

static int cmp_pair_key(const void *a, const void *b) {
  const pairw *x = a, *y = b;
  if (x->s != y->s) return x->s < y->s ? -1 : 1;
  return (x->c > y->c) - (x->c < y->c);
}

static int cmp_pair_gain(const void *a, const void *b) {
  const pairw *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  if (x->mig != y->mig) return x->mig > y->mig ? -1 : 1;
  return cmp_pair_key(a, b);
}

/* Hosts of one class are interchangeable (compile.c, host_classes): giving
 * host s's VMs to host c of the same class changes no constraint and no
 * objective term, only which VMs move.  So the VM sets of the placement are
 * matched to the hosts of their class so that the most VMs (then the most
 * migration cost) stay where they run: greedily, largest gain first.  A
 * solver that packs well but ignores where VMs run loses nothing, and its
 * moves mostly disappear. */
static int relabel_hosts(const vmp_problem *p, const vmp__model *m, uint32_t *vh) {
  size_t n = 0, np = 0;
  pairw *pw = malloc((p->nvms + 1) * sizeof *pw);
  uint32_t *to = malloc((m->nhosts + 1) * sizeof *to);
  uint8_t *taken = calloc(m->nhosts + 1, 1);
  if (!pw || !to || !taken) {
    free(pw);
    free(to);
    free(taken);
    return vmp__enomem();
  }
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t s = vh[v], c = p->vm_host[v];
    if (s == VMP__NO_HOST || c == VMP__NO_HOST || s == c || m->hclass[s] != m->hclass[c])
      continue;
    pw[n].s = s;
    pw[n].c = c;
    pw[n].count = 1;
    pw[n].mig = m->mig[v];
    n++;
  }
  /* staying put is a pair too: a host keeps its own VMs unless another
   * set of them gains more there */
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t s = vh[v];
    if (s == VMP__NO_HOST || p->vm_host[v] != s) continue;
    pw[n].s = pw[n].c = s;
    pw[n].count = 1;
    pw[n].mig = m->mig[v];
    n++;
  }
  qsort(pw, n, sizeof *pw, cmp_pair_key);
  for (size_t k = 0; k < n; k++) {
    if (np && pw[np - 1].s == pw[k].s && pw[np - 1].c == pw[k].c) {
      pw[np - 1].count += pw[k].count;
      pw[np - 1].mig += pw[k].mig;
    } else {
      pw[np++] = pw[k];
    }
  }
  qsort(pw, np, sizeof *pw, cmp_pair_gain);
  for (size_t h = 0; h < m->nhosts; h++) to[h] = VMP__NO_HOST;
  for (size_t k = 0; k < np; k++)
    if (to[pw[k].s] == VMP__NO_HOST && !taken[pw[k].c]) {
      to[pw[k].s] = pw[k].c;
      taken[pw[k].c] = 1;
    }
  /* The other hosts of each class take the remaining sets in order. */
  for (uint32_t k = 0; k < m->nhclasses; k++) {
    uint32_t a = m->hclass_start[k], b = m->hclass_start[k + 1], free_at = a;
    for (uint32_t j = a; j < b; j++) {
      uint32_t s = m->hclass_hosts[j];
      if (to[s] != VMP__NO_HOST) continue;
      while (taken[m->hclass_hosts[free_at]]) free_at++;
      to[s] = m->hclass_hosts[free_at];
      taken[to[s]] = 1;
    }
  }
  for (size_t v = 0; v < p->nvms; v++)
    if (vh[v] != VMP__NO_HOST) vh[v] = to[vh[v]];
  free(pw);
  free(to);
  free(taken);
  return VMP_OK;
}

int vmp__disruption_prune(const vmp_problem *p, const vmp__model *m, uint32_t *vh,
                         size_t max_moves, double deadline, int relabel) {
  pruner P;
  int rc;
  size_t v;
  for (v = 0; v < p->nvms && p->vm_host[v] == VMP__NO_HOST; v++) continue;
  if (v == p->nvms) return VMP_OK; /* nothing runs yet: nothing can move */
  if (relabel && (rc = relabel_hosts(p, m, vh))) return rc;
  memset(&P, 0, sizeof P);
  P.p = p;
  P.m = m;
  rc = load_target(&P, vh);
  if (!rc) rc = undo_useless(&P, deadline);
  if (!rc && max_moves != VMP_NONE) rc = cap_moves(&P, max_moves);
  if (!rc) {
    to_vms(&P, vh);
    rc = require_gain(p, vh);
  }
  vmp__state_free(&P.st);
  return rc;
}

