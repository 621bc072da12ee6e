/*
 * The exact stage of `auto` (docs/solvers.md): after the fast
 * solvers, prove what can be proven in the time left.  The assignment MIP
 * where it is small enough, column generation where hosts cost; when both
 * pay, the one suited to the problem first with a share of the time, the
 * other with the rest; the better placement and the better bound are kept.
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

/* Share of the exact stage's time the first of two methods gets; the
 * second gets the rest (and whatever the first left).  Column generation
 * on identical hosts usually proves or ends by itself, so it gets more
 * (bin packing's hard cases are won in its dives). */
#define COLGEN_FIRST_SHARE 0.75
#define ILP_FIRST_SHARE 0.6
/* Hosts per class from which a problem counts as one of identical hosts
 * (column generation's ground). */
#define IDENTICAL_HOSTS_PER_CLASS 4.0

/* Rules that make the assignment MIP's relaxation strong where the
 * pattern master's pricing is slow: allowed sets that differ between VMs
 * (compliance zones) or hard host anti-affinity (conflicts in every
 * knapsack).  Bin packing has neither. */
int vmp__exact_rule_laden(const vmp__model *m) {
  if (m->naclasses > 1) return 1;
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (m->groups[g].hard && m->groups[g].policy == VMP_ANTI_AFFINITY &&
        m->scopes[m->groups[g].scope].dom == NULL)
      return 1;
  return 0;
}

/* Which exact solvers pay, in order (at most two), NULL-terminated.  The
 * assignment MIP where the model is small enough, column generation
 * where it has costs to bound; when both pay, the one that suits the
 * problem goes first: column generation where many hosts are identical
 * and its master expresses the problem (it proves what the assignment
 * model cannot), the MIP on heterogeneous or rule-laden models (small
 * classes, groups the master relaxes, compliance zones and hard
 * anti-affinity), where its branch and bound closes the gap and column
 * generation mostly adds a bound or a placement. */
static void choose(const vmp__model *m, const char *out[3]) {
  double pairs = (double)m->nitems * (double)m->nhosts;
  int cg = m->w.cost > 0.0 && m->nitems <= 200000, ilp = pairs <= 200000.0, n = 0;
  int identical = (double)m->nhosts >= IDENTICAL_HOSTS_PER_CLASS * (double)m->nhclasses;
  if (cg && ilp) {
    if (identical && !master_relaxes(m) && !vmp__exact_rule_laden(m)) {
      out[n++] = "colgen";
      out[n++] = "ilp";
    } else {
      out[n++] = "ilp";
      out[n++] = "colgen";
    }
  } else if (ilp) {
    out[n++] = "ilp";
  } else if (cg) {
    out[n++] = "colgen";
  }
  out[n] = NULL;
}

/* Runs one exact solver from res's placement for at most `seconds`;
 * keeps the better placement and the better bound.  *cut is set when the
 * clock stopped it short of a proof. */
static int stage(vmp__ctx *ctx, const char *name, double seconds, vmp__result *res,
                 double *cur, int *cut) {
  const vmp__model *m = ctx->m;
  const int32_t *saved = ctx->incumbent;
  vmp__result ex;
  double obj;
  int rc, ok, as_is = ctx->incumbent_as_is;
  if ((rc = vmp__result_init(&ex, m->nitems))) return rc;
  /* The fast stages of auto chose this start: the solver's warm start
   * takes it as it is (solvers/warmstart.h). */
  if (*cur < HUGE_VAL) {
    ctx->incumbent = res->host;
    ctx->incumbent_as_is = 1;
  }
  rc = vmp__solver_run_budget(ctx, name, seconds, &ex);
  ctx->incumbent = saved;
  ctx->incumbent_as_is = as_is;
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
    *cur = obj;
  }
  if (!ex.proven_optimal && ex.stop_reason == VMP_STOP_TIME_LIMIT) *cut = 1;
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
  int rc, ok, cut = 0;
  choose(m, names);
  if ((ok = vmp__verify_items(m, res->host, &cur)) < 0) return ok;
  if (!ok) cur = HUGE_VAL;
  for (int k = 0; names[k]; k++) {
    double left = vmp__ctx_remaining(ctx), share;
    if (proven(ctx, res, cur) || res->proven_optimal || vmp__ctx_should_stop(ctx) ||
        left < 0.05)
      break;
    /* The first of two gets a share, so that it cannot starve the other;
     * the second gets the rest, with whatever the first left when it
     * ended early (column generation does when its methods are
     * exhausted, the MIP when it proves). */
    share = !names[k + 1] ? 1.0 : !strcmp(names[k], "colgen") ? COLGEN_FIRST_SHARE
                                                                    : ILP_FIRST_SHARE;
    if ((rc = stage(ctx, names[k], left < HUGE_VAL ? share * left : left, res, &cur, &cut)))
      return rc;
  }
  /* For auto: whether a clock cut a method short. */
  res->stop_reason = cut ? VMP_STOP_TIME_LIMIT : VMP_STOP_COMPLETED;
  return 0;
}
