/*
 * The layout of vmp_apply_report (virt.h), built by the libvirt adapter and
 * read through the public getters.  Kept in the core so that every build
 * has the same symbols.
 */
#ifndef VMP_APPLY_REPORT_H
#define VMP_APPLY_REPORT_H

#include "internal.h"
#include "vmplace/virt.h"

typedef struct vmp__rstep {
  int state;              /* vmp_step_state */
  const char *method;     /* static: "live", "cold", "start", "" */
  char *message;          /* NULL: none */
  char *vm, *from, *to;   /* copies of the plan's names; from may be NULL */
} vmp__rstep;

struct vmp_apply_report {
  size_t nsteps;
  vmp__rstep *steps;
  size_t cpu_sched;       /* VMs whose scheduler parameters were set */
};

/* vmp__opts_load (src/util/opts.h) for the adapter's option structs. */
int vmp__virt_load_opts(vmp_virt_opts *dst, const vmp_virt_opts *src);
int vmp__virt_load_apply_opts(vmp_apply_opts *dst, const vmp_apply_opts *src);

/* A report with every step of pl pending.  VMP_OK or VMP_ENOMEM. */
int vmp__report_new(const vmp_plan *pl, vmp_apply_report **out);
/* Records the outcome of step k (message copied; NULL for none).  0 or
 * VMP_ENOMEM (the state is recorded even then). */
int vmp__report_set(vmp_apply_report *r, size_t k, int state, const char *method,
                    const char *message);

#endif /* VMP_APPLY_REPORT_H */
