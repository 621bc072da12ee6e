/* binproof: the bin completion search of auto's exact stage on pure
 * vector bin packing.  Two files of the New set (Mommessin et al.) whose
 * pattern master's bound, rounded up, is one below the optimum: the
 * search proves that one host fewer cannot hold the items. */

#include "testutil.h"

static void check_proof(const char *file, int optimum) {
  vmp_problem *p = tu_read_data(file);
  vmp_solution *s = tu_solve(p, "auto", TU_PROOF_LIMIT);
  double v;
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_int_equal(vmp_solution_hosts_used(s), optimum);
  assert_true(vmp_solution_bound(s) == (double)optimum);
  assert_int_equal(vmp_solution_stat(s, "binproof.proven", &v), VMP_OK);
  assert_true(v == 1.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* class5_20_3_9: 20 items, d = 3, optimum 8, the root bound 7 (LP 7.2).
 * The search without duals, before column generation, proves that 7
 * hosts do not suffice in under a thousand nodes; the MIP needs 47 s. */
static void test_binproof__proves_from_the_volume(void **state) {
  (void)state;
  check_proof("exact/class5_20_3_9.vbp", 8);
}

/* class5_40_5_5: 40 items, d = 5, optimum 13, the root's LP exactly 12.
 * Volume alone leaves the search short (10^8 nodes); with the root's
 * duals scaled to no bin above 1 every bin of 12 must be full of
 * weight, and the search ends in about 170,000 nodes. */
static void test_binproof__proves_with_the_roots_duals(void **state) {
  (void)state;
  check_proof("exact/class5_40_5_5.vbp", 13);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_binproof__proves_from_the_volume),
      cmocka_unit_test(test_binproof__proves_with_the_roots_duals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
