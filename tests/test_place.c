/* Online placement: arrivals never move a running VM, departures free
 * capacity, affinity units follow their first member, errors. */
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "testutil.h"

static size_t hard_violations(const vmp_solution *s) {
  size_t n = 0;
  for (size_t j = 0; j < vmp_solution_num_violations(s); j++) {
    int hard = 0;
    vmp_solution_violation_at(s, j, NULL, NULL, &hard);
    n += hard != 0;
  }
  return n;
}

static void test_place__never_moves_a_running_vm(void **state) {
  vmpb_gen_opts o;
  vmp_problem *p = NULL;
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL, *running = NULL;
  size_t n, *before, placed = 0;
  (void)state;
  vmpb_gen_opts_init(&o, 40, 400, 3);
  o.current = 1;
  o.rules = 1;
  o.load = 0.7;
  assert_int_equal(vmpb_generate(&o, &p), VMP_OK);
  n = vmp_problem_num_vms(p);
  /* every fourth VM arrives */
  for (size_t v = 0; v < n; v += 4) assert_int_equal(vmp_problem_set_vm_host(p, v, VMP_NONE), VMP_OK);
  before = malloc(n * sizeof *before);
  for (size_t v = 0; v < n; v++) before[v] = vmp_problem_vm_host(p, v);
  assert_int_equal(vmp_evaluate_current(p, &running), VMP_OK);
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  for (size_t v = 0; v < n; v += 4) {
    size_t h;
    assert_int_equal(vmp_place(pl, v, &h), VMP_OK);
    placed += h != VMP_NONE;
  }
  assert_true(placed > 0);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_string_equal(vmp_solution_solver(s), "online");
  for (size_t v = 0; v < n; v++)
    if (before[v] != VMP_NONE) assert_int_equal(vmp_solution_vm_host(s, v), before[v]);
  /* the arrivals broke nothing: the generator's running placement breaks
   * some hard rules already (it fits by capacity only), no more */
  assert_int_equal(hard_violations(s), hard_violations(running));
  vmp_solution_free(s);
  vmp_solution_free(running);
  vmp_placer_free(pl);
  free(before);
  vmp_problem_free(p);
}

static const char *SMALL =
    "{\"version\":1,\"resources\":[\"cpu\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8}},{\"name\":\"h2\",\"capacity\":{\"cpu\":8}}],"
    "\"vms\":[{\"name\":\"old\",\"demand\":{\"cpu\":6},\"host\":\"h1\"},"
    "{\"name\":\"a\",\"demand\":{\"cpu\":4}},{\"name\":\"b\",\"demand\":{\"cpu\":4}},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":4}},{\"name\":\"d\",\"demand\":{\"cpu\":1}},"
    "{\"name\":\"e\",\"demand\":{\"cpu\":1}}],"
    "\"groups\":[{\"name\":\"pair\",\"policy\":\"affinity\",\"vms\":[\"d\",\"e\"]}]}";

static void test_place__departures_free_capacity(void **state) {
  vmp_problem *p = tu_problem_json(SMALL);
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  size_t h;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  assert_int_equal(vmp_place(pl, 1, &h), VMP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(vmp_place(pl, 2, &h), VMP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(vmp_place(pl, 3, &h), VMP_OK);
  assert_int_equal(h, VMP_NONE); /* full: 6 + 4 + 4 of 16 leaves no 4 */
  assert_int_equal(vmp_placer_remove(pl, 0), VMP_OK);
  assert_int_equal(vmp_place(pl, 3, &h), VMP_OK);
  assert_int_equal(h, 0);
  /* an affinity pair: the second follows the first */
  assert_int_equal(vmp_place(pl, 4, &h), VMP_OK);
  assert_int_equal(h, 0);
  assert_int_equal(vmp_place(pl, 5, &h), VMP_OK);
  assert_int_equal(h, 0);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(vmp_solution_num_unplaced(s), 1); /* "old", removed */
  assert_int_equal(vmp_solution_num_violations(s), 0);
  vmp_solution_free(s);
  vmp_placer_free(pl);
  vmp_problem_free(p);
}

static void test_place__errors(void **state) {
  vmp_problem *p = tu_problem_json(SMALL);
  vmp_placer *pl = NULL;
  vmp_solve_opts o;
  size_t h;
  (void)state;
  tu_assert_error(vmp_placer_new(NULL, NULL, &pl), VMP_EINVAL, "problem is NULL");
  assert_null(pl);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.version = 77;
  tu_assert_error(vmp_placer_new(p, &o, &pl), VMP_EINVAL, "solve options: version 77 is unknown");
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  tu_assert_error(vmp_place(pl, 0, &h), VMP_ESTATE, "VM old is placed already (on h1)");
  tu_assert_error(vmp_place(pl, 99, &h), VMP_EINVAL, "out of range");
  tu_assert_error(vmp_placer_remove(pl, 1), VMP_ESTATE, "VM a is not placed");
  tu_assert_error(vmp_place(NULL, 1, &h), VMP_EINVAL, NULL);
  vmp_placer_free(pl);
  vmp_placer_free(NULL);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_place__never_moves_a_running_vm),
      cmocka_unit_test(test_place__departures_free_capacity),
      cmocka_unit_test(test_place__errors),
  };
  return cmocka_run_group_tests_name("place", tests, NULL, NULL);
}
