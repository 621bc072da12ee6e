/*
 * The 0.1 names renamed in 0.2 still build and do what the new names do
 * (the "names of 0.1, deprecated" blocks of the public headers): a
 * program written for 0.1 compiles unchanged until 0.3.  Each call is
 * spelled the old way.
 */
#include <string.h>

#include "testutil.h"

#ifdef VMP_NO_DEPRECATED
#  error "this test needs the deprecated names"
#endif

static void test_deprecated__registry_names(void **state) {
  const char *name = NULL;
  size_t n = vmp_solver_count();
  (void)state;
  assert_true(n > 1);
  assert_non_null(vmp_solver_name(n - 1));
  assert_null(vmp_solver_name(n));
  assert_true(vmp_param_count() > 0);
  assert_int_equal(vmp_param_info(0, &name, NULL, NULL, NULL, NULL, NULL), VMP_OK);
  assert_non_null(strchr(name, '.'));
  assert_int_equal(vmp_param_info(vmp_param_count(), &name, NULL, NULL, NULL, NULL, NULL),
                   VMP_EINVAL);
}

/* Bins of 10 with 6, 5, 4, 3, 2 packed by the exact solver: no
 * violations, and at least one score term. */
static void test_deprecated__solution_and_explanation_names(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = tu_solve(p, "ilp", 60.0);
  vmp_explanation *e = NULL;
  const char *name = NULL, *key = NULL;
  double value = -1.0;
  size_t hosts = 0;
  (void)state;
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_int_equal(vmp_solution_violation(s, 0, NULL, NULL, NULL), VMP_EINVAL);
  assert_true(vmp_solution_num_terms(s) > 0);
  assert_int_equal(vmp_solution_term(s, 0, &name, &value, NULL), VMP_OK);
  assert_non_null(name);
  /* a (6) fits on every bin of an empty copy: nothing excludes a host. */
  assert_int_equal(vmp_explain(p, NULL, 0, &e), VMP_OK);
  assert_int_equal(vmp_explanation_num_counts(e), 0);
  assert_int_equal(vmp_explanation_count(e, 0, &key, &hosts), VMP_EINVAL);
  assert_int_equal(vmp_explanation_num_reasons(e, 0), 0);
  assert_int_equal(vmp_explanation_reason(e, 0, 0, &key, NULL), VMP_EINVAL);
  vmp_explanation_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_deprecated__plan_state_type(void **state) {
  vmp_plan_state blocked = VMP_PLAN_BLOCKED;
  (void)state;
  assert_string_equal(vmp_plan_status_name(blocked), "blocked");
}

static void test_deprecated__usage_names(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = tu_solve(p, "ilp", 60.0);
  vmp_utilization *u = NULL;
  vmp_alerts *a = NULL;
  vmp_alert_opts o = VMP_ALERT_OPTS_INIT;
  (void)state;
  o.underload = -1.0;
  assert_int_equal(vmp_utilization_from_placement(p, s, &u), VMP_OK);
  assert_int_equal(vmp_utilization_alerts(u, &o, &a), VMP_OK);
  /* the two full bins */
  assert_int_equal(vmp_alerts_count(a), 2);
  assert_non_null(vmp_alerts_get(a, 1));
  assert_null(vmp_alerts_get(a, 2));
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* 0.1's one-argument vmp_<object>_opts_init(&opts) initialises the struct
 * exactly as the call with the header's VMP_<OBJECT>_OPTS_VERSION does:
 * same code, same bytes (both start from the same junk so that a field
 * left unwritten would show), and the header's version in `version`. */
#define TD_ONE_ARG_INIT(type, init, ver)                                       \
  do {                                                                         \
    type one_arg, two_args;                                                    \
    memset(&one_arg, 0xa5, sizeof one_arg);                                    \
    memset(&two_args, 0xa5, sizeof two_args);                                  \
    assert_int_equal(init(&one_arg), VMP_OK);                                  \
    assert_int_equal(init(&two_args, ver), VMP_OK);                            \
    assert_int_equal(one_arg.version, ver);                                    \
    assert_memory_equal(&one_arg, &two_args, sizeof one_arg);                  \
  } while (0)

static void test_deprecated__one_argument_opts_init(void **state) {
  vmp_solve_opts solve;
  vmp_forecast_opts forecast;
  (void)state;
  TD_ONE_ARG_INIT(vmp_solve_opts, vmp_solve_opts_init, VMP_SOLVE_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_plan_opts, vmp_plan_opts_init, VMP_PLAN_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_entitlements_opts, vmp_entitlements_opts_init,
                  VMP_ENTITLEMENTS_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_forecast_opts, vmp_forecast_opts_init,
                  VMP_FORECAST_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_alert_opts, vmp_alert_opts_init, VMP_ALERT_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_virt_opts, vmp_virt_opts_init, VMP_VIRT_OPTS_VERSION);
  TD_ONE_ARG_INIT(vmp_apply_opts, vmp_apply_opts_init, VMP_APPLY_OPTS_VERSION);
  /* and the values are the documented defaults (VMP_*_OPTS_INIT) */
  assert_int_equal(vmp_solve_opts_init(&solve), VMP_OK);
  assert_true(solve.time_limit == 10.0);
  assert_int_equal(vmp_forecast_opts_init(&forecast), VMP_OK);
  assert_true(forecast.horizon == 86400.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deprecated__registry_names),
      cmocka_unit_test(test_deprecated__solution_and_explanation_names),
      cmocka_unit_test(test_deprecated__plan_state_type),
      cmocka_unit_test(test_deprecated__usage_names),
      cmocka_unit_test(test_deprecated__one_argument_opts_init),
  };
  return cmocka_run_group_tests_name("deprecated", tests, NULL, NULL);
}
