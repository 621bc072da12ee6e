/* errors and version: the X-macro table, names, per-thread detail. */
#include <pthread.h>
#include <string.h>

#include "testutil.h"

static void test_errors__names_and_messages(void **state) {
  (void)state;
  assert_string_equal(vmp_err_name(VMP_OK), "VMP_OK");
  assert_string_equal(vmp_err_name(VMP_ENOMEM), "VMP_ENOMEM");
  assert_string_equal(vmp_err_name(VMP_ESOLVER), "VMP_ESOLVER");
  assert_string_equal(vmp_err_name(12345), "VMP_UNKNOWN");
  assert_string_equal(vmp_strerror(VMP_EPARSE), "malformed input");
  assert_string_equal(vmp_strerror(-999), "unknown error");
  assert_int_equal(VMP_EINVAL, -1);
  assert_int_equal(VMP_EINTERNAL, -13);
}

static void test_errors__last_error_names_field(void **state) {
  vmp_problem *p = NULL;
  double cap[1] = {-4};
  (void)state;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  tu_assert_error(vmp_problem_add_host(p, "h1", cap, NULL), VMP_ERANGE,
                  "capacity.cpu: expected a number >= 0, got -4");
  vmp_clear_error();
  assert_string_equal(vmp_last_error(), "");
  vmp_problem_free(p);
}

static void *other_thread(void *arg) {
  vmp_problem *p = NULL;
  (void)arg;
  vmp_problem_new(&p);
  vmp_problem_add_resource(p, "9bad", NULL); /* sets this thread's error */
  vmp_problem_free(p);
  return (void *)strstr(vmp_last_error(), "9bad");
}

static void test_errors__detail_is_per_thread(void **state) {
  pthread_t t;
  void *seen = NULL;
  (void)state;
  vmp_clear_error();
  assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
  pthread_join(t, &seen);
  assert_non_null(seen);
  assert_string_equal(vmp_last_error(), "");
}

static void test_errors__version_and_features(void **state) {
  (void)state;
  assert_int_equal(vmp_version_number(), VMP_VERSION_NUMBER);
  assert_string_equal(vmp_version_string(), VMP_VERSION_STRING);
  assert_int_equal(vmp_has_feature("solver.greedy"), 1);
  assert_int_equal(vmp_has_feature("solver.roundrobin"), 1);
  assert_int_equal(vmp_has_feature("solver.nope"), 0);
  assert_int_equal(vmp_has_feature("format.vbp"), 1);
  assert_int_equal(vmp_has_feature(NULL), 0);
}

/* The out-of-range rule (docs/architecture.md): calls that return a code
 * say VMP_EINVAL; getters return NULL, 0 (amounts and counts), VMP_NONE
 * (indices) or -1 (enum codes); none crashes. */
static void test_errors__out_of_range_rule(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = tu_solve(p, "greedy", 10.0);
  const char *key = "untouched";
  (void)state;
  tu_assert_error(vmp_problem_host_label_at(p, 3, 0, &key, NULL), VMP_EINVAL, NULL);
  tu_assert_error(vmp_solution_stat_at(s, 1000, &key, NULL), VMP_EINVAL, NULL);
  tu_assert_error(vmp_param_at(vmp_num_params(), &key, NULL, NULL, NULL, NULL, NULL),
                  VMP_EINVAL, NULL);
  assert_string_equal(key, "untouched");
  assert_null(vmp_problem_host_name(p, 3));
  assert_null(vmp_solution_vm_host_name(s, 5));
  assert_null(vmp_solver_name(vmp_num_solvers()));
  assert_int_equal(vmp_problem_host_num_labels(p, 3), 0);
  assert_true(vmp_problem_vm_demand(p, 5, 0) == 0.0);
  assert_int_equal(vmp_solution_vm_host(s, 5), VMP_NONE);
  assert_int_equal(vmp_problem_group_policy(p, 0), -1);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors__names_and_messages),
      cmocka_unit_test(test_errors__last_error_names_field),
      cmocka_unit_test(test_errors__detail_is_per_thread),
      cmocka_unit_test(test_errors__version_and_features),
      cmocka_unit_test(test_errors__out_of_range_rule),
  };
  return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
