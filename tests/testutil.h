/* Helpers shared by the cmocka tests. */
#ifndef VMP_TESTUTIL_H
#define VMP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmplace/vmplace.h"

/* Path of a file in tests/data (static buffer per call site is not
 * thread-safe; tests are single-threaded here). */
const char *tu_data(const char *name);
/* The problem in tests/data/NAME, read with the format guessed from it;
 * a test failure naming the file and the library's message when it
 * cannot be read. */
vmp_problem *tu_read_data(const char *name);
/* Path of a file in examples/. */
const char *tu_example(const char *name);
/* A whole file as a NUL-terminated string (free()); NULL when it cannot
 * be opened, a test failure when it cannot be read. */
char *tu_slurp(const char *path);
/* A placement of p evaluated: every VM where p has it now except those
 * spec moves, as "vm=host,vm=host,..." ("vm=": unplaced).  Fails the test
 * when spec names an unknown VM or host. */
vmp_solution *tu_target(const vmp_problem *p, const char *spec);
/* Frees a plan, the target it was made for and its problem (each may be
 * NULL), in that order. */
void tu_release(vmp_problem *p, vmp_solution *t, vmp_plan *pl);
/* A migration plan from p's placement to t with the default options
 * except max_concurrent (steps touching one host per wave; 0: no cap).
 * Fails the test on error. */
void tu_plan_new(const vmp_problem *p, const vmp_solution *t, uint32_t max_concurrent,
                 vmp_plan **out);
/* Asserts that the plan in JSON text `json` reads back, and that the
 * independent checker refuses it against p and t with VMP_EINVAL and a
 * message containing `needle` (a plan edited to break a rule). */
void tu_assert_plan_refused(const char *json, const vmp_problem *p, const vmp_solution *t,
                            const char *needle);
/* A draw in [0, n) from the LCG state *x (the property tests' fixed
 * random sequences). */
uint64_t tu_rand(uint64_t *x, uint64_t n);
/* A small random datacenter with the rebalancing rules, for property
 * tests: 3-6 hosts of `cpu` and `disk` capacity in 2 or 3 zones ("zone"
 * label), 7-12 VMs v0.. of 1-6 cpu and 5-40 disk_gb, disk_gb transient;
 * spread group "app" (v0-v2, at least 2 zones) depending on spread group
 * "db" (v3, v4) within a zone, anti-affinity pair "pair" (v5, v6).  With
 * `classic`, also the classic features: cpu overcommit 1.5 on h0, memory
 * of the transient kind reserved on h1, the last host in maintenance, a
 * hard rule confining VMs labelled pci (v7) to zone z0, allowed hosts
 * h0/h1 for v8, and a hard affinity group over zones (v9, v10, when
 * present).  No VM has a current host. */
vmp_problem *tu_zoned_problem(uint64_t *x, double cpu, double disk, int classic);
/* Draws placements a[] of p's VMs (each unplaced with probability
 * `unplaced_pct` %, else on a random host) until the evaluator finds one
 * with no hard violation, at most 400 tries; 1 when found, else 0. */
int tu_random_clean(const vmp_problem *p, uint64_t *x, int unplaced_pct, size_t *a);
/* The number of hard violations of solution s; *kind and *message (may be
 * NULL) receive the first one's. */
size_t tu_hard_violations(const vmp_solution *s, const char **kind, const char **message);
/* The same, leaving out the violations of kind `skip`. */
size_t tu_hard_violations_but(const vmp_solution *s, const char *skip, const char **kind,
                              const char **message);
/* Builds a problem from a JSON text, failing the test on error. */
vmp_problem *tu_problem_json(const char *json);
/* Bin packing: items of sizes 6, 5, 4, 3, 2 and three bins of 10; two
 * bins (6+4, 5+3+2) are optimal. */
extern const char *const TU_BINS;
/* The time limit of a solve that ends by itself (at its proof, or by a
 * generation or patience limit) and whose answer a test checks exactly:
 * generous, so that a loaded machine or a sanitizer build never cuts it
 * short.  Idle, such solves take well under a second. */
#define TU_PROOF_LIMIT 600.0
/* Solves with a solver name and seed, failing the test on error. */
vmp_solution *tu_solve(const vmp_problem *p, const char *solver,
                       double time_limit);
/* Asserts that rc is the expected error and that the detail message
 * contains `needle`. */
void tu_assert_error(int rc, int expected, const char *needle);

/* The optimum of a small problem by enumeration: every VM on every host
 * or unplaced, each placement through the evaluator; the lowest
 * objective of a placement without hard violations.  For problems with
 * (hosts + 1)^VMs up to about 10^5. */
double tu_brute_force(const vmp_problem *p);
/* Solves with a solver and a parameter list ("name=value", NULL-ended),
 * failing the test on error. */
vmp_solution *tu_solve_params(const vmp_problem *p, const char *solver,
                              double time_limit, const char *const *params);

#endif
