/*
 * libFuzzer target: the plan JSON reader (a plan must read back into the
 * same JSON), and, for inputs that are problems, the planner and its
 * checker on the way from the current placement to a greedy placement,
 * with and without pruning.  Any input must give a plan or a clean error,
 * never a crash, and the planner must never make a plan its checker
 * refuses (VMP_EINTERNAL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmplace/vmplace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_plan(const uint8_t *data, size_t size) {
  vmp_plan *pl = NULL, *again = NULL;
  char *a = NULL, *b = NULL;
  if (vmp_plan_parse((const char *)data, size, "fuzz", &pl)) return;
  if (vmp_plan_to_json(pl, &a) == 0 && vmp_plan_parse(a, strlen(a), "again", &again)) abort();
  if (again && vmp_plan_to_json(again, &b) == 0 && strcmp(a, b)) abort();
  vmp_free(a);
  vmp_free(b);
  vmp_plan_free(again);
  vmp_plan_free(pl);
}

static void plan_problem(const vmp_problem *p) {
  vmp_solve_opts opts;
  vmp_solution *s = NULL, *pruned = NULL;
  vmp_plan *pl = NULL;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "greedy";
  opts.time_limit = 1.0;
  if (vmp_solve(p, &opts, &s)) return;
  if (vmp_plan_new(p, s, NULL, &pl) == VMP_EINTERNAL) abort();
  vmp_plan_free(pl);
  pl = NULL;
  if (vmp_solution_prune_moves(p, s, VMP_NONE, &pruned) == VMP_EINTERNAL) abort();
  if (pruned && vmp_plan_new(p, pruned, NULL, &pl) == VMP_EINTERNAL) abort();
  vmp_plan_free(pl);
  vmp_solution_free(pruned);
  vmp_solution_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vmp_problem *p = NULL;
  read_plan(data, size);
  if (vmp_problem_parse((const char *)data, size, VMP_FORMAT_JSON, "fuzz", &p)) return 0;
  /* Keep each run small: the fuzzer looks for crashes, not slow inputs. */
  if (vmp_problem_num_vms(p) * (vmp_problem_num_hosts(p) + 1) < 5000) plan_problem(p);
  vmp_problem_free(p);
  return 0;
}
