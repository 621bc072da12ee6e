/*
 * vmplace — the placement problem: resources, hosts, VMs, groups, rules and
 * objective weights.
 *
 * A vmp_problem is what users build (through these calls or from a file) and
 * what every solve reads.  Every setter validates its input and fails with a
 * message that names the field, so a problem that was built successfully is
 * always well formed.
 *
 * Hosts, VMs, resources, groups and rules are referred to by the index that
 * their add call returned (0, 1, 2, ... in order of addition).
 *
 * Thread-safety: a problem may be read (and solved) from several threads at
 * once while nobody modifies it.  Modifying calls need exclusive access.
 */
#ifndef VMPLACE_PROBLEM_H
#define VMPLACE_PROBLEM_H

#include "common.h"

VMP_BEGIN_DECLS

/** Opaque placement problem. */
typedef struct vmp_problem vmp_problem;

/** Input formats understood by vmp_problem_read. */
typedef enum vmp_format {
  VMP_FORMAT_AUTO = 0,        /**< by extension, then by content */
  VMP_FORMAT_JSON = 1,        /**< vmplace problem JSON (docs/formats.md) */
  VMP_FORMAT_VBP = 2,         /**< VPSolver vector bin packing (.vbp) */
  VMP_FORMAT_MVP = 3,         /**< VPSolver heterogeneous bins (.mvp) */
  VMP_FORMAT_BPPLIB = 4,      /**< BPPLIB one-dimensional (.txt) */
  VMP_FORMAT_CLOUDBALANCING = 5, /**< Timefold cloud balancing JSON */
  VMP_FORMAT_ROADEF = 6       /**< ROADEF/EURO 2012 machine reassignment
                                   model_*.txt (with its assignment_*.sol
                                   beside it); see docs/formats.md for what
                                   is kept and what is dropped */
} vmp_format;

/** Group policies. */
typedef enum vmp_group_policy {
  VMP_AFFINITY = 0,           /**< members share one scope domain */
  VMP_ANTI_AFFINITY = 1,      /**< no two members share a scope domain */
  VMP_SPREAD = 2              /**< the members cover at least a minimum
                                   number of scope domains (reassign.h) */
} vmp_group_policy;

/* ---- numbers ------------------------------------------------------------ */

/* The accepted range of every number of the model (docs/formats.md,
 * "Numbers"); setters and readers refuse any other value with VMP_ERANGE
 * and a message naming the field.  Within them every objective the model
 * can express is finite. */
#define VMP_MAX_QUANTITY 1e15   /**< capacity, reserved, demand, migration_cost,
                                     absolute safety capacity */
#define VMP_MIN_CAPACITY 1e-6   /**< smallest capacity other than 0 */
#define VMP_MIN_OVERCOMMIT 1e-3 /**< overcommit ratio, lowest */
#define VMP_MAX_OVERCOMMIT 1e3  /**< overcommit ratio, highest */
#define VMP_MAX_WEIGHT 1e9      /**< host cost, group and rule weights,
                                     objective weights, safety, ratio
                                     balance and dependency weights,
                                     ratio targets, host move costs */

/* ---- life cycle -------------------------------------------------------- */

/**
 * Creates an empty problem (no resources, hosts or VMs; default objective).
 *
 * @param out  receives the problem (caller owns; free with vmp_problem_free);
 *             set to NULL on failure.
 * @return VMP_OK, VMP_EINVAL (out is NULL) or VMP_ENOMEM.
 */
VMP_API int vmp_problem_new(vmp_problem **out);

/** Frees a problem.  Accepts NULL.  Solutions made from it stay valid. */
VMP_API void vmp_problem_free(vmp_problem *p);

/**
 * Deep copy of a problem.
 * @param out  receives the copy (caller owns); NULL on failure.
 * @return VMP_OK, VMP_EINVAL or VMP_ENOMEM.
 */
VMP_API int vmp_problem_clone(const vmp_problem *p, vmp_problem **out);

/* ---- files -------------------------------------------------------------- */

/**
 * Reads a problem from a file.
 *
 * With VMP_FORMAT_AUTO the format follows the extension (.json, .vbp, .mvp,
 * .txt) and the content: a "computerList" key means cloud balancing JSON; a
 * .txt file named model_*.txt is ROADEF 2012, any other .txt BPPLIB.  Every error message starts with the path and names the field,
 * e.g. "dc.json: vms[2].demand.cpu: expected a number >= 0".
 *
 * @param path    file to read.
 * @param format  a vmp_format, or VMP_FORMAT_AUTO.
 * @param out     receives the problem (caller owns); NULL on failure.
 * @return VMP_OK; VMP_EIO (cannot read), VMP_EPARSE (malformed),
 *         VMP_ERANGE (a number out of range), VMP_EEXIST (duplicate name),
 *         VMP_ENOTFOUND (reference to an unknown name), VMP_EINVAL,
 *         VMP_ENOMEM.
 */
VMP_API int vmp_problem_read(const char *path, int format, vmp_problem **out);

/**
 * Parses a problem held in memory.
 *
 * @param data    the bytes (need not be NUL-terminated).
 * @param len     their number.
 * @param format  a vmp_format other than VMP_FORMAT_AUTO, which is taken to
 *                mean JSON (cloud balancing JSON is recognised too).
 * @param origin  how to name the input in messages (e.g. a file name); NULL
 *                gives "<input>".
 * @param out     receives the problem (caller owns); NULL on failure.
 * @return as vmp_problem_read.
 */
VMP_API int vmp_problem_parse(const char *data, size_t len, int format,
                              const char *origin, vmp_problem **out);

/**
 * Serialises a problem as vmplace problem JSON (readable by
 * vmp_problem_read; the round trip is exact).
 *
 * @param out  receives a NUL-terminated string (caller owns; free with
 *             vmp_free); NULL on failure.
 * @return VMP_OK, VMP_EINVAL or VMP_ENOMEM.
 */
VMP_API int vmp_problem_to_json(const vmp_problem *p, char **out);

/** Writes vmp_problem_to_json's text to a file.  VMP_EIO on write errors. */
VMP_API int vmp_problem_write(const vmp_problem *p, const char *path);

/* ---- resources ---------------------------------------------------------- */

/**
 * Declares a resource (a dimension of capacity and demand, e.g. "cpu").
 *
 * Resources must be declared before the first host or VM.  Names match
 * [A-Za-z_][A-Za-z0-9_]* so that rules can refer to them.
 *
 * @param index  receives the new resource's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL (bad name), VMP_EEXIST, VMP_ESTATE (hosts or VMs
 *         exist already), VMP_ERANGE (more than 64 resources), VMP_ENOMEM.
 */
VMP_API int vmp_problem_add_resource(vmp_problem *p, const char *name,
                                     size_t *index);
/** Number of resources. */
VMP_API size_t vmp_problem_num_resources(const vmp_problem *p);
/** Name of resource r, or NULL when r is out of range.  Borrowed: lives as
 * long as the problem. */
VMP_API const char *vmp_problem_resource_name(const vmp_problem *p, size_t r);
/** Looks up a resource.  @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_problem_find_resource(const vmp_problem *p, const char *name,
                                      size_t *index);

/* ---- hosts -------------------------------------------------------------- */

/**
 * Adds a host.
 *
 * @param name      unique non-empty host name.
 * @param capacity  one raw capacity per resource (>= 0, finite); NULL means
 *                  all zero.  The capacity a solver may fill is
 *                  capacity * overcommit - reserved (never below 0).
 * @param index     receives the host's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL, VMP_EEXIST, VMP_ERANGE, VMP_ENOMEM.
 *         Defaults: overcommit 1, reserved 0, cost 1, no labels, no URI,
 *         not in maintenance.
 */
VMP_API int vmp_problem_add_host(vmp_problem *p, const char *name,
                                 const double *capacity, size_t *index);
/** Sets the raw capacity of host h in resource r (>= 0, finite). */
VMP_API int vmp_problem_set_host_capacity(vmp_problem *p, size_t h, size_t r,
                                          double value);
/** Sets the overcommit ratio of host h in resource r (> 0, finite). */
VMP_API int vmp_problem_set_host_overcommit(vmp_problem *p, size_t h,
                                            size_t r, double ratio);
/** Sets the capacity of host h held back from placement in resource r
 * (>= 0, finite). */
VMP_API int vmp_problem_set_host_reserved(vmp_problem *p, size_t h, size_t r,
                                          double value);
/** Sets the cost of using host h (>= 0, finite; default 1). */
VMP_API int vmp_problem_set_host_cost(vmp_problem *p, size_t h, double cost);
/** Sets (value non-NULL) or removes (value NULL) a label of host h. */
VMP_API int vmp_problem_set_host_label(vmp_problem *p, size_t h,
                                       const char *key, const char *value);
/** Sets (or clears, with NULL) the libvirt URI of host h. */
VMP_API int vmp_problem_set_host_uri(vmp_problem *p, size_t h,
                                     const char *uri);
/** Marks host h as in maintenance (nonzero): it receives no VM. */
VMP_API int vmp_problem_set_host_maintenance(vmp_problem *p, size_t h,
                                             int maintenance);

/** Number of hosts. */
VMP_API size_t vmp_problem_num_hosts(const vmp_problem *p);
/** Name of host h; NULL when out of range.  Borrowed (lives with p). */
VMP_API const char *vmp_problem_host_name(const vmp_problem *p, size_t h);
/** Looks up a host by name.  @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_problem_find_host(const vmp_problem *p, const char *name,
                                  size_t *index);
/** Raw capacity of host h in resource r (0 when out of range). */
VMP_API double vmp_problem_host_capacity(const vmp_problem *p, size_t h,
                                         size_t r);
/** Overcommit ratio of host h in resource r (1 when out of range). */
VMP_API double vmp_problem_host_overcommit(const vmp_problem *p, size_t h,
                                           size_t r);
/** Reserved capacity of host h in resource r (0 when out of range). */
VMP_API double vmp_problem_host_reserved(const vmp_problem *p, size_t h,
                                         size_t r);
/** Capacity available to VMs: max(0, capacity * overcommit - reserved). */
VMP_API double vmp_problem_host_effective_capacity(const vmp_problem *p,
                                                   size_t h, size_t r);
/** Cost of host h (0 when out of range). */
VMP_API double vmp_problem_host_cost(const vmp_problem *p, size_t h);
/** Value of label key on host h, or NULL.  Borrowed (lives until the label
 * is changed or p is freed). */
VMP_API const char *vmp_problem_host_label(const vmp_problem *p, size_t h,
                                           const char *key);
/** Number of labels on host h. */
VMP_API size_t vmp_problem_host_num_labels(const vmp_problem *p, size_t h);
/** The k-th label of host h (keys in insertion order).  Borrowed strings.
 * @return VMP_OK or VMP_EINVAL (out of range). */
VMP_API int vmp_problem_host_label_at(const vmp_problem *p, size_t h,
                                      size_t k, const char **key,
                                      const char **value);
/** URI of host h, or NULL.  Borrowed. */
VMP_API const char *vmp_problem_host_uri(const vmp_problem *p, size_t h);
/**
 * Sets how live migrations to host h travel (docs/libvirt.md, "Migration
 * network"); NULL and 0 leave a setting to libvirt.
 *
 * @param uri             the migration URI handed to the destination
 *                        (VIR_MIGRATE_PARAM_URI, "tcp://10.1.0.5"): where
 *                        the source's QEMU sends the memory to
 * @param listen_address  the address the destination's QEMU listens on
 *                        (VIR_MIGRATE_PARAM_LISTEN_ADDRESS)
 * @param tunnelled       nonzero: through the libvirtd connection instead
 *                        (VIR_MIGRATE_TUNNELLED); excludes the other two
 * @return VMP_OK; VMP_EINVAL (bad host, tunnelled with a uri or listen
 *         address, a uri without "scheme://", an empty string); VMP_ENOMEM.
 */
VMP_API int vmp_problem_set_host_migration(vmp_problem *p, size_t h, const char *uri,
                                           const char *listen_address, int tunnelled);
/** Host h's migration settings; each out-parameter may be NULL.  The
 * strings are borrowed (live as long as p), NULL when unset.
 * @return VMP_OK or VMP_EINVAL (bad host). */
VMP_API int vmp_problem_host_migration(const vmp_problem *p, size_t h, const char **uri,
                                       const char **listen_address, int *tunnelled);
/** 1 when host h is in maintenance, else 0. */
VMP_API int vmp_problem_host_maintenance(const vmp_problem *p, size_t h);

/* ---- VMs ---------------------------------------------------------------- */

/**
 * Adds a VM.
 *
 * @param name    unique non-empty VM name.
 * @param demand  one demand per resource (>= 0, finite); NULL means zeros.
 * @param index   receives the VM's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL, VMP_EEXIST, VMP_ERANGE, VMP_ENOMEM.
 *         Defaults: no current host (a new VM), priority 0, migration cost
 *         = its demand of the first resource named like "mem*" (else 1),
 *         every host allowed, not pinned.
 */
VMP_API int vmp_problem_add_vm(vmp_problem *p, const char *name,
                               const double *demand, size_t *index);
/** Sets VM v's demand of resource r (>= 0, finite). */
VMP_API int vmp_problem_set_vm_demand(vmp_problem *p, size_t v, size_t r,
                                      double value);
/** Sets VM v's current host (VMP_NONE: not placed yet). */
VMP_API int vmp_problem_set_vm_host(vmp_problem *p, size_t v, size_t h);
/** Sets (value non-NULL) or removes (NULL) a label of VM v. */
VMP_API int vmp_problem_set_vm_label(vmp_problem *p, size_t v,
                                     const char *key, const char *value);
/** Sets VM v's priority (0..1000000; higher is more important).  Leaving a
 * VM unplaced costs the "unplaced" weight times (1 + priority). */
VMP_API int vmp_problem_set_vm_priority(vmp_problem *p, size_t v,
                                        int32_t priority);
/** Sets the cost of migrating VM v (>= 0, finite); a negative value restores
 * the default (its memory demand). */
VMP_API int vmp_problem_set_vm_migration_cost(vmp_problem *p, size_t v,
                                              double cost);
/** Restricts VM v to a set of hosts (n > 0), or lifts the restriction
 * (hosts NULL and n 0).  Duplicates are ignored. */
VMP_API int vmp_problem_set_vm_allowed_hosts(vmp_problem *p, size_t v,
                                             const size_t *hosts, size_t n);
/** Pins VM v to its current host (nonzero) or unpins it.  A pinned VM
 * without a current host cannot be placed and is reported unplaced. */
VMP_API int vmp_problem_set_vm_pinned(vmp_problem *p, size_t v, int pinned);

/** Number of VMs. */
VMP_API size_t vmp_problem_num_vms(const vmp_problem *p);
/** Name of VM v; NULL when out of range.  Borrowed (lives with p). */
VMP_API const char *vmp_problem_vm_name(const vmp_problem *p, size_t v);
/** Looks up a VM by name.  @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_problem_find_vm(const vmp_problem *p, const char *name,
                                size_t *index);
/** VM v's demand of resource r (0 when out of range). */
VMP_API double vmp_problem_vm_demand(const vmp_problem *p, size_t v,
                                     size_t r);
/** VM v's current host, or VMP_NONE. */
VMP_API size_t vmp_problem_vm_host(const vmp_problem *p, size_t v);
/** Value of label key on VM v, or NULL.  Borrowed. */
VMP_API const char *vmp_problem_vm_label(const vmp_problem *p, size_t v,
                                         const char *key);
/** Number of labels on VM v. */
VMP_API size_t vmp_problem_vm_num_labels(const vmp_problem *p, size_t v);
/** The k-th label of VM v.  @return VMP_OK or VMP_EINVAL. */
VMP_API int vmp_problem_vm_label_at(const vmp_problem *p, size_t v, size_t k,
                                    const char **key, const char **value);
/** VM v's priority. */
VMP_API int32_t vmp_problem_vm_priority(const vmp_problem *p, size_t v);
/** VM v's migration cost (the default applied when none was set). */
VMP_API double vmp_problem_vm_migration_cost(const vmp_problem *p, size_t v);
/** Number of hosts VM v is restricted to (0: no restriction). */
VMP_API size_t vmp_problem_vm_num_allowed_hosts(const vmp_problem *p,
                                                size_t v);
/** The k-th allowed host of VM v, or VMP_NONE. */
VMP_API size_t vmp_problem_vm_allowed_host(const vmp_problem *p, size_t v,
                                           size_t k);
/** 1 when VM v is pinned, else 0. */
VMP_API int vmp_problem_vm_pinned(const vmp_problem *p, size_t v);

/* ---- groups ------------------------------------------------------------- */

/**
 * Adds an affinity or anti-affinity group.
 *
 * One meaning each (docs/formats.md, "Groups"): a hard affinity group keeps
 * its placed members in one scope domain, and any member may stay unplaced
 * (vmp_problem_set_group_all_or_nothing makes a host-scope group all or
 * nothing); a hard anti-affinity group keeps its placed members in
 * different domains.  Unplaced members count in no domain.
 *
 * @param name    unique group name.
 * @param policy  VMP_AFFINITY or VMP_ANTI_AFFINITY.
 * @param hard    nonzero: never violated; zero: each violation costs the
 *                group's weight (default 1) times the "soft" objective weight.
 * @param scope   NULL or "host": the domain is a host; any other string is a
 *                host label key and the domain is the label's value (hosts
 *                without the label are each a domain of their own).
 * @param vms     member VM indices (at least 2, no duplicates).
 * @param n       their number.
 * @param index   receives the group's index; may be NULL.
 * @return VMP_OK, VMP_EINVAL, VMP_EEXIST, VMP_ENOMEM.
 */
VMP_API int vmp_problem_add_group(vmp_problem *p, const char *name,
                                  int policy, int hard, const char *scope,
                                  const size_t *vms, size_t n, size_t *index);
/** Sets the weight of a soft group (>= 0, finite). */
VMP_API int vmp_problem_set_group_weight(vmp_problem *p, size_t g,
                                         double weight);
/**
 * Makes hard affinity group g all or nothing (nonzero) or not (zero, the
 * default): all its members on one host, or none of them placed.
 *
 * @return VMP_OK; VMP_EINVAL when g is out of range, or on = 1 for a group
 *         that is not a hard affinity group with scope "host".
 */
VMP_API int vmp_problem_set_group_all_or_nothing(vmp_problem *p, size_t g,
                                                 int on);
/** 1 when group g is all or nothing, else 0. */
VMP_API int vmp_problem_group_all_or_nothing(const vmp_problem *p, size_t g);
/** Number of groups. */
VMP_API size_t vmp_problem_num_groups(const vmp_problem *p);
/** Name of group g, or NULL.  Borrowed. */
VMP_API const char *vmp_problem_group_name(const vmp_problem *p, size_t g);
/** Policy of group g (a vmp_group_policy), or -1 when out of range. */
VMP_API int vmp_problem_group_policy(const vmp_problem *p, size_t g);
/** 1 when group g is hard. */
VMP_API int vmp_problem_group_hard(const vmp_problem *p, size_t g);
/** Scope of group g: "host" or a label key.  Borrowed. */
VMP_API const char *vmp_problem_group_scope(const vmp_problem *p, size_t g);
/** Weight of group g. */
VMP_API double vmp_problem_group_weight(const vmp_problem *p, size_t g);
/** Number of members of group g. */
VMP_API size_t vmp_problem_group_num_vms(const vmp_problem *p, size_t g);
/** The k-th member of group g, or VMP_NONE. */
VMP_API size_t vmp_problem_group_vm(const vmp_problem *p, size_t g, size_t k);

/* ---- rules -------------------------------------------------------------- */

/**
 * Adds a placement rule (see docs/formats.md, "Rule language").
 *
 * For every VM for which `when` holds, `require` must hold on its host.  A
 * hard rule removes the hosts where it fails from the VM's allowed set; a
 * soft rule costs its weight (default 1) times the "soft" objective weight
 * for every VM placed where it fails.
 *
 * @param name     unique rule name.
 * @param when     condition on the VM (and host); NULL or "" means always.
 * @param require  condition that must hold on the VM's host.
 * @param hard     nonzero for a hard rule.
 * @param index    receives the rule's index; may be NULL.
 * @return VMP_OK; VMP_EPARSE with the position in the detail message
 *         ("rules[0].require: column 14: expected a value after '=='");
 *         VMP_ENOTFOUND (unknown resource in vm.demand.R); VMP_EEXIST;
 *         VMP_EINVAL; VMP_ENOMEM.
 */
VMP_API int vmp_problem_add_rule(vmp_problem *p, const char *name,
                                 const char *when, const char *require,
                                 int hard, size_t *index);
/** Sets the weight of a soft rule (>= 0, finite). */
VMP_API int vmp_problem_set_rule_weight(vmp_problem *p, size_t r,
                                        double weight);
/** Number of rules. */
VMP_API size_t vmp_problem_num_rules(const vmp_problem *p);
/** Name of rule r, or NULL.  Borrowed. */
VMP_API const char *vmp_problem_rule_name(const vmp_problem *p, size_t r);
/** The `when` text of rule r ("" when always), or NULL.  Borrowed. */
VMP_API const char *vmp_problem_rule_when(const vmp_problem *p, size_t r);
/** The `require` text of rule r, or NULL.  Borrowed. */
VMP_API const char *vmp_problem_rule_require(const vmp_problem *p, size_t r);
/** 1 when rule r is hard. */
VMP_API int vmp_problem_rule_hard(const vmp_problem *p, size_t r);
/** Weight of rule r. */
VMP_API double vmp_problem_rule_weight(const vmp_problem *p, size_t r);

/* ---- objective ---------------------------------------------------------- */

/**
 * Sets the weight of an objective term.
 *
 * Terms: "cost" (sum of the cost of used hosts; default 1), "migrations"
 * (sum of migration costs of moved VMs; default 0), "balance" (highest
 * utilisation over hosts and resources, 0..1; default 0), "soft" (sum of the
 * weights of broken soft rules and groups; default 1), "unplaced" (per
 * unplaced VM, times 1 + its priority; default: automatic, larger than all
 * other terms together so that placing a VM always pays).  A negative
 * "unplaced" weight restores the automatic default.  The rebalancing terms
 * (reassign.h, docs/rebalancing.md): "safety" (load above safety
 * capacities, times each resource's safety weight; default 1),
 * "ratio_balance" (the ratio balance terms; default 1), "group_moves" (the
 * largest number of moved VMs in one group; default 0), "host_moves" (sum
 * of host-to-host move costs of moved VMs; default 1).
 *
 * @return VMP_OK, VMP_ENOTFOUND (unknown term), VMP_ERANGE (negative or not
 *         finite), VMP_EINVAL.
 */
VMP_API int vmp_problem_set_objective(vmp_problem *p, const char *term,
                                      double weight);
/**
 * Reads the weight of an objective term ("unplaced" gives -1 while
 * automatic).  @return VMP_OK, VMP_ENOTFOUND, VMP_EINVAL.
 */
VMP_API int vmp_problem_get_objective(const vmp_problem *p, const char *term,
                                      double *weight);

VMP_END_DECLS

#endif /* VMPLACE_PROBLEM_H */
