/*
 * Realistic datacenter generator, for the scale benchmark, the
 * benchmark runner's datacenter:HOSTSxVMS[:SEED] suite and property tests.
 * Builds problems through the public API only.
 */
#ifndef VMPB_GENERATOR_H
#define VMPB_GENERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "vmplace/vmplace.h"

typedef struct vmpb_gen_opts {
  size_t hosts;            /* number of hosts */
  size_t vms;              /* number of VMs */
  uint64_t seed;           /* same seed, same problem */
  double anti_affinity;    /* share of VMs in hard anti-affinity groups
                              (default 0.01) */
  size_t group_size;       /* VMs per anti-affinity group (default 3) */
  int rules;               /* nonzero: labels and a few compliance rules */
  int current;             /* nonzero: VMs get current hosts (a running
                              datacenter), else all VMs are new */
  double load;             /* target share of total capacity the VMs'
                              demand fills (default 0.6) */
} vmpb_gen_opts;

/* Fills o with the defaults above for hosts x vms. */
void vmpb_gen_opts_init(vmpb_gen_opts *o, size_t hosts, size_t vms,
                        uint64_t seed);

/* Generates a problem (caller owns).  VMP_OK, VMP_EINVAL, VMP_ENOMEM. */
int vmpb_generate(const vmpb_gen_opts *o, vmp_problem **out);

#endif /* VMPB_GENERATOR_H */
