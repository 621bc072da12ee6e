/*
 * The solver registry: every solver of this build, in the order `vmplace
 * solve --list-solvers` shows them.
 */
#include <string.h>

#include "solvers.h"

extern const vmp__solver vmp__solver_roundrobin;
extern const vmp__solver vmp__solver_greedy;
extern const vmp__solver vmp__solver_local;
extern const vmp__solver vmp__solver_genetic;
extern const vmp__solver vmp__solver_auto;
extern const vmp__solver vmp__solver_ilp;
extern const vmp__solver vmp__solver_colgen;
extern const vmp__solver vmp__solver_rebalance;

static const vmp__solver *const solvers[] = {
    &vmp__solver_auto,  &vmp__solver_greedy, &vmp__solver_local,
    &vmp__solver_ilp,   &vmp__solver_colgen, &vmp__solver_genetic,
    &vmp__solver_roundrobin, &vmp__solver_rebalance,
};

#define NSOLVERS (sizeof solvers / sizeof solvers[0])

const vmp__solver *vmp__solver_find(const char *name) {
  if (!name) return NULL;
  for (size_t k = 0; k < NSOLVERS; k++)
    if (!strcmp(solvers[k]->name, name)) return solvers[k];
  return NULL;
}

size_t vmp__solver_count(void) { return NSOLVERS; }

const vmp__solver *vmp__solver_at(size_t k) { return k < NSOLVERS ? solvers[k] : NULL; }

size_t vmp_num_solvers(void) { return NSOLVERS; }

const char *vmp_solver_name(size_t k) { return k < NSOLVERS ? solvers[k]->name : NULL; }

const char *vmp_solver_summary(size_t k) {
  return k < NSOLVERS ? solvers[k]->summary : NULL;
}

int vmp__solver_run(vmp__ctx *ctx, const char *name, vmp__result *res) {
  const vmp__solver *s = vmp__solver_find(name);
  const char *saved = ctx->solver;
  int rc;
  if (!s) return vmp__error(VMP_ENOTFOUND, "unknown solver \"%s\"", name);
  if ((rc = vmp__solver_accepts(s, ctx->m))) return rc;
  ctx->solver = s->name;
  rc = s->solve(ctx, res);
  ctx->solver = saved;
  return rc;
}

/* A host whose running VMs alone hold more of a transient resource than
 * it has: whatever happens to them they hold it there (staying, moving or
 * left out), so no placement meets the transient rule.  An input error,
 * not something for a solver to discover. */
static int transient_possible(const vmp__model *m) {
  if (!(m->needs & VMP__NEED_TRANSIENT)) return 0;
  for (size_t h = 0; h < m->nhosts; h++)
    for (uint32_t r = 0; r < m->nres; r++) {
      size_t x = h * m->nres + r;
      char b1[32], b2[32];
      if (!((m->transient >> r) & 1u) || m->tbase[x] <= m->capx[x]) continue;
      return vmp__error(VMP_EINVAL,
                        "%s: the VMs running there hold %s of transient %s, more than "
                        "its capacity %s; every VM holds it there whatever happens to "
                        "it, so no placement meets the transient rule",
                        vmp_problem_host_name(m->p, h), vmp__fmt_num(b1, m->tbase[x]),
                        vmp_problem_resource_name(m->p, r), vmp__fmt_num(b2, m->cap[x]));
    }
  return 0;
}

int vmp__solver_accepts(const vmp__solver *s, const vmp__model *m) {
  unsigned miss = m->needs & VMP__NEED_HARD & ~s->handles;
  int rc;
  if ((rc = transient_possible(m))) return rc;
  if (!miss) return 0;
  return vmp__error(VMP_ENOTSUP, "%s: %s are not modelled; use the rebalance "
                    "solver or auto", s->name, vmp__model_needs_text(miss));
}

/* ---- parameters by name ------------------------------------------------------ */

const vmp__param_spec *vmp__param_spec_find(const char *name) {
  for (size_t s = 0; s < NSOLVERS; s++) {
    const vmp__solver *sv = solvers[s];
    for (size_t k = 0; k < sv->nparams; k++)
      if (!strcmp(sv->params[k].name, name)) return &sv->params[k];
  }
  return NULL;
}

double vmp__param_num(const vmp__ctx *ctx, const char *name, double fallback) {
  const vmp__param_spec *spec = vmp__param_spec_find(name);
  const vmp__param_val *v;
  double d;
  if (!spec) return fallback;
  if ((v = vmp__params_find(ctx->params, spec))) return v->num;
  if (vmp__param_parse(spec, spec->def, &d)) return fallback;
  return d;
}

const char *vmp__param_str(const vmp__ctx *ctx, const char *name,
                           const char *fallback) {
  const vmp__param_spec *spec = vmp__param_spec_find(name);
  const vmp__param_val *v;
  if (!spec) return fallback;
  v = vmp__params_find(ctx->params, spec);
  return v ? v->text : spec->def ? spec->def : fallback;
}
