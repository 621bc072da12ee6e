/* CPU entitlements: not overcommitted, equal shares, weights from
 * priorities, caps at demand, guarantees (met and scaled), CFS mapping,
 * errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* One host of 8 physical CPUs (overcommit 4) and the VMs given. */
static vmp_problem *host_with(const char *vms) {
  char json[2048];
  snprintf(json, sizeof json,
           "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\"],"
           "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8,\"memory_mib\":65536},"
           "\"overcommit\":{\"cpu\":4}},"
           "{\"name\":\"h2\",\"capacity\":{\"cpu\":16,\"memory_mib\":65536}}],"
           "\"vms\":[%s]}",
           vms);
  return tu_problem_json(json);
}

static vmp_entitlements *compute(const vmp_problem *p, const vmp_entitlements_opts *o) {
  vmp_entitlements *e = NULL;
  int rc = vmp_entitlements_compute(p, NULL, o, &e);
  if (rc) fail_msg("entitlements: %s: %s", vmp_err_name(rc), vmp_last_error());
  return e;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_entitlements__no_overcommit_gives_the_demand(void **state) {
  vmp_problem *p = host_with(
      "{\"name\":\"a\",\"demand\":{\"cpu\":3},\"host\":\"h1\"},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":5},\"host\":\"h1\"},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":20},\"host\":\"h2\"},"
      "{\"name\":\"new\",\"demand\":{\"cpu\":1}}");
  vmp_entitlements *e = compute(p, NULL);
  (void)state;
  assert_int_equal(vmp_entitlements_host_overcommitted(e, 0), 0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 0), 3.0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 1), 5.0);
  assert_int_equal(vmp_entitlements_vm_shares(e, 0), 3072);
  assert_int_equal(vmp_entitlements_vm_quota_us(e, 1), 500000);
  /* h2: 20 on 16 */
  assert_int_equal(vmp_entitlements_host_overcommitted(e, 1), 1);
  NEAR(vmp_entitlements_vm_guaranteed(e, 2), 16.0);
  NEAR(vmp_entitlements_host_demand(e, 1), 20.0);
  /* not placed */
  assert_int_equal(vmp_entitlements_vm_host(e, 3), VMP_NONE);
  assert_int_equal(vmp_entitlements_vm_shares(e, 3), 0);
  assert_int_equal(vmp_entitlements_vm_vcpu_quota_us(e, 3), 0);
  /* c: 16 of 20 vCPUs' worth, 80000 us per vCPU */
  assert_int_equal(vmp_entitlements_vm_vcpu_quota_us(e, 2), 80000);
  NEAR(vmp_entitlements_period_us(e), 100000.0);
  vmp_entitlements_free(e);
  vmp_problem_free(p);
}

static void test_entitlements__weights_from_priorities(void **state) {
  vmp_problem *p = host_with(
      "{\"name\":\"low\",\"demand\":{\"cpu\":8},\"host\":\"h1\"},"
      "{\"name\":\"high\",\"demand\":{\"cpu\":8},\"host\":\"h1\",\"priority\":2}");
  vmp_entitlements *e = compute(p, NULL);
  (void)state;
  /* t + 3t = 8 */
  assert_int_equal(vmp_entitlements_host_overcommitted(e, 0), 1);
  NEAR(vmp_entitlements_vm_guaranteed(e, 0), 2.0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 1), 6.0);
  assert_int_equal(vmp_entitlements_vm_shares(e, 1), 6144);
  assert_int_equal(vmp_entitlements_vm_quota_us(e, 0), 200000);
  /* libvirt's vcpu_quota is per vCPU: 8 vCPUs share 200000 and 600000 us */
  assert_int_equal(vmp_entitlements_vm_vcpu_quota_us(e, 0), 25000);
  assert_int_equal(vmp_entitlements_vm_vcpu_quota_us(e, 1), 75000);
  vmp_entitlements_free(e);
  vmp_problem_free(p);
}

static void test_entitlements__capped_at_demand(void **state) {
  vmp_problem *p = host_with(
      "{\"name\":\"small\",\"demand\":{\"cpu\":1},\"host\":\"h1\"},"
      "{\"name\":\"mid\",\"demand\":{\"cpu\":3},\"host\":\"h1\"},"
      "{\"name\":\"big\",\"demand\":{\"cpu\":10},\"host\":\"h1\"}");
  vmp_entitlements *e = compute(p, NULL);
  (void)state;
  /* Equal weights: small stops at 1, mid at 3, big takes the other 4. */
  NEAR(vmp_entitlements_vm_guaranteed(e, 0), 1.0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 1), 3.0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 2), 4.0);
  vmp_entitlements_free(e);
  vmp_problem_free(p);
}

static void test_entitlements__guarantees(void **state) {
  vmp_problem *p = host_with(
      "{\"name\":\"a\",\"demand\":{\"cpu\":8},\"host\":\"h1\"},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":8},\"host\":\"h1\"}");
  vmp_entitlements_opts o;
  double amount[2] = {5.0, 0.0}, weights[2] = {1.0, 1.0};
  vmp_entitlements *e;
  (void)state;
  vmp_entitlements_opts_init(&o, VMP_ENTITLEMENTS_OPTS_VERSION);
  o.min_amount = amount;
  o.weights = weights;
  e = compute(p, &o);
  /* a is guaranteed 5; the other 3 are shared equally from there:
   * 5 + t and t with 5 + 2t = 8. */
  NEAR(vmp_entitlements_vm_guaranteed(e, 0), 6.5);
  NEAR(vmp_entitlements_vm_guaranteed(e, 1), 1.5);
  vmp_entitlements_free(e);
  /* Guarantees of 75% each exceed the 8 CPUs: scaled down to 4 each. */
  o.min_amount = NULL;
  o.min_fraction = 0.75;
  e = compute(p, &o);
  NEAR(vmp_entitlements_vm_guaranteed(e, 0), 4.0);
  NEAR(vmp_entitlements_vm_guaranteed(e, 1), 4.0);
  vmp_entitlements_free(e);
  vmp_problem_free(p);
}

static void test_entitlements__on_a_solved_placement(void **state) {
  vmp_problem *p = host_with(
      "{\"name\":\"a\",\"demand\":{\"cpu\":10}},{\"name\":\"b\",\"demand\":{\"cpu\":10}}");
  vmp_solution *s = tu_solve(p, "greedy", 5);
  vmp_entitlements *e = NULL;
  size_t ha, hb;
  (void)state;
  assert_int_equal(vmp_entitlements_compute(p, s, NULL, &e), VMP_OK);
  ha = vmp_entitlements_vm_host(e, 0);
  hb = vmp_entitlements_vm_host(e, 1);
  assert_int_equal(ha, vmp_solution_vm_host(s, 0));
  assert_int_equal(hb, vmp_solution_vm_host(s, 1));
  NEAR(vmp_entitlements_vm_guaranteed(e, 0) + vmp_entitlements_vm_guaranteed(e, 1),
       ha == hb ? (ha == 0 ? 8.0 : 16.0) : (ha == 0 ? 8.0 + 10.0 : 10.0 + 8.0));
  vmp_entitlements_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_entitlements__errors(void **state) {
  vmp_problem *p = host_with("{\"name\":\"a\",\"demand\":{\"cpu\":1},\"host\":\"h1\"}");
  vmp_problem *q = host_with("{\"name\":\"zz\",\"demand\":{\"cpu\":1},\"host\":\"h1\"}");
  vmp_solution *s = tu_solve(q, "greedy", 5);
  vmp_entitlements_opts o;
  vmp_entitlements *e = NULL;
  double w[1] = {0.0};
  (void)state;
  vmp_entitlements_opts_init(&o, VMP_ENTITLEMENTS_OPTS_VERSION);
  o.resource = "gpu";
  tu_assert_error(vmp_entitlements_compute(p, NULL, &o, &e), VMP_ENOTFOUND, "no resource \"gpu\"");
  assert_null(e);
  vmp_entitlements_opts_init(&o, VMP_ENTITLEMENTS_OPTS_VERSION);
  o.min_fraction = 1.5;
  tu_assert_error(vmp_entitlements_compute(p, NULL, &o, &e), VMP_EINVAL, "opts.min_fraction");
  vmp_entitlements_opts_init(&o, VMP_ENTITLEMENTS_OPTS_VERSION);
  o.weights = w;
  tu_assert_error(vmp_entitlements_compute(p, NULL, &o, &e), VMP_EINVAL, "opts.weights[0] (a)");
  tu_assert_error(vmp_entitlements_compute(p, s, NULL, &e), VMP_EINVAL,
                  "not a solution of this problem");
  tu_assert_error(vmp_entitlements_compute(NULL, NULL, NULL, &e), VMP_EINVAL, NULL);
  assert_true(isnan(vmp_entitlements_vm_guaranteed(NULL, 0)));
  vmp_entitlements_free(NULL);
  vmp_solution_free(s);
  vmp_problem_free(p);
  vmp_problem_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_entitlements__no_overcommit_gives_the_demand),
      cmocka_unit_test(test_entitlements__weights_from_priorities),
      cmocka_unit_test(test_entitlements__capped_at_demand),
      cmocka_unit_test(test_entitlements__guarantees),
      cmocka_unit_test(test_entitlements__on_a_solved_placement),
      cmocka_unit_test(test_entitlements__errors),
  };
  return cmocka_run_group_tests_name("entitlements", tests, NULL, NULL);
}
