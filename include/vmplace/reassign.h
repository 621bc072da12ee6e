/*
 * vmplace — the parts of a problem made for rebalancing a running
 * datacenter (the Google ROADEF/EURO 2012 machine-reassignment model, in
 * vmplace's terms; docs/rebalancing.md): safety capacities (headroom),
 * resource-ratio balance terms, transient resources, spread groups with a
 * minimum number of domains, dependencies between groups and host-to-host
 * move costs.
 *
 * The objective terms these add are set with vmp_problem_set_objective:
 * "safety" (default weight 1), "ratio_balance" (1), "group_moves" (0) and
 * "host_moves" (1).  A problem that uses none of the calls below scores
 * exactly as before.
 *
 * Thread-safety as for the rest of vmp_problem (problem.h).
 */
#ifndef VMPLACE_REASSIGN_H
#define VMPLACE_REASSIGN_H

#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS


/* ---- transient resources ------------------------------------------------ */

/**
 * Marks resource r transient (nonzero) or not.  A VM with a current host
 * holds its transient resources there in the final placement whatever
 * happens to it, and a VM that moves holds them on its new host as well:
 * both must fit in the effective capacity (a hard constraint).
 * @return VMP_OK, VMP_EINVAL (p NULL or r out of range).
 */
VMP_API int vmp_problem_set_resource_transient(vmp_problem *p, size_t r,
                                               int transient);
/** 1 when resource r is transient, else 0. */
VMP_API int vmp_problem_resource_transient(const vmp_problem *p, size_t r);

/* ---- safety capacity (headroom) ------------------------------------------ */

/**
 * Sets the safety capacity of every host in resource r as a fraction of
 * its effective capacity (0..1); a negative fraction removes it.  Hosts
 * with their own value (vmp_problem_set_host_safety*) keep it.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE (above 1 or not finite).
 */
VMP_API int vmp_problem_set_safety_fraction(vmp_problem *p, size_t r,
                                            double fraction);
/** The fraction set for resource r, or -1 when none. */
VMP_API double vmp_problem_safety_fraction(const vmp_problem *p, size_t r);
/**
 * Sets the cost per unit of load above the safety capacity in resource r
 * (0..VMP_MAX_WEIGHT; default 1), summed over hosts into the "safety" term.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE.
 */
VMP_API int vmp_problem_set_safety_weight(vmp_problem *p, size_t r,
                                          double weight);
/** The safety weight of resource r (0 when out of range). */
VMP_API double vmp_problem_safety_weight(const vmp_problem *p, size_t r);
/**
 * Sets host h's safety capacity in resource r, absolutely (0..
 * VMP_MAX_QUANTITY, in the resource's unit); a negative value removes it.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE (not finite, or too large).
 */
VMP_API int vmp_problem_set_host_safety(vmp_problem *p, size_t h, size_t r,
                                        double value);
/**
 * Sets host h's safety capacity in resource r as a fraction (0..1) of its
 * effective capacity; a negative value removes it.  An absolute value set
 * with vmp_problem_set_host_safety wins over it.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE.
 */
VMP_API int vmp_problem_set_host_safety_fraction(vmp_problem *p, size_t h,
                                                 size_t r, double fraction);
/** Host h's own absolute safety value in r, or -1 when none. */
VMP_API double vmp_problem_host_safety(const vmp_problem *p, size_t h,
                                       size_t r);
/** Host h's own safety fraction in r, or -1 when none. */
VMP_API double vmp_problem_host_safety_fraction(const vmp_problem *p,
                                                size_t h, size_t r);
/** The safety capacity in force for host h and resource r: the host's
 * absolute value, else its fraction, else the problem's fraction, times
 * the effective capacity, else the effective capacity (0 when out of
 * range). */
VMP_API double vmp_problem_host_safety_capacity(const vmp_problem *p,
                                                size_t h, size_t r);

/* ---- resource-ratio balance ------------------------------------------------ */

/**
 * Adds a ratio balance term: weight x sum over hosts of max(0, target x
 * free(h, r1) - free(h, r2)), free = effective capacity - load, summed
 * into the "ratio_balance" objective term.
 * @param r1, r2   distinct resources.
 * @param target   0..VMP_MAX_WEIGHT.
 * @param weight   0..VMP_MAX_WEIGHT.
 * @param index    receives the term's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL (bad index, r1 == r2), VMP_ERANGE, VMP_ENOMEM.
 */
VMP_API int vmp_problem_add_ratio_balance(vmp_problem *p, size_t r1,
                                          size_t r2, double target,
                                          double weight, size_t *index);
/** Number of ratio balance terms. */
VMP_API size_t vmp_problem_num_ratio_balances(const vmp_problem *p);
/** The k-th ratio balance term (any out-pointer may be NULL).
 * @return VMP_OK or VMP_EINVAL (out of range). */
VMP_API int vmp_problem_ratio_balance(const vmp_problem *p, size_t k,
                                      size_t *r1, size_t *r2, double *target,
                                      double *weight);

/* ---- spread groups ------------------------------------------------------------ */

/**
 * Sets the minimum number of distinct scope domains the placed members of
 * a VMP_SPREAD group must cover (1..its number of members; a group is
 * created with one per member).  With some members unplaced, the placed
 * ones must cover min(minimum, number placed).  A soft spread group costs
 * its weight per missing domain.
 * @return VMP_OK, VMP_EINVAL (not a spread group), VMP_ERANGE.
 */
VMP_API int vmp_problem_set_group_min_domains(vmp_problem *p, size_t g,
                                              size_t min_domains);
/** The minimum of spread group g (0 for other policies). */
VMP_API size_t vmp_problem_group_min_domains(const vmp_problem *p, size_t g);

/* ---- dependencies ---------------------------------------------------------------- */

/**
 * Adds a dependency: every placed VM of group `group` must run in a scope
 * domain that also runs at least one VM of group `on`.  Hard by default;
 * soft ones (vmp_problem_set_dependency_hard) cost their weight per VM of
 * `group` in a domain without `on`, in the "soft" term.  Cycles are
 * allowed.
 * @param scope  NULL or "host", or a host label key (hosts without the
 *               label are each a domain of their own).
 * @param index  receives the dependency's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL (bad group index or scope), VMP_EEXIST (the
 *         same pair and scope twice), VMP_ENOMEM.
 */
VMP_API int vmp_problem_add_dependency(vmp_problem *p, size_t group,
                                       size_t on, const char *scope,
                                       size_t *index);
/** Makes dependency d hard (nonzero, the default) or soft. */
VMP_API int vmp_problem_set_dependency_hard(vmp_problem *p, size_t d,
                                            int hard);
/** Sets the weight of soft dependency d (0..VMP_MAX_WEIGHT; default 1). */
VMP_API int vmp_problem_set_dependency_weight(vmp_problem *p, size_t d,
                                              double weight);
/** Number of dependencies. */
VMP_API size_t vmp_problem_num_dependencies(const vmp_problem *p);
/**
 * Dependency d (any out-pointer may be NULL).  *scope is "host" or a label
 * key, borrowed (lives with p).
 * @return VMP_OK or VMP_EINVAL (out of range).
 */
VMP_API int vmp_problem_dependency(const vmp_problem *p, size_t d,
                                   size_t *group, size_t *on,
                                   const char **scope, int *hard,
                                   double *weight);

/* ---- host-to-host move costs ---------------------------------------------------- */

/**
 * Sets the cost of moving a VM from one host to another, summed over
 * moved VMs into the "host_moves" term, by classes: host h is in class
 * host_class[h] (< nclasses), and moving from a host of class i to a host
 * of class j costs cost[i * nclasses + j] (0..VMP_MAX_WEIGHT).  Hosts added
 * later are in no class: moves to or from them cost 0.  Equal classes
 * are merged.  host_class NULL (and nclasses 0) removes the costs.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE, VMP_ENOMEM.
 */
VMP_API int vmp_problem_set_host_move_costs(vmp_problem *p,
                                            const size_t *host_class,
                                            size_t nclasses,
                                            const double *cost);
/**
 * Sets the host-to-host move costs from a full matrix (matrix[a * nhosts
 * + b], 0..VMP_MAX_WEIGHT); stored compactly by merging hosts with equal rows
 * and columns.
 * @return VMP_OK, VMP_EINVAL, VMP_ERANGE, VMP_ENOMEM.
 */
VMP_API int vmp_problem_set_host_move_matrix(vmp_problem *p,
                                             const double *matrix);
/**
 * Sets the host-to-host move costs by a host label: hosts with the same
 * value form a class; moving from a host whose label is from[k] to one
 * whose label is to[k] costs cost[k]; every other pair (including hosts
 * without the label) costs default_cost.  The problem JSON is then written
 * in this form (vmp_problem_host_move_label).
 * @param n  number of (from, to, cost) entries.
 * @return VMP_OK, VMP_EINVAL, VMP_ENOTFOUND (no host has a value; the
 *         message names it), VMP_ERANGE, VMP_ESTATE (no hosts), VMP_ENOMEM.
 */
VMP_API int vmp_problem_set_host_move_costs_by_label(
    vmp_problem *p, const char *label, size_t n, const char *const *from,
    const char *const *to, const double *cost, double default_cost);
/** The label the host move costs were given by, or NULL (none, or given
 * by classes or a matrix); *default_cost (may be NULL) receives the
 * default.  Borrowed (lives with p). */
VMP_API const char *vmp_problem_host_move_label(const vmp_problem *p,
                                                double *default_cost);
/** Cost of moving a VM from host a to host b (0 without costs, for a == b
 * as stored, or out of range). */
VMP_API double vmp_problem_host_move_cost(const vmp_problem *p, size_t a,
                                          size_t b);
/** Number of host move-cost classes (0: no host move costs). */
VMP_API size_t vmp_problem_num_host_move_classes(const vmp_problem *p);
/** Class of host h, or VMP_NONE (no class, or out of range). */
VMP_API size_t vmp_problem_host_move_class(const vmp_problem *p, size_t h);
/** Cost between classes i and j (0 when out of range). */
VMP_API double vmp_problem_host_move_class_cost(const vmp_problem *p,
                                                size_t i, size_t j);

/* ---- ROADEF/EURO 2012 files ------------------------------------------------------- */

/**
 * Reads a ROADEF/EURO 2012 model file with its initial assignment
 * (docs/formats.md gives the mapping; the objective is the challenge's).
 * @param model       model_X.txt.
 * @param assignment  the initial assignment (assignment_X.sol), or NULL to
 *                    place every process from scratch (no current hosts).
 * @param out         receives the problem (caller owns); NULL on failure.
 * @return as vmp_problem_read.
 */
VMP_API int vmp_problem_read_roadef(const char *model, const char *assignment,
                                    vmp_problem **out);

/**
 * A solution in the ROADEF/EURO 2012 format: one host index per VM, in VM
 * order, separated by spaces.  For a problem read from a challenge model
 * file that is one machine index per process.
 * @param out  receives the text (caller owns; free with vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ESTATE (a VM is unplaced; the message
 *         names it), VMP_ENOMEM.
 */
VMP_API int vmp_solution_to_roadef(const vmp_solution *s, char **out);
/** Writes vmp_solution_to_roadef's text to a file (VMP_EIO on errors). */
VMP_API int vmp_solution_write_roadef(const vmp_solution *s,
                                      const char *path);
/**
 * Reads a solution in the ROADEF/EURO 2012 format (one host index per VM,
 * in VM order) and evaluates it against p, as vmp_solution_read does for
 * solution JSON.
 * @return VMP_OK, VMP_EIO, VMP_EPARSE (too few or too many entries; the
 *         message names the file, line and VM), VMP_ERANGE (a host index
 *         out of range), VMP_ENOMEM.
 */
VMP_API int vmp_solution_read_roadef(const vmp_problem *p, const char *path,
                                     vmp_solution **out);

VMP_END_DECLS

#endif /* VMPLACE_REASSIGN_H */
