/*
 * Warm starts and verification for the exact solvers (warmstart.h).
 */
#include "warmstart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "state.h"

int vmp__verify_items(const vmp__model *m, const int32_t *item_host,
                      double *objective) {
  uint32_t *vh = malloc((m->nvms + 1) * sizeof *vh);
  vmp__eval e;
  int rc;
  if (!vh) return vmp__enomem();
  for (size_t v = 0; v < m->nvms; v++) {
    int32_t h = item_host[m->vm_item[v]];
    vh[v] = h < 0 || m->item_unplaceable[m->vm_item[v]] ? VMP__NO_HOST : (uint32_t)h;
  }
  rc = vmp__evaluate(m->p, &m->w, vh, 0, &e);
  free(vh);
  if (rc) return rc;
  rc = e.hard_violations == 0;
  if (rc) *objective = e.objective;
  vmp__eval_free(&e);
  return rc;
}

int vmp__solver_run_budget(vmp__ctx *ctx, const char *name, double seconds,
                           vmp__result *res) {
  double saved = ctx->deadline, until = vmp__now() + seconds;
  int rc;
  if (until < ctx->deadline) ctx->deadline = until;
  rc = vmp__solver_run(ctx, name, res);
  ctx->deadline = saved;
  /* The stop flag is sticky; clear it when only the shorter budget set
   * it. */
  if (!ctx->interrupted && !(saved < HUGE_VAL && vmp__now() >= saved))
    atomic_store(&ctx->stop, 0);
  return rc;
}

/* Keeps `cand` in `best` when it verifies and is better. */
static int consider(const vmp__model *m, const int32_t *cand, int32_t *best,
                    double *best_obj) {
  double obj;
  int rc = vmp__verify_items(m, cand, &obj);
  if (rc < 0) return rc;
  if (rc == 1 && obj < *best_obj) {
    *best_obj = obj;
    memcpy(best, cand, m->nitems * sizeof *best);
  }
  return 0;
}

/* The current placement (items whose members share a current host stay
 * there, the others are left out) as a candidate. */
static int consider_current(const vmp__model *m, int32_t *best,
                            double *best_obj) {
  int32_t *cand;
  int any = 0, rc;
  for (size_t i = 0; i < m->nitems && !any; i++) any = m->item_cur[i] >= 0;
  if (!any) return 0;
  if (!(cand = malloc((m->nitems + 1) * sizeof *cand))) return vmp__enomem();
  for (size_t i = 0; i < m->nitems; i++)
    cand[i] = m->item_cur[i] >= 0 && !m->item_unplaceable[i] ? m->item_cur[i] : -1;
  rc = consider(m, cand, best, best_obj);
  free(cand);
  return rc;
}

int vmp__warmstart(vmp__ctx *ctx, int32_t *host, double *objective,
                   double *bound) {
  const vmp__model *m = ctx->m;
  vmp__result r;
  int rc, given_ok;
  *objective = HUGE_VAL;
  *bound = -HUGE_VAL;
  for (size_t i = 0; i < m->nitems; i++) host[i] = -1;
  if (ctx->incumbent && (rc = consider(m, ctx->incumbent, host, objective)))
    return rc;
  given_ok = *objective < HUGE_VAL;
  /* The current placement, when VMs have one: with transient resources,
   * spread minimums or dependencies it is often the one feasible start
   * at hand. */
  if ((rc = consider_current(m, host, objective))) return rc;
  /* auto's exact stage: its greedy stage ran the portfolio already (the
   * same seed gives the same placement), or it chose one rule so as to
   * reach the exact stage's proof sooner; running greedy again would cost
   * as much as the proof on Falkenauer u1000 (docs/solvers.md, auto). */
  if (given_ok && ctx->incumbent_as_is) return 0;
  if ((rc = vmp__result_init(&r, m->nitems))) return rc;
  rc = vmp__solver_run(ctx, "greedy", &r);
  if (rc == VMP_ENOTSUP) {
    /* greedy does not model one of the hard constraints: no start from it */
    vmp__ctx_log(ctx, VMP_LOG_INFO, "warm start: %s", vmp_last_error());
    rc = 0;
  } else if (!rc) {
    rc = consider(m, r.host, host, objective);
  }
  if (!rc && r.bound > *bound) *bound = r.bound;
  vmp__result_free(&r);
  if (rc) return rc;
  /* Polishing pays when there is time: a tenth of what is left, at most
   * five seconds -- unless the caller handed over a placement that
   * verifies (auto's exact stage passes the one local just polished). */
  if (vmp__solver_find("local") && !vmp__ctx_should_stop(ctx) &&
      !(ctx->incumbent && given_ok)) {
    double budget = vmp__ctx_remaining(ctx) * 0.1;
    if (budget > 5.0) budget = 5.0;
    const int32_t *saved = ctx->incumbent;
    if ((rc = vmp__result_init(&r, m->nitems))) return rc;
    /* local polishes the placement it is given: the best so far. */
    if (*objective < HUGE_VAL) ctx->incumbent = host;
    rc = vmp__solver_run_budget(ctx, "local", budget, &r);
    ctx->incumbent = saved;
    if (rc && rc != VMP_ENOMEM) {
      /* A failed polish costs nothing but the polish. */
      vmp__ctx_log(ctx, VMP_LOG_WARN, "warm start: local failed (%s): %s",
                   vmp_err_name(rc), vmp_last_error());
      rc = 0;
    } else if (!rc) {
      rc = consider(m, r.host, host, objective);
    }
    if (!rc && r.bound > *bound) *bound = r.bound;
    vmp__result_free(&r);
  }
  return rc;
}

int vmp__repair_items(const vmp__model *m, int32_t *host, int place_rest) {
  vmp__state st;
  vmp__keyed *order;
  double avg[VMP__MAX_RESOURCES] = {0};
  size_t n = 0;
  int rc;
  if ((rc = vmp__state_init(&st, m))) return rc;
  order = malloc((m->nitems + 1) * sizeof *order);
  if (!order) {
    vmp__state_free(&st);
    return vmp__enomem();
  }
  vmp__state_load(&st, host);
  if (!place_rest) {
    memcpy(host, st.host, m->nitems * sizeof *host);
    free(order);
    vmp__state_free(&st);
    return 0;
  }
  for (size_t h = 0; h < m->nhosts; h++)
    for (uint32_t r = 0; r < m->nres; r++) avg[r] += m->cap[h * m->nres + r];
  for (size_t i = 0; i < m->nitems; i++) {
    double s = 0.0;
    if (st.host[i] >= 0 || m->item_unplaceable[i]) continue;
    for (uint32_t r = 0; r < m->nres; r++)
      if (avg[r] > 0.0 && m->idem[i * m->nres + r] / avg[r] > s)
        s = m->idem[i * m->nres + r] / avg[r];
    order[n].key = s;
    order[n++].i = (uint32_t)i;
  }
  qsort(order, n, sizeof *order, vmp__keyed_desc);
  for (size_t k = 0; k < n; k++) {
    uint32_t i = order[k].i;
    for (size_t h = 0; h < m->nhosts; h++)
      if (vmp__state_fits(&st, i, h)) {
        vmp__state_place(&st, i, h);
        break;
      }
  }
  memcpy(host, st.host, m->nitems * sizeof *host);
  free(order);
  vmp__state_free(&st);
  return 0;
}
