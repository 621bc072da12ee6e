/*
 * vmplace — solving: options, solver parameters by name, callbacks.
 */
#ifndef VMPLACE_SOLVE_H
#define VMPLACE_SOLVE_H

#include "common.h"
#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS

/* ---- solver parameters by name --------------------------------------------- */

/** Opaque set of solver parameters ("ilp.mip_gap", "genetic.population").
 * Parameters not set keep their documented defaults. */
typedef struct vmp_params vmp_params;

/** Creates an empty parameter set (caller owns; vmp_params_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM. */
VMP_API int vmp_params_new(vmp_params **out);
/** Frees a parameter set.  Accepts NULL. */
VMP_API void vmp_params_free(vmp_params *ps);
/**
 * Sets a parameter from its text form ("0.01", "42", "ffd_l2,bfd_l1").
 * The value is checked against the parameter's type and range now.
 * @return VMP_OK, VMP_ENOTFOUND (unknown name), VMP_EINVAL (wrong type),
 *         VMP_ERANGE (out of range), VMP_ENOMEM.
 */
VMP_API int vmp_params_set(vmp_params *ps, const char *name,
                           const char *value);
/** Sets a numeric parameter.  @return as vmp_params_set. */
VMP_API int vmp_params_set_number(vmp_params *ps, const char *name,
                                  double value);
/** The text form of a parameter: the value set, else its default.
 * Borrowed (lives until the parameter is set again or ps is freed); NULL
 * for unknown names. */
VMP_API const char *vmp_params_get(const vmp_params *ps, const char *name);

/** Parameter types. */
typedef enum vmp_param_type {
  VMP_PARAM_INT = 0,
  VMP_PARAM_DOUBLE = 1,
  VMP_PARAM_BOOL = 2,
  VMP_PARAM_STRING = 3        /**< a word or comma-separated list */
} vmp_param_type;

/** Number of known parameters (over every solver of this build). */
VMP_API size_t vmp_num_params(void);
/**
 * Describes the k-th known parameter.  Any out-parameter may be NULL.
 * Strings are static.  min and max are meaningful for numeric types.
 * @return VMP_OK or VMP_EINVAL (k out of range).
 */
VMP_API int vmp_param_at(size_t k, const char **name, int *type,
                         double *min, double *max, const char **def,
                         const char **doc);

/* ---- solvers --------------------------------------------------------------- */

/** Number of solvers in this build. */
VMP_API size_t vmp_num_solvers(void);
/** Name of the k-th solver ("greedy", "ilp", ...), or NULL.  Static. */
VMP_API const char *vmp_solver_name(size_t k);
/** One-line description of the k-th solver, or NULL.  Static. */
VMP_API const char *vmp_solver_summary(size_t k);

/* ---- callbacks ------------------------------------------------------------- */

/** Log levels, most severe first. */
typedef enum vmp_log_level {
  VMP_LOG_ERROR = 0,
  VMP_LOG_WARN = 1,
  VMP_LOG_INFO = 2,
  VMP_LOG_DEBUG = 3
} vmp_log_level;

/** Receives log lines (no trailing newline).  Runs on the caller's thread.
 * Every solve logs at VMP_LOG_INFO what it solves and what it found. */
typedef void (*vmp_log_fn)(int level, const char *message, void *userdata);

#define VMP_PROGRESS_VERSION 1

/** What a progress callback sees.  Fields are only appended: a callback
 * compiled against VMP_PROGRESS_VERSION reads the fields it knows, and
 * `version` says which further ones the library filled. */
typedef struct vmp_progress {
  uint32_t version;       /**< the library's VMP_PROGRESS_VERSION (>= 1) */
  const char *solver;     /**< the solver reporting (static string) */
  double elapsed;         /**< seconds since the solve started */
  double objective;       /**< best objective so far; HUGE_VAL if none */
  double bound;           /**< best lower bound so far */
  double gap;             /**< relative gap; HUGE_VAL if no objective */
  uint64_t iterations;    /**< solver-specific: nodes, generations, ... */
  size_t placed;          /**< VMs placed in the best placement so far */
  size_t total;           /**< VMs in the problem */
} vmp_progress;

/** Called periodically during a solve, on the caller's thread, and always
 * once before the solver starts (objective HUGE_VAL, bound the model's
 * bound).  Return 0 to continue, nonzero to stop: the solve then returns its
 * best placement so far with stop reason VMP_STOP_INTERRUPTED, and the
 * callback is not called again.  Every solver first builds a placement (a
 * greedy construction) before it heeds the stop, so even a stop at the
 * first call returns a placement: stopping means "stop improving". */
typedef int (*vmp_progress_fn)(const vmp_progress *progress, void *userdata);

/* ---- options ---------------------------------------------------------------- */

#define VMP_SOLVE_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/**
 * Options of a solve.  Initialise with VMP_SOLVE_OPTS_INIT or
 * vmp_solve_opts_init, then change what you need.  New fields are only ever
 * appended, and `version` tells the library which fields the caller knows.
 */
typedef struct vmp_solve_opts {
  uint32_t version;          /**< VMP_SOLVE_OPTS_VERSION */
  const char *solver;        /**< solver name; NULL means "auto" */
  double time_limit;         /**< seconds of wall clock; <= 0: no limit.
                                  Default 10. */
  uint64_t seed;             /**< random seed; default 1 */
  uint32_t threads;          /**< worker threads; 0 means one per core.
                                  Default 1.  Results do not depend on it. */
  int32_t log_level;         /**< most verbose vmp_log_level passed to log */
  vmp_log_fn log;            /**< NULL: no log */
  void *log_userdata;
  vmp_progress_fn progress;  /**< NULL: no progress */
  void *progress_userdata;
  double progress_interval;  /**< seconds between progress calls; default
                                  0.5 */
  const vmp_params *params;  /**< NULL: every parameter at its default */
  const vmp_solution *incumbent; /**< optional warm start (matched to the
                                  problem by VM and host names) */
  VMP__NEXT_FIELD
} vmp_solve_opts;

#define VMP_SOLVE_OPTS_INIT                                                  \
  { VMP_SOLVE_OPTS_VERSION, NULL, 10.0, 1, 1, VMP_LOG_WARN, NULL, NULL,      \
    NULL, NULL, 0.5, NULL, NULL }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_SOLVE_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_SOLVE_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_solve_opts_init(vmp_solve_opts *opts, uint32_t version);

/**
 * Solves a placement problem.
 *
 * Compiles the problem, runs the solver, passes its placement through the
 * evaluator and returns the verified solution.  An infeasible, partial or
 * time-limited run still returns VMP_OK: the solution's status and stop
 * reason say what happened.
 *
 * @param p     the problem (only read; may be shared between threads).
 * @param opts  options; NULL means defaults.
 * @param out   receives the solution (caller owns; vmp_solution_free);
 *              NULL on failure.
 * @return VMP_OK; VMP_EINVAL (bad options), VMP_ENOTFOUND (unknown solver),
 *         VMP_ENOTSUP (solver not in this build), VMP_ESOLVER (backend
 *         failure), VMP_ENOMEM.
 */
VMP_API int vmp_solve(const vmp_problem *p, const vmp_solve_opts *opts,
                      vmp_solution **out);

/* ---- exporting the MIP --------------------------------------------------- */

/** Formats of vmp_write_model. */
typedef enum vmp_model_format {
  VMP_MODEL_AUTO = 0,   /**< by the file name: ".lp" or ".mps" */
  VMP_MODEL_LP = 1,     /**< CPLEX LP format */
  VMP_MODEL_MPS = 2     /**< free MPS format */
} vmp_model_format;

/**
 * Writes the assignment MIP that the "ilp" solver would solve for p, for
 * cross-checking with other solvers (CBC, HiGHS, SCIP, ...).
 *
 * The model is built exactly as `ilp` builds it (docs/formulations.md,
 * "The assignment model"), including symmetry breaking and the per-class
 * host limit derived from a warm start; the warm start comes from the
 * fast solvers (and opts->incumbent), within opts->time_limit.  Its
 * optimum equals the problem's optimum objective.  Columns are named
 * x_ITEM_HOST, y_HOST, u_ITEM, balance and s_/a_/t_/z_ for group
 * constraints, where ITEM and HOST are indices of the compiled model
 * (items are VMs, or hard host-affinity groups merged into one).
 *
 * @param p       the problem (only read).
 * @param opts    options (parameters "ilp.*" apply); NULL: defaults.
 * @param path    the file to write.
 * @param format  a vmp_model_format.
 * @return VMP_OK; VMP_EINVAL (bad arguments, unknown extension),
 *         VMP_EIO (cannot write), VMP_ERANGE (model larger than
 *         "ilp.max_columns"), VMP_ESOLVER, VMP_ENOMEM.
 */
VMP_API int vmp_write_model(const vmp_problem *p, const vmp_solve_opts *opts,
                            const char *path, int format);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_param_count vmp_num_params
#  define vmp_solver_count vmp_num_solvers
#  define vmp_param_info vmp_param_at
/* vmp_solve_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_SOLVE_OPTS_VERSION). */
#  define vmp_solve_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_solve_opts_init, VMP_SOLVE_OPTS_VERSION, \
                          __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_SOLVE_H */
