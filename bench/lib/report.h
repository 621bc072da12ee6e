/*
 * The per-suite, per-solver figures of the report (report.c), shared with
 * the profile (profile.c) and the tests.
 */
#ifndef VMPB_REPORT_H
#define VMPB_REPORT_H

#include "bench.h"

typedef struct vmpb_solver_stats {
  size_t runs;             /* rows except unsupported */
  size_t unsupported;
  size_t solved;           /* rows with a value */
  size_t matched;          /* value <= best known */
  size_t proven;           /* proven_optimal */
  size_t failed;           /* timeout, crash, error */
  size_t with_gap;         /* rows with a gap to the best known */
  size_t with_heuristic, beats_heuristic;  /* value <= best_heuristic */
  double mean_gap, max_gap;
  size_t with_bound_gap;   /* rows with a gap to the instance's best bound */
  double mean_gap_bound;   /* (value - best bound) / best bound, where the
                              best bound is the highest any row of the
                              instance proved */
  double total_vs_best;    /* sum of values / sum of best known - 1 */
  double median_time, p95_time;
  double max_peak;
} vmpb_solver_stats;

/* The suites of the table in order of first appearance (borrowed names;
 * the caller frees the array). */
size_t vmpb_report_suites(const vmpb_table *t, char ***out);
/* The solvers of a suite: the library's in registry order, the peers,
 * other names, the reference row last (borrowed names; the caller frees
 * the array). */
size_t vmpb_report_solvers(const vmpb_table *t, const char *suite,
                           char ***out);
/* 0 for rows of instances the reader refused ("unsupported"). */
int vmpb_status_ran(const char *status);
/* 1 when a solver other than the reference row loaded the instance, or
 * when only the reference row has it (solvers: the suite's, from
 * vmpb_report_solvers). */
int vmpb_instance_loaded(vmpb_table *t, const char *suite, const char *instance,
                         char **solvers, size_t ns);
/* The figures of one solver on one suite. */
void vmpb_suite_stats(vmpb_table *t, const char *suite,
                      const char *solver, vmpb_solver_stats *st);

/* The performance profile of a suite: one line per solver (the reference
 * row included) over the instances that have a best-known value and that
 * at least one solver could load.  *out is caller-owned
 * (vmpb_profile_free); *nlines is 0 when the suite has no such instance. */
int vmpb_profile_suite(vmpb_table *t, const char *suite,
                       vmpb_profile_line **out, size_t *nlines,
                       size_t *ninstances);
void vmpb_profile_free(vmpb_profile_line *lines, size_t n);

#endif /* VMPB_REPORT_H */
