/*
 * Forecasting internals (built with VMPLACE_WITH_FORECAST): the
 * rank-revealing least-squares solver on OpenBLAS/LAPACKE.
 */
#ifndef VMP_FORECAST_H
#define VMP_FORECAST_H

#include <stddef.h>

/* Singular values below this fraction of the largest (of the column-scaled
 * design) count as zero: far above rounding noise (~1e-16), far below any
 * real signal in usage data. */
#define VMP__LSTSQ_RCOND 1e-10

/*
 * Solves min ||A x - b||_2 for an m x n matrix A (column-major, leading
 * dimension m) with LAPACK's dgelsd (SVD by divide and conquer), which
 * reveals the rank: where columns are collinear, x is the minimum-norm
 * solution of the column-scaled problem rather than the huge, cancelling
 * coefficients a plain QR solve produces.
 *
 * Columns are scaled to unit norm first, so that rcond compares shapes,
 * not units.  a and b are overwritten; b must hold max(m, n) values and
 * receives x in b[0..n).  OpenBLAS is limited to one thread, once per
 * process (docs/forecast.md, "Threading").
 *
 * Returns 0 and sets *rank; VMP_EINVAL (sizes), VMP_ESOLVER (the SVD did
 * not converge), VMP_ENOMEM.
 */
int vmp__lstsq(double *a, size_t m, size_t n, double *b, double rcond,
               size_t *rank);

#endif /* VMP_FORECAST_H */
