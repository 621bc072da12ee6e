/*
 * The layout of vmp_plan, shared by the planner (plan.c), the checker
 * (check.c), plan JSON (json.c) and the libvirt adapter.
 *
 * A plan is self-contained: it copies the names, URIs, effective
 * capacities and initial loads of every host, and the demands of every VM
 * it moves, so that it can be checked and applied without the problem.
 */
#ifndef VMP_PLAN_IMPL_H
#define VMP_PLAN_IMPL_H

#include "internal.h"

#define VMP__PLAN_NONE UINT32_MAX

typedef struct vmp__pstep {
  uint32_t vm;          /* index into vmp_plan.vm_name */
  uint32_t from;        /* host index; VMP__PLAN_NONE for a start step */
  uint32_t to;          /* host index; VMP__PLAN_NONE for a stop step */
  uint32_t wave;
  uint8_t staging;      /* the VM moves on from `to` later */
  uint32_t room_for;    /* a temporary eviction: the plan VM it makes room
                           for on `from`; VMP__PLAN_NONE otherwise */
} vmp__pstep;

typedef struct vmp__pblocked {
  uint32_t vm;
  uint32_t from;        /* where the VM is after the steps; may be NONE */
  uint32_t to;          /* where the target wants it; may be NONE */
  char *reason;
} vmp__pblocked;

struct vmp_plan {
  int status;                   /* vmp_plan_status_code */
  uint32_t max_concurrent;      /* 0: no cap */
  double bandwidth;             /* MiB/s, > 0 */

  uint32_t nres;
  char **res_name;
  int32_t mem_res;              /* the memory resource, or -1 */
  double mem_mib_per_unit;

  size_t nhosts;
  char **host_name;
  char **host_uri;              /* entries may be NULL */
  char **host_mig_uri;          /* [h] migration settings; may be NULL */
  char **host_mig_listen;
  uint8_t *host_mig_tunnelled;
  double *cap;                  /* [h*nres+r] effective capacity */
  double *load;                 /* [h*nres+r] load before the first step */

  size_t nvms;                  /* VMs that appear in steps or blocked */
  char **vm_name;
  double *dem;                  /* [v*nres+r] */

  vmp__pstep *steps;            /* ordered by wave */
  size_t nsteps, steps_cap;
  size_t nwaves;
  double *wave_duration;        /* [nwaves] */
  double duration;

  vmp__pblocked *blocked;
  size_t nblocked, blocked_cap;
};

/* An empty plan with room for the given tables (names NULL, numbers 0).
 * VMP_OK or VMP_ENOMEM. */
int vmp__plan_alloc(size_t nres, size_t nhosts, size_t nvms, vmp_plan **out);
/* Appends a step / a blocked move (reason is copied).  0 or VMP_ENOMEM. */
int vmp__plan_add_step(vmp_plan *pl, uint32_t vm, uint32_t from, uint32_t to,
                       uint32_t wave, int staging);
/* Appends a VM to the plan's VM table (name copied, demands of nres
 * values); its index in *idx.  0 or VMP_ENOMEM. */
int vmp__plan_add_vm(vmp_plan *pl, const char *name, const double *dem, uint32_t *idx);
int vmp__plan_add_blocked(vmp_plan *pl, uint32_t vm, uint32_t from,
                          uint32_t to, const char *reason);
/* Finds the memory resource and computes the durations of steps, waves and
 * the plan from the steps, demands and bandwidth.  0 or VMP_ENOMEM. */
int vmp__plan_finish(vmp_plan *pl);
/* Memory of plan VM v in MiB (0 without a memory resource). */
double vmp__plan_vm_mib(const vmp_plan *pl, uint32_t v);
/* The vmp_plan_action of a step: no source, a start; no target, a stop. */
int vmp__pstep_action(const vmp__pstep *s);
/* Index of a host / VM by name, or VMP__PLAN_NONE.  Linear: plans are
 * small next to problems, and this is only used when reading and
 * applying. */
uint32_t vmp__plan_find_host(const vmp_plan *pl, const char *name);
uint32_t vmp__plan_find_vm(const vmp_plan *pl, const char *name);

/* Checks that s is a placement of p (same VMs and hosts, by index and
 * name) that breaks no hard constraint; VMP_OK or VMP_EINVAL naming the
 * first mismatch or violation. */
int vmp__plan_check_target(const vmp_problem *p, const vmp_solution *s);

#endif /* VMP_PLAN_IMPL_H */
