/*
 * vmplace — migration plans: the ordered, capacity-safe moves from the
 * current placement of a problem to a target placement.
 *
 * A plan is a list of steps grouped in waves.  The steps of one wave may run
 * at the same time; a wave starts when the previous one has finished.  While
 * a VM migrates it counts on both its source and its target host, and every
 * host that receives a VM during a wave stays within its effective capacity
 * (capacity x overcommit - reserved) with every VM of the wave in flight.  At
 * most `max_concurrent` steps touch any one host in a wave.  Where no safe
 * order exists (a cycle of full hosts) the planner moves one VM of the cycle
 * through a host with spare room (a "staging" step); where no host has the
 * room, it makes room on one by moving a few of its VMs away for a while
 * (temporary evictions, vmp_plan_step_makes_room_for) and bringing them
 * back once the cycle is through; where that does not help either, the
 * moves are reported as blocked, each with its reason.  A
 * plan never contains an unsafe step: every plan is replayed by an
 * independent checker (vmp_plan_verify) before it is returned.
 *
 * A VM without a current host becomes a "start" step (define and start it
 * on its target).  A VM that the target leaves unplaced but that runs now is
 * reported as blocked, unless the options allow stopping it (allow_stop):
 * it then becomes a "stop" step (shut it down where it runs; its definition
 * stays there).  allow_stop also allows the last resort for a cycle that no
 * staging host can break (two VMs that must swap hosts and that no other
 * host can hold): one VM of it is stopped, and started on its target once
 * there is room (a cold move, with downtime).
 *
 * Plans are self-contained (host names, URIs, capacities and loads, VM
 * demands are copied) and serialise to JSON, which is what `vmplace apply`
 * reads.  docs/libvirt.md describes the format and the semantics.
 *
 * Thread-safety: plans are immutable; share them freely.
 */
#ifndef VMPLACE_PLAN_H
#define VMPLACE_PLAN_H

#include "common.h"
#include "problem.h"
#include "solution.h"

VMP_BEGIN_DECLS

/** Opaque immutable migration plan. */
typedef struct vmp_plan vmp_plan;

/** A plan's status: whether it reaches its target.  "Status" is the word
 * for the outcome of a whole plan (as for a solution, vmp_status); "state"
 * is the word for the progress of one step of an apply (vmp_step_state).
 * The type is vmp_plan_status_code because vmp_plan_status is the getter. */
typedef enum vmp_plan_status_code {
  /** Every step needed to reach the target is in the plan (possibly none). */
  VMP_PLAN_COMPLETE = 0,
  /** Some moves have no safe order; they are listed with their reasons, and
   * the plan's steps are the safe part only. */
  VMP_PLAN_BLOCKED = 1
} vmp_plan_status_code;

/** What a step does. */
typedef enum vmp_plan_action {
  VMP_ACTION_MIGRATE = 0,     /**< move a running VM from one host to another */
  VMP_ACTION_START = 1,       /**< define and start a VM that runs nowhere */
  VMP_ACTION_STOP = 2         /**< shut down a VM that the target leaves
                                   unplaced; it stays defined where it ran */
} vmp_plan_action;

#define VMP_PLAN_OPTS_VERSION (2 + VMP__NEXT_VERSION)

/**
 * Options of vmp_plan_new.  Initialise with VMP_PLAN_OPTS_INIT or
 * vmp_plan_opts_init.  Fields are only ever appended.
 */
typedef struct vmp_plan_opts {
  uint32_t version;           /**< VMP_PLAN_OPTS_VERSION */
  uint32_t max_concurrent;    /**< steps touching one host per wave
                                   (as source or target); 0: no cap.
                                   Default 2. */
  double bandwidth_mibps;     /**< migration bandwidth of a host's link in
                                   MiB/s, for the duration estimate
                                   (> 0; default 1000) */
  int32_t staging;            /**< nonzero: break cycles through hosts with
                                   spare room, or freed by moving some of
                                   their VMs away for a while (default 1) */
  /* version 2 */
  int32_t allow_stop;         /**< nonzero: a running VM that the target
                                   leaves unplaced becomes a stop step, in
                                   the first wave its host has room for
                                   under the per-host cap, and a cycle no
                                   staging host can break moves one VM cold
                                   (stop, then start on its target); 0
                                   (default): they are reported as blocked */
  VMP__NEXT_FIELD
} vmp_plan_opts;

#define VMP_PLAN_OPTS_INIT { VMP_PLAN_OPTS_VERSION, 2, 1000.0, 1, 0 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_PLAN_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_PLAN_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_plan_opts_init(vmp_plan_opts *opts, uint32_t version);

/**
 * Plans the moves from p's current placement (each VM's host) to target.
 *
 * @param p       the problem: current placement, demands, capacities, hard
 *                rules (a staging host must be allowed for the VM).
 * @param target  a placement of p (from vmp_solve, vmp_solution_read, ...);
 *                it must break no hard constraint.
 * @param opts    options; NULL means defaults.
 * @param out     receives the plan (caller owns; vmp_plan_free); NULL on
 *                failure.
 * @return VMP_OK, also for a blocked plan (see vmp_plan_status);
 *         VMP_EINVAL (NULL arguments, bad options, a target made for
 *         another problem, a target that breaks hard constraints: the
 *         message names the first violation), VMP_ENOMEM, VMP_EINTERNAL
 *         (the checker rejected the plan: a planner bug; the message says
 *         which step).
 */
VMP_API int vmp_plan_new(const vmp_problem *p, const vmp_solution *target,
                         const vmp_plan_opts *opts, vmp_plan **out);

/** Frees a plan.  Accepts NULL. */
VMP_API void vmp_plan_free(vmp_plan *plan);

/** "complete" or "blocked"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_plan_status_name(int status);
/** "migrate", "start" or "stop"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_plan_action_name(int action);

/** Status of a plan (a vmp_plan_status_code); -1 for NULL. */
VMP_API int vmp_plan_status(const vmp_plan *plan);
/** The per-host cap the plan was made with (0: none). */
VMP_API uint32_t vmp_plan_max_concurrent(const vmp_plan *plan);
/** The bandwidth (MiB/s) the durations were estimated with. */
VMP_API double vmp_plan_bandwidth(const vmp_plan *plan);
/**
 * Estimated duration in seconds: the sum over waves of the longest time
 * any host of the wave spends copying memory (memory of the VMs it sends or
 * receives in the wave / bandwidth).  One pass over memory: live
 * migrations re-copy dirtied pages, so real ones take longer.  Start steps
 * count 0 (boot time is not modelled).
 */
VMP_API double vmp_plan_duration(const vmp_plan *plan);

/* ---- hosts ------------------------------------------------------------------ */

/** Number of hosts (every host of the problem the plan was made from). */
VMP_API size_t vmp_plan_num_hosts(const vmp_plan *plan);
/** Name of host h, or NULL.  Borrowed (lives with the plan). */
VMP_API const char *vmp_plan_host_name(const vmp_plan *plan, size_t h);
/** libvirt URI of host h, or NULL when it has none.  Borrowed. */
VMP_API const char *vmp_plan_host_uri(const vmp_plan *plan, size_t h);
/** How live migrations to host h travel, as the problem's host said
 * (vmp_problem_set_host_migration); each out-parameter may be NULL, the
 * strings are borrowed (live with the plan) and NULL when unset.
 * @return VMP_OK or VMP_EINVAL (bad host). */
VMP_API int vmp_plan_host_migration(const vmp_plan *plan, size_t h, const char **uri,
                                    const char **listen_address, int *tunnelled);

/* ---- waves and steps ------------------------------------------------------------ */

/** Number of waves. */
VMP_API size_t vmp_plan_num_waves(const vmp_plan *plan);
/** Estimated duration of wave w in seconds (0 when out of range). */
VMP_API double vmp_plan_wave_duration(const vmp_plan *plan, size_t w);
/** Number of steps, in execution order (waves in order). */
VMP_API size_t vmp_plan_num_steps(const vmp_plan *plan);
/** VM name of step k, or NULL.  Borrowed. */
VMP_API const char *vmp_plan_step_vm(const vmp_plan *plan, size_t k);
/** Source host name of step k; NULL for a start step or k out of range.
 * Borrowed. */
VMP_API const char *vmp_plan_step_from(const vmp_plan *plan, size_t k);
/** Target host name of step k; NULL for a stop step or k out of range.
 * Borrowed. */
VMP_API const char *vmp_plan_step_to(const vmp_plan *plan, size_t k);
/** Source host index of step k (into vmp_plan_host_name), VMP_NONE for a
 * start step. */
VMP_API size_t vmp_plan_step_from_host(const vmp_plan *plan, size_t k);
/** Target host index of step k, VMP_NONE for a stop step or out of
 * range. */
VMP_API size_t vmp_plan_step_to_host(const vmp_plan *plan, size_t k);
/** Wave of step k (0-based), VMP_NONE when out of range. */
VMP_API size_t vmp_plan_step_wave(const vmp_plan *plan, size_t k);
/** Action of step k (a vmp_plan_action), -1 when out of range. */
VMP_API int vmp_plan_step_action(const vmp_plan *plan, size_t k);
/** 1 when step k moves a VM to a staging host (it moves on later). */
VMP_API int vmp_plan_step_staging(const vmp_plan *plan, size_t k);
/** For a temporary eviction (a staging step that moves a VM off its host
 * only to make room there for another VM, and brings it back or on to its
 * target later): the name of the VM it makes room for; NULL for every
 * other step.  Borrowed. */
VMP_API const char *vmp_plan_step_makes_room_for(const vmp_plan *plan, size_t k);
/** Memory of step k's VM in MiB (0 when the problem has no memory
 * resource). */
VMP_API double vmp_plan_step_memory(const vmp_plan *plan, size_t k);

/* ---- blocked moves --------------------------------------------------------------- */

/** Number of moves with no safe order (0 for a complete plan). */
VMP_API size_t vmp_plan_num_blocked(const vmp_plan *plan);
/** VM of the k-th blocked move, or NULL.  Borrowed. */
VMP_API const char *vmp_plan_blocked_vm(const vmp_plan *plan, size_t k);
/** Where the VM is when the plan's steps are done (NULL: nowhere).
 * Borrowed. */
VMP_API const char *vmp_plan_blocked_from(const vmp_plan *plan, size_t k);
/** Where the target wants it (NULL: the target leaves it unplaced).
 * Borrowed. */
VMP_API const char *vmp_plan_blocked_to(const vmp_plan *plan, size_t k);
/** Why it is blocked, with names and numbers ("h2 has no room: memory_mib
 * needs 8192, free 4096; waits for db-1 to leave h2, blocked too").
 * Borrowed. */
VMP_API const char *vmp_plan_blocked_reason(const vmp_plan *plan, size_t k);

/* ---- checking ---------------------------------------------------------------------- */

/**
 * Replays a plan step by step and checks it, independently of the planner:
 * every step starts where its VM is; no VM moves twice in a wave; at most
 * max_concurrent steps touch a host in a wave; every host that receives a
 * VM during a wave is within capacity with the whole wave in flight (a
 * host that is already over capacity may only lose load); every host a VM
 * visits is allowed for it (maintenance, allowed_hosts, pins, hard rules).
 *
 * @param plan    the plan.
 * @param p       NULL: check against the capacities, loads and demands the
 *                plan carries; otherwise against this problem's (its current
 *                placement is the starting point; the host rules are
 *                checked only with p).
 * @param target  NULL, or the placement the plan must reach: then every VM
 *                not listed as blocked must end on its target host, and
 *                every blocked VM where the blocked entry says.
 * @return VMP_OK, or VMP_EINVAL with the first failure in the detail
 *         message ("wave 2: h3 memory_mib 70000 > 65536 with web-1, db-2 in
 *         flight"); VMP_ENOMEM.
 */
VMP_API int vmp_plan_verify(const vmp_plan *plan, const vmp_problem *p,
                            const vmp_solution *target);

/* ---- targets without needless moves ---------------------------------------------- */

/**
 * Removes the moves of a target placement that gain nothing.
 *
 * Moves VMs back to their current host, one at a time and then in pairs
 * (a swap between full hosts), while the placement stays free of hard
 * violations and its objective (migrations included, with the problem's
 * weights) does not grow; with max_moves, then undoes the moves whose
 * undoing costs least until at most max_moves VMs move.  Finally, when the
 * result is not strictly better than the same placement with every move
 * undone, that one is returned: nothing moves without gain.  Hard
 * host-affinity groups move as one.  VMs without a current host are not
 * moves and keep their place.  The result is evaluated from scratch.
 * A problem of the rebalancing model (transient resources, spread
 * minimums, dependencies, or the safety, ratio and move-cost terms;
 * docs/rebalancing.md) keeps its target as it is, since undoing a move
 * there can break one of those constraints and its solver prices every
 * move itself; a cap on moves is then refused (VMP_ENOTSUP).
 *
 * @param p          the problem (its current placement is the reference).
 * @param target     a placement of p.
 * @param max_moves  the most VMs that may change host; VMP_NONE: no limit.
 * @param out        receives the evaluated placement (caller owns); NULL on
 *                   failure.
 * @return VMP_OK; VMP_EINVAL (NULL arguments, a target for another
 *         problem or one that breaks hard constraints); VMP_ERANGE
 *         (max_moves cannot be honoured: every remaining move is needed to
 *         stay within the hard constraints); VMP_ENOTSUP (max_moves with
 *         the rebalancing model); VMP_ENOMEM; VMP_EINTERNAL (the
 *         evaluator refused the result: a bug).
 */
VMP_API int vmp_solution_prune_moves(const vmp_problem *p,
                                     const vmp_solution *target,
                                     size_t max_moves, vmp_solution **out);

/* ---- serialisation ------------------------------------------------------------------ */

/**
 * Serialises a plan as plan JSON (docs/libvirt.md), which vmp_plan_read
 * reads back into an identical plan.
 * @param out  receives the text (caller owns; vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_plan_to_json(const vmp_plan *plan, char **out);
/** Writes vmp_plan_to_json's text to a file.  VMP_EIO on errors. */
VMP_API int vmp_plan_write(const vmp_plan *plan, const char *path);
/**
 * Reads a plan JSON file.  The plan is checked with vmp_plan_verify (the
 * capacities and loads it carries) before it is returned, so a plan edited
 * into an unsafe one is refused.
 *
 * @param out  receives the plan (caller owns); NULL on failure.
 * @return VMP_OK, VMP_EIO, VMP_EPARSE (malformed; the message names the
 *         field), VMP_ENOTFOUND (a step names an unknown host or VM),
 *         VMP_EINVAL (the plan is unsafe: the message says where),
 *         VMP_ENOMEM.
 */
VMP_API int vmp_plan_read(const char *path, vmp_plan **out);
/** As vmp_plan_read, from memory; origin names the input in messages (NULL
 * gives "<plan>"). */
VMP_API int vmp_plan_parse(const char *data, size_t len, const char *origin,
                           vmp_plan **out);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_plan_state vmp_plan_status_code
/* vmp_plan_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_PLAN_OPTS_VERSION). */
#  define vmp_plan_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_plan_opts_init, VMP_PLAN_OPTS_VERSION, \
                          __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_PLAN_H */
