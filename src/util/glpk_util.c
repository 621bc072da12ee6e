/*
 * GLPK guard and output routing (glpk_util.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "glpk_util.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void keep_line(vmp__glpk *g) {
  g->line[g->len] = '\0';
  if (g->len == 0) return;
  if (g->log && g->log_level >= VMP_LOG_DEBUG) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s: glpk: %s", g->what, g->line);
    g->log(VMP_LOG_DEBUG, msg, g->log_userdata);
  }
  memmove(g->tail[0], g->tail[1], sizeof g->tail[0] * 2);
  memcpy(g->tail[2], g->line, g->len + 1);
  if (g->ntail < 3) g->ntail++;
  g->len = 0;
}

/* GLPK's terminal output: split into lines, logged, the last ones kept.
 * Returning nonzero tells GLPK not to print anything itself. */
static int on_term(void *info, const char *s) {
  vmp__glpk *g = info;
  for (; *s; s++) {
    if (*s == '\n')
      keep_line(g);
    else if (g->len + 1 < sizeof g->line)
      g->line[g->len++] = *s;
  }
  return 1;
}

/* GLPK calls this instead of abort(); it must not return. */
static void on_error(void *info) {
  vmp__glpk *g = info;
  longjmp(g->jb, 1);
}

vmp__glpk *vmp__glpk_open(const char *what, vmp_log_fn log, void *log_userdata,
                          int log_level) {
  vmp__glpk *g = calloc(1, sizeof *g);
  if (!g) {
    vmp__enomem();
    return NULL;
  }
  g->what = what;
  g->log = log;
  g->log_userdata = log_userdata;
  g->log_level = log_level;
  glp_term_hook(on_term, g);
  glp_error_hook(on_error, g);
  return g;
}

vmp__glpk *vmp__glpk_open_opts(const char *what, const vmp_solve_opts *opts) {
  return vmp__glpk_open(what, opts->log, opts->log_userdata, opts->log_level);
}

void vmp__glpk_close(vmp__glpk *g) {
  if (!g) return;
  keep_line(g);
  glp_free_env();
  free(g);
}

void vmp__glpk_abandon(vmp__glpk *g) { vmp__glpk_close(g); }

int vmp__glpk_failed(vmp__glpk *g) {
  char msg[sizeof g->line];
  keep_line(g);
  glp_free_env();
  /* GLPK prints its message, then "Error detected in file ...". */
  if (g->ntail >= 2 && !strncmp(g->tail[2], "Error detected", 14))
    memcpy(msg, g->tail[1], sizeof msg);
  else if (g->ntail >= 1)
    memcpy(msg, g->tail[2], sizeof msg);
  else
    strcpy(msg, "no message");
  vmp__error(VMP_ESOLVER, "%s: GLPK failed: %s", g->what, msg);
  free(g);
  return VMP_ESOLVER;
}

int vmp__glpk_msg_lev(const vmp__glpk *g) {
  return g->log && g->log_level >= VMP_LOG_DEBUG ? GLP_MSG_ON : GLP_MSG_ERR;
}

int vmp__glpk_ms(double seconds) {
  if (!(seconds < 1e6)) return INT_MAX;   /* none (GLPK's default) */
  seconds = 0.96 * seconds - 0.05;
  if (seconds <= 0.001) return 1;
  return (int)ceil(seconds * 1000.0);
}

/* Whether the step after a call for `reason` solves an LP (GLPK bounds
 * that itself, by tm_lim): after preprocessing, the node's LP. */
static int step_has_lp(int reason) { return reason == GLP_IPREPRO; }

int vmp__glpk_steps_decide(vmp__glpk_steps *s, int r, double now, double left) {
  glp_iocp *p = s->iocp;
  if (s->out > 0.0 && now - s->out > s->longest[s->reason & 7])
    s->longest[s->reason & 7] = now - s->out;
  if (r == GLP_ICUTGEN) {
    double round = s->longest[GLP_ICUTGEN] > 0.0 ? s->longest[GLP_ICUTGEN] : s->cut_guess;
    int on = p->gmi_cuts == GLP_ON || p->mir_cuts == GLP_ON || p->cov_cuts == GLP_ON ||
             p->clq_cuts == GLP_ON;
    /* Gomory's separation takes a row per fractional column, at any node;
     * the first round, into an empty pool, several times the larger of
     * the rows and the guess */
    if (p->gmi_cuts == GLP_ON) {
      if (s->longest[GLP_ICUTGEN] > 0.0) {
        if (s->rows_guess > round) round = s->rows_guess;
      } else {
        round = VMP__GLPK_FIRST_ROUND * (s->rows_guess > round ? s->rows_guess : round);
      }
    }
    s->round = round;
    if (on && left < VMP__GLPK_STEP_MARGIN * round) {
      p->gmi_cuts = p->mir_cuts = p->cov_cuts = p->clq_cuts = GLP_OFF;
      s->cuts_off = 1;
      return VMP__GLPK_CUTS_OFF;
    }
    return VMP__GLPK_GO;
  }
  if (r == GLP_IBRANCH && p->br_tech == GLP_BR_DTH &&
      left < VMP__GLPK_STEP_MARGIN * VMP__GLPK_DTH_ROWS * s->rows_guess) {
    /* The rule's rows would not fit; what the branchings took so far was
     * mostly those rows, and says nothing of the cheap rule. */
    p->br_tech = GLP_BR_MFV;
    s->longest[GLP_IBRANCH] = 0.0;
    s->cheap_branch = 1;
    return VMP__GLPK_CHEAP_BRANCH;
  }
  if (!step_has_lp(r) && left < VMP__GLPK_STEP_MARGIN * s->longest[r & 7]) return VMP__GLPK_STOP;
  return VMP__GLPK_GO;
}

void vmp__glpk_steps_done(vmp__glpk_steps *s, int reason, double now) {
  s->reason = reason;
  s->out = now;
}

void vmp__glpk_steps_rows(vmp__glpk_steps *s, int nfrac, double row_seconds) {
  s->rows_guess = (double)nfrac * row_seconds;
}

/* Rows of the simplex table timed to price the node's: their median. */
#define PRICE_SAMPLES 3

double vmp__glpk_cpu_now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void vmp__glpk_steps_start(vmp__glpk_steps *s) {
  s->wall0 = vmp__now();
  s->cpu0 = vmp__glpk_cpu_now();
}

/* Wall seconds per second of this thread's CPU since vmp__glpk_steps_start
 * (at least 1; 1 before a tenth of a second of CPU). */
static double stretch(const vmp__glpk_steps *s) {
  double cpu = vmp__glpk_cpu_now() - s->cpu0, wall = vmp__now() - s->wall0;
  return s->wall0 > 0.0 && cpu >= 0.1 && wall > cpu ? wall / cpu : 1.0;
}

/* Prices the node's tableau rows: counts the integer columns of its LP
 * solution off an integer by more than GLPK's tolerance (the rows Gomory's
 * separation and Driebeck and Tomlin's rule compute) and times a few such
 * rows, in CPU time (their median), stretched by the wall time per CPU
 * second so far: a row takes milliseconds and mostly runs within one slice
 * of a crowded machine, a step of seconds waits like the rest of the
 * process (a process starved to an eighth of a core priced a branching at
 * 0.39 s that took 4.3 s).  No guess when the basis is not factorized or
 * memory runs out. */
static void price_rows(vmp__glpk_steps *s, glp_tree *T) {
  glp_prob *P = glp_ios_get_prob(T);
  int m = glp_get_num_rows(P), n = glp_get_num_cols(P), count = 0, k = 0;
  int pick[PRICE_SAMPLES];
  double tol = s->iocp->tol_int, t[PRICE_SAMPLES], row;
  int *ind;
  double *val;
  s->rows_guess = 0.0;
  for (int j = 1; j <= n; j++) {
    double x, f;
    if (glp_get_col_kind(P, j) == GLP_CV) continue;
    x = glp_get_col_prim(P, j);
    f = x - floor(x);
    if (f > tol && f < 1.0 - tol) {
      count++;
      if (k < PRICE_SAMPLES && glp_get_col_stat(P, j) == GLP_BS) pick[k++] = j;
    }
  }
  if (!k || !glp_bf_exists(P)) return;
  ind = malloc(((size_t)n + 1) * sizeof *ind);
  val = malloc(((size_t)n + 1) * sizeof *val);
  if (ind && val) {
    for (int q = 0; q < k; q++) {
      double t0 = vmp__glpk_cpu_now();
      glp_eval_tab_row(P, m + pick[q], ind, val);
      t[q] = vmp__glpk_cpu_now() - t0;
    }
    /* the median of three, else the larger */
    row = k < PRICE_SAMPLES ? (k == 2 && t[1] > t[0] ? t[1] : t[0])
                            : fmax(fmin(t[0], t[1]), fmin(fmax(t[0], t[1]), t[2]));
    vmp__glpk_steps_rows(s, count, row * stretch(s));
  }
  free(ind);
  free(val);
}

int vmp__glpk_steps_enter(vmp__glpk_steps *s, glp_tree *T, double left) {
  int r = glp_ios_reason(T);
  double now = vmp__now();
  /* the node's LP solution is there from row generation to branching */
  if (s->price_rows && (r == GLP_ICUTGEN || r == GLP_IBRANCH)) price_rows(s, T);
  return vmp__glpk_steps_decide(s, r, now, left - (vmp__now() - now));
}

void vmp__glpk_steps_leave(vmp__glpk_steps *s, glp_tree *T) {
  vmp__glpk_steps_done(s, glp_ios_reason(T), vmp__now());
}

double vmp__glpk_steps_longest(const vmp__glpk_steps *s) {
  double m = 0.0;
  for (int k = 0; k < 8; k++)
    if (s->longest[k] > m) m = s->longest[k];
  return m;
}

double vmp__glpk_safe_bound(glp_prob *lp) {
  int m = glp_get_num_rows(lp), n = glp_get_num_cols(lp);
  int *ind = malloc(((size_t)m + 1) * sizeof *ind);
  double *val = malloc(((size_t)m + 1) * sizeof *val);
  double *pi = malloc(((size_t)m + 1) * sizeof *pi);
  double sum = glp_get_obj_coef(lp, 0);
  if (!ind || !val || !pi) {
    sum = -HUGE_VAL;
    goto done;
  }
  for (int i = 1; i <= m; i++) {
    int type = glp_get_row_type(lp, i);
    double lo = glp_get_row_lb(lp, i), up = glp_get_row_ub(lp, i), d = glp_get_row_dual(lp, i);
    /* r_i in [lo, up]: min of pi r over it; a sign the bounds cannot
     * carry is projected to 0 (still a valid multiplier). */
    if (type == GLP_FR || (type == GLP_LO && d < 0.0) || (type == GLP_UP && d > 0.0)) d = 0.0;
    pi[i] = d;
    if (d > 0.0) sum += d * lo;
    else if (d < 0.0) sum += d * up;
  }
  for (int j = 1; j <= n && sum > -HUGE_VAL; j++) {
    int len = glp_get_mat_col(lp, j, ind, val), type = glp_get_col_type(lp, j);
    double dj = glp_get_obj_coef(lp, j), mag = fabs(dj);
    for (int k = 1; k <= len; k++) {
      dj -= pi[ind[k]] * val[k];
      mag += fabs(pi[ind[k]] * val[k]);
    }
    /* A reduced cost within GLPK's own dual tolerance (1e-7, relative)
     * of 0 is 0: on a column without a bound on that side it would
     * otherwise turn every optimal LP with a continuous column (balance,
     * soft-group excess) into -HUGE_VAL.  A real failure is far larger. */
    if (fabs(dj) <= 1e-7 * (1.0 + mag)) dj = 0.0;
    if (dj > 0.0) {
      if (type == GLP_FR || type == GLP_UP) sum = -HUGE_VAL;
      else sum += dj * glp_get_col_lb(lp, j);
    } else if (dj < 0.0) {
      if (type == GLP_FR || type == GLP_LO) sum = -HUGE_VAL;
      else sum += dj * glp_get_col_ub(lp, j);
    }
  }
done:
  free(ind);
  free(val);
  free(pi);
  return sum;
}
