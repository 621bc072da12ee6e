/*
 * The solver runtime: the one internal interface behind which every
 * solver sits.  A solver reads the compiled model and the context
 * (options, parameters, clock, callbacks, an optional incumbent) and fills
 * a result: one host per item, the best lower bound it proved, and what it
 * proved.  vmp_solve (src/engine/solve.c) then passes the placement
 * through the evaluator; a solver can never hand back an unverified
 * placement.
 *
 * This layer knows no solver by name: the registry, parameter lookup by
 * name and running one solver inside another are solvers/solvers.h.
 *
 * Threading: a solver may run worker threads, but only the thread that
 * called solve() may call vmp__ctx_progress and vmp__ctx_log (callbacks run
 * on the caller's thread).  Workers poll vmp__ctx_should_stop, which is
 * thread-safe.
 */
#ifndef VMP_RUNTIME_H
#define VMP_RUNTIME_H

#include <stdatomic.h>

#include "model.h"

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
  int incumbent_as_is;          /* auto's exact stage: the incumbent is what
                                   the fast stages chose to hand over; warm
                                   starts take it as it is, without running
                                   greedy or local again */
  struct vmp__colgen_pool *colgen_pool; /* solvers/colgen.c: the columns one
                                   colgen run leaves to the next on this
                                   model (auto's quick attempt to its
                                   exact stage); NULL: none kept */
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
  /* VMP__NEED_* bits the solver models (model.h): the dispatcher declines
   * a model with a hard need the solver lacks, and does not let a solver
   * that ignores VMP__NEED_TERMS claim optimality. */
  unsigned handles;
} vmp__solver;

/* ---- results (src/runtime/runtime.c) ---------------------------------------- */

int vmp__result_init(vmp__result *res, size_t nitems);
void vmp__result_free(vmp__result *res);

/* ---- the context (src/runtime/runtime.c) ----------------------------------------------- */

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

/* ---- parameter values (src/runtime/params.c) ------------------------------ */

/* The layout of vmp_params: the values set, each with its spec. */
typedef struct vmp__param_val {
  const vmp__param_spec *spec;
  char *text;
  double num;               /* numeric kinds */
} vmp__param_val;

struct vmp_params {
  vmp__param_val *v;
  size_t n, cap;
};

/* Checks text against spec (type, range, spec->check) and sets *num for
 * numeric kinds.  0, or VMP_EINVAL / VMP_ERANGE naming the parameter. */
int vmp__param_parse(const vmp__param_spec *spec, const char *text, double *num);
/* The value set for spec in ps, or NULL (ps may be NULL). */
const vmp__param_val *vmp__params_find(const vmp_params *ps,
                                       const vmp__param_spec *spec);
/* Checks value and sets it for spec (replacing an earlier value).  0 or a
 * negative code. */
int vmp__params_put(vmp_params *ps, const vmp__param_spec *spec, const char *value);

#endif /* VMP_RUNTIME_H */
