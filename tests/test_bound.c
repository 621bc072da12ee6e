/* The model's lower bounds: volume, Martello-Toth L2, the cover LP; the
 * best one is what every solution reports. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testutil.h"

static double stat(const vmp_solution *s, const char *name) {
  double v = NAN;
  if (vmp_solution_stat(s, name, &v)) fail_msg("no stat %s", name);
  return v;
}

static void test_bound__l2_known_values(void **state) {
  /* Three items above half the capacity need three bins; the volume
   * says two. */
  static const double a[] = {6, 6, 6};
  /* alpha = 45: the 60s (J1) leave room below 45 each, so the 45s (J3)
   * need a bin of their own: 3 + ceil(90/100) = 4, against
   * ceil(270/100) = 3 by volume. */
  static const double b[] = {60, 60, 60, 45, 45};
  static const double c[] = {50, 50, 50, 50};
  (void)state;
  assert_true(vmp__bound_l2(a, 3, 10) == 3.0);
  assert_true(vmp__bound_l2(b, 5, 100) == 4.0);
  assert_true(vmp__bound_l2(c, 4, 100) == 2.0);
  assert_true(vmp__bound_l2(c, 0, 100) == 0.0);
}

static void test_bound__l2_reaches_the_solution(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"size\"],"
      "\"hosts\":[{\"name\":\"b1\",\"capacity\":{\"size\":10}},{\"name\":\"b2\",\"capacity\":{\"size\":10}},"
      "{\"name\":\"b3\",\"capacity\":{\"size\":10}},{\"name\":\"b4\",\"capacity\":{\"size\":10}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":6}},{\"name\":\"b\",\"demand\":{\"size\":6}},"
      "{\"name\":\"c\",\"demand\":{\"size\":6}},{\"name\":\"d\",\"demand\":{\"size\":2}}]}");
  vmp_solution *s = tu_solve(p, "greedy", 5);
  (void)state;
  /* volume 20 says 2 hosts; L2 says 3, which greedy uses: proven. */
  assert_true(stat(s, "bound.volume") == 2.0);
  assert_true(stat(s, "bound.l2") == 3.0);
  assert_true(vmp_solution_bound(s) == 3.0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_bound__cover_lp_joins_the_resources(void **state) {
  /* One host type is all cpu, the other all memory: per resource one
   * host covers the volume, together they need 20/11 of a host each. */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"c1\",\"capacity\":{\"cpu\":10,\"mem\":1}},"
      "{\"name\":\"c2\",\"capacity\":{\"cpu\":10,\"mem\":1}},"
      "{\"name\":\"m1\",\"capacity\":{\"cpu\":1,\"mem\":10}},"
      "{\"name\":\"m2\",\"capacity\":{\"cpu\":1,\"mem\":10}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":5,\"mem\":0.5}},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":5,\"mem\":0.5}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":0.5,\"mem\":5}},"
      "{\"name\":\"d\",\"demand\":{\"cpu\":0.5,\"mem\":4.5}}]}");
  vmp_solution *s = tu_solve(p, "greedy", 5);
  (void)state;
  assert_true(stat(s, "bound.volume") == 2.0);
  assert_true(stat(s, "bound.cover_lp") == 2.0);
  assert_true(vmp_solution_bound(s) == 2.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
  p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"c1\",\"capacity\":{\"cpu\":10,\"mem\":1}},"
      "{\"name\":\"c2\",\"capacity\":{\"cpu\":10,\"mem\":1}},"
      "{\"name\":\"m1\",\"capacity\":{\"cpu\":1,\"mem\":10}},"
      "{\"name\":\"m2\",\"capacity\":{\"cpu\":1,\"mem\":10}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":5,\"mem\":0}},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":5,\"mem\":0}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":0,\"mem\":5}},"
      "{\"name\":\"d\",\"demand\":{\"cpu\":0,\"mem\":5}}]}");
  s = tu_solve(p, "greedy", 5);
  /* volume per resource: 1 host each; the LP covers both at once:
   * 10 y_c + y_m >= 10, y_c + 10 y_m >= 10 -> 20/11, rounded up 2. */
  assert_true(stat(s, "bound.volume") == 1.0);
  assert_true(stat(s, "bound.cover_lp") == 2.0);
  assert_true(vmp_solution_bound(s) == 2.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bound__l2_known_values),
      cmocka_unit_test(test_bound__l2_reaches_the_solution),
      cmocka_unit_test(test_bound__cover_lp_joins_the_resources),
  };
  return cmocka_run_group_tests_name("bound", tests, NULL, NULL);
}
