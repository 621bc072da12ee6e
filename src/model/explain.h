/*
 * Explanations: for one VM and a placement of the others, the exact
 * constraints that keep it off each host, with numbers.  Used by
 * vmp_explain, by the reasons of unplaced VMs in every solution, and by the
 * CLI's `explain`.
 */
#ifndef VMP_EXPLAIN_H
#define VMP_EXPLAIN_H

#include "problem_impl.h"

typedef struct vmp__explainer {
  const vmp_problem *p;
  const uint32_t *vm_host;   /* borrowed: [nvms] host or VMP__NO_HOST */
  double *load;              /* [h*nres+r] load of every placed VM */
  uint32_t *vg_start;        /* [nvms+1] CSR: groups of each VM */
  uint32_t *vg;
  double *held;              /* [h*nres+r] transient resources still held on
                                h by VMs that moved away from it */
} vmp__explainer;

typedef struct vmp__reasons {
  char **key;                /* "memory_mib", "rule pci", ... */
  char **msg;
  size_t n, cap;
  int oom;
} vmp__reasons;

int vmp__explainer_init(vmp__explainer *ex, const vmp_problem *p,
                        const uint32_t *vm_host);
void vmp__explainer_free(vmp__explainer *ex);

void vmp__reasons_clear(vmp__reasons *r);
/* Appends one reason (r->oom set when out of memory). */
void vmp__reasons_add(vmp__reasons *r, const char *key, const char *fmt, ...)
    VMP__PRINTF(3, 4);
/* The rebalancing reasons (explain_reassign.c): transient resources,
 * spread minimums, dependencies (with the cycle that keeps groups empty). */
void vmp__explain_reassign(const vmp__explainer *ex, uint32_t v, uint32_t h,
                           vmp__reasons *r);
void vmp__reasons_free(vmp__reasons *r);

/* Appends to r every constraint that keeps VM v off host h (v's own load
 * is taken off its current place first).  Returns VMP_OK or VMP_ENOMEM. */
int vmp__explain_host(const vmp__explainer *ex, uint32_t v, uint32_t h,
                      vmp__reasons *r);

/* One line for an unplaced VM: "no host fits: 6 hosts: memory_mib; 2 hosts:
 * rule pci" (or, when some host could take it as the others are placed,
 * says so: the solver left it out when `solved`, else it simply has no host
 * yet).  *out is malloc'd. */
int vmp__explain_summary(const vmp__explainer *ex, uint32_t v, int solved,
                         char **out);

#endif /* VMP_EXPLAIN_H */
