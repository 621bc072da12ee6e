/*
 * Problem JSON, the rebalancing parts (json_reassign.c), called by the
 * problem JSON reader and writer.  Readers return 0 or a negative code
 * with "origin: path: problem" set; writers return 0 or -1 when out of
 * memory.
 */
#ifndef VMP_JSON_REASSIGN_H
#define VMP_JSON_REASSIGN_H

#include <jansson.h>

#include "problem_impl.h"

/* hosts[h].safety and .safety_fraction of the host object `host`. */
int vmp__json_read_host_safety(vmp_problem *p, size_t h, const json_t *host,
                               const char *path, const char *origin);
/* groups[g].min_domains: required for spread groups, refused for others. */
int vmp__json_read_min_domains(vmp_problem *p, size_t g, const json_t *grp,
                               const char *path, const char *origin);
/* The top-level keys "transient", "safety", "ratio_balance",
 * "dependencies" and "host_move_costs" (after hosts, VMs and groups). */
int vmp__json_read_reassign(vmp_problem *p, const json_t *root,
                            const char *origin);

int vmp__json_write_host_safety(const vmp_problem *p, size_t h, json_t *host);
int vmp__json_write_reassign(const vmp_problem *p, json_t *root);
int vmp__json_write_objective_reassign(const vmp_problem *p, json_t *obj);

#endif /* VMP_JSON_REASSIGN_H */
