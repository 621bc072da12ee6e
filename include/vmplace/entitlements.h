/*
 * vmplace — CPU entitlements: how an overcommitted host's CPU is shared
 * among the VMs placed on it (docs/formulations.md, "Entitlements").
 *
 * Overcommit lets a placement promise more CPU than a host has
 * (capacity x overcommit).  When every VM asks for its demand at once,
 * the host's physical CPU -- capacity minus reserved, without overcommit
 * -- must be shared.  vmp_entitlements_compute decides that share for
 * every VM:
 *
 *  - a host whose VMs together demand no more than its physical CPU is
 *    not overcommitted: every VM is entitled to its demand;
 *  - on an overcommitted host, every VM first gets its guarantee (the
 *    larger of min_fraction x demand and min_amount[v], never above its
 *    demand; when the guarantees alone exceed the CPU, all are scaled down
 *    by the same factor);
 *  - the rest is shared by weighted max-min fairness (progressive
 *    filling): every VM's entitlement grows as guarantee + t x weight with
 *    one common t, a VM stops growing at its demand, and t rises until
 *    the CPU is used up.  Weights default to 1 + priority.
 *
 * Each step is a linear program solved with GLPK.  The result maps to
 * Linux CFS and libvirt's <cputune>: `shares` (cpu.shares / <shares>) is
 * proportional to the entitlement, so under full contention each VM gets
 * its entitlement and idle CPU is still used by whoever runs
 * (work-conserving); `quota_us` per `period_us` (<global_quota>,
 * <period>) caps a VM at its entitlement instead (not work-conserving).
 *
 * Results are immutable and may be read from any thread.
 */
#ifndef VMPLACE_ENTITLEMENTS_H
#define VMPLACE_ENTITLEMENTS_H

#include "common.h"
#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS

/** Opaque immutable set of entitlements, one per VM of a problem. */
typedef struct vmp_entitlements vmp_entitlements;

#define VMP_ENTITLEMENTS_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/** Options of vmp_entitlements_compute.  Initialise with
 * VMP_ENTITLEMENTS_OPTS_INIT or vmp_entitlements_opts_init; fields are
 * only ever appended. */
typedef struct vmp_entitlements_opts {
  uint32_t version;          /**< VMP_ENTITLEMENTS_OPTS_VERSION */
  const char *resource;      /**< the resource shared; NULL: "cpu" */
  double min_fraction;       /**< 0..1: share of its demand each VM is
                                  guaranteed; default 0 */
  const double *min_amount;  /**< NULL, or one guarantee (>= 0, in units of
                                  the resource) per VM of the problem */
  const double *weights;     /**< NULL (1 + priority), or one weight > 0 per
                                  VM of the problem */
  double period_us;          /**< CFS period for quotas, 1000..1000000;
                                  default 100000 */
  double shares_per_unit;    /**< shares for one unit of the resource, >= 1;
                                  default 1024 (cpu.shares of one CPU) */
  VMP__NEXT_FIELD
} vmp_entitlements_opts;

#define VMP_ENTITLEMENTS_OPTS_INIT \
  { VMP_ENTITLEMENTS_OPTS_VERSION, NULL, 0.0, NULL, NULL, 100000.0, 1024.0 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_ENTITLEMENTS_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_ENTITLEMENTS_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_entitlements_opts_init(vmp_entitlements_opts *opts, uint32_t version);

/**
 * Computes the entitlements of every VM of p on the hosts of a placement.
 *
 * @param p          the problem (only read).
 * @param placement  a solution of p (vmp_solve, vmp_evaluate, ...; VMs
 *                   and hosts are matched by name), or NULL for the VMs'
 *                   current hosts.
 * @param opts       options; NULL: defaults.
 * @param out        receives the result (caller owns;
 *                   vmp_entitlements_free); NULL on failure.
 * @return VMP_OK; VMP_EINVAL (bad options, a placement of another
 *         problem), VMP_ENOTFOUND (unknown resource), VMP_ESOLVER (GLPK
 *         failed), VMP_ENOMEM.
 */
VMP_API int vmp_entitlements_compute(const vmp_problem *p,
                                     const vmp_solution *placement,
                                     const vmp_entitlements_opts *opts,
                                     vmp_entitlements **out);

/** Frees entitlements.  Accepts NULL. */
VMP_API void vmp_entitlements_free(vmp_entitlements *e);

/** Number of VMs (as in the problem). */
VMP_API size_t vmp_entitlements_num_vms(const vmp_entitlements *e);
/** Number of hosts (as in the problem). */
VMP_API size_t vmp_entitlements_num_hosts(const vmp_entitlements *e);

/** Host of VM v in the placement, or VMP_NONE (unplaced; every amount of
 * the VM is then 0). */
VMP_API size_t vmp_entitlements_vm_host(const vmp_entitlements *e, size_t v);
/** VM v's demand of the resource. */
VMP_API double vmp_entitlements_vm_demand(const vmp_entitlements *e, size_t v);
/** The amount of the resource VM v is entitled to (its guaranteed CPU),
 * between its guarantee and its demand.  NaN for bad arguments. */
VMP_API double vmp_entitlements_vm_guaranteed(const vmp_entitlements *e,
                                              size_t v);
/** CFS/libvirt shares: round(shares_per_unit x guaranteed), clamped to
 * [2, 262144] (the kernel's range); 0 for an unplaced VM. */
VMP_API uint64_t vmp_entitlements_vm_shares(const vmp_entitlements *e,
                                            size_t v);
/** CFS/libvirt quota in microseconds per period_us for the whole VM:
 * ceil(guaranteed x period_us), at least 1000 (libvirt's minimum); 0 for
 * an unplaced VM. */
VMP_API int64_t vmp_entitlements_vm_quota_us(const vmp_entitlements *e,
                                             size_t v);
/** The same cap per vCPU, as libvirt's vcpu_quota wants it:
 * ceil(vmp_entitlements_vm_quota_us / vCPUs), at least 1000, where the
 * VM's vCPUs are its demand of the resource rounded up (a snapshot's cpu
 * demand is the domain's vCPU count); 0 for an unplaced VM. */
VMP_API int64_t vmp_entitlements_vm_vcpu_quota_us(const vmp_entitlements *e,
                                                  size_t v);
/** The CFS period the quotas refer to, in microseconds. */
VMP_API double vmp_entitlements_period_us(const vmp_entitlements *e);

/** Host h's physical amount of the resource (capacity - reserved,
 * without overcommit). */
VMP_API double vmp_entitlements_host_capacity(const vmp_entitlements *e,
                                              size_t h);
/** Total demand of the VMs on host h. */
VMP_API double vmp_entitlements_host_demand(const vmp_entitlements *e,
                                            size_t h);
/** 1 when host h's VMs demand more than its physical capacity (their
 * entitlements are then below their demands), 0 otherwise. */
VMP_API int vmp_entitlements_host_overcommitted(const vmp_entitlements *e,
                                                size_t h);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
/* vmp_entitlements_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_ENTITLEMENTS_OPTS_VERSION). */
#  define vmp_entitlements_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_entitlements_opts_init,             \
                          VMP_ENTITLEMENTS_OPTS_VERSION, __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_ENTITLEMENTS_H */
