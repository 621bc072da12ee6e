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

#endif /* VMP_EVALUATE_H */
