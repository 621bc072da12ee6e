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
 * The datacenter may change while the placer is open: VMs that were not in
 * the problem arrive (vmp_placer_add_vm) and any VM leaves for good
 * (vmp_placer_remove_vm); hosts go into maintenance and come back
 * (vmp_placer_set_host_maintenance).  Those changes are the placer's: the
 * problem it was made from does not see them.
 *
 * VM indices: the problem's VMs keep their index in the problem; an added
 * VM gets the next free index, which vmp_place, vmp_placer_remove and the
 * getters below accept.  A removed VM's index is not reused, except by an
 * added VM that comes back under the same name.
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
 * Transient resources, spread minimums and dependencies are kept as
 * docs/online.md says: a VM taken off its current host holds its
 * transient demand there, and a VM of such a group goes only where it
 * adds no violated instance; removals are never refused (the solution
 * reports what they break).
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
 *         VMP_ESTATE (the VM is placed already, or was removed).
 */
VMP_API int vmp_place(vmp_placer *pl, size_t vm, size_t *host);

/**
 * Takes a placed VM off its host (a departure, or a VM that will be placed
 * again), freeing its capacity.  The VM stays in the placer, unplaced
 * (vmp_placer_remove_vm takes it out for good).
 *
 * @return VMP_OK, VMP_EINVAL (pl NULL, vm out of range), VMP_ESTATE (the VM
 *         is not placed, or was removed).
 */
VMP_API int vmp_placer_remove(vmp_placer *pl, size_t vm);

/**
 * Adds a VM that was not in the problem and places it, without moving any
 * other VM: the same choice as vmp_place, honouring the hard rules of the
 * problem against the VM's labels, capacity with overcommit and reserved
 * capacity, and maintenance.  The VM belongs to no group and has priority
 * 0.  When it fits nowhere it stays in the placer unplaced (vmp_place may
 * place it later, vmp_placer_remove_vm takes it out).
 *
 * Latency: as vmp_place.  When the problem has rules, the first VM with a
 * new combination of the values the rules read (labels, demands, name,
 * priority) also evaluates every rule on every host, once; later VMs with
 * the same values reuse the result (rules reading vm.name make every VM
 * new).  The placer's arrays grow by doubling.
 *
 * @param name          the VM's name, unique among the placer's VMs.  The
 *                      name of a removed VM may be used again (a new VM,
 *                      in no group; a removed added VM's index is reused
 *                      for it).
 * @param demand        [vmp_problem_num_resources] demands (copied); NULL
 *                      means 0 for every resource.
 * @param label_keys    [nlabels] label keys (copied); NULL when nlabels 0.
 * @param label_values  [nlabels] label values (copied).
 * @param vm            receives the VM's index in the placer; may be NULL.
 * @param host          receives the host index, or VMP_NONE when the VM
 *                      fits nowhere now; may be NULL.
 * @return VMP_OK (placed or not); VMP_EINVAL (pl or name NULL, a bad name
 *         or label); VMP_ERANGE (a bad demand); VMP_EEXIST (the name is taken: the message
 *         names it); VMP_ENOMEM.  On an error no VM is added (its index
 *         may be used up).
 */
VMP_API int vmp_placer_add_vm(vmp_placer *pl, const char *name, const double *demand,
                              const char *const *label_keys,
                              const char *const *label_values, size_t nlabels,
                              size_t *vm, size_t *host);

/**
 * Removes a VM from the placer for good (a departure): a VM of the problem
 * or an added one.  Its capacity is freed at once and later solutions
 * leave it out.  Other VMs do not move.
 *
 * @return VMP_OK; VMP_EINVAL (pl or name NULL); VMP_ENOTFOUND (no such VM,
 *         or removed already: the message names it).
 */
VMP_API int vmp_placer_remove_vm(vmp_placer *pl, const char *name);

/**
 * Puts host `host` into maintenance (maintenance != 0) or back in service.
 * No VM is placed on a host in maintenance; the VMs on it stay there until
 * the caller moves them (vmp_placer_remove, then vmp_place), and solutions
 * report each as a hard "maintenance" violation meanwhile.  Costs O(hosts)
 * for each small allowed class (rules, allowed hosts) that holds the host.
 *
 * @return VMP_OK; VMP_EINVAL (pl NULL, host out of range); VMP_ENOMEM.
 */
VMP_API int vmp_placer_set_host_maintenance(vmp_placer *pl, size_t host,
                                            int maintenance);

/**
 * The index of VM `name` in the placer.
 *
 * @param vm  receives the index (VMP_NONE on failure); may be NULL.
 * @return VMP_OK; VMP_EINVAL (NULL arguments); VMP_ENOTFOUND (no such VM,
 *         or removed: the message names it).
 */
VMP_API int vmp_placer_find_vm(const vmp_placer *pl, const char *name, size_t *vm);

/** The number of VM indices in use: the problem's VMs plus those added
 *  (removed ones included); 0 for NULL. */
VMP_API size_t vmp_placer_num_vms(const vmp_placer *pl);

/** The name of VM `vm`, or NULL (NULL placer, index out of range, removed
 *  VM).  Borrowed: valid until the placer is freed. */
VMP_API const char *vmp_placer_vm_name(const vmp_placer *pl, size_t vm);

/** The host VM `vm` is on now, or VMP_NONE (unplaced, removed, out of
 *  range, NULL placer). */
VMP_API size_t vmp_placer_vm_host(const vmp_placer *pl, size_t vm);

/**
 * The placer's current placement, evaluated like every solution (score,
 * violations, unplaced VMs with their reasons).  Its solver is "online",
 * its stop reason VMP_STOP_COMPLETED; its stats count place.placed and
 * place.failed placements, place.added and place.removed VMs, and
 * place.seconds spent placing.
 *
 * Its VMs are the placer's without the removed ones, in index order: when
 * VMs were removed, solution indices are not placer indices (look VMs up
 * by name).  Added VMs are included, with their demands and labels.
 *
 * @param out  receives the solution (caller owns; vmp_solution_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_placer_solution(const vmp_placer *pl, vmp_solution **out);

/** Frees a placer.  Accepts NULL.  Solutions made from it stay valid. */
VMP_API void vmp_placer_free(vmp_placer *pl);

VMP_END_DECLS

#endif /* VMPLACE_PLACE_H */
