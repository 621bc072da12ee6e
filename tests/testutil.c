#include <stdio.h>
#include <string.h>

#include "testutil.h"

const char *tu_data(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", VMPLACE_TEST_DATA, name);
  return buf;
}

const char *tu_example(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", VMPLACE_EXAMPLES, name);
  return buf;
}

vmp_problem *tu_problem_json(const char *json) {
  vmp_problem *p = NULL;
  int rc = vmp_problem_parse(json, strlen(json), VMP_FORMAT_JSON, "test", &p);
  if (rc) fail_msg("parse failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return p;
}

vmp_solution *tu_solve(const vmp_problem *p, const char *solver,
                       double time_limit) {
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  int rc;
  vmp_solve_opts_init(&opts);
  opts.solver = solver;
  opts.time_limit = time_limit;
  rc = vmp_solve(p, &opts, &s);
  if (rc) fail_msg("solve failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return s;
}

void tu_assert_error(int rc, int expected, const char *needle) {
  if (rc != expected)
    fail_msg("expected %s, got %s (%s)", vmp_err_name(expected),
             vmp_err_name(rc), vmp_last_error());
  if (needle && !strstr(vmp_last_error(), needle))
    fail_msg("message \"%s\" lacks \"%s\"", vmp_last_error(), needle);
}
