/* libvirt calls wrapped for the adapter's tests (the test executables are
 * linked with -Wl,--wrap=NAME for each, see tests/virt.cmake): fault
 * injection, a crash simulation, live migration emulated on the test
 * driver (which cannot migrate), and a recorder for scheduler
 * parameters. */
#ifndef VMP_VIRT_WRAP_H
#define VMP_VIRT_WRAP_H

#include <libvirt/libvirt.h>

#include "vmplace/vmplace.h"

typedef struct vw_sched_call {
  char vm[64];
  unsigned long long shares, period;
  long long quota;
  int has_shares, has_quota, has_period;
  unsigned int flags;
} vw_sched_call;

typedef struct vw_state {
  int calls;               /* state-changing libvirt calls seen so far */
  int fail_at;             /* this call fails (0: none) */
  int crash_at;            /* this call and every later one fail (0: none) */
  int emulate_migrate;     /* virDomainMigrateToURI3 moves the domain */
  int migrate_half;        /* ... but leaves a paused copy on the target and fails */
  unsigned int migrate_flags;
  unsigned long long migrate_bandwidth;
  unsigned int flags_of[8];  /* per migration: flags, migrate URI, listen address */
  char uri_of[8][64], listen_of[8][64];
  int migrations;
  int record_sched;        /* record scheduler calls instead of making them */
  vw_sched_call sched[16];
  int nsched;
  vmp_virt *session;       /* where emulated migrations find the target */
} vw_state;

extern vw_state vw;

/* Disarms everything and zeroes the counters. */
void vw_reset(vmp_virt *session);

#endif
