/*
 * Least squares on OpenBLAS/LAPACKE, and the one place that decides how
 * many threads OpenBLAS may use.
 *
 * OpenBLAS 0.3.21 (Debian 12) has a single, process-wide thread count and
 * no per-call or per-thread setting.  Its default is one thread per core,
 * and a dgelsd on a tall design (thousands of samples) crosses its
 * threading thresholds, so a program that forecasts on N threads of its
 * own would run N x cores OpenBLAS threads.  The fits are small and many,
 * so they gain nothing from threads inside one fit: vmplace sets OpenBLAS
 * to one thread the first time it fits, once per process (pthread_once),
 * and never touches the setting again.  Saving and restoring it around
 * each call would race between threads and fight a program that sets it
 * itself; setting it once is the least surprising.  docs/forecast.md says
 * what this means for programs that use OpenBLAS themselves.
 */
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "forecast.h"
#include "internal.h"

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void limit_blas_threads(void) { openblas_set_num_threads(1); }

int vmp__lstsq(double *a, size_t m, size_t n, double *b, double rcond,
               size_t *rank) {
  size_t ldb = m > n ? m : n, mn = m < n ? m : n;
  double *scale = NULL, *s = NULL, *work = NULL, wquery;
  lapack_int *iwork = NULL, iquery = 0, rk = 0, info, lwork;
  int rc = 0;
  *rank = 0;
  /* LAPACK reports bad arguments through xerbla, which prints: every
   * argument is checked here first so that it never runs. */
  if (!m || !n || m > INT_MAX / 2 || n > 4096 || m > (size_t)INT_MAX / n)
    return vmp__error(VMP_EINVAL, "least squares: bad size %zu x %zu", m, n);
  scale = malloc(n * sizeof *scale);
  s = malloc(mn * sizeof *s);
  if (!scale || !s) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t j = 0; j < n; j++) {
    double *col = a + j * m, nrm = 0;
    for (size_t i = 0; i < m; i++) nrm += col[i] * col[i];
    nrm = sqrt(nrm);
    scale[j] = nrm > 0 ? nrm : 1;
    for (size_t i = 0; i < m; i++) col[i] /= scale[j];
  }
  pthread_once(&blas_once, limit_blas_threads);
  info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, 1, a,
                             (lapack_int)m, b, (lapack_int)ldb, s, rcond, &rk,
                             &wquery, -1, &iquery);
  if (info != 0 || !(wquery >= 1) || wquery > (double)INT_MAX || iquery < 1) {
    rc = vmp__error(VMP_EINTERNAL, "least squares: workspace query failed "
                    "(info %d)", (int)info);
    goto out;
  }
  lwork = (lapack_int)wquery;
  work = malloc((size_t)lwork * sizeof *work);
  iwork = malloc((size_t)iquery * sizeof *iwork);
  if (!work || !iwork) {
    rc = vmp__enomem();
    goto out;
  }
  info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, 1, a,
                             (lapack_int)m, b, (lapack_int)ldb, s, rcond, &rk,
                             work, lwork, iwork);
  if (info > 0) {
    rc = vmp__error(VMP_ESOLVER, "least squares: the SVD did not converge "
                    "(dgelsd info %d)", (int)info);
    goto out;
  }
  if (info < 0) {
    rc = vmp__error(VMP_EINTERNAL, "least squares: dgelsd rejected argument %d",
                    (int)-info);
    goto out;
  }
  for (size_t j = 0; j < n; j++) b[j] /= scale[j];
  *rank = (size_t)rk;
out:
  VMP__FREE_ALL(scale, s, work, iwork);
  return rc;
}
