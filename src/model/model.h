/*
 * The compiled model: the one view of a problem that every solver, the
 * evaluator, explanations and bounds read.  compile.c
 * builds it in one pass; nothing re-derives any of it.
 *
 * Solvers place *items*.  An item is a VM, or a hard host-affinity group
 * merged into one unit (its VMs always share a host).  Demands are summed,
 * allowed sets intersected.
 *
 * Everything is dense structure-of-arrays indexed by host, item, VM or
 * resource; per-resource arrays are [x * nres + r].
 */
#ifndef VMP_MODEL_H
#define VMP_MODEL_H

#include "internal.h"
#include "basics.h"

/* Relative and absolute tolerance of capacity checks: loads up to
 * cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS fit.  Keeps fractional overcommit
 * products from failing on rounding. */
#define VMP__REL_EPS 1e-9
#define VMP__ABS_EPS 1e-9

/* A set of hosts: a bitset over hosts, or NULL for "every usable host". */
typedef struct vmp__hostset {
  uint64_t *bits;       /* NULL = all */
  uint32_t count;       /* number of usable hosts in the set */
} vmp__hostset;

/* An allowed-host class: items that have exactly the same allowed hosts
 * and soft-rule penalties share one. */
typedef struct vmp__aclass {
  vmp__hostset allowed;
  double *soft;         /* [nhosts] soft-rule penalty (weight x soft
                           objective weight) of placing one item of this
                           class there; NULL when all zero */
} vmp__aclass;

/* A scope: how hosts group into domains for a group's policy.  Scope
 * "host" has dom == NULL (the domain of host h is h). */
typedef struct vmp__scope {
  uint32_t key;         /* label key pool id; 0 = host */
  uint32_t *dom;        /* [nhosts] domain id, or NULL for host scope */
  uint32_t ndom;
} vmp__scope;

/* A group as solvers see it, over items. */
typedef struct vmp__mgroup {
  uint32_t group;       /* index in the problem */
  int policy;
  int hard;
  uint32_t scope;       /* index into model->scopes */
  double weight;        /* group weight x soft objective weight */
  uint32_t *items;      /* distinct member items (a merged unit once) */
  uint32_t nitems;
  uint32_t *vms;        /* member VMs (for soft counting) */
  uint32_t nvms;
} vmp__mgroup;

/* What a model needs from a solver beyond the classic model: a solver
 * that does not model a hard one declines (VMP_ENOTSUP, by the
 * dispatcher); one that ignores VMP__NEED_TERMS never claims optimality. */
#define VMP__NEED_TRANSIENT 1u  /* a transient resource some current VM uses */
#define VMP__NEED_SPREAD 2u     /* a hard spread group with min >= 2 */
#define VMP__NEED_DEPEND 4u     /* a hard dependency */
#define VMP__NEED_TERMS 8u      /* rebalancing objective terms or soft
                                   spread/dependencies */
#define VMP__NEED_HARD (VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND)

/* Host domains of one scope (label key; 0 = host). */
typedef struct vmp__mdomains {
  uint32_t key;
  uint32_t *dom;        /* [nhosts] */
  uint32_t ndom;
} vmp__mdomains;

/* A spread group: its placed VMs cover >= min(min_domains, placed)
 * domains of rdoms[doms]. */
typedef struct vmp__mspread {
  uint32_t group;       /* index in the problem */
  int hard;
  double weight;        /* per missing domain, x soft objective weight */
  uint32_t min_domains;
  uint32_t doms;        /* index into model->rdoms */
  uint32_t *vms;
  uint32_t nvms;
} vmp__mspread;

/* A dependency: every placed VM of a sits in a domain holding a placed VM
 * of b. */
typedef struct vmp__mdep {
  uint32_t group, on;   /* problem group indices */
  int hard;
  double weight;        /* per VM, x soft objective weight */
  uint32_t doms;        /* index into model->rdoms */
  uint32_t *a, *b;
  uint32_t na, nb;
} vmp__mdep;

/* Why an item cannot be placed anywhere, found at compile time. */
typedef enum vmp__unplaceable {
  VMP__PLACEABLE = 0,
  VMP__NO_ALLOWED_HOST,      /* allowed hosts, rules, maintenance, pin */
  VMP__TOO_LARGE,            /* fits on no allowed host even when empty */
  VMP__SELF_CONFLICT         /* a unit whose members are anti-affine */
} vmp__unplaceable;

typedef struct vmp__model {
  const vmp_problem *p;      /* for names in messages only */
  uint32_t nres;
  size_t nhosts, nvms, nitems;

  /* hosts */
  double *cap;               /* [h*nres+r] effective capacity */
  double *capx;              /* [h*nres+r] cap with tolerance, for fit checks */
  double *cost;              /* [h] host cost (raw) */
  uint8_t *usable;           /* [h] 0 when in maintenance */
  uint32_t *hclass;          /* [h] class of interchangeable hosts */
  uint32_t nhclasses;
  uint32_t *hclass_start;    /* [nhclasses+1] CSR into hclass_hosts */
  uint32_t *hclass_hosts;    /* hosts ordered by class, then index */

  /* VMs */
  double *dem;               /* [v*nres+r] */
  int32_t *cur;              /* [v] current host or -1 */
  double *mig;               /* [v] migration cost (raw) */
  double *pen;               /* [v] unplaced penalty (weighted) */
  uint32_t *vm_item;         /* [v] */

  /* items */
  double *idem;              /* [i*nres+r] summed demand */
  uint32_t *item_start;      /* [nitems+1] CSR into item_vms */
  uint32_t *item_vms;
  uint32_t *item_aclass;     /* [i] */
  double *item_pen;          /* [i] sum of members' unplaced penalties */
  int32_t *item_cur;         /* [i] current host shared by all members;
                                -1 when no member has one; -2 when members
                                are on different hosts (see
                                vmp__model_migcost) */
  double *item_mig;          /* [i] summed migration cost (weighted) of the
                                members that have a current host */
  uint8_t *item_unplaceable; /* [i] vmp__unplaceable */
  uint32_t *item_groups_start;  /* [nitems+1] CSR into item_groups: */
  uint32_t *item_groups;        /* hard groups (anti-affinity, and affinity
                                   with a label scope) the item belongs to */
  uint32_t *item_sgroups_start; /* [nitems+1] CSR into item_sgroups: */
  uint32_t *item_sgroups;       /* soft groups the item belongs to */

  /* allowed classes */
  vmp__aclass *aclasses;
  uint32_t naclasses;

  /* scopes and groups */
  vmp__scope *scopes;
  uint32_t nscopes;
  vmp__mgroup *groups;       /* every group of the problem except hard
                                host-affinity ones (merged into items) */
  uint32_t ngroups;

  /* soft terms present at all (lets solvers skip work) */
  int has_soft_rules;
  int has_soft_groups;

  /* effective objective weights (unplaced made explicit) */
  vmp__weights w;
  int unplaced_auto;         /* the problem left the unplaced weight
                                automatic (< 0) */

  /* ---- rebalancing (model_reassign.c; docs/rebalancing.md) ---- */
  double *safety;            /* [h*nres+r] safety capacity; NULL when the
                                "safety" term is absent */
  double safety_w[VMP__MAX_RESOURCES]; /* per unit above it, weighted */
  uint64_t transient;        /* bit r: resource r is transient */
  double *tbase;             /* [h*nres+r] transient resources held on h by
                                the VMs whose current host is h (whatever
                                happens to them); NULL when none */
  vmp__ratio_term *ratios;        /* ratio balance terms, weights x objective */
  uint32_t nratios;
  uint32_t *gm_start, *gm_vms;  /* CSR: every problem group's VMs, for the
                                   group_moves term (NULL when weight 0) */
  uint32_t ngm;
  uint32_t *hmc_class;       /* [nhosts] host move-cost class or
                                VMP__NO_CLASS; NULL when no term */
  double *hmc;               /* [hmc_n * hmc_n] raw costs */
  uint32_t hmc_n;
  vmp__mdomains *rdoms;      /* host domains of the scopes below */
  uint32_t nrdoms;
  vmp__mspread *spreads;     /* spread groups (not in `groups`) */
  uint32_t nspreads;
  vmp__mdep *deps;
  uint32_t ndeps;
  unsigned needs;            /* VMP__NEED_* present in this model */
} vmp__model;

/* The rebalancing parts (model_reassign.c): compiled at the end of
 * vmp__model_compile, freed by vmp__model_free. */
int vmp__model_compile_reassign(const vmp_problem *p, vmp__model *m);
void vmp__model_free_reassign(vmp__model *m);
/* What the needs bits ask for, in words ("spread groups with a minimum of
 * domains"): the first hard one, else the terms. */
const char *vmp__model_needs_text(unsigned needs);
/* The rebalancing part of the objective for VM hosts vh ([nvms], -1
 * unplaced) with host loads load ([h*nres+r]): safety, ratio balance,
 * host and group moves, soft spread and dependencies (weighted). */
double vmp__model_objective_reassign(const vmp__model *m, const int32_t *vh,
                                     const double *load);

/* Builds the model of p.  On failure *out is NULL and the detail message
 * says why (VMP_ENOMEM, VMP_ERANGE when rules would need more than the
 * documented evaluation budget). */
int vmp__model_compile(const vmp_problem *p, vmp__model **out);
/* The same, with every hard host-affinity group merged into one unit as if
 * it were all or nothing: the online placer's model, which sends a group's
 * first VM where the whole group fits.  Its placements are valid for the
 * problem (members may stay out); its bounds are not bounds of it. */
int vmp__model_compile_units(const vmp_problem *p, vmp__model **out);
void vmp__model_free(vmp__model *m);

/* Growing a model after compile, for the online placer (model_online.c).
 * The model must not be shared while it grows.
 *
 * Appends an item with no VMs, groups or demand, marked unplaceable: a
 * slot whose demand (idem), allowed class and unplaceable mark the caller
 * rewrites to place a VM the problem did not have.  *out receives its
 * index.  0 or VMP_ENOMEM (the model is unchanged then). */
int vmp__model_add_spare_item(vmp__model *m, size_t *out);
/* Adds an allowed class (bits NULL: every host; soft NULL: no penalty),
 * taking ownership of bits and soft, and counts its usable hosts.  *cap is
 * the caller's record of the aclasses array's capacity (0 at first).
 * 0 or VMP_ENOMEM (bits and soft freed). */
int vmp__model_add_aclass(vmp__model *m, size_t *cap, uint64_t *bits, double *soft,
                          uint32_t *id);
/* Puts host h in maintenance (usable 0) or back in service, keeping the
 * classes' usable-host counts right.  Workspaces built on the model must
 * be told (vmp__greedy_hosts_changed). */
void vmp__model_set_usable(vmp__model *m, size_t h, int usable);

static inline int vmp__hostset_has(const vmp__hostset *s, size_t h) {
  return s->bits == NULL || ((s->bits[h >> 6] >> (h & 63)) & 1u);
}

/* 1 when item i may be placed on host h as far as allowed sets, rules,
 * pins and maintenance go (not capacity or groups). */
static inline int vmp__model_allowed(const vmp__model *m, size_t i,
                                     size_t h) {
  return m->usable[h] &&
         vmp__hostset_has(&m->aclasses[m->item_aclass[i]].allowed, h);
}

/* Domain of host h in scope s. */
static inline uint32_t vmp__model_dom(const vmp__model *m, uint32_t s,
                                      size_t h) {
  const uint32_t *dom = m->scopes[s].dom;
  return dom ? dom[h] : (uint32_t)h;
}

/* Soft-rule penalty of placing item i on host h (weighted). */
static inline double vmp__model_soft(const vmp__model *m, size_t i,
                                     size_t h) {
  const double *soft = m->aclasses[m->item_aclass[i]].soft;
  return soft ? soft[h] : 0.0;
}

/* Weighted migration cost of placing item i on host h. */
double vmp__model_migcost_slow(const vmp__model *m, size_t i, size_t h);
static inline double vmp__model_migcost(const vmp__model *m, size_t i,
                                        size_t h) {
  int32_t c = m->item_cur[i];
  if (c >= 0) return (size_t)c == h ? 0.0 : m->item_mig[i];
  if (c == -1) return 0.0;
  return vmp__model_migcost_slow(m, i, h);
}

/* The objective weights in force for p: the problem's, with the automatic
 * "unplaced" weight made explicit (larger than every other term of any
 * placement together).  Shared by compile.c and the evaluator. */
void vmp__effective_weights(const vmp_problem *p, vmp__weights *w);

/* Lower bounds on the objective of any placement (bound.c,
 * docs/formulations.md "Bounds"). */
typedef struct vmp__bounds {
  double bound;      /* the best: (B1) with the best cover below */
  double volume;     /* (B2) best per-resource fractional volume cover */
  double l2;         /* (B3) Martello-Toth L2 hosts, costed (0: not valid) */
  double cover_lp;   /* (B4) all resources at once, LP (0: not computed) */
  int infeasible;    /* the placeable items cannot all be placed together */
} vmp__bounds;

void vmp__model_bounds(const vmp__model *m, vmp__bounds *out);
/* The best bound: vmp__model_bounds(m).bound. */
double vmp__model_bound(const vmp__model *m);

/* Martello-Toth L2 bound on the number of bins of capacity cap that hold
 * items of sizes d[0..n) (sorted decreasing, all > 0). */
double vmp__bound_l2(const double *d, size_t n, double cap);

#endif /* VMP_MODEL_H */
