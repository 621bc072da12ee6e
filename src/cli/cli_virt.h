/*
 * Helpers shared by the libvirt subcommands (snapshot, apply, rebalance).
 */
#ifndef VMP_CLI_VIRT_H
#define VMP_CLI_VIRT_H

#include "cli.h"

/* A session whose warnings (and, when verbose, information) go to stderr.
 * Exit status on failure (after printing), 0 on success. */
int cli_virt_session(int verbose, vmp_virt **out);
/* Reads an inventory and takes a snapshot with session v.  Exit status. */
int cli_snapshot(vmp_virt *v, const char *inventory, uint32_t flags, vmp_problem **out);
/* Reads CPU scheduler values from a JSON file {"vm": {"cpu_shares": N,
 * "vcpu_quota": N, "vcpu_period": N}}.  *names keeps the VM names alive;
 * free both with cli_free_cpu_sched.  Exit status. */
int cli_read_cpu_sched(const char *path, vmp_cpu_sched **out, size_t *n);
void cli_free_cpu_sched(vmp_cpu_sched *e, size_t n);
/* One line per step of an apply report of plan pl. */
void cli_print_report(FILE *f, const vmp_plan *pl, const vmp_apply_report *r);
/* Progress of an apply on stderr (a vmp_apply_fn). */
/* Stops the apply after an interrupt (cli_catch_interrupts); draws the
 * progress on stderr when userdata is non-NULL. */
int cli_apply_progress(const vmp_apply_event *ev, void *userdata);

#endif /* VMP_CLI_VIRT_H */
