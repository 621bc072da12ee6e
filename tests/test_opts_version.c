/*
 * Versioned option structs across a library upgrade.
 *
 * This file is compiled as a "version 1" caller, against the public headers
 * as they are; it is linked with vmplace_next, the library built with
 * VMPLACE_TEST_NEXT_OPTS (include/vmplace/common.h), in which every option
 * struct has one more field and one more version.  The caller's structs
 * live in heap blocks of exactly their size, so under ASan (the
 * build-asan/ tree of `make test`) any byte the library reads or writes
 * past the caller's version is a heap-buffer-overflow; a guard after a
 * second copy shows writes past it in every build.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define GUARD 64
#define GUARD_BYTE 0xA5

/* A heap block of n bytes followed by GUARD guard bytes. */
static void *guarded(size_t n) {
  unsigned char *b = malloc(n + GUARD);
  assert_non_null(b);
  memset(b, 0x5a, n);
  memset(b + n, GUARD_BYTE, GUARD);
  return b;
}

static void assert_guard_intact(const void *block, size_t n) {
  const unsigned char *g = (const unsigned char *)block + n;
  for (size_t k = 0; k < GUARD; k++)
    if (g[k] != GUARD_BYTE) fail_msg("byte %zu past the struct was written", k);
}

/* The library really is the next version: it knows version 2 and names
 * it, so this test cannot pass against an unchanged library. */
static void test_opts_version__the_library_is_one_version_ahead(void **state) {
  vmp_solve_opts *o = malloc(sizeof *o);
  (void)state;
  assert_int_equal(VMP_SOLVE_OPTS_VERSION, 1);
  tu_assert_error(vmp_solve_opts_init(o, 3), VMP_EINVAL,
                  "solve options: version 3 is unknown; this library knows versions 1..2 "
                  "(initialise with vmp_solve_opts_init)");
  free(o);
}

/* Each *_opts_init(opts, 1) writes version 1's fields and not one byte
 * more, though the library's own struct is longer. */
#define CHECK_INIT(type, init, ver)                                     \
  do {                                                                      \
    type *exact = malloc(sizeof(type)), *o = guarded(sizeof(type));         \
    assert_non_null(exact);                                                 \
    memset(exact, 0x5a, sizeof(type)); /* as guarded() fills o */           \
    assert_int_equal(init(exact, ver), VMP_OK);                             \
    assert_int_equal(exact->version, ver);                                  \
    assert_int_equal(init(o, ver), VMP_OK);                                 \
    assert_guard_intact(o, sizeof(type));                                   \
    assert_memory_equal(o, exact, sizeof(type));                            \
    free(exact);                                                            \
    free(o);                                                                \
  } while (0)

static void test_opts_version__init_writes_only_the_callers_fields(void **state) {
  (void)state;
  CHECK_INIT(vmp_solve_opts, vmp_solve_opts_init, VMP_SOLVE_OPTS_VERSION);
  CHECK_INIT(vmp_entitlements_opts, vmp_entitlements_opts_init,
             VMP_ENTITLEMENTS_OPTS_VERSION);
  CHECK_INIT(vmp_plan_opts, vmp_plan_opts_init, VMP_PLAN_OPTS_VERSION);
  CHECK_INIT(vmp_forecast_opts, vmp_forecast_opts_init, VMP_FORECAST_OPTS_VERSION);
  CHECK_INIT(vmp_alert_opts, vmp_alert_opts_init, VMP_ALERT_OPTS_VERSION);
  CHECK_INIT(vmp_virt_opts, vmp_virt_opts_init, VMP_VIRT_OPTS_VERSION);
  CHECK_INIT(vmp_apply_opts, vmp_apply_opts_init, VMP_APPLY_OPTS_VERSION);
}

/* The entry points read the caller's version-1 struct and nothing past it,
 * and honour what it says. */
static void test_opts_version__calls_read_only_the_callers_fields(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solve_opts *so = malloc(sizeof *so);
  vmp_plan_opts *po = malloc(sizeof *po);
  vmp_entitlements_opts *eo = malloc(sizeof *eo);
  vmp_solution *s = NULL, *t;
  vmp_placer *pl = NULL;
  vmp_plan *plan = NULL;
  vmp_entitlements *e = NULL;
  (void)state;
  assert_int_equal(vmp_solve_opts_init(so, VMP_SOLVE_OPTS_VERSION), VMP_OK);
  so->solver = "ilp";
  so->time_limit = 60.0;
  assert_int_equal(vmp_solve(p, so, &s), VMP_OK);
  assert_string_equal(vmp_solution_solver(s), "ilp");
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 2.0);
  assert_int_equal(vmp_placer_new(p, so, &pl), VMP_OK);

  assert_int_equal(vmp_plan_opts_init(po, VMP_PLAN_OPTS_VERSION), VMP_OK);
  po->max_concurrent = 1;
  assert_int_equal(vmp_plan_new(p, s, po, &plan), VMP_OK);
  assert_int_equal(vmp_plan_status(plan), VMP_PLAN_COMPLETE);

  t = tu_target(p, "");
  assert_int_equal(vmp_entitlements_opts_init(eo, VMP_ENTITLEMENTS_OPTS_VERSION), VMP_OK);
  tu_assert_error(vmp_entitlements_compute(p, t, eo, &e), VMP_ENOTFOUND,
                  "entitlements: the problem has no resource \"cpu\"");
  eo->resource = "size";
  assert_int_equal(vmp_entitlements_compute(p, t, eo, &e), VMP_OK);

  vmp_entitlements_free(e);
  vmp_solution_free(t);
  vmp_plan_free(plan);
  vmp_placer_free(pl);
  vmp_solution_free(s);
  vmp_problem_free(p);
  free(so);
  free(po);
  free(eo);
}

static void test_opts_version__usage_reads_only_the_callers_fields(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = tu_solve(p, "ilp", 60.0);
  vmp_alert_opts *ao = malloc(sizeof *ao);
  vmp_forecast_opts *fo = malloc(sizeof *fo);
  vmp_utilization *u = NULL;
  vmp_alerts *a = NULL;
  vmp_history *h = NULL;
  vmp_forecast *f = NULL;
  (void)state;
  /* b1 (6 + 4) and b2 (5 + 3 + 2) are full, b3 is empty. */
  assert_int_equal(vmp_utilization_from_placement(p, s, &u), VMP_OK);
  assert_int_equal(vmp_alert_opts_init(ao, VMP_ALERT_OPTS_VERSION), VMP_OK);
  ao->underload = -1.0;
  assert_int_equal(vmp_utilization_alerts(u, ao, &a), VMP_OK);
  assert_int_equal(vmp_alerts_num_alerts(a), 2);

  assert_int_equal(vmp_forecast_opts_init(fo, VMP_FORECAST_OPTS_VERSION), VMP_OK);
  if (vmp_has_feature("forecast")) {
    assert_int_equal(vmp_history_new(&h), VMP_OK);
    for (int k = 0; k < 96; k++)
      assert_int_equal(vmp_history_add(h, "a", "size", 3600 * (int64_t)k, 5.0), VMP_OK);
    fo->horizon = 7200.0;
    assert_int_equal(vmp_history_forecast(h, fo, &f), VMP_OK);
    assert_true(vmp_forecast_horizon(f) == 7200.0);
    assert_true(vmp_forecast_series_value(f, 0) == 5.0);
  }
  vmp_forecast_free(f);
  vmp_history_free(h);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  vmp_solution_free(s);
  vmp_problem_free(p);
  free(ao);
  free(fo);
}

static void test_opts_version__sessions_read_only_the_callers_fields(void **state) {
  vmp_virt_opts *vo = malloc(sizeof *vo);
  vmp_virt *v = NULL;
  (void)state;
  assert_int_equal(vmp_virt_opts_init(vo, VMP_VIRT_OPTS_VERSION), VMP_OK);
  if (!vmp_has_feature("libvirt")) {
    free(vo);
    skip();
  }
  vo->keep_error_handler = 1;
  assert_int_equal(vmp_virt_new(vo, &v), VMP_OK);
  vmp_virt_free(v);
  free(vo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_opts_version__the_library_is_one_version_ahead),
      cmocka_unit_test(test_opts_version__init_writes_only_the_callers_fields),
      cmocka_unit_test(test_opts_version__calls_read_only_the_callers_fields),
      cmocka_unit_test(test_opts_version__usage_reads_only_the_callers_fields),
      cmocka_unit_test(test_opts_version__sessions_read_only_the_callers_fields),
  };
  return cmocka_run_group_tests_name("opts_version", tests, NULL, NULL);
}
