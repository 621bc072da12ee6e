/*
 * The one evaluator: decides whether a placement breaks
 * hard constraints and computes its score breakdown.  It reads the user's
 * problem directly, not the compiled model, so that a bug in compile or in
 * a solver cannot vouch for itself: every solver result, `vmplace check`
 * and the tests go through here.
 */
#ifndef VMP_EVALUATE_H
#define VMP_EVALUATE_H

#include "internal.h"
#include "basics.h"

enum {
  VMP__TERM_UNPLACED = 0,
  VMP__TERM_COST,
  VMP__TERM_SOFT,
  VMP__TERM_MIGRATIONS,
  VMP__TERM_BALANCE,
  VMP__TERM_SAFETY,
  VMP__TERM_RATIO,
  VMP__TERM_GROUP_MOVES,
  VMP__TERM_HOST_MOVES,
  VMP__NTERMS
};

extern const char *const vmp__term_names[VMP__NTERMS];

typedef struct vmp__violation {
  const char *kind;     /* static: "capacity", "rule", ... */
  char *message;
  int hard;
  /* What the message says, for programs (solution JSON): */
  uint32_t vm;          /* the VM of a per-VM violation, or VMP__NO_HOST */
  uint32_t host;        /* the host, or VMP__NO_HOST */
  uint32_t *vms;        /* [nvms] the VMs of a group violation (owned) */
  size_t nvms;
  char *name;           /* the rule or group (owned), or NULL */
  char *resource;       /* the resource of a capacity violation (owned) */
  double amount;        /* how far over capacity; NaN: not a capacity one */
} vmp__violation;

/* Frees what a violation owns. */
void vmp__violation_free(vmp__violation *v);

typedef struct vmp__eval {
  double raw[VMP__NTERMS];
  double weighted[VMP__NTERMS];
  double objective;
  size_t hosts_used;
  size_t placed, unplaced;
  size_t hard_violations, soft_violations;
  vmp__violation *viol;    /* when detail */
  size_t nviol, viol_cap;
  int oom;                 /* a message could not be stored */
} vmp__eval;

/* Evaluates vm_host ([nvms]: host index or VMP__NO_HOST) with the weights
 * w (vmp__effective_weights).  With detail, every violation gets a
 * message.  VMP_OK, VMP_EINVAL (a host index out of range), VMP_ENOMEM. */
int vmp__evaluate(const vmp_problem *p, const vmp__weights *w,
                  const uint32_t *vm_host, int detail, vmp__eval *out);
void vmp__eval_free(vmp__eval *e);

/* Counts a violation; with detail, records it and returns it (for the
 * structured fields), else NULL. */
vmp__violation *vmp__eval_violation(vmp__eval *e, int detail, const char *kind,
                                    int hard, const char *fmt, ...)
    VMP__PRINTF(5, 6);

/* The rebalancing part (evaluate_reassign.c): the safety, ratio_balance,
 * group_moves and host_moves terms (raw) and the transient, spread and
 * dependency constraints.  load is [h*nres+r] of the placement.  0 or
 * VMP_ENOMEM. */
int vmp__evaluate_reassign(const vmp_problem *p, const uint32_t *vm_host,
                           const double *load, int detail, vmp__eval *e);
/* [h*nres+r]: the transient resources that VMs moving away from their
 * current host h still hold there under vm_host (zeros when the problem
 * has none); NULL when out of memory.  The caller frees it. */
double *vmp__eval_transient_held(const vmp_problem *p, const uint32_t *vm_host);

struct vmp__group;
/* Distinct scope domains covered by the placed members of spread group gr
 * with VM w on pos[w] (VMP__NO_HOST: unplaced), except VM v (when not
 * VMP__NO_HOST) on host t; *placed receives the number placed. */
size_t vmp__spread_cover(const vmp_problem *p, const struct vmp__group *gr,
                         const uint32_t *pos, uint32_t v, uint32_t t,
                         size_t *placed);

struct vmp__dep;
/* VMs of dependency dp's group placed (pos as above, VM v on t) in a
 * scope domain holding no placed VM of the group it depends on; *first
 * (may be NULL) receives the first of them in group order, or VMP__NO_HOST.
 * Returns (size_t)-1 when out of memory. */
size_t vmp__dep_broken(const vmp_problem *p, const struct vmp__dep *dp,
                       const uint32_t *pos, uint32_t v, uint32_t t,
                       uint32_t *first);

#endif /* VMP_EVALUATE_H */
