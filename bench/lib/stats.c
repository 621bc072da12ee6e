/*
 * The arithmetic behind every figure of the report, kept in one place so
 * that the tests pin it down on fixed inputs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Values that differ by less than this (relative) count as equal: values
 * are host counts or integral costs, read back from text. */
#define REL_TOL 1e-9

double vmpb_gap(double value, double best) {
  if (isnan(value) || isnan(best) || best == 0) return NAN;
  return (value - best) / best;
}

int vmpb_matches(double value, double best) {
  if (isnan(value) || isnan(best)) return 0;
  return value <= best + REL_TOL * fmax(1.0, fabs(best));
}

/* Moves the finite values to the front, sorted; returns their number. */
static size_t sort_finite(double *x, size_t n) {
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (isfinite(x[k])) x[m++] = x[k];
  qsort(x, m, sizeof *x, vmpb_cmp_double);
  return m;
}

double vmpb_median(double *x, size_t n) {
  size_t m = sort_finite(x, n);
  if (!m) return NAN;
  return m % 2 ? x[m / 2] : (x[m / 2 - 1] + x[m / 2]) / 2;
}

double vmpb_percentile(double *x, size_t n, double q) {
  size_t m = sort_finite(x, n), rank;
  if (!m || !(q > 0)) return NAN;
  if (q > 100) q = 100;
  /* nearest rank: ceil(q/100 * m), computed so that 95% of 20 is exactly
   * rank 19 despite floating point */
  rank = (size_t)ceil(q / 100.0 * (double)m - 1e-9);
  if (rank < 1) rank = 1;
  return x[rank - 1];
}

double vmpb_profile_share(const double *gaps, size_t n, double tau) {
  size_t within = 0;
  if (!n) return NAN;
  for (size_t k = 0; k < n; k++)
    if (!isnan(gaps[k]) && fmax(gaps[k], 0.0) <= tau + REL_TOL) within++;
  return (double)within / (double)n;
}

/* The baseline is a reference point, far off by design: the x range is
 * set by the other lines when there are any, so that the differences
 * between real solvers stay visible (the baseline may leave the panel). */
#define BASELINE "roundrobin"

double vmpb_profile_xmax(const vmpb_profile_line *lines, size_t nlines) {
  double worst = 0, scale = 1e-2;
  static const double steps[] = {1, 2, 5};
  int others = 0;
  for (size_t l = 0; l < nlines; l++)
    if (strcmp(lines[l].solver, BASELINE))
      for (size_t k = 0; k < lines[l].n; k++) others |= isfinite(lines[l].gaps[k]);
  for (size_t l = 0; l < nlines; l++) {
    if (others && !strcmp(lines[l].solver, BASELINE)) continue;
    for (size_t k = 0; k < lines[l].n; k++)
      if (isfinite(lines[l].gaps[k]) && lines[l].gaps[k] > worst)
        worst = lines[l].gaps[k];
  }
  if (worst > 1) return 1;
  for (;;) {
    for (size_t s = 0; s < 3; s++)
      if (worst <= steps[s] * scale + REL_TOL) return steps[s] * scale;
    scale *= 10;
  }
}
