/* Local search: it improves a poor start, never returns a worse one, and
 * stops when the progress callback says so. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_local__empties_hosts_from_an_incumbent),
      cmocka_unit_test(test_local__progress_callback_interrupts),
      cmocka_unit_test(test_local__soft_penalties_are_repaired),
  };
  return cmocka_run_group_tests_name("local", tests, NULL, NULL);
}
