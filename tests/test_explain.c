/* Explanations: the exact failing constraints with their numbers, host by
 * host, the counts per constraint, JSON, and the reasons of unplaced
 * VMs. */
#include <string.h>

#include "testutil.h"

static const char *DC =
    "{\"version\":1,\"resources\":[\"memory_mib\"],"
    "\"hosts\":[{\"name\":\"h01\",\"capacity\":{\"memory_mib\":262144},\"labels\":{\"zone\":\"a\"}},"
    "{\"name\":\"h02\",\"capacity\":{\"memory_mib\":4096},\"labels\":{\"zone\":\"secure\"}},"
    "{\"name\":\"h03\",\"capacity\":{\"memory_mib\":262144},\"labels\":{\"zone\":\"secure\"}}],"
    "\"vms\":[{\"name\":\"big\",\"demand\":{\"memory_mib\":258048},\"host\":\"h01\",\"pinned\":true},"
    "{\"name\":\"web-2\",\"demand\":{\"memory_mib\":8192},\"host\":\"h03\",\"pinned\":true},"
    "{\"name\":\"web-1\",\"demand\":{\"memory_mib\":8192},\"labels\":{\"pci\":\"true\"}}],"
    "\"groups\":[{\"name\":\"web\",\"policy\":\"anti-affinity\",\"vms\":[\"web-1\",\"web-2\"]}],"
    "\"rules\":[{\"name\":\"pci\",\"when\":\"vm.labels.pci == \\\"true\\\"\","
    "\"require\":\"host.labels.zone == \\\"secure\\\"\"}]}";

static void test_explain__reasons_have_numbers(void **state) {
  vmp_problem *p = tu_problem_json(DC);
  vmp_explanation *e = NULL;
  const char *key, *msg;
  size_t n;
  char *text = NULL;
  (void)state;
  assert_int_equal(vmp_explain(p, NULL, 2, &e), VMP_OK);
  assert_int_equal(vmp_explanation_num_reasons(e, 0), 2);
  assert_int_equal(vmp_explanation_reason_at(e, 0, 0, &key, &msg), VMP_OK);
  assert_string_equal(key, "rule pci");
  assert_string_equal(msg, "rule pci: host.labels.zone is \"a\"");
  assert_int_equal(vmp_explanation_reason_at(e, 0, 1, &key, &msg), VMP_OK);
  assert_string_equal(key, "memory_mib");
  assert_string_equal(msg, "memory_mib: needs 8192, free 4096 of 262144");
  assert_int_equal(vmp_explanation_reason_at(e, 2, 0, &key, &msg), VMP_OK);
  assert_string_equal(msg, "anti-affinity web: web-2 already on h03");
  assert_int_equal(vmp_explanation_num_counts(e), 3);
  assert_int_equal(vmp_explanation_count_at(e, 0, &key, &n), VMP_OK);
  assert_string_equal(key, "memory_mib");
  assert_int_equal(n, 2);
  assert_int_equal(vmp_explanation_to_text(e, &text), VMP_OK);
  assert_non_null(strstr(text, "web-1 fits on 0 of 3 hosts\n  2 hosts: memory_mib\n"));
  vmp_free(text);
  assert_int_equal(vmp_explanation_to_json(e, &text), VMP_OK);
  assert_non_null(strstr(text, "\"constraint\": \"memory_mib\",\n      \"hosts\": 2"));
  vmp_free(text);
  vmp_explanation_free(e);
  vmp_problem_free(p);
}

static void test_explain__every_unplaced_vm_has_counted_reasons(void **state) {
  vmp_problem *p = tu_problem_json(DC);
  vmp_solution *s;
  (void)state;
  s = tu_solve(p, "auto", 5);
  /* web-1 fits h03 on its own, so only a solver's proof (auto's exact
   * stage) makes this INFEASIBLE rather than PARTIAL */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INFEASIBLE);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_string_equal(vmp_solution_unplaced_reason(s, 0),
                      "no host fits: 2 hosts: memory_mib; 1 host: anti-affinity web; "
                      "1 host: rule pci");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* On random datacenters with the rebalancing rules (a transient resource,
 * spread minimums, a dependency, anti-affinity; some VMs running, some
 * placed elsewhere, some unplaced): wherever the placement without VM v
 * breaks no hard constraint, explain says v fits a host exactly when the
 * evaluator finds no hard violation with v there, and names a reason
 * wherever it does not fit. */
static void test_explain__fits_exactly_where_the_evaluator_agrees(void **state) {
  uint64_t x = 4242;
  int fits = 0, blocked = 0;
  (void)state;
  for (int round = 0; round < 300; round++) {
    vmp_problem *p = tu_zoned_problem(&x, 12, 80, round % 2);
    size_t nh = vmp_problem_num_hosts(p), nv = vmp_problem_num_vms(p), a[12], b[12];
    vmp_solution *s = NULL;
    for (size_t v = 0; v < nv; v++) {
      size_t h = tu_rand(&x, 3) ? tu_rand(&x, nh) : VMP_NONE;
      assert_int_equal(vmp_problem_set_vm_host(p, v, h), VMP_OK);
      a[v] = tu_rand(&x, 3) ? tu_rand(&x, nh) : VMP_NONE;
    }
    assert_int_equal(vmp_evaluate(p, a, &s), VMP_OK);
    for (size_t v = 0; v < nv; v++) {
      vmp_explanation *e = NULL;
      size_t before;
      vmp_solution *t = NULL;
      /* the violations v itself is not part of: they stay whatever v does */
      memcpy(b, a, sizeof b);
      b[v] = VMP_NONE;
      assert_int_equal(vmp_evaluate(p, b, &t), VMP_OK);
      before = tu_hard_violations(t, NULL, NULL);
      vmp_solution_free(t);
      if (before) continue;
      assert_int_equal(vmp_explain(p, s, v, &e), VMP_OK);
      assert_int_equal(vmp_explanation_num_hosts(e), nh);
      for (size_t k = 0; k < nh; k++) {
        size_t h, after;
        const char *kind = NULL, *msg = NULL;
        assert_int_equal(vmp_problem_find_host(p, vmp_explanation_host(e, k), &h), VMP_OK);
        b[v] = h;
        assert_int_equal(vmp_evaluate(p, b, &t), VMP_OK);
        after = tu_hard_violations(t, &kind, &msg);
        if (vmp_explanation_fits(e, k) != (after == 0))
          fail_msg("round %d: v%zu on h%zu: explain says %s; the evaluator: %zu hard violations "
                   "with it there (%s: %s)", round, v, h,
                   vmp_explanation_fits(e, k) ? "fits" : "does not fit", after,
                   kind ? kind : "-", msg ? msg : "-");
        if (vmp_explanation_fits(e, k)) fits++;
        else blocked++, assert_true(vmp_explanation_num_reasons(e, k) > 0);
        vmp_solution_free(t);
      }
      vmp_explanation_free(e);
    }
    vmp_solution_free(s);
    vmp_problem_free(p);
  }
  print_message("%d fits, %d blocked\n", fits, blocked);
  assert_true(fits > 300 && blocked > 300);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_explain__reasons_have_numbers),
      cmocka_unit_test(test_explain__every_unplaced_vm_has_counted_reasons),
      cmocka_unit_test(test_explain__fits_exactly_where_the_evaluator_agrees),
  };
  return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
