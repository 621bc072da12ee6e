/* The greedy portfolio and its rules: exact choices per rule on small
 * hand-made instances, heterogeneous hosts, parameters, determinism, and a
 * property test over generated problems (groups, rules, pins, overcommit)
 * where the evaluator accepts every result of greedy, local and auto and
 * every unplaced VM has its reasons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "testutil.h"

static vmp_problem *random_problem(uint64_t seed, double load);

/* Hosts a (5 of 10 used), b (7 of 10 used), c (empty); one arriving VM of
 * size 3. */
static const char *THREE =
    "{\"version\":1,\"resources\":[\"size\"],"
    "\"hosts\":[{\"name\":\"a\",\"capacity\":{\"size\":10}},"
    "{\"name\":\"b\",\"capacity\":{\"size\":10}},{\"name\":\"c\",\"capacity\":{\"size\":10}}],"
    "\"vms\":[{\"name\":\"x\",\"demand\":{\"size\":5},\"host\":\"a\"},"
    "{\"name\":\"y\",\"demand\":{\"size\":7},\"host\":\"b\"},"
    "{\"name\":\"new\",\"demand\":{\"size\":3}}]}";

static size_t place_with(const vmp_problem *p, const char *rule, size_t vm) {
  vmp_params *ps = NULL;
  vmp_solve_opts o;
  vmp_placer *pl = NULL;
  size_t h = 42;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "greedy.online_rule", rule), VMP_OK);
  o.params = ps;
  assert_int_equal(vmp_placer_new(p, &o, &pl), VMP_OK);
  assert_int_equal(vmp_place(pl, vm, &h), VMP_OK);
  vmp_placer_free(pl);
  vmp_params_free(ps);
  return h;
}

static void test_greedy__each_rule_picks_its_host(void **state) {
  vmp_problem *p = tu_problem_json(THREE);
  (void)state;
  /* first fit: the first used host; best fit: the tightest; worst fit and
   * dot product: the one with most room; norm: the smallest difference */
  for (const char *m = "max\0sum\0l2\0prod\0"; *m; m += strlen(m) + 1) {
    char r[32];
    snprintf(r, sizeof r, "ffd_%s_unit", m);
    assert_int_equal(place_with(p, r, 2), 0);
    snprintf(r, sizeof r, "bfd_%s_avg", m);
    assert_int_equal(place_with(p, r, 2), 1);
    snprintf(r, sizeof r, "wfd_%s_rem", m);
    assert_int_equal(place_with(p, r, 2), 0);
  }
  assert_int_equal(place_with(p, "dot_unit", 2), 0);
  assert_int_equal(place_with(p, "norm_unit", 2), 1);
  vmp_problem_free(p);
}

static void test_greedy__cos_matches_shape_not_size(void **state) {
  /* Room left: a (8, 2), b (4, 4).  Item (2, 2): the dot product prefers a
   * (20 against 16), the cosine b (the same shape: 1 against 0.86). */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"a\",\"capacity\":{\"cpu\":10,\"mem\":10}},"
      "{\"name\":\"b\",\"capacity\":{\"cpu\":10,\"mem\":10}}],"
      "\"vms\":[{\"name\":\"x\",\"demand\":{\"cpu\":2,\"mem\":8},\"host\":\"a\"},"
      "{\"name\":\"y\",\"demand\":{\"cpu\":6,\"mem\":6},\"host\":\"b\"},"
      "{\"name\":\"new\",\"demand\":{\"cpu\":2,\"mem\":2}}]}");
  (void)state;
  assert_int_equal(place_with(p, "dot_unit", 2), 0);
  assert_int_equal(place_with(p, "cos_unit", 2), 1);
  assert_int_equal(place_with(p, "cos_avg", 2), 1);
  vmp_problem_free(p);
}

static vmp_solution *solve_for(const vmp_problem *p, const char *solver, const char *rules,
                               uint64_t seed, double time_limit) {
  vmp_params *ps = NULL;
  vmp_solve_opts o;
  vmp_solution *s = NULL;
  int rc;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  if (rules) {
    /* the rules alone, without iterated-greedy passes */
    assert_int_equal(vmp_params_set(ps, "greedy.rules", rules), VMP_OK);
    assert_int_equal(vmp_params_set(ps, "greedy.restarts", "0"), VMP_OK);
  }
  o.params = ps;
  o.solver = solver;
  o.seed = seed;
  o.time_limit = time_limit;
  rc = vmp_solve(p, &o, &s);
  if (rc) fail_msg("%s: %s", vmp_err_name(rc), vmp_last_error());
  vmp_params_free(ps);
  return s;
}

static vmp_solution *solve_rules(const vmp_problem *p, const char *solver, const char *rules,
                                 uint64_t seed) {
  return solve_for(p, solver, rules, seed, 10);
}

static void test_greedy__packing_per_rule(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  static const struct { const char *rule; size_t hosts; } want[] = {
      /* 6+4, 5+3+2 */
      {"ffd_max_unit", 2}, {"bfd_sum_avg", 2}, {"dot_avg", 2}, {"norm_rem", 2},
      /* worst fit spreads: 6+3, 5+4, then 2 has no room left */
      {"wfd_l2_unit", 3},
  };
  (void)state;
  for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
    vmp_solution *s = solve_rules(p, "greedy", want[k].rule, 1);
    if (vmp_solution_hosts_used(s) != want[k].hosts)
      fail_msg("%s: %zu hosts, expected %zu", want[k].rule, vmp_solution_hosts_used(s),
               want[k].hosts);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* Capacity 10; 5 4 3 3 3 2 fit in two hosts (5+3+2, 4+3+3), but every rule
 * below needs three ({5,4}, {3,3,3}, {2}). */
static const char *FFD_TRAP =
    "{\"version\":1,\"resources\":[\"size\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"size\":10}},"
    "{\"name\":\"h2\",\"capacity\":{\"size\":10}},{\"name\":\"h3\",\"capacity\":{\"size\":10}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":5}},{\"name\":\"b\",\"demand\":{\"size\":4}},"
    "{\"name\":\"c\",\"demand\":{\"size\":3}},{\"name\":\"d\",\"demand\":{\"size\":3}},"
    "{\"name\":\"e\",\"demand\":{\"size\":3}},{\"name\":\"f\",\"demand\":{\"size\":2}}]}";

static vmp_solution *solve_restarts(const vmp_problem *p, const char *restarts, uint64_t seed) {
  vmp_params *ps = NULL;
  vmp_solve_opts o;
  vmp_solution *s = NULL;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "greedy.rules", "ffd_sum_unit,bfd_l2_avg,dot_unit,norm_avg"),
                   VMP_OK);
  assert_int_equal(vmp_params_set(ps, "greedy.restarts", restarts), VMP_OK);
  o.params = ps;
  o.solver = "greedy";
  o.seed = seed;
  assert_int_equal(vmp_solve(p, &o, &s), VMP_OK);
  vmp_params_free(ps);
  return s;
}

static void test_greedy__iterated_passes_empty_a_host(void **state) {
  vmp_problem *p = tu_problem_json(FFD_TRAP);
  vmp_solution *s;
  double runs = 0.0;
  (void)state;
  s = solve_restarts(p, "0", 1);
  assert_int_equal(vmp_solution_hosts_used(s), 3);
  assert_int_equal(vmp_solution_stat(s, "greedy.rules_run", &runs), VMP_OK);
  assert_true(runs == 4.0);
  vmp_solution_free(s);
  /* Re-packing host by host, the host of 2 first, then {5,4}, then
   * {3,3,3}: 2+5+3, 4+3+3. */
  for (uint64_t seed = 1; seed <= 5; seed++) {
    s = solve_restarts(p, "-1", seed);
    assert_int_equal(vmp_solution_hosts_used(s), 2);
    assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* Six VMs of 3 on hosts of 10: the first rule packs them in 2 hosts, the
 * volume bound (18 / 10, rounded up); no other rule or pass can do
 * better, so the portfolio stops after that one. */
static void test_greedy__stops_at_the_bound(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"size\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"size\":10}},"
      "{\"name\":\"h2\",\"capacity\":{\"size\":10}},{\"name\":\"h3\",\"capacity\":{\"size\":10}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":3}},{\"name\":\"b\",\"demand\":{\"size\":3}},"
      "{\"name\":\"c\",\"demand\":{\"size\":3}},{\"name\":\"d\",\"demand\":{\"size\":3}},"
      "{\"name\":\"e\",\"demand\":{\"size\":3}},{\"name\":\"f\",\"demand\":{\"size\":3}}]}");
  vmp_solution *s = tu_solve(p, "greedy", 5);
  double runs = 0.0;
  (void)state;
  assert_int_equal(vmp_solution_hosts_used(s), 2);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_int_equal(vmp_solution_stat(s, "greedy.rules_run", &runs), VMP_OK);
  assert_true(runs == 1.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_greedy__iterated_passes_are_reproducible(void **state) {
  vmp_problem *p = random_problem(11, 0.7);
  (void)state;
  for (uint64_t seed = 3; seed <= 4; seed++) {
    vmp_solution *a = solve_restarts(p, "50", seed), *b = solve_restarts(p, "50", seed);
    for (size_t v = 0; v < vmp_solution_num_vms(a); v++)
      assert_int_equal(vmp_solution_vm_host(a, v), vmp_solution_vm_host(b, v));
    vmp_solution_free(a);
    vmp_solution_free(b);
  }
  vmp_problem_free(p);
}

static void test_greedy__cheap_capacity_opens_first(void **state) {
  /* big: 20 for 1.5 (0.075 per unit); small: 10 for 1 (0.1 per unit) */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"size\"],"
      "\"hosts\":[{\"name\":\"s1\",\"capacity\":{\"size\":10}},"
      "{\"name\":\"s2\",\"capacity\":{\"size\":10}},"
      "{\"name\":\"big\",\"capacity\":{\"size\":20},\"cost\":1.5}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":10}},{\"name\":\"b\",\"demand\":{\"size\":10}}]}");
  vmp_solution *s = solve_rules(p, "greedy", NULL, 1);
  (void)state;
  assert_true(vmp_solution_objective(s) == 1.5);
  assert_int_equal(vmp_solution_vm_host(s, 0), 2);
  assert_int_equal(vmp_solution_vm_host(s, 1), 2);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_greedy__soft_terms_break_ties(void **state) {
  /* Two empty identical hosts; a soft rule prefers zone b. */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"size\"],"
      "\"hosts\":[{\"name\":\"a\",\"capacity\":{\"size\":10},\"labels\":{\"zone\":\"a\"}},"
      "{\"name\":\"b\",\"capacity\":{\"size\":10},\"labels\":{\"zone\":\"b\"}}],"
      "\"vms\":[{\"name\":\"v\",\"demand\":{\"size\":4}}],"
      "\"rules\":[{\"name\":\"prefer-b\",\"require\":\"host.labels.zone == \\\"b\\\"\","
      "\"hard\":false}]}");
  vmp_solution *s = solve_rules(p, "greedy", "ffd_sum_unit", 1);
  (void)state;
  assert_int_equal(vmp_solution_vm_host(s, 0), 1);
  assert_true(vmp_solution_objective(s) == 1.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_greedy__rules_parameter_is_checked(void **state) {
  vmp_params *ps = NULL;
  (void)state;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "greedy.rules", "ffd_l2_avg, dot_rem"), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "greedy.rules", "all"), VMP_OK);
  tu_assert_error(vmp_params_set(ps, "greedy.rules", "ffd_l3_avg"), VMP_EINVAL,
                  "greedy.rules: unknown rule \"ffd_l3_avg\"");
  tu_assert_error(vmp_params_set(ps, "greedy.rules", "ffd_l2_avg,,"), VMP_EINVAL,
                  "expected rule names");
  tu_assert_error(vmp_params_set(ps, "greedy.online_rule", "best"), VMP_EINVAL,
                  "unknown rule \"best\"");
  vmp_params_free(ps);
}

/* A generated problem with groups, rules, overcommit (cpu x2), reserved
 * memory and current hosts; a few VMs pinned, one host in maintenance. */
static vmp_problem *random_problem(uint64_t seed, double load) {
  vmpb_gen_opts o;
  vmp_problem *p = NULL;
  vmpb_gen_opts_init(&o, 12, 60, seed);
  o.rules = 1;
  o.current = seed % 2;
  o.load = load;
  o.anti_affinity = 0.2;
  o.group_size = 3;
  assert_int_equal(vmpb_generate(&o, &p), VMP_OK);
  for (size_t v = 0; v < vmp_problem_num_vms(p); v += 9)
    assert_int_equal(vmp_problem_set_vm_pinned(p, v, 1), VMP_OK);
  assert_int_equal(vmp_problem_set_host_maintenance(p, seed % 12, 1), VMP_OK);
  if (seed % 3 == 0) assert_int_equal(vmp_problem_set_objective(p, "migrations", 0.001), VMP_OK);
  if (seed % 4 == 0) assert_int_equal(vmp_problem_set_objective(p, "balance", 5), VMP_OK);
  return p;
}

static void test_greedy__property_evaluator_accepts_every_result(void **state) {
  static const char *const solvers[] = {"greedy", "local", "auto"};
  (void)state;
  for (uint64_t seed = 1; seed <= 30; seed++) {
    vmp_problem *p = random_problem(seed, seed % 5 == 0 ? 1.3 : 0.5);
    for (size_t k = 0; k < 3; k++) {
      /* vmp_solve returns VMP_EINTERNAL for a placement that breaks a hard
       * constraint: solve_rules fails the test on any error */
      /* 1 s: validity, not optimality, is checked; auto's exact stage
       * would otherwise use all of a longer limit on some of these */
      vmp_solution *s = solve_for(p, solvers[k], NULL, seed, 1);
      assert_int_not_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
      for (size_t j = 0; j < vmp_solution_num_violations(s); j++) {
        int hard = 1;
        vmp_solution_violation_at(s, j, NULL, NULL, &hard);
        assert_int_equal(hard, 0);
      }
      for (size_t j = 0; j < vmp_solution_num_unplaced(s); j++) {
        const char *why = vmp_solution_unplaced_reason(s, j);
        assert_non_null(why);
        assert_true(strlen(why) > 10);
      }
      vmp_solution_free(s);
    }
    vmp_problem_free(p);
  }
}

static void test_greedy__same_seed_same_placement(void **state) {
  vmp_problem *p = random_problem(7, 0.5);
  vmp_params *ps = NULL;
  vmp_solve_opts o;
  vmp_solution *a = NULL, *b = NULL;
  (void)state;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  /* sample fewer hosts than are used, so the random order matters */
  assert_int_equal(vmp_params_set(ps, "local.sample", "2"), VMP_OK);
  o.params = ps;
  /* local, not auto: auto's exact stage ends on the clock here */
  o.solver = "local";
  o.seed = 99;
  o.time_limit = 0;
  assert_int_equal(vmp_solve(p, &o, &a), VMP_OK);
  assert_int_equal(vmp_solve(p, &o, &b), VMP_OK);
  for (size_t v = 0; v < vmp_solution_num_vms(a); v++)
    assert_int_equal(vmp_solution_vm_host(a, v), vmp_solution_vm_host(b, v));
  assert_true(vmp_solution_objective(a) == vmp_solution_objective(b));
  vmp_solution_free(a);
  vmp_solution_free(b);
  vmp_params_free(ps);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_greedy__each_rule_picks_its_host),
      cmocka_unit_test(test_greedy__cos_matches_shape_not_size),
      cmocka_unit_test(test_greedy__packing_per_rule),
      cmocka_unit_test(test_greedy__iterated_passes_empty_a_host),
      cmocka_unit_test(test_greedy__iterated_passes_are_reproducible),
      cmocka_unit_test(test_greedy__stops_at_the_bound),
      cmocka_unit_test(test_greedy__cheap_capacity_opens_first),
      cmocka_unit_test(test_greedy__soft_terms_break_ties),
      cmocka_unit_test(test_greedy__rules_parameter_is_checked),
      cmocka_unit_test(test_greedy__property_evaluator_accepts_every_result),
      cmocka_unit_test(test_greedy__same_seed_same_placement),
  };
  return cmocka_run_group_tests_name("greedy", tests, NULL, NULL);
}
