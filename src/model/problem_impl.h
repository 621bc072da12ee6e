/*
 * The layout of vmp_problem, shared by the modules that build and read it
 * (problem.c, the readers and writers, rule.c, compile.c).  Solvers never
 * include this: they read the compiled model (model.h).
 *
 * Data is kept as structure-of-arrays so that a million VMs cost a handful
 * of allocations, and every string is interned once in `pool`.
 */
#ifndef VMP_PROBLEM_IMPL_H
#define VMP_PROBLEM_IMPL_H

#include "internal.h"
#include "basics.h"

typedef struct vmp__expr vmp__expr;     /* rule.h */

/* A label: interned key and value ids (never 0). */
typedef struct vmp__label {
  uint32_t key;
  uint32_t value;
} vmp__label;

/* A small list of labels, in insertion order. */
typedef struct vmp__labels {
  vmp__label *v;
  uint32_t n;
  uint32_t cap;
} vmp__labels;

/* An explicit allowed-host list (sorted, unique). */
typedef struct vmp__hostlist {
  uint32_t *h;
  uint32_t n;
} vmp__hostlist;

/* 1 when host h is in the list (a binary search: the list is sorted). */
int vmp__hostlist_has(const vmp__hostlist *l, uint32_t h);

typedef struct vmp__group {
  uint32_t name;        /* pool id */
  int policy;           /* VMP_AFFINITY / VMP_ANTI_AFFINITY / VMP_SPREAD */
  int hard;
  uint32_t scope;       /* pool id of the label key; 0 = host */
  double weight;
  int all_or_nothing;   /* hard host affinity: every member or none */
  uint32_t *vms;
  uint32_t nvms;
  uint32_t min_domains; /* VMP_SPREAD only */
} vmp__group;

/* A dependency: every placed VM of group `group` runs in a `scope`
 * domain holding a placed VM of group `on`. */
typedef struct vmp__dep {
  uint32_t group, on;
  uint32_t scope;       /* pool id of the label key; 0 = host */
  int hard;
  double weight;
} vmp__dep;

typedef struct vmp__rule {
  uint32_t name;        /* pool id */
  char *when_text;      /* "" when always */
  char *require_text;
  vmp__expr *when;      /* NULL when always */
  vmp__expr *require;
  int hard;
  double weight;
} vmp__rule;

/* How live migrations to a host travel (vmp_problem_set_host_migration). */
typedef struct vmp__migration {
  uint32_t uri, listen;                    /* pool ids; 0 = libvirt's default */
  uint8_t tunnelled;
} vmp__migration;

struct vmp_problem {
  vmp__pool pool;

  /* resources */
  uint32_t nres;
  uint32_t res_name[VMP__MAX_RESOURCES];   /* pool ids */
  vmp__strmap res_index;

  /* hosts; per-resource arrays are [h * nres + r] */
  size_t nhosts, hosts_cap;
  uint32_t *host_name;
  double *host_capacity;
  double *host_overcommit;
  double *host_reserved;
  double *host_cost;
  uint32_t *host_uri;                      /* pool id; 0 = none */
  vmp__migration *host_migration;
  uint8_t *host_maintenance;
  vmp__labels *host_labels;
  vmp__strmap host_index;

  /* VMs */
  size_t nvms, vms_cap;
  uint32_t *vm_name;
  double *vm_demand;                       /* [v * nres + r] */
  uint32_t *vm_host;                       /* UINT32_MAX = none */
  int32_t *vm_priority;
  double *vm_migration_cost;               /* < 0: default */
  uint8_t *vm_pinned;
  vmp__labels *vm_labels;
  vmp__hostlist *vm_allowed;               /* n == 0: any host */
  vmp__strmap vm_index;

  /* groups and rules */
  vmp__group *groups;
  size_t ngroups, groups_cap;
  vmp__strmap group_index;
  vmp__rule *rules;
  size_t nrules, rules_cap;
  vmp__strmap rule_index;

  /* rebalancing (reassign.c; docs/rebalancing.md) */
  uint64_t res_transient;                  /* bit r */
  double res_safety_frac[VMP__MAX_RESOURCES];   /* < 0: none */
  double res_safety_weight[VMP__MAX_RESOURCES]; /* default 1 */
  double *host_safety;                     /* [h*nres+r] absolute; < 0 none */
  double *host_safety_frac;                /* [h*nres+r]; < 0 none */
  vmp__ratio_term *ratios;
  size_t nratios, ratios_cap;
  vmp__dep *deps;
  size_t ndeps, deps_cap;
  uint32_t *hmc_class;                     /* [hosts_cap]: VMP__NO_CLASS for
                                              hosts added after the costs */
  double *hmc;                             /* [hmc_n * hmc_n] */
  uint32_t hmc_n;                          /* 0: no host move costs */
  uint32_t hmc_label;                      /* pool id of the label the costs
                                              were given by (JSON), or 0 */
  double hmc_default;                      /* with hmc_label: the default */

  vmp__weights w;
};

/* Label lookup by interned key id: the value id, or 0. */
/* The value id of label `key` in `l`, 0 when absent.  Inline so that the
 * rule compiler (rule.c) reads labels without a symbol dependency on
 * problem.c, which itself calls into rule.c: no cycle between the two. */
static inline uint32_t vmp__labels_get(const vmp__labels *l, uint32_t key) {
  for (uint32_t k = 0; k < l->n; k++)
    if (l->v[k].key == key) return l->v[k].value;
  return 0;
}

/* The domain of host h for a group or rule with label scope `scope` (0 =
 * the host itself): the label's value id, or a key of its own above every
 * value id for a host without that label (docs/formats.md, "Domain"). */
static inline uint64_t vmp__host_domain(const vmp_problem *p, uint32_t scope,
                                        uint32_t h) {
  uint32_t val;
  if (!scope) return h;
  val = vmp__labels_get(&p->host_labels[h], scope);
  return val ? val : (UINT64_C(1) << 32) + h;
}

/* A copy of p without the VMs v where drop[v] != 0 (the others keep
 * their order; groups keep their index and every field, with the members
 * that remain, even fewer than a new group may have).  VMP_OK or
 * VMP_ENOMEM; *out NULL on failure. */
int vmp__problem_clone_without(const vmp_problem *p, const uint8_t *drop,
                               vmp_problem **out);

/* The migration cost of VM v with the default applied. */
double vmp__vm_migration_cost(const vmp_problem *p, size_t v);

/* Checks a name (non-empty, at most VMP__MAX_NAME bytes, no control
 * characters).  what names the kind of thing in the message.
 * VMP_OK or VMP_EINVAL. */
int vmp__check_name(const char *name, const char *what);

#endif /* VMP_PROBLEM_IMPL_H */
