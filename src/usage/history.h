/*
 * The layout of vmp_history, shared by the readers (history.c), the
 * forecast (forecast.c) and the utilisation (utilization.c).
 */
#ifndef VMP_HISTORY_H
#define VMP_HISTORY_H

#include "internal.h"

/* One series: samples sorted by strictly increasing time. */
typedef struct vmp__series {
  uint32_t vm, resource;  /* ids in the history's pool */
  size_t n, cap;
  int64_t *t;
  double *v;
  uint32_t *src;          /* while a reader runs: the line (CSV) or point
                             index (JSON) of each sample, for messages */
} vmp__series;

struct vmp_history {
  vmp__pool pool;
  vmp__series *series;
  size_t nseries, cap;
  vmp__strmap index;      /* series key (see history.c) -> index */
};

/* Median of the positive differences between consecutive timestamps; 0
 * when there are fewer than two samples. */
int64_t vmp__series_step(const int64_t *t, size_t n);

/* Index of the sample of t[0..n) nearest to `at`, if it is within `tol`
 * seconds, else VMP_NONE. */
size_t vmp__series_near(const int64_t *t, size_t n, int64_t at, int64_t tol);

/* Checks a VM and a resource name as a history stores them; VMP_EINVAL
 * with a message starting with the field ("vm: ..."). */
int vmp__history_check_names(const char *vm, const char *resource);

#endif /* VMP_HISTORY_H */
