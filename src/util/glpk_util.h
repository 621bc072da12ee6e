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

/* The opening of the shape above for a solver that keeps its guard in a
 * struct field (slot, e.g. b->g) and leaves through a cleanup label: opens
 * the guard with the log of solve options and sets its error trap in the
 * caller's own frame (where setjmp must run); when GLPK cannot start, or
 * later fails and jumps back here, sets rc, clears slot (the guard is
 * freed) and goes to label. */
#define VMP__GLPK_OPEN_OR_GOTO(slot, what, opts, rc, label)                  \
  do {                                                                       \
    if (!((slot) = vmp__glpk_open_opts((what), (opts)))) {                   \
      (rc) = VMP_ENOMEM;                                                     \
      goto label;                                                            \
    }                                                                        \
    if (setjmp((slot)->jb)) {                                                \
      (rc) = vmp__glpk_failed(slot);                                         \
      (slot) = NULL;                                                         \
      goto label;                                                            \
    }                                                                        \
  } while (0)

/* The message level for GLPK's control structures: normal output when
 * the log would show debug lines, else errors only. */
int vmp__glpk_msg_lev(const vmp__glpk *g);

/* Milliseconds for GLPK's tm_lim from seconds left (HUGE_VAL: none).
 * GLPK looks at the clock between simplex iterations and search nodes,
 * and one of them can take a while on a large model: the limit keeps a
 * reserve of 4 % plus 50 ms, so that the call ends within the seconds
 * given. */
int vmp__glpk_ms(double seconds);

/* ---- the steps of glp_intopt ------------------------------------------------
 *
 * glp_intopt looks at the clock only before it solves a node's LP and
 * inside the simplex; what it does between two calls of its callback runs
 * to its end.  Of those steps, cut separation (MIR above all, Gomory) grows
 * with the model and not with the LP: on 400 VMs x 100 hosts a round of it
 * took 1 s beside a root LP of 3 s, 8 s on a starved process, and one
 * started near the limit ran past it.  A vmp__glpk_steps, called at the
 * start and the end of the callback, times every step by the reason of the
 * call before it and keeps the next one from starting when it would not
 * end in the time left: separation is switched off before a round that
 * twice the longest round so far would carry past the limit, and the search
 * is stopped before any other step that twice the longest step of its kind
 * would.  (glp_intopt reads its glp_iocp as it goes, so separators can be
 * switched off during the search; they are never switched on.)
 *
 * Two steps do their work one row of the simplex table at a time, a row per
 * fractional integer column: Gomory's separation and the branching rule of
 * Driebeck and Tomlin (GLPK's default).  Their first occurrence has no time
 * of its own to go by, and on 120 VBP items x 120 bins of 10 resources
 * (3,900 columns, 340 of them fractional) each took 3-4 root LPs: the first
 * branching ran a 5 s limit to 5.77 s on a process starved to an eighth of
 * a core (docs/benchmarks.md, 2026-12-07, work/vbplimit).  So when asked
 * (price_rows), the callback prices those steps before they start: the
 * node's fractional columns times a tableau row, three timed there and
 * then (their median CPU time, times the wall seconds per CPU second since
 * the root LP).
 * A round of cuts with Gomory's on needs at least that (the first, several
 * times that or the caller's guess), and before a branching that would not
 * fit, the rule becomes the most fractional column (a pass over the
 * columns), kept for the rest of the search.
 */
typedef struct vmp__glpk_steps {
  glp_iocp *iocp;         /* the struct given to glp_intopt */
  double cut_guess;       /* seconds a separation round is taken to need
                             before one is timed */
  double out;             /* when the callback last returned (0: not yet) */
  int reason;             /* the reason of that call */
  double longest[8];      /* [reason & 7] the longest step after a call */
  int cuts_off;           /* separation was switched off for the time */
  int price_rows;         /* price the tableau-row steps (enter): the
                             caller's choice */
  double rows_guess;      /* the rows of the node's fractional columns, in
                             seconds (vmp__glpk_steps_rows) */
  int cheap_branch;       /* the branching rule was made the most fractional
                             column for the time */
  double round;           /* what the last round of cuts was expected to
                             take (seconds) */
  double wall0, cpu0;     /* vmp__glpk_steps_start: the clocks the rows'
                             wall time per CPU second is measured from */
} vmp__glpk_steps;

/* What the callback should do (vmp__glpk_steps_enter). */
enum {
  VMP__GLPK_GO = 0,
  VMP__GLPK_CUTS_OFF = 1,
  VMP__GLPK_STOP = 2,
  VMP__GLPK_CHEAP_BRANCH = 3   /* s->iocp->br_tech was just made GLP_BR_MFV */
};

/* Margin of the steps' rule: a step starts only when twice its expected
 * length fits in the time left. */
#define VMP__GLPK_STEP_MARGIN 2.0

/* At the start of the callback of glp_intopt, with `left` seconds until the
 * caller's deadline: times the step that just ended and says what to do
 * before the next: VMP__GLPK_CUTS_OFF (separators were just switched off
 * in s->iocp), VMP__GLPK_CHEAP_BRANCH (the branching rule was just made the
 * most fractional column), VMP__GLPK_STOP (call glp_ios_terminate) or
 * VMP__GLPK_GO. */
int vmp__glpk_steps_enter(vmp__glpk_steps *s, glp_tree *T, double left);
/* At the end of the callback. */
void vmp__glpk_steps_leave(vmp__glpk_steps *s, glp_tree *T);
/* The same two with the callback's reason and the time (vmp__now) given:
 * what enter and leave do, for tests. */
int vmp__glpk_steps_decide(vmp__glpk_steps *s, int reason, double now, double left);
void vmp__glpk_steps_done(vmp__glpk_steps *s, int reason, double now);
/* The longest step timed so far, in seconds. */
double vmp__glpk_steps_longest(const vmp__glpk_steps *s);

/* What the steps cost, measured on Panigrahy class1_120_10_0 and New
 * class2_120_10_3 (docs/benchmarks.md, 2026-12-07, work/vbplimit): the
 * first round of cuts with Gomory's on, whose cuts are dense and selected
 * against every other cut of an empty pool, took 2.2-5.4 root LPs and
 * 2.9-3.5 times the rows of its fractional columns (later rounds 0.6-0.9
 * times their rows); Driebeck and Tomlin's rule, a row and two ratio tests
 * per column, up to 4 rows (most branchings 1-2). */
#define VMP__GLPK_FIRST_ROUND 4.0
#define VMP__GLPK_DTH_ROWS 2.0

/* The node's tableau-row steps cost `nfrac` rows of `row_seconds` each;
 * enter counts the fractional integer columns and times three rows itself
 * (glp_eval_tab_row) when s->price_rows is set. */
void vmp__glpk_steps_rows(vmp__glpk_steps *s, int nfrac, double row_seconds);
/* Starts the clocks of the rows' pricing (wall time per CPU second of the
 * calling thread): before the root LP, so that its seconds count. */
void vmp__glpk_steps_start(vmp__glpk_steps *s);
/* CPU seconds of the calling thread (0 when the clock is missing). */
double vmp__glpk_cpu_now(void);

/* A lower bound on a minimisation LP from the row duals of its last
 * simplex solution that holds whatever their quality (weak duality: for
 * any multipliers pi, the minimum over the column and row bounds of
 * c x + pi (r - A x), r = A x, is at most the LP's optimum), computed in
 * double from the unscaled problem.  GLPK's tolerances are relative, and
 * on a badly scaled problem it can call a vertex optimal whose value is
 * above the optimum; this bound then falls short of its value.  Reduced
 * costs within 1e-7 (relative) of 0 count as 0, like GLPK's own dual
 * tolerance, so that a column without an upper bound does not void the
 * bound of every optimal LP.  -HUGE_VAL when a needed bound is infinite or
 * memory runs out. */
double vmp__glpk_safe_bound(glp_prob *lp);

#endif /* VMP_GLPK_UTIL_H */
