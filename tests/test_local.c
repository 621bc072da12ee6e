/* Local search: it improves a poor start, never returns a worse one, and
 * stops when the progress callback says so and when its iteration budget
 * is spent (auto gives its local stage one). */
#include <string.h>

#include "testutil.h"

/* Round-robin spreads 6 VMs of size 3 over 6 hosts of 10; 2 suffice. */
static const char *SPREAD =
    "{\"version\":1,\"resources\":[\"size\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"size\":10}},{\"name\":\"h2\",\"capacity\":{\"size\":10}},"
    "{\"name\":\"h3\",\"capacity\":{\"size\":10}},{\"name\":\"h4\",\"capacity\":{\"size\":10}},"
    "{\"name\":\"h5\",\"capacity\":{\"size\":10}},{\"name\":\"h6\",\"capacity\":{\"size\":10}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":3}},{\"name\":\"b\",\"demand\":{\"size\":3}},"
    "{\"name\":\"c\",\"demand\":{\"size\":3}},{\"name\":\"d\",\"demand\":{\"size\":3}},"
    "{\"name\":\"e\",\"demand\":{\"size\":3}},{\"name\":\"f\",\"demand\":{\"size\":3}}]}";

static void test_local__empties_hosts_from_an_incumbent(void **state) {
  vmp_problem *p = tu_problem_json(SPREAD);
  vmp_solution *rr = tu_solve(p, "roundrobin", 5), *s = NULL;
  vmp_solve_opts o;
  (void)state;
  assert_int_equal(vmp_solution_hosts_used(rr), 6);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "local";
  o.incumbent = rr;
  assert_int_equal(vmp_solve(p, &o, &s), VMP_OK);
  assert_int_equal(vmp_solution_hosts_used(s), 2);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  vmp_solution_free(s);
  vmp_solution_free(rr);
  vmp_problem_free(p);
}

static int stop_now(const vmp_progress *pr, void *ud) {
  (void)pr;
  ++*(int *)ud;
  return 1;
}

static void test_local__progress_callback_interrupts(void **state) {
  vmp_problem *p = tu_problem_json(SPREAD);
  vmp_solution *s = NULL;
  vmp_solve_opts o;
  int calls = 0;
  (void)state;
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "local";
  o.progress = stop_now;
  o.progress_userdata = &calls;
  o.progress_interval = 0;
  assert_int_equal(vmp_solve(p, &o, &s), VMP_OK);
  assert_int_equal(calls, 1);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_INTERRUPTED);
  /* the best placement so far is still a verified one */
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_local__soft_penalties_are_repaired(void **state) {
  /* The incumbent puts both members of a soft anti-affinity group on h1;
   * h1 and h2 are used anyway, so a move costs nothing and removes it. */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"size\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"size\":10}},{\"name\":\"h2\",\"capacity\":{\"size\":10}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":2},\"host\":\"h1\"},"
      "{\"name\":\"b\",\"demand\":{\"size\":2},\"host\":\"h1\"},"
      "{\"name\":\"c\",\"demand\":{\"size\":8},\"host\":\"h2\"}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"anti-affinity\",\"hard\":false,\"vms\":[\"a\",\"b\"]}]}");
  vmp_solution *cur = NULL, *s = NULL;
  vmp_solve_opts o;
  (void)state;
  assert_int_equal(vmp_evaluate_current(p, &cur), VMP_OK);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.solver = "local";
  o.incumbent = cur;
  assert_int_equal(vmp_solve(p, &o, &s), VMP_OK);
  assert_true(vmp_solution_objective(s) == 2.0);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  vmp_solution_free(s);
  vmp_solution_free(cur);
  vmp_problem_free(p);
}

/* Three VMs that pairwise do not fit together (6 + 6 > 10 in one of three
 * resources) on three hosts: the optimum uses 3 hosts, but the model's
 * bounds (volume 19/10, L2) say 2, so local search can never stop at the
 * bound and must stop by its patience or its budget. */
static const char *TRIANGLE =
    "{\"version\":1,\"resources\":[\"a\",\"b\",\"c\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"a\":10,\"b\":10,\"c\":10}},"
    "{\"name\":\"h2\",\"capacity\":{\"a\":10,\"b\":10,\"c\":10}},"
    "{\"name\":\"h3\",\"capacity\":{\"a\":10,\"b\":10,\"c\":10}}],"
    "\"vms\":[{\"name\":\"x\",\"demand\":{\"a\":6,\"b\":6,\"c\":1}},"
    "{\"name\":\"y\",\"demand\":{\"a\":6,\"b\":1,\"c\":6}},"
    "{\"name\":\"z\",\"demand\":{\"a\":1,\"b\":6,\"c\":6}}]}";

static double stat(const vmp_solution *s, const char *name) {
  double v = -1.0;
  assert_int_equal(vmp_solution_stat(s, name, &v), VMP_OK);
  return v;
}

static void test_local__budget_ends_the_search(void **state) {
  static const char *const budget[] = {"local.budget=10", NULL};
  vmp_problem *p = tu_problem_json(TRIANGLE);
  vmp_solution *all = tu_solve(p, "local", 5);
  vmp_solution *cut = tu_solve_params(p, "local", 5, budget);
  (void)state;
  /* Without a budget: the default patience, three rounds that gain
   * nothing. */
  assert_true(vmp_solution_objective(all) == 3.0);
  assert_true(stat(all, "local.rounds") == 3.0);
  assert_true(stat(all, "local.budget_spent") == 0.0);
  /* 10 hosts examined per VM: 30 in all; the first round stops there. */
  assert_true(vmp_solution_objective(cut) == 3.0);
  assert_true(stat(cut, "local.rounds") == 1.0);
  assert_true(stat(cut, "local.iterations") == 30.0);
  assert_true(stat(cut, "local.budget_spent") == 1.0);
  assert_int_equal(vmp_solution_stop_reason(cut), VMP_STOP_COMPLETED);
  vmp_solution_free(all);
  vmp_solution_free(cut);
  vmp_problem_free(p);
}

/* auto's local stage examines at most 5,000 hosts per VM without a gain:
 * 15,000 here, where ten rounds without a budget examine 24,000 (2,400 a
 * round: 3 hosts to empty, 400 pool steps each, 2 hosts per step). */
static void test_local__auto_stage_has_a_budget(void **state) {
  static const char *const ten[] = {"local.patience=10", NULL};
  vmp_problem *p = tu_problem_json(TRIANGLE);
  vmp_solution *alone = tu_solve_params(p, "local", 30, ten);
  vmp_solution *chained = tu_solve_params(p, "auto", 30, ten);
  (void)state;
  assert_true(stat(alone, "local.rounds") == 10.0);
  assert_true(stat(alone, "local.iterations") == 24000.0);
  assert_true(stat(alone, "local.budget_spent") == 0.0);
  assert_true(stat(chained, "local.iterations") == 15000.0);
  assert_true(stat(chained, "local.budget_spent") == 1.0);
  /* the exact stage then proves the optimum */
  assert_int_equal(vmp_solution_status(chained), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(chained) == 3.0);
  vmp_solution_free(alone);
  vmp_solution_free(chained);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_local__empties_hosts_from_an_incumbent),
      cmocka_unit_test(test_local__progress_callback_interrupts),
      cmocka_unit_test(test_local__soft_penalties_are_repaired),
      cmocka_unit_test(test_local__budget_ends_the_search),
      cmocka_unit_test(test_local__auto_stage_has_a_budget),
  };
  return cmocka_run_group_tests_name("local", tests, NULL, NULL);
}
