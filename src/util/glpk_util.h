/*
 * The one place that talks to GLPK's environment: the error-hook guard,
 * terminal output routed to the log, and
 * the end of the environment.  ilp, colgen, the model bound and the
 * entitlements LP all go through it.
 *
 * GLPK reports bad calls and internal failures by printing a message and
 * calling abort(), unless an error hook is installed; the hook must not
 * return.  So every function that calls glp_* follows this shape:
 *
 *     vmp__glpk *g;
 *     ...validate everything, allocate own memory...
 *     if (!(g = vmp__glpk_open("ilp", log, log_userdata, log_level)))
 *       return VMP_ENOMEM;
 *     if (setjmp(g->jb)) return vmp__glpk_failed(g);   (env and g freed)
 *     ...glp_* calls...
 *     vmp__glpk_close(g);                              (glp_free_env)
 *
 * After a GLPK error every GLPK object of the thread is gone (the guard
 * frees the environment).  The guard lives on the heap and own memory
 * must be reachable from pointers that were not changed after setjmp
 * (C11 7.13.2.1: other automatic variables changed in between are
 * indeterminate after the jump), i.e. kept in a struct owned by the
 * caller.
 *
 * Threading: GLPK keeps one environment per thread (the Debian build uses
 * thread-local storage), so guards on different threads are independent.
 * A guard frees the whole environment of its thread: vmplace never calls
 * GLPK while it holds GLPK objects of another guard on the same thread,
 * and an application that uses GLPK itself must not call vmplace's exact
 * solvers from a thread that holds its own GLPK objects
 * (docs/threading.md).
 */
#ifndef VMP_GLPK_UTIL_H
#define VMP_GLPK_UTIL_H

#include <glpk.h>
#include <setjmp.h>

#include "internal.h"

typedef struct vmp__glpk {
  jmp_buf jb;
  const char *what;         /* "ilp", "colgen", ... for messages */
  vmp_log_fn log;           /* NULL: output is dropped */
  void *log_userdata;
  int log_level;            /* GLPK text goes out at VMP_LOG_DEBUG */
  char line[512];           /* the line being assembled */
  size_t len;
  char tail[3][512];        /* the last lines, for error messages */
  unsigned ntail;
} vmp__glpk;

/* Allocates a guard and installs the hooks (terminal output to the log,
 * errors to g->jb).  Calls no other glp_* function.  NULL when out of
 * memory (the detail message is set). */
vmp__glpk *vmp__glpk_open(const char *what, vmp_log_fn log, void *log_userdata,
                          int log_level);
/* Same, logging through the log callback of solve options (a solver
 * passes ctx->opts). */
vmp__glpk *vmp__glpk_open_opts(const char *what, const vmp_solve_opts *opts);
/* Ends the thread's GLPK environment (every GLPK object goes) and frees
 * g.  Accepts NULL. */
void vmp__glpk_close(vmp__glpk *g);
/* Called after setjmp returned nonzero: frees the environment (GLPK
 * requires it after an error) and g; returns VMP_ESOLVER with GLPK's
 * message as detail. */
int vmp__glpk_failed(vmp__glpk *g);
/* After setjmp returned nonzero, for callers that carry on without GLPK's
 * answer (a bound that is merely weaker): frees the environment and g,
 * leaves the thread's error message alone. */
void vmp__glpk_abandon(vmp__glpk *g);

/* The message level for GLPK's control structures: normal output when
 * the log would show debug lines, else errors only. */
int vmp__glpk_msg_lev(const vmp__glpk *g);

/* Milliseconds for GLPK's tm_lim from seconds left (HUGE_VAL: none).
 * GLPK looks at the clock between simplex iterations and search nodes,
 * and one of them can take a while on a large model: the limit keeps a
 * reserve of 4 % plus 50 ms, so that the call ends within the seconds
 * given. */
int vmp__glpk_ms(double seconds);

#endif /* VMP_GLPK_UTIL_H */
