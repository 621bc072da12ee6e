#define _POSIX_C_SOURCE 200809L /* strdup, strtok_r */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

const char *tu_data(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", VMPLACE_TEST_DATA, name);
  return buf;
}

vmp_problem *tu_read_data(const char *name) {
  const char *path = tu_data(name);
  vmp_problem *p = NULL;
  if (vmp_problem_read(path, VMP_FORMAT_AUTO, &p)) fail_msg("%s: %s", path, vmp_last_error());
  return p;
}

const char *tu_example(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", VMPLACE_EXAMPLES, name);
  return buf;
}

char *tu_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  assert_true(n >= 0);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = 0;
  fclose(f);
  return buf;
}

void tu_release(vmp_problem *p, vmp_solution *t, vmp_plan *pl) {
  vmp_plan_free(pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

void tu_plan_new(const vmp_problem *p, const vmp_solution *t, uint32_t max_concurrent,
                 vmp_plan **out) {
  vmp_plan_opts o;
  int rc;
  vmp_plan_opts_init(&o, VMP_PLAN_OPTS_VERSION);
  o.max_concurrent = max_concurrent;
  rc = vmp_plan_new(p, t, &o, out);
  if (rc) fail_msg("plan failed: %s: %s", vmp_err_name(rc), vmp_last_error());
}

void tu_assert_plan_refused(const char *json, const vmp_problem *p, const vmp_solution *t,
                            const char *needle) {
  vmp_plan *pl = NULL;
  if (vmp_plan_parse(json, strlen(json), "plan.json", &pl))
    fail_msg("%s\n%s", vmp_last_error(), json);
  tu_assert_error(vmp_plan_verify(pl, p, t), VMP_EINVAL, needle);
  vmp_plan_free(pl);
}

vmp_solution *tu_target(const vmp_problem *p, const char *spec) {
  size_t n = vmp_problem_num_vms(p), *hv = malloc((n + 1) * sizeof *hv);
  char *copy = strdup(spec), *save = NULL;
  vmp_solution *s = NULL;
  assert_non_null(hv);
  assert_non_null(copy);
  for (size_t v = 0; v < n; v++) hv[v] = vmp_problem_vm_host(p, v);
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    size_t v, h = VMP_NONE;
    assert_non_null(eq);
    *eq = '\0';
    assert_int_equal(vmp_problem_find_vm(p, tok, &v), VMP_OK);
    if (eq[1]) assert_int_equal(vmp_problem_find_host(p, eq + 1, &h), VMP_OK);
    hv[v] = h;
  }
  assert_int_equal(vmp_evaluate(p, hv, &s), VMP_OK);
  free(copy);
  free(hv);
  return s;
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
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
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

double tu_brute_force(const vmp_problem *p) {
  size_t nv = vmp_problem_num_vms(p), nh = vmp_problem_num_hosts(p);
  size_t place[16] = {0};
  double best = HUGE_VAL;
  if (nv > 16) fail_msg("tu_brute_force: too many VMs");
  for (;;) {
    size_t host[16];
    vmp_solution *s = NULL;
    size_t k;
    for (k = 0; k < nv; k++) host[k] = place[k] == nh ? VMP_NONE : place[k];
    if (vmp_evaluate(p, host, &s)) fail_msg("evaluate failed: %s", vmp_last_error());
    if (vmp_solution_status(s) != VMP_STATUS_INVALID && vmp_solution_objective(s) < best)
      best = vmp_solution_objective(s);
    vmp_solution_free(s);
    for (k = 0; k < nv && ++place[k] > nh; k++) place[k] = 0;
    if (k == nv) break;
  }
  return best;
}

vmp_solution *tu_solve_params(const vmp_problem *p, const char *solver,
                              double time_limit, const char *const *params) {
  vmp_solve_opts opts;
  vmp_params *ps = NULL;
  vmp_solution *s = NULL;
  int rc;
  if (vmp_params_new(&ps)) fail_msg("params");
  for (size_t k = 0; params && params[k]; k++) {
    char name[128];
    const char *eq = strchr(params[k], '=');
    if (!eq || (size_t)(eq - params[k]) >= sizeof name) fail_msg("bad param %s", params[k]);
    memcpy(name, params[k], (size_t)(eq - params[k]));
    name[eq - params[k]] = '\0';
    if ((rc = vmp_params_set(ps, name, eq + 1)))
      fail_msg("param %s: %s", params[k], vmp_last_error());
  }
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = solver;
  opts.time_limit = time_limit;
  opts.params = ps;
  rc = vmp_solve(p, &opts, &s);
  vmp_params_free(ps);
  if (rc) fail_msg("solve failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return s;
}

const char *const TU_BINS =
    "{\"version\":1,\"resources\":[\"size\"],"
    "\"hosts\":[{\"name\":\"b1\",\"capacity\":{\"size\":10}},"
    "{\"name\":\"b2\",\"capacity\":{\"size\":10}},{\"name\":\"b3\",\"capacity\":{\"size\":10}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"size\":6}},{\"name\":\"b\",\"demand\":{\"size\":5}},"
    "{\"name\":\"c\",\"demand\":{\"size\":4}},{\"name\":\"d\",\"demand\":{\"size\":3}},"
    "{\"name\":\"e\",\"demand\":{\"size\":2}}]}";

uint64_t tu_rand(uint64_t *x, uint64_t n) {
  *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
  return (*x >> 33) % n;
}

vmp_problem *tu_zoned_problem(uint64_t *x, double cpu, double disk, int classic) {
  char buf[8192];
  size_t len = 0, nh = 3 + tu_rand(x, 4), nv = 7 + tu_rand(x, 6);
  int nz = 2 + (int)tu_rand(x, 2);
  len += (size_t)snprintf(buf + len, sizeof buf - len,
                          "{\"version\":1,\"resources\":[\"cpu\",\"disk_gb\"],"
                          "\"transient\":[\"disk_gb\"],\"hosts\":[");
  for (size_t h = 0; h < nh; h++)
    len += (size_t)snprintf(buf + len, sizeof buf - len,
                            "%s{\"name\":\"h%zu\",\"capacity\":{\"cpu\":%g,\"disk_gb\":%g},"
                            "\"labels\":{\"zone\":\"z%d\"}%s}",
                            h ? "," : "", h, cpu, disk, (int)(h % (size_t)nz),
                            !classic        ? ""
                            : h == 0        ? ",\"overcommit\":{\"cpu\":1.5}"
                            : h == 1        ? ",\"reserved\":{\"disk_gb\":10}"
                            : h == nh - 1   ? ",\"maintenance\":true"
                                            : "");
  len += (size_t)snprintf(buf + len, sizeof buf - len, "],\"vms\":[");
  for (size_t v = 0; v < nv; v++) {
    int c = 1 + (int)tu_rand(x, 6), d = 5 + (int)tu_rand(x, 36);
    len += (size_t)snprintf(buf + len, sizeof buf - len,
                            "%s{\"name\":\"v%zu\",\"demand\":{\"cpu\":%d,\"disk_gb\":%d}%s}",
                            v ? "," : "", v, c, d,
                            !classic  ? ""
                            : v == 7  ? ",\"labels\":{\"pci\":\"true\"}"
                            : v == 8  ? ",\"allowed_hosts\":[\"h0\",\"h1\"]"
                                      : "");
  }
  if (classic)
    len += (size_t)snprintf(buf + len, sizeof buf - len,
                            "],\"rules\":[{\"name\":\"pci\",\"when\":\"vm.labels.pci == \\\"true\\\"\","
                            "\"require\":\"host.labels.zone == \\\"z0\\\"\"}");
  snprintf(buf + len, sizeof buf - len,
           "],\"groups\":[%s"
           "{\"name\":\"app\",\"policy\":\"spread\",\"min_domains\":2,\"scope\":\"zone\","
           "\"vms\":[\"v0\",\"v1\",\"v2\"]},"
           "{\"name\":\"db\",\"policy\":\"spread\",\"min_domains\":1,\"scope\":\"zone\","
           "\"vms\":[\"v3\",\"v4\"]},"
           "{\"name\":\"pair\",\"policy\":\"anti-affinity\",\"vms\":[\"v5\",\"v6\"]}],"
           "\"dependencies\":[{\"group\":\"app\",\"on\":\"db\",\"scope\":\"zone\"}]}",
           classic && nv > 10 ? "{\"name\":\"aff\",\"policy\":\"affinity\",\"scope\":\"zone\","
                                "\"vms\":[\"v9\",\"v10\"]}," : "");
  return tu_problem_json(buf);
}

int tu_random_clean(const vmp_problem *p, uint64_t *x, int unplaced_pct, size_t *a) {
  size_t nv = vmp_problem_num_vms(p), nh = vmp_problem_num_hosts(p);
  for (int tries = 0; tries < 400; tries++) {
    vmp_solution *s = NULL;
    int ok;
    for (size_t v = 0; v < nv; v++)
      a[v] = unplaced_pct && (int)tu_rand(x, 100) < unplaced_pct ? VMP_NONE : tu_rand(x, nh);
    assert_int_equal(vmp_evaluate(p, a, &s), VMP_OK);
    ok = tu_hard_violations(s, NULL, NULL) == 0;
    vmp_solution_free(s);
    if (ok) return 1;
  }
  return 0;
}

size_t tu_hard_violations(const vmp_solution *s, const char **kind, const char **message) {
  return tu_hard_violations_but(s, NULL, kind, message);
}

size_t tu_hard_violations_but(const vmp_solution *s, const char *skip, const char **kind,
                              const char **message) {
  size_t n = 0;
  for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
    const char *kd, *msg;
    int hard = 0;
    vmp_solution_violation_at(s, k, &kd, &msg, &hard);
    if (!hard || (skip && !strcmp(kd, skip))) continue;
    if (!n && kind) *kind = kd;
    if (!n && message) *message = msg;
    n++;
  }
  return n;
}
