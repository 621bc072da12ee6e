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

/* ---- the realistic family --------------------------------------------------------

   A datacenter an operator pays for: host types with prices (larger
   types cheaper per core), CPU overcommit on a share of the
   general-purpose hosts, a "secure" compliance zone (a share of the
   hosts, at a price premium) to which a hard rule confines the VMs
   labelled pci, replica sets of identical VMs in hard host-scope
   anti-affinity groups, flavours from a catalogue, a load factor, and
   optionally current hosts.  Objective: the summed price of the hosts
   used (plus, with current hosts, nothing else: migrations weigh 0). */

typedef struct vmpb_host_type {
  const char *name;
  double cpu, mem_gib, disk_gb;
  double price;            /* per host and period */
  double share;            /* share of the hosts of this type */
  int general;             /* general purpose: may be overcommitted */
} vmpb_host_type;

typedef struct vmpb_real_opts {
  size_t hosts, vms;
  uint64_t seed;
  const vmpb_host_type *types;  /* host types (default: four, see .c) */
  size_t ntypes;
  double overcommit_share; /* share of general-purpose hosts with CPU
                              overcommit (default 1/3) */
  double overcommit;       /* their CPU overcommit (default 2.0) */
  double secure_share;     /* share of hosts in the secure zone (0.2) */
  double secure_premium;   /* price factor of a secure host (1.3; the
                              price is rounded to a whole number) */
  double pci_share;        /* share of VMs confined to it (0.1) */
  double replica_share;    /* share of VMs in replica sets (0.4) */
  size_t replica_min, replica_max;   /* replica-set sizes (3..5) */
  const double *vcpus;     /* flavour catalogue: vCPUs (1 2 4 8 16) */
  size_t nvcpus;
  const double *gib_per_vcpu;        /* memory per vCPU (2 4 8) */
  size_t ngib;
  const double *disks_gb;  /* disk sizes (40 100 200 500) */
  size_t ndisks;
  double load;             /* share of the capacity the VMs' demand fills
                              in the tightest resource (default 0.7) */
  int current;             /* nonzero: VMs get current hosts */
} vmpb_real_opts;

/* Fills o with the defaults above for hosts x vms. */
void vmpb_real_opts_init(vmpb_real_opts *o, size_t hosts, size_t vms, uint64_t seed);

/* Generates a problem of the realistic family (caller owns).  VMP_OK,
 * VMP_EINVAL (a knob out of range), VMP_ENOMEM. */
int vmpb_generate_realistic(const vmpb_real_opts *o, vmp_problem **out);

#endif /* VMPB_GENERATOR_H */
