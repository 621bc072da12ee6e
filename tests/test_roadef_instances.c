/*
 * The 18 ROADEF/EURO 2012 instances with their initial assignments: the
 * cost of each initial assignment, computed by vmplace's evaluator from
 * the problem its reader builds, equals the challenge's published initial
 * cost (optima/roadef2012_best_known.csv) to the unit, and the initial
 * assignment breaks no constraint.
 *
 * The instances live outside the repository (../shared/instances next to
 * it, or $VMPLACE_INSTANCES); without them the test says so and skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static const char *instances_dir(void) {
  static char buf[4096];
  const char *dir = getenv("VMPLACE_INSTANCES");
  struct stat st;
  if (!dir) {
    snprintf(buf, sizeof buf, "%s/../../../shared/instances", VMPLACE_TEST_DATA);
    dir = buf;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
  return dir;
}

/* The csv's rows: instance name and initial cost, for rows with a model
 * file here.  Returns their number (at most max). */
static size_t load_table(const char *dir, char names[][32], double *initial,
                         size_t max) {
  char path[4200], line[1024];
  size_t n = 0;
  FILE *f;
  snprintf(path, sizeof path, "%s/optima/roadef2012_best_known.csv", dir);
  f = fopen(path, "r");
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof line, f));   /* header */
  while (n < max && fgets(line, sizeof line, f)) {
    /* instance,opt_or_best,is_proven_optimal,source,initial_cost,
     * lower_bound,model_file_here; source may hold quoted commas. */
    char *field[8], *p = line;
    int nf = 0, quoted = 0;
    field[nf++] = p;
    for (; *p && nf < 8; p++) {
      if (*p == '"') quoted = !quoted;
      if (*p == ',' && !quoted) {
        *p = '\0';
        field[nf++] = p + 1;
      }
    }
    assert_int_equal(nf, 7);
    if (strncmp(field[6], "yes", 3)) continue;
    snprintf(names[n], 32, "%s", field[0]);
    initial[n] = strtod(field[4], NULL);
    n++;
  }
  fclose(f);
  return n;
}

static void check_instances(const char *prefix) {
  const char *dir = instances_dir();
  char names[32][32];
  double initial[32];
  size_t n, checked = 0;
  if (!dir) {
    print_message("no benchmark instances (set VMPLACE_INSTANCES)\n");
    skip();
  }
  n = load_table(dir, names, initial, 32);
  for (size_t k = 0; k < n; k++) {
    char model[4200];
    vmp_problem *p = NULL;
    vmp_solution *s = NULL;
    if (strncmp(names[k], prefix, strlen(prefix))) continue;
    snprintf(model, sizeof model,
             "%s/roadef2012_machine_reassignment/import/%s.txt", dir, names[k]);
    if (vmp_problem_read(model, VMP_FORMAT_AUTO, &p))
      fail_msg("%s: %s", names[k], vmp_last_error());
    assert_int_equal(vmp_evaluate_current(p, &s), VMP_OK);
    if (vmp_solution_objective(s) != initial[k])
      fail_msg("%s: initial cost %.0f, published %.0f", names[k],
               vmp_solution_objective(s), initial[k]);
    assert_int_equal(vmp_solution_num_violations(s), 0);
    assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
    vmp_solution_free(s);
    vmp_problem_free(p);
    checked++;
  }
  print_message("%s*: %zu initial costs reproduced\n", prefix, checked);
  assert_true(checked > 0);
}

static void test_roadef_instances__a1(void **state) {
  (void)state;
  check_instances("model_a1_");
}

static void test_roadef_instances__a2(void **state) {
  (void)state;
  check_instances("model_a2_");
}

static void test_roadef_instances__b(void **state) {
  (void)state;
  check_instances("model_b_");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roadef_instances__a1),
      cmocka_unit_test(test_roadef_instances__a2),
      cmocka_unit_test(test_roadef_instances__b),
  };
  return cmocka_run_group_tests_name("roadef_instances", tests, NULL, NULL);
}
