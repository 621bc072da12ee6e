/*
 * vmplace — the libvirt adapter: read the datacenter into a problem
 * (snapshot), execute migration plans with a journal (apply), and set CPU
 * scheduler parameters.  docs/libvirt.md is the manual: the inventory, the
 * metadata labels, how capacities are reconciled, how a plan is applied
 * and how a run recovers from failures and crashes.
 *
 * Every function here exists in every build.  In a build without libvirt
 * (VMPLACE_WITH_LIBVIRT off; vmp_has_feature("libvirt") is 0) the ones that
 * talk to libvirt return VMP_ENOTSUP, so that programs and bindings link
 * the same way against any build.
 *
 * A session (vmp_virt) keeps one connection per hypervisor URI open for its
 * whole life, and every call of the session reuses it.  This matters beyond
 * speed: libvirt's test driver keeps a datacenter's state in the connection
 * (test:///path/node.xml opened twice gives two independent hosts), so a
 * snapshot taken after an apply must use the same session.
 *
 * Errors from libvirt become VMP_EVIRT with libvirt's message in
 * vmp_last_error().  The library never lets libvirt print: each connection
 * gets a silent error handler, and vmp_virt_new installs a silent
 * process-wide one once (libvirt reports failures to open a connection
 * only there) unless opts->keep_error_handler says not to.
 *
 * Thread-safety: a session may be used by one thread at a time; different
 * sessions may be used from different threads.
 */
#ifndef VMPLACE_VIRT_H
#define VMPLACE_VIRT_H

#include "common.h"
#include "plan.h"
#include "problem.h"
#include "solve.h"

VMP_BEGIN_DECLS

/* ---- sessions ------------------------------------------------------------------- */

/** Opaque libvirt session: options and a cache of open connections. */
typedef struct vmp_virt vmp_virt;

#define VMP_VIRT_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/** Options of a session.  Initialise with VMP_VIRT_OPTS_INIT or
 * vmp_virt_opts_init.  Fields are only ever appended. */
typedef struct vmp_virt_opts {
  uint32_t version;             /**< VMP_VIRT_OPTS_VERSION */
  int32_t keep_error_handler;   /**< nonzero: leave libvirt's process-wide
                                     error handler alone (the application
                                     has its own).  Default 0: install a
                                     silent one, once per process. */
  int32_t log_level;            /**< most verbose vmp_log_level passed on */
  vmp_log_fn log;               /**< warnings and progress; NULL: none */
  void *log_userdata;
  VMP__NEXT_FIELD
} vmp_virt_opts;

#define VMP_VIRT_OPTS_INIT { VMP_VIRT_OPTS_VERSION, 0, VMP_LOG_WARN, NULL, NULL }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_VIRT_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_VIRT_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_virt_opts_init(vmp_virt_opts *opts, uint32_t version);

/**
 * Creates a session.  No connection is opened yet.
 *
 * @param opts  options; NULL means defaults.
 * @param out   receives the session (caller owns; vmp_virt_free); NULL on
 *              failure.
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM, VMP_ENOTSUP (built without
 *         libvirt).
 */
VMP_API int vmp_virt_new(const vmp_virt_opts *opts, vmp_virt **out);

/** Closes every connection of the session and frees it.  Accepts NULL. */
VMP_API void vmp_virt_free(vmp_virt *v);

/**
 * Opens a connection to uri now (or finds it open), e.g. to check that
 * every host is reachable before doing anything.
 * @return VMP_OK, VMP_EINVAL, VMP_EVIRT (libvirt's message), VMP_ENOMEM,
 *         VMP_ENOTSUP.
 */
VMP_API int vmp_virt_connect(vmp_virt *v, const char *uri);

/* ---- snapshot ------------------------------------------------------------------- */

/* vmp_virt_snapshot flags (one bit each, or-ed into a uint32_t). */
/** Also read domains that are defined but not running, as VMs without a
 * current host (placing one means starting it). */
#define VMP_SNAPSHOT_INACTIVE (1u << 0)

/**
 * Reads the datacenter described by an inventory into a problem.
 *
 * The inventory is a problem without VMs (resources, hosts with their
 * `uri`, labels, overcommit, reserved, cost, rules, objective).  For each
 * host the session reads the node's CPUs and memory and every running
 * domain: its vCPUs, memory, disk capacities and the vmplace metadata in
 * its XML (labels, priority, pins, allowed hosts, groups, demands).  Each
 * domain becomes a VM whose current host is the host it runs on.
 * Capacities are reconciled by the rule of docs/libvirt.md: for CPUs and
 * memory a capacity of 0 in the inventory means "what libvirt reports",
 * any other value is used up to what libvirt reports (never more).
 *
 * @param v          the session.
 * @param inventory  the inventory (only read).
 * @param flags      VMP_SNAPSHOT_* flags.
 * @param out        receives the problem (caller owns); NULL on failure.
 * @return VMP_OK; VMP_EINVAL (the inventory lists VMs or groups, a host
 *         has no uri, two hosts share one); VMP_EVIRT (a host cannot be
 *         read: the message names it and carries libvirt's); VMP_EPARSE
 *         (bad vmplace metadata: the message names host, domain and
 *         element); VMP_ENOTFOUND (metadata names an unknown host or
 *         resource); VMP_ESTATE (a domain runs on two hosts); VMP_ENOMEM;
 *         VMP_ENOTSUP.
 */
VMP_API int vmp_virt_snapshot(vmp_virt *v, const vmp_problem *inventory,
                              uint32_t flags, vmp_problem **out);

/* ---- CPU scheduler parameters ----------------------------------------------------- */

/**
 * CPU scheduler values for one VM (libvirt's cpu_shares, vcpu_quota and
 * vcpu_period).  Zero leaves a value unchanged.
 */
typedef struct vmp_cpu_sched {
  const char *vm;           /**< VM (domain) name */
  uint64_t cpu_shares;      /**< relative weight; 0: unchanged */
  int64_t vcpu_quota;       /**< microseconds per period per vCPU; -1: no
                                 limit; 0: unchanged */
  uint64_t vcpu_period;     /**< microseconds; 0: unchanged */
} vmp_cpu_sched;

/**
 * Sets CPU scheduler parameters on running domains, live and in their
 * persistent configuration.  Each VM is looked for on its current host in p
 * first, then on every host of p.
 *
 * @param p        gives the hosts' URIs (and where each VM should be).
 * @param entries  n entries; VMs must be distinct.
 * @return VMP_OK; VMP_ENOTFOUND (a VM runs on no host of p); VMP_EVIRT (the
 *         driver refused: libvirt's message); VMP_EINVAL; VMP_ENOMEM;
 *         VMP_ENOTSUP.  Entries before a failing one stay applied.
 */
VMP_API int vmp_virt_set_cpu_sched(vmp_virt *v, const vmp_problem *p,
                                   const vmp_cpu_sched *entries, size_t n);

/* ---- apply ------------------------------------------------------------------------ */

/** What became of a plan step. */
typedef enum vmp_step_state {
  VMP_STEP_PENDING = 0,     /**< not attempted (a previous wave failed, or
                                 the run was stopped) */
  VMP_STEP_DONE = 1,        /**< done by this run */
  VMP_STEP_ALREADY = 2,     /**< found done (a resumed run), or finished
                                 from where an interrupted run left it */
  VMP_STEP_FAILED = 3,      /**< failed; undone: the VM runs where it ran */
  VMP_STEP_WOULD_RUN = 4    /**< dry run: would be executed */
} vmp_step_state;

/** "pending", "done", "already", "failed", "would_run"; "unknown"
 * otherwise.  Static. */
VMP_API const char *vmp_step_state_name(int state);

#define VMP_APPLY_EVENT_VERSION 1

/** What an apply progress callback sees, before (state PENDING) and after
 * each step.  Strings are borrowed for the duration of the call.  Fields
 * are only appended: `version` says which ones the library filled. */
typedef struct vmp_apply_event {
  uint32_t version;         /**< the library's VMP_APPLY_EVENT_VERSION */
  size_t step;              /**< index in the plan */
  size_t nsteps;
  int state;                /**< a vmp_step_state */
  const char *vm;
  const char *from;         /**< NULL for a start step */
  const char *to;
  const char *method;       /**< "live", "cold", "start", "stop", or "" */
  const char *message;      /**< why it failed, or "" */
} vmp_apply_event;

/** Called on the caller's thread before and after each step; return
 * nonzero to stop after the current step (the apply then returns
 * VMP_ECANCELED, and a re-run resumes). */
typedef int (*vmp_apply_fn)(const vmp_apply_event *event, void *userdata);

#define VMP_APPLY_OPTS_VERSION (2 + VMP__NEXT_VERSION)

/** Options of vmp_virt_apply.  Initialise with VMP_APPLY_OPTS_INIT or
 * vmp_apply_opts_init.  Fields are only ever appended. */
typedef struct vmp_apply_opts {
  uint32_t version;             /**< VMP_APPLY_OPTS_VERSION */
  int32_t dry_run;              /**< nonzero: connect and look, change
                                     nothing, write no journal */
  int32_t allow_cold_move;      /**< nonzero: where live migration is not
                                     supported, move the VM shut down */
  const char *journal;          /**< journal file; NULL: none (a re-run
                                     then refuses to clean up copies it
                                     cannot prove it made) */
  double shutdown_timeout;      /**< seconds a guest gets to shut down in a
                                     stop step or a
                                     cold move (default 300) */
  uint64_t bandwidth_mibps;     /**< live migration bandwidth cap in MiB/s;
                                     0: libvirt's default */
  const char *domain_xml_dir;   /**< start steps: DIR/<vm>.xml defines a
                                     VM that no host has a definition of */
  const vmp_cpu_sched *cpu_sched; /**< after the last step, set these */
  size_t ncpu_sched;
  vmp_apply_fn progress;        /**< NULL: none */
  void *progress_userdata;
  /* version 2 */
  double migrate_timeout;       /**< seconds a live migration may take
                                     before it is aborted (the VM keeps
                                     running on its source); also how long
                                     a resume waits for a job an interrupted
                                     run left in flight.  0: no limit */
  uint32_t parallel;            /**< steps of a wave run at the same time,
                                     each in its own thread with its own
                                     connections, at most this many (and
                                     never more per host than the plan's
                                     max_concurrent); 0 or 1: one after
                                     another */
  VMP__NEXT_FIELD
} vmp_apply_opts;

#define VMP_APPLY_OPTS_INIT                                                  \
  { VMP_APPLY_OPTS_VERSION, 0, 0, NULL, 300.0, 0, NULL, NULL, 0, NULL, NULL, 0.0, 0 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_APPLY_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_APPLY_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_apply_opts_init(vmp_apply_opts *opts, uint32_t version);

/** Opaque record of what an apply did, step by step. */
typedef struct vmp_apply_report vmp_apply_report;

/**
 * Executes a plan through libvirt, wave after wave; the steps of a wave one
 * after another, or up to opts.parallel at once in threads of the call's
 * own (every subset of a wave is within the capacity and the per-host cap
 * the planner checked).
 *
 * A migration is live (VIR_MIGRATE_LIVE | PEER2PEER | PERSIST_DEST |
 * UNDEFINE_SOURCE) where the driver supports it; otherwise, with
 * allow_cold_move, cold: define on the target, shut down on the source,
 * start on the target, then undefine on the source.  A source is never
 * undefined before its target runs and is persistent.  A failed step
 * destroys what it made on the target and keeps (or restarts) the source;
 * the rest of its wave still runs, later waves do not.  Before each step
 * the session looks where the domain really is, and waits for a job that
 * libvirt still runs on it (a migration an interrupted run asked for), so a
 * re-run skips what is done and finishes or undoes what an interrupted run
 * left half done (only copies that the journal shows vmplace made are
 * removed).  As libvirt asks of its applications, the process should
 * ignore SIGPIPE (the vmplace CLI and Python do): a daemon that goes away
 * during the apply would otherwise end it with that signal.  Migrations use the target's migration network from the plan
 * (vmp_plan_host_migration).
 *
 * @param v     the session.
 * @param plan  the plan (from vmp_plan_new or vmp_plan_read).
 * @param opts  options; NULL means defaults.
 * @param out   receives the report (caller owns; vmp_apply_report_free)
 *              whenever steps were looked at: on VMP_OK, and also on
 *              VMP_EVIRT, VMP_ESTATE, VMP_ENOTFOUND from a step and on
 *              VMP_ECANCELED, so that the caller sees what was done.  NULL
 *              on other failures.  May be NULL.
 * @return VMP_OK (every step done or found done); VMP_EVIRT (a step
 *         failed: libvirt's message), VMP_ESTATE (a domain is not where the
 *         plan says, or a leftover copy is not provably vmplace's),
 *         VMP_ENOTFOUND (no definition for a start step) — the message
 *         names the step; VMP_ECANCELED (the progress callback stopped);
 *         VMP_EINVAL (bad options, a plan host without uri); VMP_EIO (the
 *         journal cannot be written); VMP_EPARSE (a damaged journal);
 *         VMP_ENOMEM; VMP_ENOTSUP.
 */
VMP_API int vmp_virt_apply(vmp_virt *v, const vmp_plan *plan,
                           const vmp_apply_opts *opts,
                           vmp_apply_report **out);

/** Frees a report.  Accepts NULL. */
VMP_API void vmp_apply_report_free(vmp_apply_report *r);
/** Number of steps (as in the plan). */
VMP_API size_t vmp_apply_report_num_steps(const vmp_apply_report *r);
/** State of step k (a vmp_step_state), -1 when out of range. */
VMP_API int vmp_apply_report_state(const vmp_apply_report *r, size_t k);
/** How step k was (or would be) done: "live", "cold", "start", "stop", or "".
 * Static. */
VMP_API const char *vmp_apply_report_method(const vmp_apply_report *r,
                                            size_t k);
/** Why step k failed, or what was finished; "" when nothing to say.
 * Borrowed (lives with r). */
VMP_API const char *vmp_apply_report_message(const vmp_apply_report *r,
                                             size_t k);
/** Number of steps in a state. */
VMP_API size_t vmp_apply_report_num_in_state(const vmp_apply_report *r,
                                             int state);
/** Number of VMs whose CPU scheduler parameters were set. */
VMP_API size_t vmp_apply_report_cpu_sched(const vmp_apply_report *r);
/** The report as JSON: counts and, per step, vm, from, to, state, method,
 * message (caller owns; vmp_free).  @return VMP_OK, VMP_EINVAL, VMP_ENOMEM. */
VMP_API int vmp_apply_report_to_json(const vmp_apply_report *r, char **out);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_apply_report_count vmp_apply_report_num_in_state
/* vmp_virt_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_VIRT_OPTS_VERSION). */
#  define vmp_virt_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_virt_opts_init, VMP_VIRT_OPTS_VERSION, \
                          __VA_ARGS__)
/* vmp_apply_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_APPLY_OPTS_VERSION). */
#  define vmp_apply_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_apply_opts_init, VMP_APPLY_OPTS_VERSION, \
                          __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_VIRT_H */
