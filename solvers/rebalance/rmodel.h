/*
 * The rebalancer's input contract: a machine-reassignment model (Google
 * ROADEF/EURO 2012 and vmplace's own rebalancing terms) in flat arrays,
 * and the engine's entry points.
 *
 * The caller (the compiled-model converter, rebalance_adapter.h, through
 * which the ROADEF harness in bench/tools/roadef/ reads too) fills a
 * `vmp__rmodel`; the engine only reads it and never keeps a pointer into
 * it after a call returns.  Every number is a double:
 * vmplace's data are doubles, and ROADEF's integers stay far below 2^53,
 * so sums of them are exact and costs reproduce the challenge's to the
 * unit.  Arrays are row-major; "nv x nr" means index v * nr + r.
 *
 * This header is a contract between branches: fields are only appended,
 * never renamed, reordered or given a new meaning.
 *
 * Objective (to minimise) of an assignment a[v] in [0, nh), with
 * load(h, r) = sum of demand(v, r) over v with a[v] = h and
 * free(h, r) = cap(h, r) - load(h, r):
 *
 *   load cost      sum_r safety_weight[r] * sum_h max(0, load(h,r) - safety(h,r))
 * + balance cost   sum_b weight_b * sum_h max(0, target_b * free(h,r1_b) - free(h,r2_b))
 * + VM move cost   w_pmc * sum of pmc[v] over moved v
 * + group move     w_smc * max over groups g of (number of moved VMs of g)
 * + host move cost w_mmc * sum over moved v of hmc(class(init[v]), class(a[v]))
 * + host cost      w_host * sum of host_cost[h] over hosts holding >= 1 VM
 *
 * A VM "moved" when init[v] >= 0 and a[v] != init[v].  A new VM
 * (init[v] = -1) never counts as moved and pays no move cost.
 *
 * Hard constraints (an assignment breaking any is infeasible):
 *   capacity     load(h, r) <= cap(h, r)
 *   transient    for r with transient[r]: load(h, r) + sum of demand(v, r)
 *                over moved v with init[v] = h  <=  cap(h, r)
 *                (a moved VM still holds r on its initial host)
 *   conflict     at most one VM of each conflict set per host
 *   spread       the VMs of the constraint occupy >= min_domains distinct
 *                domains of its label
 *   dependency   every VM of list a sits in a domain (of the label) that
 *                holds at least one VM of list b
 *   allowed      a[v] in v's allowed-host list (when lists are given)
 *   closed       no VM on a closed (maintenance) host at the end
 *   pinned       a pinned VM stays on init[v] (a new one on its start host)
 *
 * Thread safety: a model may be read by any number of calls at once.
 */
#ifndef VMP_REBALANCE_RMODEL_H
#define VMP_REBALANCE_RMODEL_H

#include <stddef.h>
#include <stdint.h>

/* A resource-ratio balance term: weight * sum_h max(0, target *
 * free(h, r1) - free(h, r2)).  target >= 0, weight >= 0. */
typedef struct vmp__rbalance {
  int r1, r2;
  double target;
  double weight;
} vmp__rbalance;

/* Spread: the listed VMs cover at least min_domains distinct values of
 * host label `label` (ROADEF spreadMin over locations).  weight 0 means
 * hard; weight > 0 (soft: weight per missing domain) is not supported by
 * this engine version: vmp__rmodel_check declines it with VMP_ENOTSUP. */
typedef struct vmp__rspread {
  int label;            /* index into the model's labels */
  int min_domains;      /* K >= 0; K > number of domains is infeasible */
  int n_vms;
  const int *vms;       /* n_vms distinct VM indices */
  double weight;        /* 0 = hard (the only kind supported now) */
} vmp__rspread;

/* Dependency: every VM of `a` sits in a domain of host label `label`
 * that also holds >= 1 VM of `b` (ROADEF: service a depends on service b
 * within neighborhoods).  A VM may be in both lists.  weight as in
 * vmp__rspread (only 0 = hard supported now). */
typedef struct vmp__rdepend {
  int label;
  int n_a;
  const int *a;         /* n_a distinct VM indices */
  int n_b;
  const int *b;         /* n_b distinct VM indices, n_b >= 1 */
  double weight;        /* 0 = hard (the only kind supported now) */
} vmp__rdepend;

typedef struct vmp__rmodel {
  /* ---- sizes and resources ---- */
  int nv;                       /* VMs (ROADEF processes), >= 0 */
  int nh;                       /* hosts (machines), >= 1 */
  int nr;                       /* resources, 1..64 */
  const double *demand;         /* nv x nr, >= 0 */
  const double *cap;            /* nh x nr effective capacity, >= 0 */
  const double *safety;         /* nh x nr safety capacity (<= cap or not:
                                   any value >= 0); NULL = cap */
  const double *safety_weight;  /* nr load-cost weights >= 0; NULL = all 0 */
  const unsigned char *transient; /* nr flags (0/1); NULL = none */

  /* ---- balance terms ---- */
  int n_balance;
  const vmp__rbalance *balance; /* n_balance entries */

  /* ---- the initial placement and move costs ---- */
  const int *init;              /* nv initial hosts, -1 = new VM; NULL =
                                   every VM is new (nothing can "move") */
  const double *pmc;            /* nv per-VM move costs >= 0; NULL = 0 */
  double w_pmc;                 /* weight of the VM move cost, >= 0 */
  int n_groups;                 /* groups for the group move cost */
  const int *group_start;       /* n_groups + 1 offsets into group_vms */
  const int *group_vms;         /* the VMs of group g are group_vms[
                                   group_start[g] .. group_start[g+1]); a VM
                                   may be in several groups, once per group */
  double w_smc;                 /* weight of the group move cost, >= 0 */
  int n_hmc_class;              /* host move-cost classes; 0 = no term */
  const int *hmc_class;         /* nh class ids in [0, n_hmc_class) */
  const double *hmc;            /* n_hmc_class x n_hmc_class, >= 0: cost of
                                   moving a VM from a host of class i to a
                                   host of class j is hmc[i * n + j].  A full
                                   host x host matrix becomes one class per
                                   distinct row (dedupe equal rows). */
  double w_mmc;                 /* weight of the host move cost, >= 0 */

  /* ---- hard constraints ---- */
  int n_conflict;               /* conflict sets: <= 1 VM of a set per host */
  const int *conflict_start;    /* n_conflict + 1 offsets */
  const int *conflict_vms;      /* VM lists, CSR as for groups */

  int n_labels;                 /* host labels (partitions of the hosts) */
  const int *n_domains;         /* n_labels: domains of label l are ids
                                   0 .. n_domains[l]-1 */
  const int *label;             /* n_labels x nh: domain of host h under
                                   label l is label[l * nh + h] */
  int n_spread;
  const vmp__rspread *spread;
  int n_depend;
  const vmp__rdepend *depend;

  const int *allowed_start;     /* nv + 1 offsets into allowed_hosts; NULL =
                                   every VM may go anywhere */
  const int *allowed_hosts;     /* per VM, its allowed hosts (any order,
                                   no duplicates) */
  const unsigned char *closed;  /* nh flags: maintenance hosts, empty at the
                                   end; NULL = none.  The start assignment
                                   may have VMs there: the engine moves them
                                   out first (their move costs count), and
                                   reports VMP_ESTATE if it cannot. */
  const unsigned char *pinned;  /* nv flags; NULL = none.  A pinned VM keeps
                                   its initial host init[v]; a pinned new VM
                                   (init -1) keeps its start host */

  /* ---- vmplace's classic host cost (optional) ---- */
  const double *host_cost;      /* nh costs >= 0 of a host holding >= 1 VM;
                                   NULL = no term */
  double w_host;                /* its weight, >= 0 */
} vmp__rmodel;

/* Cost of one assignment, by term, plus its feasibility. */
typedef struct vmp__rcost {
  double load, balance, pmc, smc, mmc, host;  /* weighted terms */
  double total;                 /* their sum */
  int feasible;                 /* 1 when every hard constraint holds */
  char why[160];                /* first broken constraint, "" if feasible */
} vmp__rcost;

/* Called at least every few milliseconds from the engine's main thread:
 * best objective so far and the bound; a nonzero return stops the run
 * (the best assignment found so far is still returned). */
typedef int (*vmp__rebalance_progress_fn)(double best, double bound,
                                          void *userdata);
/* Log lines (level as vmp_log_fn: VMP_LOG_*). */
typedef void (*vmp__rebalance_log_fn)(int level, const char *message,
                                      void *userdata);

typedef struct vmp__rebalance_opts {
  double deadline;              /* absolute vmp__now() seconds; <= 0: none
                                   (then max_moves must be > 0) */
  uint64_t seed;
  int threads;                  /* worker threads, >= 1 (0 = 1) */
  int lanes;                    /* independent searches, run on the threads
                                   and synchronised at fixed move counts;
                                   0 = 2.  The answer depends on seed and
                                   lanes, never on threads, whenever the run
                                   ends by max_moves (not by the clock or
                                   the callback). */
  int64_t max_moves;            /* move attempts per lane; <= 0: no limit */
  vmp__rebalance_progress_fn progress;
  void *progress_userdata;
  vmp__rebalance_log_fn log;
  void *log_userdata;
  int mix;                      /* how lanes adapt their neighbourhood mix:
                                   VMP__RB_MIX_PORTFOLIO (0, the default),
                                   VMP__RB_MIX_DRAWS or VMP__RB_MIX_WORK on
                                   every lane (for tests and measurements) */
  int exact;                    /* the exact stage (rmip.h) on models of at
                                   most VMP__REXACT_BOUND_PAIRS (movable VM,
                                   allowed host) pairs: 0 = yes (the default),
                                   -1 = never */
} vmp__rebalance_opts;

/* Values of vmp__rebalance_opts.mix.  DRAWS: a neighbourhood's drawing
 * weight follows its improvement per unit of work.  WORK: its share of
 * the lane's work follows it (weights capped).  PORTFOLIO: even lanes
 * DRAWS, odd lanes WORK (rebalance.c, op_adapt). */
enum { VMP__RB_MIX_PORTFOLIO = 0, VMP__RB_MIX_DRAWS = 1, VMP__RB_MIX_WORK = 2 };

#define VMP__REBALANCE_OPTS_INIT {0, 1, 1, 0, 0, NULL, NULL, NULL, NULL, 0, 0}

/* The exact stage.  On a model of at most VMP__REXACT_MAX_PAIRS (movable
 * VM, allowed host) pairs the local search stops after
 * VMP__REXACT_SEARCH_PER_PAIR attempts per lane and pair (at least
 * VMP__REXACT_SEARCH_MIN, at most VMP__REXACT_SEARCH_MOVES, or its own
 * move budget if smaller: a count, so that a run the stage proves is the
 * same everywhere) or at VMP__REXACT_SEARCH_SHARE of the time (a slow
 * machine still leaves the stage its time); GLPK's branch and cut over the
 * whole model goes on from the search's best until
 * VMP__REXACT_STAGE_END of the time (without a deadline: for
 * VMP__REXACT_NODES nodes); unless it proved its answer optimal, the
 * search then has the rest of the time and of its move budget.  On a
 * larger model of at most VMP__REXACT_BOUND_PAIRS pairs, and only with a
 * deadline, the search runs first until VMP__REXACT_BOUND_SHARE of the
 * time, and the stage has the rest: for a bound (its root's cuts give
 * most of it) and any better placement its tree finds.  Why these
 * values: docs/solvers.md. */
#define VMP__REXACT_MAX_PAIRS 4000
#define VMP__REXACT_SEARCH_PER_PAIR 100
#define VMP__REXACT_SEARCH_MIN 20000
#define VMP__REXACT_SEARCH_MOVES 400000
#define VMP__REXACT_SEARCH_SHARE 0.3
#define VMP__REXACT_STAGE_END 0.6
#define VMP__REXACT_BOUND_PAIRS 40000
#define VMP__REXACT_BOUND_SHARE 0.75
#define VMP__REXACT_NODES 20000

typedef struct vmp__rebalance_stats {
  int64_t attempts;             /* moves evaluated, all lanes */
  int64_t accepted;             /* moves applied, all lanes */
  int64_t improvements;         /* times the best was improved */
  int epochs;                   /* synchronisation rounds */
  double seconds;               /* wall time of the run */
  double start_cost;            /* objective of the start assignment */
  int stopped_by;               /* 0 moves budget (or the exact stage
                                   finished), 1 deadline, 2 callback */
  int exact_ran;                /* the exact stage solved its LP */
  int exact_proven;             /* ... and proved the answer optimal */
  int exact_improved;           /* ... and found a better answer */
  int64_t exact_nodes;          /* its branch-and-bound nodes */
} vmp__rebalance_stats;

/* Checks the model's sizes, indices and values, and whether this engine
 * supports every feature used.  0; VMP_EINVAL with vmp_last_error()
 * naming the field ("spread[3].vms[2]: VM index 900 out of range"); or
 * VMP_ENOTSUP naming the feature the engine declines (soft spread or
 * dependency, i.e. weight > 0). */
int vmp__rmodel_check(const vmp__rmodel *m);

/* Evaluates assignment a[nv] from scratch (independent of the engine's
 * incremental state): every term and every hard constraint.  0, or
 * VMP_EINVAL when a host index is out of range (named in the message). */
int vmp__rmodel_eval(const vmp__rmodel *m, const int *a, vmp__rcost *out);

/* A lower bound on the objective of every feasible assignment (pooled
 * hosts: the load and balance terms on the totals, the load term raised
 * by VMs that cannot leave their host, plus forced moves off closed
 * hosts).  Never above the optimum.  Model must pass vmp__rmodel_check. */
double vmp__rmodel_bound(const vmp__rmodel *m);

/* Runs the rebalancer from `start` (nv hosts; feasible except possibly
 * VMs on closed hosts).  Writes the best assignment found to best_out[nv]
 * (always complete and feasible on success; at worst the start), its
 * objective to *obj_out and the lower bound to *bound_out (each may be
 * NULL).  st may be NULL.  Returns 0; VMP_EINVAL / VMP_ENOTSUP as
 * vmp__rmodel_check; VMP_ESTATE if the start is infeasible (message says
 * which constraint) or no way was found to empty the closed hosts (that
 * does not prove there is none); VMP_ENOMEM.
 * Honours opts->deadline to within a few milliseconds. */
int vmp__rebalance_run(const vmp__rmodel *m, const int *start,
                       const vmp__rebalance_opts *opts, int *best_out,
                       double *obj_out, double *bound_out,
                       vmp__rebalance_stats *st);

#endif /* VMP_REBALANCE_RMODEL_H */
