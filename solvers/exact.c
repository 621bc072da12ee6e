/*
 * The exact stage of `auto` (docs/solvers.md): after the fast
 * solvers, prove what can be proven in the time left.  Column generation
 * where the master expresses the problem, the assignment MIP where it is
 * small enough, nothing otherwise; the better placement and the better
 * bound are kept.
 */
#include <math.h>
#include <string.h>

#include "warmstart.h"

/* Groups the pattern master relaxes (docs/formulations.md): with them,
 * column generation still bounds, but its placements need repair. */
static int master_relaxes(const vmp__model *m) {
  if (m->w.balance > 0.0 || m->has_soft_groups) return 1;
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (m->groups[g].hard && m->scopes[m->groups[g].scope].dom != NULL) return 1;
  return 0;
}

/* Which exact solvers pay, in order (at most two), NULL-terminated:
 * column generation first where the master expresses the problem (it
 * proves what the assignment model cannot), then the assignment MIP when
 * it is small enough to settle the rest (small instances whose LP bound
 * is not tight). */
static void choose(const vmp__model *m, const char *out[3]) {
  double pairs = (double)m->nitems * (double)m->nhosts;
  int cg = m->w.cost > 0.0 && m->nitems <= 200000, n = 0;
  if (cg && !master_relaxes(m)) out[n++] = "colgen";
  if (pairs <= 200000.0) out[n++] = "ilp";
  if (!n && cg) out[n++] = "colgen";
  out[n] = NULL;
}

/* Runs one exact solver from res's placement; keeps the better. */
static int stage(vmp__ctx *ctx, const char *name, vmp__result *res, double *cur) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  vmp__result ex;
  double obj;
  int rc, ok;
  if ((rc = vmp__result_init(&ex, m->nitems))) return rc;
  if (*cur < HUGE_VAL) ctx->incumbent = res->host;
  rc = vmp__solver_run(ctx, name, &ex);
  ctx->incumbent = saved;
  if (rc == VMP_ENOMEM || rc == VMP_EINTERNAL) {
    vmp__result_free(&ex);
    return rc;
  }
  if (rc) {
    /* A failed exact stage leaves the answer so far standing. */
    vmp__ctx_log(ctx, VMP_LOG_WARN, "auto: %s failed (%s): %s; keeping the placement found",
                 name, vmp_err_name(rc), vmp_last_error());
    vmp__stats_set(&res->stats, "auto.exact_failed", 1);
    vmp__result_free(&ex);
    return 0;
  }
  if ((ok = vmp__verify_items(m, ex.host, &obj)) < 0) {
    vmp__result_free(&ex);
    return ok;
  }
  if (ok && obj <= *cur) {
    memcpy(res->host, ex.host, m->nitems * sizeof *res->host);
    res->proven_optimal = ex.proven_optimal;
    res->proven_infeasible = ex.proven_infeasible;
    res->stop_reason = ex.stop_reason;
    *cur = obj;
  }
  if (ex.bound > res->bound) res->bound = ex.bound;
  for (size_t k = 0; k < ex.stats.n; k++) vmp__stats_set(&res->stats, ex.stats.names[k], ex.stats.values[k]);
  vmp__stats_set(&res->stats, !strcmp(name, "ilp") ? "auto.exact_ilp" : "auto.exact_colgen", 1);
  vmp__result_free(&ex);
  return 0;
}

static int proven(const vmp__ctx *ctx, const vmp__result *res, double cur) {
  double b = res->bound > ctx->best_bound ? res->bound : ctx->best_bound;
  return cur < HUGE_VAL && cur - b <= 1e-6 * (fabs(cur) > 1.0 ? fabs(cur) : 1.0);
}

int vmp__exact_stage(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  const char *names[3];
  double cur;
  int rc, ok;
  choose(m, names);
  if ((ok = vmp__verify_items(m, res->host, &cur)) < 0) return ok;
  if (!ok) cur = HUGE_VAL;
  for (int k = 0; names[k]; k++) {
    if (proven(ctx, res, cur) || res->proven_optimal || vmp__ctx_should_stop(ctx) ||
        vmp__ctx_remaining(ctx) < 0.05)
      break;
    /* Each gets what the one before left: column generation ends early
     * when its methods are exhausted, and small problems it cannot prove
     * go to the assignment MIP. */
    if ((rc = stage(ctx, names[k], res, &cur))) return rc;
  }
  return 0;
}
