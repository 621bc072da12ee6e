/* solve and the evaluator: end to end on small problems with known
 * answers, every hard constraint, score terms, statuses, callbacks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static size_t host_of(const vmp_solution *s, const char *vm) {
  for (size_t v = 0; v < vmp_solution_num_vms(s); v++)
    if (!strcmp(vmp_solution_vm_name(s, v), vm)) return vmp_solution_vm_host(s, v);
  fail_msg("no VM %s", vm);
  return VMP_NONE;
}

static double term(const vmp_solution *s, const char *name, int weighted) {
  double v, w;
  assert_int_equal(vmp_solution_score(s, name, &v, &w), VMP_OK);
  return weighted ? w : v;
}

static void test_solve__bin_packing_optimum_is_proven(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s;
  (void)state;
  s = tu_solve(p, "greedy", 5);
  /* volume 20 over bins of 10: the bound 2 meets FFD's 2 bins */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_int_equal(vmp_solution_hosts_used(s), 2);
  assert_true(vmp_solution_objective(s) == 2.0);
  assert_true(vmp_solution_bound(s) == 2.0);
  assert_true(vmp_solution_gap(s) == 0.0);
  assert_string_equal(vmp_solution_solver(s), "greedy");
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  assert_int_equal(host_of(s, "a"), host_of(s, "c"));
  vmp_solution_free(s);
  /* roundrobin spreads: 3 bins, still feasible and verified */
  s = tu_solve(p, "roundrobin", 5);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_int_equal(vmp_solution_hosts_used(s), 3);
  assert_true(fabs(vmp_solution_gap(s) - 1.0 / 3.0) < 1e-12);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__vm_larger_than_every_host_is_partial(void **state) {
  vmp_problem *p = NULL;
  vmp_solution *s;
  (void)state;
  assert_int_equal(vmp_problem_read(tu_data("too_large.json"), 0, &p), VMP_OK);
  s = tu_solve(p, NULL, 5);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_PARTIAL);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_string_equal(vmp_solution_vm_name(s, vmp_solution_unplaced_vm(s, 0)), "huge");
  assert_string_equal(vmp_solution_unplaced_reason(s, 0), "no host fits: 2 hosts: memory_mib");
  assert_int_equal(host_of(s, "small"), 0);
  /* automatic unplaced weight: 10^ceil(log10(1 + 2 hosts)) = 10 */
  assert_true(term(s, "unplaced", 1) == 10.0);
  assert_true(vmp_solution_bound(s) == 11.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__evaluator_finds_every_violation(void **state) {
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  const char *kind, *msg;
  int hard;
  (void)state;
  assert_int_equal(vmp_problem_read(tu_data("violations.json"), 0, &p), VMP_OK);
  assert_int_equal(vmp_evaluate_current(p, &s), VMP_OK);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_NOT_SOLVED);
  assert_int_equal(vmp_solution_num_violations(s), 2);
  assert_int_equal(vmp_solution_violation_at(s, 0, &kind, &msg, &hard), VMP_OK);
  assert_string_equal(kind, "capacity");
  assert_string_equal(msg, "h1: cpu 12 > 8 (capacity 8 x 1 - reserved 0)");
  assert_int_equal(hard, 1);
  assert_int_equal(vmp_solution_violation_at(s, 1, &kind, &msg, &hard), VMP_OK);
  assert_string_equal(kind, "anti-affinity");
  assert_string_equal(msg, "anti-affinity web: web-1, web-2 share host h1");
  assert_true(term(s, "cost", 0) == 2.0);
  assert_true(term(s, "balance", 0) == 1.5);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static const char *RULES =
    "{\"version\":1,\"resources\":[\"cpu\"],"
    "\"hosts\":[{\"name\":\"a1\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"a\"}},"
    "{\"name\":\"a2\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"a\"}},"
    "{\"name\":\"b1\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"b\",\"pci\":\"yes\"}},"
    "{\"name\":\"m1\",\"capacity\":{\"cpu\":64},\"maintenance\":true}],"
    "\"vms\":[{\"name\":\"db-1\",\"demand\":{\"cpu\":2}},{\"name\":\"db-2\",\"demand\":{\"cpu\":2}},"
    "{\"name\":\"db-3\",\"demand\":{\"cpu\":2}},"
    "{\"name\":\"pay\",\"demand\":{\"cpu\":1},\"labels\":{\"pci\":\"true\"}},"
    "{\"name\":\"pinned\",\"demand\":{\"cpu\":1},\"host\":\"a2\",\"pinned\":true},"
    "{\"name\":\"x1\",\"demand\":{\"cpu\":3}},{\"name\":\"x2\",\"demand\":{\"cpu\":3}}],"
    "\"groups\":[{\"name\":\"db\",\"policy\":\"anti-affinity\",\"vms\":[\"db-1\",\"db-2\",\"db-3\"],"
    "\"scope\":\"zone\"},"
    "{\"name\":\"pair\",\"policy\":\"affinity\",\"vms\":[\"x1\",\"x2\"]}],"
    "\"rules\":[{\"name\":\"pci\",\"when\":\"vm.labels.pci == \\\"true\\\"\","
    "\"require\":\"host.labels.pci == \\\"yes\\\"\"}]}";

static void test_solve__hard_constraints_hold(void **state) {
  vmp_problem *p = tu_problem_json(RULES);
  vmp_solution *s = tu_solve(p, "greedy", 5);
  size_t a, b;
  (void)state;
  /* two zones: only two of the three dbs can be placed */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_PARTIAL);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_string_equal(vmp_solution_unplaced_reason(s, 0),
                      "no host fits: 3 hosts: anti-affinity db; 1 host: cpu; 1 host: maintenance");
  assert_int_equal(host_of(s, "pay"), 2);
  assert_int_equal(host_of(s, "pinned"), 1);
  assert_int_equal(host_of(s, "x1"), host_of(s, "x2"));
  a = host_of(s, "db-1");
  b = host_of(s, "db-2");
  assert_true(a != VMP_NONE && b != VMP_NONE);
  assert_true((a == 2) != (b == 2)); /* one in zone a, one in zone b */
  assert_int_equal(vmp_solution_num_violations(s), 0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__soft_terms_are_scored(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8},\"labels\":{\"t\":\"x\"}}],"
      "\"vms\":[{\"name\":\"v1\",\"demand\":{\"cpu\":1},\"host\":\"h1\"},"
      "{\"name\":\"v2\",\"demand\":{\"cpu\":1},\"host\":\"h1\"},"
      "{\"name\":\"v3\",\"demand\":{\"cpu\":1},\"host\":\"h1\"}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"anti-affinity\",\"hard\":false,"
      "\"vms\":[\"v1\",\"v2\",\"v3\"],\"weight\":2.5}],"
      "\"rules\":[{\"name\":\"r\",\"require\":\"host.labels.t == \\\"y\\\"\",\"hard\":false,"
      "\"weight\":0.5}],\"objective\":{\"soft\":2}}");
  vmp_solution *s = NULL;
  (void)state;
  assert_int_equal(vmp_evaluate_current(p, &s), VMP_OK);
  /* group: 3 on one host = 2 violations x 2.5; rule: 3 VMs x 0.5 */
  assert_true(term(s, "soft", 0) == 6.5);
  assert_true(term(s, "soft", 1) == 13.0);
  assert_true(vmp_solution_objective(s) == 14.0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_int_equal(vmp_solution_num_violations(s), 4);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__migrations_and_balance(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":10,\"mem\":100}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":10,\"mem\":100}}],"
      "\"vms\":[{\"name\":\"v1\",\"demand\":{\"cpu\":6,\"mem\":30},\"host\":\"h2\"},"
      "{\"name\":\"v2\",\"demand\":{\"cpu\":2,\"mem\":20},\"host\":\"h2\","
      "\"migration_cost\":7}],"
      "\"objective\":{\"cost\":1,\"migrations\":1,\"balance\":10}}");
  size_t place[2] = {0, 1};
  vmp_solution *s = NULL;
  (void)state;
  assert_int_equal(vmp_evaluate(p, place, &s), VMP_OK);
  /* v1 moved (cost = its mem 30); balance = max(0.6, 0.3, 0.2, 0.2) */
  assert_true(term(s, "migrations", 0) == 30.0);
  assert_true(fabs(term(s, "balance", 0) - 0.6) < 1e-12);
  assert_true(fabs(vmp_solution_objective(s) - (2 + 30 + 6)) < 1e-9);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__options_and_errors(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = NULL;
  vmp_solve_opts opts;
  (void)state;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "simplex-of-doom";
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_ENOTFOUND, "unknown solver");
  assert_null(s);
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.version = 99;
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_EINVAL,
                  "solve options: version 99 is unknown; this library knows versions 1..1 "
                  "(initialise with vmp_solve_opts_init)");
  tu_assert_error(vmp_solve(NULL, NULL, &s), VMP_EINVAL, NULL);
  /* NULL options: defaults */
  assert_int_equal(vmp_solve(p, NULL, &s), VMP_OK);
  assert_string_equal(vmp_solution_solver(s), "auto");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* vmp_solve_opts_init takes the caller's version: unknown ones are refused
 * with the struct untouched; a known one gives the INIT macro's values. */
static void test_solve__opts_init_checks_the_version(void **state) {
  static const vmp_solve_opts init = VMP_SOLVE_OPTS_INIT;
  vmp_solve_opts opts, before;
  (void)state;
  memset(&opts, 0x5a, sizeof opts);
  before = opts;
  tu_assert_error(vmp_solve_opts_init(&opts, 0), VMP_EINVAL,
                  "solve options: version 0 is unknown; this library knows versions 1..1 "
                  "(initialise with vmp_solve_opts_init)");
  tu_assert_error(vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION + 1), VMP_EINVAL,
                  "solve options: version 2 is unknown");
  assert_memory_equal(&opts, &before, sizeof opts);
  tu_assert_error(vmp_solve_opts_init(NULL, VMP_SOLVE_OPTS_VERSION), VMP_EINVAL,
                  "solve options: vmp_solve_opts_init got NULL");
  assert_int_equal(vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION), VMP_OK);
  assert_int_equal(opts.version, 1);
  assert_memory_equal(&opts, &init, offsetof(vmp_solve_opts, incumbent) + sizeof opts.incumbent);
}

/* Four identical hosts; a, b fill h3, c, d fill h4, e, f half-fill h2:
 * three hosts, the fewest possible, so the current placement is optimal. */
#define STAY                                                                          \
  "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":["                               \
  "{\"name\":\"h1\",\"capacity\":{\"cpu\":8}},{\"name\":\"h2\",\"capacity\":{\"cpu\":8}},"     \
  "{\"name\":\"h3\",\"capacity\":{\"cpu\":8}},{\"name\":\"h4\",\"capacity\":{\"cpu\":8}}],"    \
  "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":4},\"host\":\"h3\"},"                   \
  "{\"name\":\"b\",\"demand\":{\"cpu\":4},\"host\":\"h3\"},"                              \
  "{\"name\":\"c\",\"demand\":{\"cpu\":4},\"host\":\"h4\"},"                              \
  "{\"name\":\"d\",\"demand\":{\"cpu\":4},\"host\":\"h4\"},"                              \
  "{\"name\":\"e\",\"demand\":{\"cpu\":2},\"host\":\"h2\"},"                              \
  "{\"name\":\"f\",\"demand\":{\"cpu\":2},\"host\":\"h2\"}]}"

static void test_solve__every_solver_keeps_an_optimal_current_placement(void **state) {
  vmp_problem *p = tu_problem_json(STAY);
  (void)state;
  for (size_t k = 0; k < vmp_num_solvers(); k++) {
    vmp_solution *s = tu_solve(p, vmp_solver_name(k), 5);
    assert_int_equal(vmp_solution_hosts_used(s), 3);
    assert_true(vmp_solution_objective(s) == 3);
    for (size_t v = 0; v < vmp_problem_num_vms(p); v++)
      if (vmp_solution_vm_host(s, v) != vmp_problem_vm_host(p, v))
        fail_msg("solver %s moves %s", vmp_solver_name(k), vmp_problem_vm_name(p, v));
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* Two VMs of 4 on each of four hosts of 8 (half full): two hosts suffice,
 * and keeping h1 and h2 moves 2 VMs where another pair of hosts would move
 * more. */
static void test_solve__fewest_moves_among_equal_objectives(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":["
      "{\"name\":\"h1\",\"capacity\":{\"cpu\":8}},{\"name\":\"h2\",\"capacity\":{\"cpu\":8}},"
      "{\"name\":\"h3\",\"capacity\":{\"cpu\":8}},{\"name\":\"h4\",\"capacity\":{\"cpu\":8}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":4},\"host\":\"h1\"},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":4},\"host\":\"h2\"},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":4},\"host\":\"h3\"},"
      "{\"name\":\"d\",\"demand\":{\"cpu\":4},\"host\":\"h4\"}]}");
  (void)state;
  for (size_t k = 0; k < vmp_num_solvers(); k++) {
    vmp_solution *s;
    size_t moved = 0;
    /* the baseline packs in turn, not to the fewest hosts */
    if (!strcmp(vmp_solver_name(k), "roundrobin")) continue;
    s = tu_solve(p, vmp_solver_name(k), 5);
    if (vmp_solution_hosts_used(s) != 2)
      fail_msg("solver %s uses %zu hosts, 2 suffice", vmp_solver_name(k),
               vmp_solution_hosts_used(s));
    for (size_t v = 0; v < vmp_problem_num_vms(p); v++)
      moved += vmp_solution_vm_host(s, v) != vmp_problem_vm_host(p, v);
    if (moved != 2) fail_msg("solver %s moves %zu VMs, 2 suffice", vmp_solver_name(k), moved);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

static void test_solve__json_files_carry_their_kind(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS), *q = NULL;
  vmp_solution *s = tu_solve(p, "greedy", 5), *t = NULL;
  char *pj = NULL, *sj = NULL;
  (void)state;
  assert_int_equal(vmp_problem_to_json(p, &pj), VMP_OK);
  assert_int_equal(vmp_solution_to_json(s, &sj), VMP_OK);
  assert_non_null(strstr(pj, "\"kind\": \"problem\""));
  assert_non_null(strstr(sj, "\"kind\": \"solution\""));
  /* read back with their kind; refused as the other kind */
  assert_int_equal(vmp_problem_parse(pj, strlen(pj), VMP_FORMAT_JSON, "p.json", &q), VMP_OK);
  assert_int_equal(vmp_solution_parse(p, sj, strlen(sj), "s.json", &t), VMP_OK);
  vmp_problem_free(q);
  vmp_solution_free(t);
  tu_assert_error(vmp_problem_parse(sj, strlen(sj), VMP_FORMAT_JSON, "s.json", &q), VMP_EPARSE,
                  "s.json: is a solution file, not a problem");
  tu_assert_error(vmp_solution_parse(p, pj, strlen(pj), "p.json", &t), VMP_EPARSE,
                  "p.json: is a problem file, not a solution");
  vmp_free(pj);
  vmp_free(sj);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_solve__solution_outlives_problem_and_reads_back(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = tu_solve(p, "greedy", 5), *t = NULL;
  char *json = NULL;
  (void)state;
  assert_int_equal(vmp_solution_to_json(s, &json), VMP_OK);
  assert_int_equal(vmp_solution_parse(p, json, strlen(json), "sol", &t), VMP_OK);
  assert_int_equal(vmp_solution_hosts_used(t), 2);
  assert_int_equal(vmp_solution_status(t), VMP_STATUS_OPTIMAL);
  vmp_solution_free(t);
  vmp_problem_free(p);
  /* names are copies */
  assert_string_equal(vmp_solution_vm_name(s, 0), "a");
  assert_non_null(vmp_solution_host_name(s, 0));
  p = tu_problem_json(TU_BINS);
  tu_assert_error(vmp_solution_parse(p, "{\"assignments\":{\"a\":\"b1\"}}", 26, "sol", &t),
                  VMP_EPARSE, "VM \"b\" is missing");
  tu_assert_error(vmp_solution_parse(p, "{\"assignments\":{\"zz\":\"b1\"}}", 27, "sol", &t),
                  VMP_ENOTFOUND, "unknown VM \"zz\"");
  vmp_free(json);
  vmp_problem_free(p);
  vmp_solution_free(s);
}

static void test_solve__explanations_have_numbers(void **state) {
  vmp_problem *p = tu_problem_json(RULES);
  vmp_explanation *e = NULL;
  const char *key, *msg;
  size_t n;
  (void)state;
  /* pay (pci) against the current placement (only "pinned" on a2) */
  assert_int_equal(vmp_explain(p, NULL, 3, &e), VMP_OK);
  assert_int_equal(vmp_explanation_num_hosts(e), 4);
  assert_int_equal(vmp_explanation_fits(e, 2), 1);
  assert_int_equal(vmp_explanation_fits(e, 0), 0);
  assert_int_equal(vmp_explanation_reason_at(e, 0, 0, &key, &msg), VMP_OK);
  assert_string_equal(key, "rule pci");
  assert_string_equal(msg, "rule pci: host.labels.pci is absent");
  assert_int_equal(vmp_explanation_num_reasons(e, 3), 2);
  assert_int_equal(vmp_explanation_count_at(e, 0, &key, &n), VMP_OK);
  assert_string_equal(key, "rule pci");
  assert_int_equal(n, 3);
  vmp_explanation_free(e);
  vmp_problem_free(p);
}

typedef struct calls {
  int progress, stop_at, logs, info_logs;
  double first_bound, first_objective;
  char last_log[256];
} calls;

static int count_progress(const vmp_progress *pr, void *ud) {
  calls *c = ud;
  if (c->progress++ == 0) {
    c->first_bound = pr->bound;
    c->first_objective = pr->objective;
    assert_int_equal(pr->version, 1);
    assert_int_equal(pr->total, 5);
  }
  return c->progress == c->stop_at;
}

static void count_log(int level, const char *msg, void *ud) {
  calls *c = ud;
  c->logs++;
  c->info_logs += level == VMP_LOG_INFO;
  snprintf(c->last_log, sizeof c->last_log, "%s", msg);
}

static void test_solve__callbacks_run_and_a_stop_keeps_the_construction(void **state) {
  vmp_problem *p = tu_problem_json(TU_BINS);
  vmp_solution *s = NULL;
  vmp_solve_opts opts;
  calls c = {0};
  (void)state;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "greedy";
  opts.progress = count_progress;
  opts.progress_userdata = &c;
  opts.log = count_log;
  opts.log_userdata = &c;
  opts.log_level = VMP_LOG_INFO;
  assert_int_equal(vmp_solve(p, &opts, &s), VMP_OK);
  /* at least the report before the solver starts, with the model's bound */
  assert_true(c.progress >= 1);
  assert_true(c.first_bound == 2.0);
  assert_true(c.first_objective == HUGE_VAL);
  assert_int_equal(c.info_logs, 3); /* solve, greedy's best rule, result */
  assert_non_null(strstr(c.last_log, "solve: optimal (completed), objective 2"));
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  vmp_solution_free(s);
  /* a stop asked at the first report: the solve says why */
  memset(&c, 0, sizeof c);
  c.stop_at = 1;
  opts.log_level = VMP_LOG_WARN;
  assert_int_equal(vmp_solve(p, &opts, &s), VMP_OK);
  assert_int_equal(c.progress, 1);
  assert_int_equal(c.logs, 0);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_INTERRUPTED);
  /* the construction still ran: a stop means "stop improving" */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_solve__bin_packing_optimum_is_proven),
      cmocka_unit_test(test_solve__vm_larger_than_every_host_is_partial),
      cmocka_unit_test(test_solve__evaluator_finds_every_violation),
      cmocka_unit_test(test_solve__hard_constraints_hold),
      cmocka_unit_test(test_solve__soft_terms_are_scored),
      cmocka_unit_test(test_solve__migrations_and_balance),
      cmocka_unit_test(test_solve__options_and_errors),
      cmocka_unit_test(test_solve__opts_init_checks_the_version),
      cmocka_unit_test(test_solve__solution_outlives_problem_and_reads_back),
      cmocka_unit_test(test_solve__every_solver_keeps_an_optimal_current_placement),
      cmocka_unit_test(test_solve__fewest_moves_among_equal_objectives),
      cmocka_unit_test(test_solve__json_files_carry_their_kind),
      cmocka_unit_test(test_solve__explanations_have_numbers),
      cmocka_unit_test(test_solve__callbacks_run_and_a_stop_keeps_the_construction),
  };
  return cmocka_run_group_tests_name("solve", tests, NULL, NULL);
}
