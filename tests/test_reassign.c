/*
 * The rebalancing model (docs/rebalancing.md): the ROADEF/EURO 2012
 * statement's worked examples through vmplace's evaluator, term by term;
 * the transient example rejected; the problem JSON round trip and its
 * validation messages; the ROADEF reader's assignment rules and writer;
 * solvers that decline what they do not model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vmplace/reassign.h"

static vmp_problem *spec(const char *model, const char *assignment) {
  vmp_problem *p = NULL;
  char m[4096], a[4096];
  snprintf(m, sizeof m, "%s", tu_data(model));
  snprintf(a, sizeof a, "%s", tu_data(assignment));
  if (vmp_problem_read_roadef(m, a, &p))
    fail_msg("%s: %s", model, vmp_last_error());
  return p;
}

/* A ROADEF solution file (one machine index per process) evaluated. */
static vmp_solution *eval_sol(const vmp_problem *p, const char *sol) {
  char *text = tu_slurp(tu_data(sol)), *s, *end;
  size_t n = vmp_problem_num_vms(p), *host = calloc(n + 1, sizeof *host);
  vmp_solution *out = NULL;
  assert_non_null(text);
  assert_non_null(host);
  s = text;
  for (size_t v = 0; v < n; v++) {
    host[v] = (size_t)strtoul(s, &end, 10);
    assert_true(end != s);
    s = end;
  }
  assert_int_equal(vmp_evaluate(p, host, &out), VMP_OK);
  free(host);
  free(text);
  return out;
}

static double term(const vmp_solution *s, const char *name) {
  double value = NAN, weighted = NAN;
  assert_int_equal(vmp_solution_score(s, name, &value, &weighted), VMP_OK);
  return weighted;
}

/* The load cost of one resource alone: the problem with every other
 * resource's safety weight set to 0. */
static double load_cost_of(const vmp_problem *p, const char *sol, size_t r) {
  vmp_problem *q = NULL;
  vmp_solution *s;
  double v;
  assert_int_equal(vmp_problem_clone(p, &q), VMP_OK);
  for (size_t k = 0; k < vmp_problem_num_resources(q); k++)
    if (k != r) assert_int_equal(vmp_problem_set_safety_weight(q, k, 0), VMP_OK);
  s = eval_sol(q, sol);
  v = term(s, "safety");
  vmp_solution_free(s);
  vmp_problem_free(q);
  return v;
}

static void expect_spec(const char *sol, double total, double load0,
                        double load1, double balance, double pmc, double smc,
                        double mmc) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  vmp_solution *s = eval_sol(p, sol);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_true(vmp_solution_objective(s) == total);
  assert_true(term(s, "safety") == load0 + load1);
  assert_true(load_cost_of(p, sol, 0) == load0);
  assert_true(load_cost_of(p, sol, 1) == load1);
  assert_true(term(s, "ratio_balance") == balance);
  assert_true(term(s, "migrations") == pmc);
  assert_true(term(s, "group_moves") == smc);
  assert_true(term(s, "host_moves") == mmc);
  assert_true(term(s, "cost") == 0);
  assert_true(term(s, "unplaced") == 0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_reassign__spec_initial_4200(void **state) {
  (void)state;
  expect_spec("roadef/assignment_spec_example.sol", 4200, 400, 1300, 2500, 0,
              0, 0);
}

static void test_reassign__spec_one_move_3510(void **state) {
  (void)state;
  expect_spec("roadef/new_spec_3510.sol", 3510, 200, 1300, 1700, 100, 10, 200);
}

static void test_reassign__spec_optimum_2411(void **state) {
  (void)state;
  expect_spec("roadef/new_spec_2411.sol", 2411, 0, 400, 1600, 101, 10, 300);
}

/* No placement of the example costs less than 2411 (every placement of
 * the 3 processes on the 4 machines, through the evaluator, hard
 * constraints included). */
static void test_reassign__spec_brute_force(void **state) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  (void)state;
  assert_true(tu_brute_force(p) == 2411);
  vmp_problem_free(p);
}

static void test_reassign__spec_transient_rejected(void **state) {
  vmp_problem *p = spec("roadef/model_spec_transient.txt",
                        "roadef/assignment_spec_transient.sol");
  vmp_solution *s = eval_sol(p, "roadef/new_spec_transient.sol");
  const char *kind, *msg;
  int hard;
  (void)state;
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
  assert_int_equal(vmp_solution_num_violations(s), 1);
  assert_int_equal(vmp_solution_violation(s, 0, &kind, &msg, &hard), VMP_OK);
  assert_string_equal(kind, "transient");
  assert_int_equal(hard, 1);
  assert_string_equal(msg, "m1: transient r1 14 > 10 (final load 8 + 6 still "
                           "held by VMs moving away)");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* ---- the ROADEF reader and writer ------------------------------------------------------ */

static void test_reassign__roadef_mapping(void **state) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  size_t g, on, r1, r2;
  const char *scope;
  double target, weight, w;
  int hard;
  (void)state;
  assert_int_equal(vmp_problem_resource_transient(p, 0), 1);
  assert_int_equal(vmp_problem_resource_transient(p, 1), 0);
  assert_true(vmp_problem_safety_weight(p, 0) == 100);
  assert_true(vmp_problem_safety_weight(p, 1) == 10);
  assert_true(vmp_problem_host_safety_capacity(p, 0, 1) == 80);
  assert_true(vmp_problem_host_move_cost(p, 0, 3) == 5);
  assert_true(vmp_problem_host_move_cost(p, 3, 2) == 2);
  assert_int_equal(vmp_problem_num_ratio_balances(p), 1);
  assert_int_equal(vmp_problem_ratio_balance(p, 0, &r1, &r2, &target, &weight),
                   VMP_OK);
  assert_true(r1 == 0 && r2 == 1 && target == 20 && weight == 10);
  /* Services: spread groups s0 (min 2 locations) and s1, and the conflict
   * group of s0's two processes. */
  assert_int_equal(vmp_problem_num_groups(p), 3);
  assert_string_equal(vmp_problem_group_name(p, 0), "s0");
  assert_int_equal(vmp_problem_group_policy(p, 0), VMP_SPREAD);
  assert_string_equal(vmp_problem_group_scope(p, 0), "location");
  assert_int_equal(vmp_problem_group_min_domains(p, 0), 2);
  assert_string_equal(vmp_problem_group_name(p, 1), "s0-conflict");
  assert_int_equal(vmp_problem_group_policy(p, 1), VMP_ANTI_AFFINITY);
  assert_string_equal(vmp_problem_group_name(p, 2), "s1");
  assert_int_equal(vmp_problem_group_min_domains(p, 2), 1);
  assert_int_equal(vmp_problem_num_dependencies(p), 1);
  assert_int_equal(vmp_problem_dependency(p, 0, &g, &on, &scope, &hard, &weight),
                   VMP_OK);
  assert_true(g == 2 && on == 0 && hard == 1);
  assert_string_equal(scope, "neighborhood");
  assert_true(vmp_problem_vm_migration_cost(p, 0) == 1000);
  assert_int_equal(vmp_problem_get_objective(p, "migrations", &w), VMP_OK);
  assert_true(w == 1);
  assert_int_equal(vmp_problem_get_objective(p, "group_moves", &w), VMP_OK);
  assert_true(w == 10);
  assert_int_equal(vmp_problem_get_objective(p, "host_moves", &w), VMP_OK);
  assert_true(w == 100);
  assert_int_equal(vmp_problem_get_objective(p, "cost", &w), VMP_OK);
  assert_true(w == 0);
  vmp_problem_free(p);
}

static void test_reassign__roadef_assignment_rules(void **state) {
  vmp_problem *p = (vmp_problem *)1;
  char model[4096];
  (void)state;
  snprintf(model, sizeof model, "%s", tu_data("roadef/model_noassign.txt"));
  /* Beside it there is no assignment_noassign.sol. */
  tu_assert_error(vmp_problem_read(model, VMP_FORMAT_AUTO, &p), VMP_EIO,
                  "model_noassign.txt: initial assignment: ");
  tu_assert_error(vmp_problem_read(model, VMP_FORMAT_ROADEF, &p), VMP_EIO,
                  "assignment_noassign.sol: No such file or directory");
  assert_null(p);
  tu_assert_error(vmp_problem_read(model, VMP_FORMAT_AUTO, &p), VMP_EIO,
                  "--from-scratch");
  /* From scratch on request: no current hosts. */
  assert_int_equal(vmp_problem_read_roadef(model, NULL, &p), VMP_OK);
  assert_int_equal(vmp_problem_vm_host(p, 0), VMP_NONE);
  vmp_problem_free(p);
  /* An assignment for another model: too few entries. */
  tu_assert_error(vmp_problem_read_roadef(
                      model, tu_data("roadef/assignment_spec_transient.sol"), &p),
                  VMP_EPARSE, "machine of process 2");
  assert_null(p);
}

static void test_reassign__roadef_writer(void **state) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  vmp_solution *s = eval_sol(p, "roadef/new_spec_2411.sol");
  size_t none[3] = {0, VMP_NONE, 1};
  char *text = NULL;
  (void)state;
  assert_int_equal(vmp_solution_to_roadef(s, &text), VMP_OK);
  assert_string_equal(text, "0 2 1"); /* new_spec_2411.sol */
  vmp_free(text);
  vmp_solution_free(s);
  assert_int_equal(vmp_evaluate(p, none, &s), VMP_OK);
  tu_assert_error(vmp_solution_to_roadef(s, &text), VMP_ESTATE,
                  "VM p1 is unplaced: a ROADEF solution places every process");
  assert_null(text);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void test_reassign__json_example(void **state) {
  char *text = tu_slurp(tu_example("rebalance.json")), *once = NULL,
       *twice = NULL;
  vmp_problem *p = NULL, *q = NULL;
  size_t r1h1, r1h2, r2h1, r2h2, mem, disk, g;
  (void)state;
  assert_non_null(text);
  assert_int_equal(vmp_problem_parse(text, strlen(text), VMP_FORMAT_JSON,
                                     "rebalance.json", &p),
                   VMP_OK);
  assert_int_equal(vmp_problem_find_host(p, "r1-h1", &r1h1), VMP_OK);
  assert_int_equal(vmp_problem_find_host(p, "r1-h2", &r1h2), VMP_OK);
  assert_int_equal(vmp_problem_find_host(p, "r2-h1", &r2h1), VMP_OK);
  assert_int_equal(vmp_problem_find_host(p, "r2-h2", &r2h2), VMP_OK);
  assert_int_equal(vmp_problem_find_resource(p, "memory_gib", &mem), VMP_OK);
  assert_int_equal(vmp_problem_find_resource(p, "disk_gb", &disk), VMP_OK);
  assert_true(vmp_problem_host_safety_capacity(p, r1h1, mem) == 256 * 0.85);
  assert_true(vmp_problem_host_safety_capacity(p, r2h2, mem) == 300);
  assert_true(vmp_problem_safety_weight(p, mem) == 10);
  assert_int_equal(vmp_problem_resource_transient(p, disk), 1);
  assert_true(vmp_problem_host_move_cost(p, r1h1, r1h2) == 2);
  assert_true(vmp_problem_host_move_cost(p, r1h1, r2h1) == 20);
  assert_true(vmp_problem_host_move_cost(p, r2h2, r2h1) == 2);
  assert_int_equal(vmp_problem_num_host_move_classes(p), 2);
  assert_int_equal(vmp_problem_num_dependencies(p), 1);
  for (g = 0; strcmp(vmp_problem_group_name(p, g), "db-zones"); g++) {}
  assert_int_equal(vmp_problem_group_min_domains(p, g), 2);
  /* Written and read back: the same problem, written the same way. */
  assert_int_equal(vmp_problem_to_json(p, &once), VMP_OK);
  assert_int_equal(vmp_problem_parse(once, strlen(once), VMP_FORMAT_JSON,
                                     "once.json", &q),
                   VMP_OK);
  assert_int_equal(vmp_problem_to_json(q, &twice), VMP_OK);
  assert_string_equal(once, twice);
  assert_true(vmp_problem_host_move_cost(q, r1h1, r2h1) == 20);
  assert_true(vmp_problem_host_safety_capacity(q, r2h2, mem) == 300);
  vmp_free(once);
  vmp_free(twice);
  vmp_problem_free(q);
  /* The clone keeps everything too. */
  assert_int_equal(vmp_problem_clone(p, &q), VMP_OK);
  assert_int_equal(vmp_problem_to_json(q, &twice), VMP_OK);
  assert_int_equal(vmp_problem_to_json(p, &once), VMP_OK);
  assert_string_equal(once, twice);
  vmp_free(once);
  vmp_free(twice);
  vmp_problem_free(q);
  vmp_problem_free(p);
  free(text);
}

#define BASE                                                              \
  "{\"version\": 1, \"resources\": [\"cpu\", \"mem\"],"                   \
  " \"hosts\": [{\"name\": \"a\", \"capacity\": {\"cpu\": 4, \"mem\": 8}," \
  " \"labels\": {\"rack\": \"r1\"}},"                                     \
  " {\"name\": \"b\", \"capacity\": {\"cpu\": 4, \"mem\": 8}}],"          \
  " \"vms\": [{\"name\": \"x\", \"demand\": {\"cpu\": 1}},"               \
  " {\"name\": \"y\", \"demand\": {\"cpu\": 1}}]"

static void expect_json_error(const char *json, int code, const char *msg) {
  vmp_problem *p = (vmp_problem *)1;
  tu_assert_error(vmp_problem_parse(json, strlen(json), VMP_FORMAT_JSON,
                                    "x.json", &p),
                  code, msg);
  assert_null(p);
  if (msg) assert_string_equal(vmp_last_error(), msg);
}

static void test_reassign__json_errors(void **state) {
  (void)state;
  expect_json_error(BASE ", \"transient\": [\"gpu\"]}", VMP_ENOTFOUND,
                    "x.json: transient[0]: unknown resource \"gpu\"");
  expect_json_error(BASE ", \"safety\": {\"cpu\": {\"fraction\": 1.5}}}",
                    VMP_ERANGE,
                    "x.json: safety.cpu.fraction: expected a number in 0..1, "
                    "got 1.5");
  expect_json_error(BASE ", \"safety\": {\"cpu\": {\"limit\": 1}}}",
                    VMP_EPARSE, NULL);
  expect_json_error(BASE ", \"ratio_balance\": [{\"resources\": [\"cpu\", "
                    "\"cpu\"]}]}",
                    VMP_EINVAL,
                    "x.json: ratio_balance[0].resources: expected two "
                    "different resources, got \"cpu\" twice");
  expect_json_error(BASE ", \"groups\": [{\"name\": \"g\", \"policy\": "
                    "\"spread\", \"scope\": \"rack\", \"vms\": [\"x\", \"y\"], "
                    "\"min_domains\": 3}]}",
                    VMP_ERANGE,
                    "x.json: groups[0].min_domains: expected an integer in "
                    "1..2 (the group's VMs), got 3");
  expect_json_error(BASE ", \"groups\": [{\"name\": \"g\", \"policy\": "
                    "\"spread\", \"vms\": [\"x\"]}]}",
                    VMP_EPARSE,
                    "x.json: groups[0]: missing \"min_domains\" (a spread "
                    "group needs it)");
  expect_json_error(BASE ", \"groups\": [{\"name\": \"g\", \"policy\": "
                    "\"anti-affinity\", \"vms\": [\"x\", \"y\"], "
                    "\"min_domains\": 1}]}",
                    VMP_EPARSE,
                    "x.json: groups[0].min_domains: only a group with policy "
                    "\"spread\" has a minimum number of domains");
  expect_json_error(BASE ", \"groups\": [{\"name\": \"g\", \"policy\": "
                    "\"spread\", \"vms\": [\"x\"], \"min_domains\": 1}],"
                    " \"dependencies\": [{\"group\": \"g\", \"on\": \"h\"}]}",
                    VMP_ENOTFOUND,
                    "x.json: dependencies[0].on: unknown group \"h\"");
  expect_json_error(BASE ", \"host_move_costs\": {\"label\": \"rack\", "
                    "\"costs\": {\"r9\": {\"r1\": 3}}}}",
                    VMP_ENOTFOUND,
                    "x.json: host_move_costs.costs.r9: no host has rack "
                    "\"r9\"");
  expect_json_error(BASE ", \"host_move_costs\": {\"matrix\": [[0, 1]]}}",
                    VMP_EPARSE,
                    "x.json: host_move_costs.matrix: expected an array of 2 "
                    "rows");
  expect_json_error(BASE ", \"host_move_costs\": {\"matrix\": [[0, 1], "
                    "[-1, 0]]}}",
                    VMP_ERANGE,
                    "x.json: host_move_costs.matrix[1][0]: expected a number "
                    "in 0..1e+09, got -1");
  expect_json_error(BASE ", \"hosts_extra\": 1}", VMP_EPARSE, NULL);
}

/* A full matrix is stored as classes: hosts with equal rows and columns
 * share one. */
static void test_reassign__host_move_matrix(void **state) {
  vmp_problem *p = NULL;
  static const double m[16] = {0, 1, 5, 5, 1, 0, 5, 5,
                               5, 5, 0, 1, 5, 5, 1, 0};
  (void)state;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  for (int h = 0; h < 4; h++) {
    char name[8];
    snprintf(name, sizeof name, "h%d", h);
    assert_int_equal(vmp_problem_add_host(p, name, NULL, NULL), VMP_OK);
  }
  assert_int_equal(vmp_problem_set_host_move_matrix(p, m), VMP_OK);
  /* Rows 0 and 1 differ (0 1 vs 1 0), so four classes; the costs are kept
   * exactly. */
  for (size_t a = 0; a < 4; a++)
    for (size_t b = 0; b < 4; b++)
      assert_true(vmp_problem_host_move_cost(p, a, b) == m[a * 4 + b]);
  assert_int_equal(vmp_problem_num_host_move_classes(p), 4);
  /* Classes given explicitly are merged when equal. */
  {
    static const size_t cls[4] = {0, 1, 2, 2};
    static const double c3[9] = {0, 0, 7, 0, 0, 7, 7, 7, 0};
    assert_int_equal(vmp_problem_set_host_move_costs(p, cls, 3, c3), VMP_OK);
    assert_int_equal(vmp_problem_num_host_move_classes(p), 2);
    assert_true(vmp_problem_host_move_cost(p, 1, 3) == 7);
    assert_true(vmp_problem_host_move_cost(p, 0, 1) == 0);
  }
  tu_assert_error(vmp_problem_set_host_move_costs(
                      p, (const size_t[4]){0, 0, 0, 5}, 1, (const double[1]){0}),
                  VMP_ERANGE,
                  "host_move_costs.classes[3]: expected a class in 0..0, got 5");
  vmp_problem_free(p);
}

/* ---- solvers ------------------------------------------------------------------------------------- */

static void test_reassign__roundrobin_declines(void **state) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  vmp_solve_opts o;
  vmp_solution *s = NULL;
  (void)state;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "roundrobin";
  tu_assert_error(vmp_solve(p, &o, &s), VMP_ENOTSUP,
                  "roundrobin: transient resources held on both hosts of a move "
                  "are not modelled; use the rebalance solver or auto");
  assert_null(s);
  /* greedy, local, ilp and genetic respect them (tests/test_hardcons.c):
   * on the statement's example, whose objective is all rebalancing terms
   * they do not see, each keeps the initial placement (4200) and none
   * claims a proof */
  {
    static const char *const names[] = {"greedy", "local", "ilp", "genetic"};
    static const char *const gens[] = {"genetic.generations=20", NULL};
    for (size_t k = 0; k < 4; k++) {
      s = tu_solve_params(p, names[k], 10, k == 3 ? gens : NULL);
      assert_int_equal(vmp_solution_num_violations(s), 0);
      assert_true(vmp_solution_objective(s) == 4200);
      assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
      vmp_solution_free(s);
    }
  }
  vmp_problem_free(p);
}

static void test_reassign__rebalance_spec(void **state) {
  vmp_problem *p = spec("roadef/model_spec_example.txt",
                        "roadef/assignment_spec_example.sol");
  static const char *const params[] = {"rebalance.max_moves=20000", NULL};
  vmp_solution *s;
  (void)state;
  s = tu_solve_params(p, "rebalance", 0, params);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_true(vmp_solution_objective(s) == 2411);
  assert_true(vmp_solution_bound(s) <= 2411);
  vmp_solution_free(s);
  s = tu_solve_params(p, "auto", 0, params);
  assert_string_equal(vmp_solution_solver(s), "auto");
  assert_true(vmp_solution_objective(s) == 2411);
  vmp_solution_free(s);
  vmp_problem_free(p);
}


/* ---- explain and plan ----------------------------------------------------------------------- */

/* The reasons explain gives for VM vm on host `host`, joined by "; ". */
static void expect_reason(const vmp_problem *p, const vmp_solution *s,
                          const char *vm, const char *host, const char *want) {
  vmp_explanation *e = NULL;
  size_t v, k, n;
  char all[2048] = "";
  assert_int_equal(vmp_problem_find_vm(p, vm, &v), VMP_OK);
  assert_int_equal(vmp_explain(p, s, v, &e), VMP_OK);
  n = vmp_explanation_num_hosts(e);
  for (k = 0; k < n && strcmp(vmp_explanation_host(e, k), host); k++) {}
  assert_true(k < n);
  for (size_t j = 0; j < vmp_explanation_num_reasons(e, k); j++) {
    const char *key, *msg;
    assert_int_equal(vmp_explanation_reason(e, k, j, &key, &msg), VMP_OK);
    snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", j ? "; " : "",
             msg);
  }
  assert_string_equal(all, want);
  assert_int_equal(vmp_explanation_fits(e, k), want[0] == '\0');
  vmp_explanation_free(e);
}

#define TWO_ZONES                                                          \
  "{\"version\": 1, \"resources\": [\"cpu\", \"disk\"], \"transient\": [\"disk\"]," \
  " \"hosts\": [{\"name\": \"h0\", \"capacity\": {\"cpu\": 8, \"disk\": 10}," \
  " \"labels\": {\"zone\": \"a\"}}," \
  " {\"name\": \"h1\", \"capacity\": {\"cpu\": 8, \"disk\": 10}, \"labels\": {\"zone\": \"b\"}}," \
  " {\"name\": \"h2\", \"capacity\": {\"cpu\": 8, \"disk\": 10}, \"labels\": {\"zone\": \"b\"}}],"

static void test_reassign__explain(void **state) {
  vmp_problem *p;
  vmp_solution *s = NULL;
  (void)state;
  /* Spread: x is in zone a; y in zone a too would cover one zone. */
  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"cpu\": 1}, \"host\": \"h0\"},"
      " {\"name\": \"y\", \"demand\": {\"cpu\": 1}}],"
      " \"groups\": [{\"name\": \"S\", \"policy\": \"spread\", \"min_domains\": 2,"
      " \"scope\": \"zone\", \"vms\": [\"x\", \"y\"]}]}");
  expect_reason(p, NULL, "y", "h0",
                "spread S: with y in zone a its VMs cover 1 domain of zone, "
                "at least 2 needed");
  expect_reason(p, NULL, "y", "h1", "");
  vmp_problem_free(p);
  /* Dependencies in a cycle, nothing placed yet. */
  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"a1\", \"demand\": {\"cpu\": 1}},"
      " {\"name\": \"b1\", \"demand\": {\"cpu\": 1}}],"
      " \"groups\": [{\"name\": \"A\", \"policy\": \"spread\", \"min_domains\": 1,"
      " \"vms\": [\"a1\"]}, {\"name\": \"B\", \"policy\": \"spread\","
      " \"min_domains\": 1, \"vms\": [\"b1\"]}],"
      " \"dependencies\": [{\"group\": \"A\", \"on\": \"B\", \"scope\": \"zone\"},"
      " {\"group\": \"B\", \"on\": \"A\", \"scope\": \"zone\"}]}");
  expect_reason(p, NULL, "a1", "h1",
                "dependency A -> B: no VM of B runs in zone b; B has no placed "
                "VM and depends, through a cycle, on A: their first VMs must "
                "be placed together");
  /* Once b1 runs in zone b, a1 may join it there, not in zone a. */
  s = tu_target(p, "b1=h2");
  expect_reason(p, s, "a1", "h1", "");
  expect_reason(p, s, "a1", "h0", "dependency A -> B: no VM of B runs in zone a");
  vmp_solution_free(s);
  vmp_problem_free(p);
  /* Transient: y moved away from h1 still holds 6 of its disk there. */
  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"disk\": 6}, \"host\": \"h0\"},"
      " {\"name\": \"y\", \"demand\": {\"disk\": 6}, \"host\": \"h1\"}]}");
  s = tu_target(p, "y=h2");
  expect_reason(p, s, "x", "h1",
                "transient disk: needs 6, free 4 of 10 counting what VMs moving "
                "away from h1 still hold");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* Plans keep a transient resource held on the initial host until the
 * end, and never leave a spread group short between waves. */
static void test_reassign__plan(void **state) {
  vmp_problem *p;
  vmp_solution *s;
  vmp_plan *pl = NULL;
  (void)state;
  /* x leaves h0 for h1 and z arrives on h0: with x's disk still held on
   * h0, z fits only because the target keeps 4 free there. */
  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"disk\": 6}, \"host\": \"h0\"},"
      " {\"name\": \"z\", \"demand\": {\"disk\": 4}, \"host\": \"h2\"}]}");
  s = tu_target(p, "x=h1,z=h0");
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_int_equal(vmp_plan_new(p, s, NULL, &pl), VMP_OK);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_int_equal(vmp_plan_verify(pl, p, s), VMP_OK);
  tu_release(p, s, pl);
  /* Spread: x and y swap zones; either move alone would leave both in one
   * zone, so the planner moves them together, in one wave (after which
   * they cover both zones again: the checker looks between waves). */
  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"cpu\": 1}, \"host\": \"h0\"},"
      " {\"name\": \"y\", \"demand\": {\"cpu\": 1}, \"host\": \"h1\"},"
      " {\"name\": \"w\", \"demand\": {\"cpu\": 1}, \"host\": \"h2\"}],"
      " \"groups\": [{\"name\": \"S\", \"policy\": \"spread\", \"min_domains\": 2,"
      " \"scope\": \"zone\", \"vms\": [\"x\", \"y\"]}]}");
  s = tu_target(p, "x=h2,y=h0");
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_int_equal(vmp_plan_new(p, s, NULL, &pl), VMP_OK);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_int_equal(vmp_plan_num_steps(pl), 2);
  assert_int_equal(vmp_plan_num_waves(pl), 1);
  assert_int_equal(vmp_plan_verify(pl, p, s), VMP_OK);
  vmp_plan_free(pl);
  /* One step per host and wave: the two both touch h0, so they cannot
   * share a wave, and neither can go first. */
  tu_plan_new(p, s, 1, &pl);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_string_equal(vmp_plan_blocked_vm(pl, 0), "x");
  assert_string_equal(vmp_plan_blocked_reason(pl, 0),
                      "moving it to h2 would leave a spread group below its "
                      "minimum of domains, alone or in one wave with any other "
                      "pending move");
  assert_int_equal(vmp_plan_verify(pl, p, NULL), VMP_OK);
  tu_release(p, s, pl);
}

/* The rebalancer moves a VM out of a maintenance host, to the one host its
 * allowed_hosts leave. */
static void test_reassign__rebalance_maintenance(void **state) {
  static const char *const params[] = {"rebalance.max_moves=5000", NULL};
  vmp_problem *p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"disk\": 6}, \"host\": \"h0\","
      " \"allowed_hosts\": [\"h0\", \"h2\"]},"
      " {\"name\": \"y\", \"demand\": {\"disk\": 2}, \"host\": \"h1\"}]}");
  vmp_solution *s;
  size_t x;
  (void)state;
  assert_int_equal(vmp_problem_set_host_maintenance(p, 0, 1), VMP_OK);
  assert_int_equal(vmp_problem_find_vm(p, "x", &x), VMP_OK);
  s = tu_solve_params(p, "rebalance", 0, params);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_string_equal(vmp_solution_vm_host_name(s, x), "h2");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* A running placement that breaks a hard constraint other than
 * maintenance: the rebalancer refuses its start in the problem's names
 * (it said "start assignment infeasible: VM 0: host 0 not allowed", the
 * engine's indices), and auto places with its classic chain. */
static void test_reassign__rebalance_start_breaks_a_rule(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\": 1, \"resources\": [\"cpu\"],"
      " \"hosts\": [{\"name\": \"h0\", \"capacity\": {\"cpu\": 4}},"
      " {\"name\": \"h1\", \"capacity\": {\"cpu\": 4}}],"
      " \"vms\": [{\"name\": \"a\", \"demand\": {\"cpu\": 2}, \"host\": \"h0\","
      " \"allowed_hosts\": [\"h1\"]},"
      " {\"name\": \"b\", \"demand\": {\"cpu\": 2}, \"host\": \"h1\"}],"
      " \"groups\": [{\"name\": \"pair\", \"policy\": \"spread\", \"min_domains\": 2,"
      " \"vms\": [\"a\", \"b\"]}]}");
  vmp_solve_opts o;
  vmp_solution *s = NULL;
  (void)state;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "rebalance";
  tu_assert_error(vmp_solve(p, &o, &s), VMP_ESTATE,
                  "rebalance: the placement it starts from (the incumbent, else the running "
                  "one) breaks a hard constraint (a is on h0, which is not among its "
                  "allowed_hosts)");
  assert_null(s);
  s = tu_solve(p, "auto", 0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 2);
  assert_string_equal(vmp_solution_vm_host_name(s, 0), "h1");
  assert_string_equal(vmp_solution_vm_host_name(s, 1), "h0");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* auto on a running datacenter the rebalancer declines.  (1) A VM without
 * a current host: the classic chain places it (every solver of it keeps
 * the transient resource), then the rebalancer starts from that placement
 * and ends at the enumerated optimum, 2 (two hosts; one host would carry
 * 6 cpu against a safety of 4).  (2) A maintenance host no other host can
 * take the VM of: the chain leaves it unplaced, with the reason, where
 * auto used to fail with the rebalancer's error. */
static void test_reassign__auto_when_rebalance_declines(void **state) {
  static const char *const params[] = {"rebalance.max_moves=5000", NULL};
  vmp_problem *p = tu_problem_json(TWO_ZONES
      " \"safety\": {\"cpu\": {\"fraction\": 0.5, \"weight\": 1}},"
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"cpu\": 2, \"disk\": 1}, \"host\": \"h0\"},"
      " {\"name\": \"y\", \"demand\": {\"cpu\": 2, \"disk\": 1}, \"host\": \"h1\"},"
      " {\"name\": \"z\", \"demand\": {\"cpu\": 2, \"disk\": 1}}]}");
  vmp_solution *s;
  vmp_solve_opts o;
  double attempts = 0;
  size_t v;
  (void)state;
  assert_true(tu_brute_force(p) == 2);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "rebalance";
  s = NULL;
  tu_assert_error(vmp_solve(p, &o, &s), VMP_ENOTSUP, "rebalance: VM z has no current host");
  s = tu_solve_params(p, "auto", 0, params);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
  assert_true(vmp_solution_objective(s) == 2);
  assert_int_equal(vmp_solution_stat(s, "rebalance.attempts", &attempts), VMP_OK);
  assert_true(attempts > 0);
  vmp_solution_free(s);
  vmp_problem_free(p);

  p = tu_problem_json(TWO_ZONES
      " \"vms\": [{\"name\": \"x\", \"demand\": {\"cpu\": 6, \"disk\": 1}, \"host\": \"h0\"},"
      " {\"name\": \"y\", \"demand\": {\"cpu\": 6, \"disk\": 1}, \"host\": \"h1\"},"
      " {\"name\": \"z\", \"demand\": {\"cpu\": 6, \"disk\": 1}, \"host\": \"h2\"}]}");
  assert_int_equal(vmp_problem_set_host_maintenance(p, 0, 1), VMP_OK);
  s = tu_solve_params(p, "auto", 0, params);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INFEASIBLE);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_int_equal(vmp_problem_find_vm(p, "x", &v), VMP_OK);
  assert_int_equal(vmp_solution_vm_host(s, v), VMP_NONE);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reassign__spec_initial_4200),
      cmocka_unit_test(test_reassign__spec_one_move_3510),
      cmocka_unit_test(test_reassign__spec_optimum_2411),
      cmocka_unit_test(test_reassign__spec_brute_force),
      cmocka_unit_test(test_reassign__spec_transient_rejected),
      cmocka_unit_test(test_reassign__roadef_mapping),
      cmocka_unit_test(test_reassign__roadef_assignment_rules),
      cmocka_unit_test(test_reassign__roadef_writer),
      cmocka_unit_test(test_reassign__json_example),
      cmocka_unit_test(test_reassign__json_errors),
      cmocka_unit_test(test_reassign__host_move_matrix),
      cmocka_unit_test(test_reassign__roundrobin_declines),
      cmocka_unit_test(test_reassign__rebalance_spec),
      cmocka_unit_test(test_reassign__explain),
      cmocka_unit_test(test_reassign__plan),
      cmocka_unit_test(test_reassign__rebalance_maintenance),
      cmocka_unit_test(test_reassign__rebalance_start_breaks_a_rule),
      cmocka_unit_test(test_reassign__auto_when_rebalance_declines),
  };
  return cmocka_run_group_tests_name("reassign", tests, NULL, NULL);
}
