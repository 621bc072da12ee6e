/*
 * The one internal interface behind which every solver sits (DESIGN.md,
 * "Solvers").  A solver reads the compiled model and the context (options,
 * parameters, clock, callbacks, an optional incumbent) and fills a result:
 * one host per item, the best lower bound it proved, and what it proved.
 * The dispatcher (src/solve.c) then passes the placement through the
 * evaluator; a solver can never hand back an unverified placement.
 *
 * Threading: a solver may run worker threads, but only the thread that
 * called solve() may call vmp__ctx_progress and vmp__ctx_log (callbacks run
 * on the caller's thread).  Workers poll vmp__ctx_should_stop, which is
 * thread-safe.
 */
#ifndef VMP_SOLVER_H
#define VMP_SOLVER_H

#include <stdatomic.h>

#include "../src/model.h"

/* A named parameter of a solver ("greedy.rules").  Numeric kinds are
 * range-checked when set. */
typedef struct vmp__param_spec {
  const char *name;
  int type;                 /* vmp_param_type */
  double min, max;          /* numeric kinds */
  const char *def;          /* default, text form */
  const char *doc;
  /* Optional check of a value beyond its type and range (e.g. a list of
   * rule names): 0, or a negative code with the detail message set. */
  int (*check)(const char *value);
} vmp__param_spec;

/* Named counters a solver reports ("ilp.nodes" = 1234). */
typedef struct vmp__stats {
  char **names;
  double *values;
  size_t n, cap;
} vmp__stats;

void vmp__stats_init(vmp__stats *st);
void vmp__stats_free(vmp__stats *st);
/* Sets (or replaces) a counter.  0 or VMP_ENOMEM. */
int vmp__stats_set(vmp__stats *st, const char *name, double value);
/* Adds to a counter (creating it at 0). */
int vmp__stats_add(vmp__stats *st, const char *name, double delta);

typedef struct vmp__ctx {
  const vmp__model *m;
  const vmp_solve_opts *opts;   /* normalised: never NULL, fields valid */
  const vmp_params *params;     /* never NULL */
  const char *solver;           /* name of the solver now running */
  double t_start;               /* vmp__now() at the start of vmp_solve */
  double deadline;              /* absolute vmp__now() time; HUGE_VAL none */
  uint64_t seed;
  uint32_t threads;             /* >= 1 */
  const int32_t *incumbent;     /* [nitems] host or -1; NULL when none */
  atomic_int stop;              /* set on interruption; workers poll it */
  int interrupted;              /* the progress callback said stop */
  double next_progress;
  /* best values seen, for progress reports */
  double best_objective;
  double best_bound;
  size_t best_placed;
} vmp__ctx;

typedef struct vmp__result {
  int32_t *host;                /* [nitems]: host or -1.  Allocated (filled
                                   with -1) by the caller. */
  double bound;                 /* a proven lower bound on the objective;
                                   -HUGE_VAL when the solver proved none */
  int proven_optimal;           /* `host` is proven optimal */
  int proven_infeasible;        /* proven: placeable items cannot all be
                                   placed together */
  int stop_reason;              /* vmp_stop_reason */
  vmp__stats stats;
} vmp__result;

typedef struct vmp__solver {
  const char *name;
  const char *summary;
  /* Returns VMP_OK whenever it reached a conclusion (whatever the
   * placement's quality); negative codes for failures. */
  int (*solve)(vmp__ctx *ctx, vmp__result *res);
  const vmp__param_spec *params;
  size_t nparams;
} vmp__solver;

/* ---- the registry (solvers/registry.c) ------------------------------------ */

const vmp__solver *vmp__solver_find(const char *name);
size_t vmp__solver_count(void);
const vmp__solver *vmp__solver_at(size_t k);

/* Runs another solver inside this one (auto -> greedy -> local -> ilp):
 * res must be initialised by vmp__result_init; ctx->solver is set for the
 * duration. */
int vmp__solver_run(vmp__ctx *ctx, const char *name, vmp__result *res);

int vmp__result_init(vmp__result *res, size_t nitems);
void vmp__result_free(vmp__result *res);

/* ---- the context (src/solve.c) ----------------------------------------------- */

/* Nonzero when the solve must stop now: deadline passed or interrupted.
 * Thread-safe. */
int vmp__ctx_should_stop(vmp__ctx *ctx);
/* Seconds left before the deadline (HUGE_VAL when none). */
double vmp__ctx_remaining(const vmp__ctx *ctx);
/* Stop reason to report when stopping now. */
int vmp__ctx_stop_reason(const vmp__ctx *ctx);
/* Reports progress (rate-limited by opts->progress_interval; force
 * bypasses the limit).  Returns nonzero when the solve must stop. */
int vmp__ctx_progress(vmp__ctx *ctx, double objective, double bound,
                      uint64_t iterations, size_t placed, int force);
/* Log line through opts->log. */
void vmp__ctx_log(const vmp__ctx *ctx, int level, const char *fmt, ...)
    VMP__PRINTF(3, 4);

/* Parameter values: the value set in ctx->params, else the default of the
 * spec.  Unknown names are a programming error and return the fallback. */
double vmp__param_num(const vmp__ctx *ctx, const char *name, double fallback);
const char *vmp__param_str(const vmp__ctx *ctx, const char *name,
                           const char *fallback);

/* The exact stage of `auto` (solvers/exact.c): runs colgen or ilp from
 * res's placement when one of them pays and time is left; keeps the
 * better placement and bound in res. */
int vmp__exact_stage(vmp__ctx *ctx, vmp__result *res);

/* Writes the assignment MIP of the `ilp` solver (solvers/ilp.c) for
 * ctx->m to path in CPLEX LP (VMP_MODEL_LP) or free MPS (VMP_MODEL_MPS)
 * format.  0, VMP_EIO, VMP_ERANGE (too large), VMP_ENOMEM, VMP_ESOLVER. */
int vmp__ilp_write(vmp__ctx *ctx, const char *path, int format);

/* The objective of an item placement, computed fast from the model (the
 * evaluator stays the judge): used by solvers to compare candidates.
 * Returns the weighted objective. */
double vmp__model_objective(const vmp__model *m, const int32_t *host);

#endif /* VMP_SOLVER_H */
