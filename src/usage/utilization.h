/*
 * The layout of vmp_utilization, shared by utilization.c and alerts.c.
 */
#ifndef VMP_UTILIZATION_H
#define VMP_UTILIZATION_H

#include "internal.h"

struct vmp_utilization {
  int source;               /* a vmp_utilization_source_kind */
  size_t nh, nr, nt;
  char *names;              /* host and resource names, NUL-separated */
  const char **host, **res; /* into names */
  double *cap;              /* [h * nr + r] effective capacity */
  double *load;             /* [(h * nr + r) * nt + k]: each host and
                               resource's series is contiguous */
  int64_t *time;            /* [k] bucket start, Unix seconds */
  int64_t step;             /* bucket width; 0 for a placement */
  size_t *nvms;             /* VMs per host */
  unsigned char *maintenance;
  size_t unmatched, unobserved;
};

/* load / capacity: 0 when both are 0, +inf when only the capacity is. */
double vmp__ratio(double load, double cap);

#endif /* VMP_UTILIZATION_H */
