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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_explain__reasons_have_numbers),
      cmocka_unit_test(test_explain__every_unplaced_vm_has_counted_reasons),
  };
  return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
