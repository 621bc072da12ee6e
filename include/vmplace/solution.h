/*
 * vmplace — solutions: the immutable result of a solve or of evaluating a
 * given placement, with its status, proof (bound and gap), score breakdown,
 * unplaced VMs with their reasons, violations and statistics.
 *
 * A solution is self-contained: it copies every name it reports, so the
 * problem and the solution may be freed in either order.  Solutions are
 * immutable and may be read from any number of threads at once.
 */
#ifndef VMPLACE_SOLUTION_H
#define VMPLACE_SOLUTION_H

#include "common.h"
#include "problem.h"

VMP_BEGIN_DECLS

/** Opaque immutable solution. */
typedef struct vmp_solution vmp_solution;

/** What a placement is. */
typedef enum vmp_status {
  /** Every VM placed and proven optimal (objective equals bound). */
  VMP_STATUS_OPTIMAL = 0,
  /** Every VM placed, not proven optimal. */
  VMP_STATUS_FEASIBLE = 1,
  /** Some VMs unplaced, each with its reasons. */
  VMP_STATUS_PARTIAL = 2,
  /** Some VMs unplaced, and a solver proved that VMs which each fit on some
   * host alone cannot all be placed together. */
  VMP_STATUS_INFEASIBLE = 3,
  /** The placement breaks hard constraints.  Only an evaluated placement
   * (vmp_evaluate, vmp_solution_read) can have it; vmp_solve never returns
   * one. */
  VMP_STATUS_INVALID = 4
} vmp_status;

/** Why a solve stopped. */
typedef enum vmp_stop_reason {
  VMP_STOP_COMPLETED = 0,    /**< the solver finished its work */
  VMP_STOP_TIME_LIMIT = 1,   /**< the time limit ran out */
  VMP_STOP_GAP_REACHED = 2,  /**< stopped with a gap: the requested gap
                                  was reached, or an exact solver's
                                  methods ended without closing it */
  VMP_STOP_INTERRUPTED = 3,  /**< the progress callback asked to stop */
  VMP_STOP_NOT_SOLVED = 4    /**< an evaluated placement, not a solve */
} vmp_stop_reason;

/** "optimal", "feasible", "partial", "infeasible", "invalid"; "unknown"
 * otherwise.  Static. */
VMP_API const char *vmp_status_name(int status);
/** "completed", "time_limit", "gap_reached", "interrupted", "not_solved";
 * "unknown" otherwise.  Static. */
VMP_API const char *vmp_stop_reason_name(int reason);

/** Frees a solution.  Accepts NULL. */
VMP_API void vmp_solution_free(vmp_solution *s);

/* ---- evaluating a given placement ---------------------------------------- */

/**
 * Evaluates a placement with the same evaluator every solver result passes
 * through: feasibility, every violation, the score breakdown, unplaced VMs
 * with their reasons, and the lower bound.
 *
 * @param host_of_vm  one host index per VM of p, VMP_NONE for unplaced.
 * @param out         receives the solution (caller owns); NULL on failure.
 *                    Its status is VMP_STATUS_INVALID when hard constraints
 *                    are broken, its stop reason VMP_STOP_NOT_SOLVED.
 * @return VMP_OK, VMP_EINVAL (host index out of range), VMP_ENOMEM.
 */
VMP_API int vmp_evaluate(const vmp_problem *p, const size_t *host_of_vm,
                         vmp_solution **out);

/**
 * Evaluates the problem's current placement (each VM's "host"): a compliance
 * audit of what runs now.
 * @return as vmp_evaluate.
 */
VMP_API int vmp_evaluate_current(const vmp_problem *p, vmp_solution **out);

/**
 * Reads a solution JSON file (only its "assignments" and "unplaced" are
 * used) and evaluates it against p.
 *
 * @return VMP_OK, VMP_EIO, VMP_EPARSE, VMP_ENOTFOUND (a VM or host that p does
 *         not have; the message names it), VMP_ENOMEM.
 */
VMP_API int vmp_solution_read(const vmp_problem *p, const char *path,
                              vmp_solution **out);
/** As vmp_solution_read, from memory; origin names the input in messages. */
VMP_API int vmp_solution_parse(const vmp_problem *p, const char *data,
                               size_t len, const char *origin,
                               vmp_solution **out);

/* ---- summary ------------------------------------------------------------- */

/** Status (a vmp_status). */
VMP_API int vmp_solution_status(const vmp_solution *s);
/** Stop reason (a vmp_stop_reason). */
VMP_API int vmp_solution_stop_reason(const vmp_solution *s);
/** Name of the solver that produced the placement ("" when evaluated).
 * Borrowed (lives with s). */
VMP_API const char *vmp_solution_solver(const vmp_solution *s);
/** Objective value: the weighted sum of the score terms. */
VMP_API double vmp_solution_objective(const vmp_solution *s);
/** Best proven lower bound on the objective of any placement. */
VMP_API double vmp_solution_bound(const vmp_solution *s);
/** Relative gap (objective - bound) / max(|objective|, 1); 0 when proven. */
VMP_API double vmp_solution_gap(const vmp_solution *s);
/** Wall-clock seconds the solve took (compile included). */
VMP_API double vmp_solution_time(const vmp_solution *s);
/** Number of hosts with at least one VM. */
VMP_API size_t vmp_solution_hosts_used(const vmp_solution *s);

/* ---- the placement ------------------------------------------------------- */

/** Number of VMs (as in the problem). */
VMP_API size_t vmp_solution_num_vms(const vmp_solution *s);
/** Name of VM v, or NULL.  Borrowed (lives with s). */
VMP_API const char *vmp_solution_vm_name(const vmp_solution *s, size_t v);
/** Host index of VM v, or VMP_NONE when unplaced or out of range. */
VMP_API size_t vmp_solution_vm_host(const vmp_solution *s, size_t v);
/** Host name of VM v, or NULL when unplaced.  Borrowed. */
VMP_API const char *vmp_solution_vm_host_name(const vmp_solution *s,
                                              size_t v);
/** Number of hosts (as in the problem). */
VMP_API size_t vmp_solution_num_hosts(const vmp_solution *s);
/** Name of host h, or NULL.  Borrowed. */
VMP_API const char *vmp_solution_host_name(const vmp_solution *s, size_t h);

/* ---- unplaced VMs and violations ------------------------------------------ */

/** Number of unplaced VMs. */
VMP_API size_t vmp_solution_num_unplaced(const vmp_solution *s);
/** VM index of the k-th unplaced VM, or VMP_NONE. */
VMP_API size_t vmp_solution_unplaced_vm(const vmp_solution *s, size_t k);
/** Why the k-th unplaced VM is unplaced, counted over hosts, e.g.
 * "no host fits: 6 hosts: memory_mib; 2 hosts: rule pci".  vmp_explain gives
 * the numbers host by host.  Borrowed; NULL when out of range. */
VMP_API const char *vmp_solution_unplaced_reason(const vmp_solution *s,
                                                 size_t k);

/** Number of violated constraints (hard and soft). */
VMP_API size_t vmp_solution_num_violations(const vmp_solution *s);
/**
 * The k-th violation.
 *
 * @param kind     receives "capacity", "allowed_hosts", "pinned",
 *                 "maintenance", "rule", "affinity", "anti-affinity",
 *                 "transient", "spread" or "dependency".
 * @param message  receives a sentence with names and numbers, e.g.
 *                 "h03: memory_mib 270336 > 253952 (capacity 262144 x 1 -
 *                 reserved 8192)".
 * @param hard     receives 1 for a hard constraint, 0 for a soft one.
 * Any out-parameter may be NULL.  Strings are borrowed (live with s).
 * @return VMP_OK or VMP_EINVAL (k out of range).
 */
VMP_API int vmp_solution_violation_at(const vmp_solution *s, size_t k,
                                      const char **kind, const char **message,
                                      int *hard);
/**
 * What the k-th violation is about, for programs (the fields of a
 * violation in solution JSON, docs/formats.md).
 *
 * @param vm        receives the VM of a per-VM violation (capacity excess
 *                  of one VM is per host: none), else VMP_NONE.
 * @param host      receives the host, else VMP_NONE.
 * @param name      receives the rule's name (kind "rule") or the group's
 *                  (affinity, anti-affinity, spread, dependency), else NULL.
 * @param resource  receives the resource of a capacity or transient
 *                  violation, else NULL.
 * @param amount    receives how far over capacity, else NaN.
 * @param num_vms   receives the number of VMs of a group violation
 *                  (vmp_solution_violation_vm gives them), else 0.
 * Any out-parameter may be NULL.  Strings are borrowed (live with s).
 * @return VMP_OK or VMP_EINVAL (k out of range).
 */
VMP_API int vmp_solution_violation_detail(const vmp_solution *s, size_t k, size_t *vm,
                                          size_t *host, const char **name,
                                          const char **resource, double *amount,
                                          size_t *num_vms);
/** The j-th VM of group violation k, or VMP_NONE when out of range. */
VMP_API size_t vmp_solution_violation_vm(const vmp_solution *s, size_t k, size_t j);

/* ---- score and statistics ------------------------------------------------ */

/** Number of objective terms in the score breakdown (always 9: "unplaced",
 * "cost", "soft", "migrations", "balance", "safety", "ratio_balance",
 * "group_moves", "host_moves"). */
VMP_API size_t vmp_solution_num_terms(const vmp_solution *s);
/**
 * The k-th score term.
 * @param name      receives the term's name (borrowed, static).
 * @param value     receives its raw value (e.g. hosts' cost, 0..1 balance).
 * @param weighted  receives its contribution to the objective.
 * @return VMP_OK or VMP_EINVAL.
 */
VMP_API int vmp_solution_term_at(const vmp_solution *s, size_t k,
                                 const char **name, double *value,
                                 double *weighted);
/** A score term by name.  @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_solution_score(const vmp_solution *s, const char *name,
                               double *value, double *weighted);

/** Number of solver statistics (counters such as "ilp.nodes"). */
VMP_API size_t vmp_solution_num_stats(const vmp_solution *s);
/** The k-th statistic.  Borrowed name.  @return VMP_OK or VMP_EINVAL. */
VMP_API int vmp_solution_stat_at(const vmp_solution *s, size_t k,
                                 const char **name, double *value);
/** A statistic by name.  @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_solution_stat(const vmp_solution *s, const char *name,
                              double *value);

/* ---- output ---------------------------------------------------------------- */

/**
 * Serialises a solution as solution JSON (docs/formats.md): status,
 * stop_reason, solver, objective, bound, gap, hosts_used, time_s,
 * assignments, unplaced, violations, score, stats.
 *
 * @param out  receives the text (caller owns; free with vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_solution_to_json(const vmp_solution *s, char **out);
/** Writes vmp_solution_to_json's text to a file.  VMP_EIO on errors. */
VMP_API int vmp_solution_write(const vmp_solution *s, const char *path);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_solution_violation vmp_solution_violation_at
#  define vmp_solution_term vmp_solution_term_at
/* The explanations were declared here in 0.1. */
#  include "explain.h"
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_SOLUTION_H */
