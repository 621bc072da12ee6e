/*
 * What the solvers offer each other and the layers above them: the
 * registry of every solver of this build (registry.c), parameters looked
 * up by name across all solvers, running one solver inside another, and
 * the few entry points one solver or vmp_write_model calls in another.
 * Every solver includes this header; the runtime it runs in is runtime.h.
 */
#ifndef VMP_SOLVERS_H
#define VMP_SOLVERS_H

#include "runtime.h"

/* ---- the registry (solvers/registry.c) ------------------------------------ */

const vmp__solver *vmp__solver_find(const char *name);
size_t vmp__solver_count(void);
const vmp__solver *vmp__solver_at(size_t k);

/* Runs another solver inside this one (auto -> greedy -> local -> ilp):
 * res must be initialised by vmp__result_init; ctx->solver is set for the
 * duration. */
int vmp__solver_run(vmp__ctx *ctx, const char *name, vmp__result *res);

/* VMP_OK when solver s models every hard constraint of m (model.h,
 * VMP__NEED_*), else VMP_ENOTSUP naming what is missing. */
int vmp__solver_accepts(const vmp__solver *s, const vmp__model *m);

/* The spec of the parameter called name, whichever solver declares it, or
 * NULL. */
const vmp__param_spec *vmp__param_spec_find(const char *name);

/* Parameter values: the value set in ctx->params, else the default of the
 * spec.  Unknown names are a programming error and return the fallback. */
double vmp__param_num(const vmp__ctx *ctx, const char *name, double fallback);
const char *vmp__param_str(const vmp__ctx *ctx, const char *name,
                           const char *fallback);

/* ---- entry points across solvers ---------------------------------------------- */

/* The exact stage of `auto` (solvers/exact.c): runs colgen or ilp from
 * res's placement when one of them pays and time is left; keeps the
 * better placement and bound in res. */
int vmp__exact_stage(vmp__ctx *ctx, vmp__result *res);

/* 1 when the model has allowed sets that differ between VMs (a compliance
 * zone) or hard host anti-affinity: rules under which the assignment
 * MIP's relaxation is strong and the pattern master's pricing slow
 * (solvers/exact.c; also picks ilp's cheaper tree). */
int vmp__exact_rule_laden(const vmp__model *m);

/* Pure vector bin packing (solvers/binproof.c): identical usable hosts
 * with one cost, one allowed class, no groups, rules, current hosts or
 * other terms, every item placeable and dearer to leave out than a host;
 * then 1, else 0. */
int vmp__binproof_applies(const vmp__model *m);

/* On a model vmp__binproof_applies to: whether the items fit in k hosts,
 * by a depth-first search of at most `budget` nodes (and the clock); pi
 * ([nitems] or NULL): dual weights of the pattern master (any values >=
 * 0: the search scales them so that no host exceeds 1).  1:
 * they do, host[] ([nitems]) is such a placement; 0: proven that they do
 * not; 2: stopped short; VMP_ENOMEM.  *nodes: the nodes searched. */
int vmp__binproof(vmp__ctx *ctx, uint32_t k, const double *pi, uint64_t budget, int32_t *host,
                  uint64_t *nodes);

/* What one colgen run hands to the next on the same model
 * (solvers/colgen.c): with ctx->colgen_pool set, colgen adds the pool's
 * patterns to its master before the root and takes the pool's root bound,
 * and when it ends leaves there its own patterns, root bound and root
 * convergence; auto's quick attempt thus spares its exact stage the root
 * it converged already.  new: 0 or VMP_ENOMEM (*out NULL).  converged: 1
 * when the run that filled the pool converged its root (the pool holds
 * the master LP's optimal columns), 0 otherwise or when empty.  free
 * accepts NULL. */
typedef struct vmp__colgen_pool vmp__colgen_pool;
int vmp__colgen_pool_new(vmp__colgen_pool **out);
int vmp__colgen_pool_converged(const vmp__colgen_pool *pool);
void vmp__colgen_pool_free(vmp__colgen_pool *pool);
/* The cover duals of the root of the last run on m that kept its pool
 * ([nitems], borrowed, valid until the pool is freed or filled again), or
 * NULL.  Not checked: a pattern may exceed its cost at them (pricing's
 * tolerance), so a user scales them by the best pattern first. */
const double *vmp__colgen_pool_duals(const vmp__colgen_pool *pool, const vmp__model *m);

/* Writes the assignment MIP of the `ilp` solver (solvers/ilp.c) for
 * ctx->m to path in CPLEX LP (VMP_MODEL_LP) or free MPS (VMP_MODEL_MPS)
 * format.  0, VMP_EIO, VMP_ERANGE (too large), VMP_ENOMEM, VMP_ESOLVER. */
int vmp__ilp_write(vmp__ctx *ctx, const char *path, int format);

/* The objective of an item placement, computed fast from the model (the
 * evaluator stays the judge): used by solvers to compare candidates.
 * Returns the weighted objective (solvers/objective.c). */
double vmp__model_objective(const vmp__model *m, const int32_t *host);

#endif /* VMP_SOLVERS_H */
