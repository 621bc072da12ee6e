/*
 * vmplace — online placement: placing arriving VMs one at a time into a
 * running datacenter, without moving anyone else.
 *
 * A placer compiles the problem once.  VMs that have a current host (their
 * "host" in the problem) stay there; VMs without one are "arriving": each
 * vmp_place call puts one of them on a host chosen by a greedy rule
 * (parameter "greedy.online_rule", default "bfd_l2_avg": the used host that
 * the VM leaves least room on, else the most cost-efficient empty host),
 * honouring every hard constraint against what is placed so far.  Removing
 * a VM frees its capacity for later arrivals.  A call costs a search of
 * the placer's host trees, not a recompilation: microseconds on a
 * 100,000-host datacenter.
 *
 * Thread-safety: a placer belongs to one thread at a time.  The problem it
 * was made from must outlive it and must not be modified while it lives.
 */
#ifndef VMPLACE_PLACE_H
#define VMPLACE_PLACE_H

#include "common.h"
#include "problem.h"
#include "solution.h"
#include "solve.h"

VMP_BEGIN_DECLS

/** Opaque online placer. */
typedef struct vmp_placer vmp_placer;

/**
 * Creates a placer for problem p.
 *
 * Every VM with a current host is placed there as it is, even where that
 * breaks a constraint (the placer never moves anyone; vmp_placer_solution
 * reports such violations).  Every other VM is arriving and unplaced.
 *
 * @param p     the problem (borrowed: must outlive the placer, unmodified).
 * @param opts  options; only `version` and `params` are read
 *              ("greedy.online_rule").  NULL means defaults.
 * @param out   receives the placer (caller owns; vmp_placer_free); NULL on
 *              failure.
 * @return VMP_OK, VMP_EINVAL (NULL arguments, bad options), VMP_ERANGE
 *         (rules beyond the compile budget, see docs/formats.md),
 *         VMP_ENOMEM.
 */
VMP_API int vmp_placer_new(const vmp_problem *p, const vmp_solve_opts *opts,
                           vmp_placer **out);

/**
 * Places an arriving VM without moving any other.
 *
 * The VM goes where the placer's rule says among the hosts where it fits
 * now (allowed hosts, pins, maintenance, rules, capacity with overcommit
 * and reserved capacity, anti-affinity, affinity).  A VM of a hard
 * host-affinity group joins the host of its partners when one is placed;
 * the first one goes where the whole group fits, so that the others can
 * follow.
 *
 * @param pl    the placer.
 * @param vm    index of the VM in the problem.
 * @param host  receives the host index, or VMP_NONE when the VM fits
 *              nowhere (vmp_explain says why); may be NULL.
 * @return VMP_OK (placed or not); VMP_EINVAL (pl NULL, vm out of range);
 *         VMP_ESTATE (the VM is placed already).
 */
VMP_API int vmp_place(vmp_placer *pl, size_t vm, size_t *host);

/**
 * Takes a placed VM off its host (a departure, or a VM that will be placed
 * again), freeing its capacity.
 *
 * @return VMP_OK, VMP_EINVAL (pl NULL, vm out of range), VMP_ESTATE (the VM
 *         is not placed).
 */
VMP_API int vmp_placer_remove(vmp_placer *pl, size_t vm);

/**
 * The placer's current placement, evaluated like every solution (score,
 * violations, unplaced VMs with their reasons).  Its solver is "online",
 * its stop reason VMP_STOP_COMPLETED.
 *
 * @param out  receives the solution (caller owns; vmp_solution_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_placer_solution(const vmp_placer *pl, vmp_solution **out);

/** Frees a placer.  Accepts NULL.  Solutions made from it stay valid. */
VMP_API void vmp_placer_free(vmp_placer *pl);

VMP_END_DECLS

#endif /* VMPLACE_PLACE_H */
