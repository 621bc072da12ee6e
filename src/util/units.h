/*
 * What a resource measures, read from its name, so that the planner can
 * estimate migration times and the libvirt adapter can fill demands and
 * capacities (docs/libvirt.md, "Resources").
 *
 *  - "cpu", "cpus", "vcpu", "vcpus": virtual CPUs (host: logical CPUs);
 *  - names starting with "mem": memory;
 *  - names starting with "disk": disk capacity;
 *  - anything else: not measured.
 *
 * Memory and disk take their unit from the suffix after the last '_':
 * b, bytes, kib, mib, gib, tib, kb, mb, gb, tb.  Without a known suffix
 * memory is in MiB and disk in GiB.
 */
#ifndef VMP_UNITS_H
#define VMP_UNITS_H

typedef enum vmp__res_kind {
  VMP__RES_OTHER = 0,
  VMP__RES_CPU = 1,
  VMP__RES_MEMORY = 2,
  VMP__RES_DISK = 3
} vmp__res_kind;

/* The kind of resource `name`; for memory and disk, *bytes (may be NULL)
 * receives the bytes in one unit, else 1. */
int vmp__res_kind_of(const char *name, double *bytes);

#endif /* VMP_UNITS_H */
