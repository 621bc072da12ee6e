/* soundness: the unsound answers once found, as exact regression
 * tests, the one meaning of hard affinity and of all-or-nothing groups,
 * the accepted range of every number, escaped user strings in messages.
 * The random property test is test_referee. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *const SOLVERS[] = {"greedy", "local",      "genetic", "ilp",
                                      "colgen", "roundrobin", "auto"};
#define NSOLVERS (sizeof SOLVERS / sizeof *SOLVERS)

/* The GA ends by generations, not by the clock (the other solvers end by
 * themselves on these small problems). */
static vmp_solution *solve(const vmp_problem *p, const char *solver) {
  static const char *const params[] = {"genetic.generations=60", NULL};
  return tu_solve_params(p, solver, TU_PROOF_LIMIT, params);
}

static vmp_problem *kept(const char *name) {
  char rel[512];
  snprintf(rel, sizeof rel, "referee/%s", name);
  return tu_read_data(rel);
}

/* Every solver: a bound at most the optimum, and `optimal`/`infeasible`
 * only with the optimum; the exact solvers reach it. */
static void check_all(const vmp_problem *p, double optimum, const char *file) {
  assert_true(fabs(tu_brute_force(p) - optimum) < 1e-9);
  for (size_t k = 0; k < NSOLVERS; k++) {
    vmp_solution *s = solve(p, SOLVERS[k]);
    double obj = vmp_solution_objective(s), bound = vmp_solution_bound(s);
    int st = vmp_solution_status(s);
    if (!(bound <= optimum + 1e-9))
      fail_msg("%s: %s: bound %.10g above the optimum %.10g", file, SOLVERS[k], bound, optimum);
    if (!(obj >= optimum - 1e-9)) fail_msg("%s: %s: objective %.10g", file, SOLVERS[k], obj);
    if ((st == VMP_STATUS_OPTIMAL || st == VMP_STATUS_INFEASIBLE) && fabs(obj - optimum) > 1e-9)
      fail_msg("%s: %s: %s at %.10g, optimum %.10g", file, SOLVERS[k], vmp_status_name(st), obj,
               optimum);
    if (!strcmp(SOLVERS[k], "ilp") || !strcmp(SOLVERS[k], "colgen") ||
        !strcmp(SOLVERS[k], "auto")) {
      if (fabs(obj - optimum) > 1e-9 || fabs(bound - optimum) > 1e-9)
        fail_msg("%s: %s: objective %.10g bound %.10g, optimum %.10g", file, SOLVERS[k], obj,
                 bound, optimum);
    }
    vmp_solution_free(s);
  }
}

/* Example 1: only one host is allowed and not every VM fits;
 * colgen and auto claimed 32 = bound 32, but v4 and v5 together cost 22. */
static void test_soundness__overfull_bound(void **state) {
  vmp_problem *p = kept("issue18_overfull_bound.json");
  vmp_solution *s;
  (void)state;
  check_all(p, 22.0, "overfull");
  s = solve(p, "colgen");
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INFEASIBLE); /* 4 cannot all fit */
  assert_string_equal(vmp_solution_vm_host_name(s, 0), "h2");       /* v4 */
  assert_string_equal(vmp_solution_vm_host_name(s, 1), "h2");       /* v5 */
  assert_null(vmp_solution_vm_host_name(s, 2));
  assert_null(vmp_solution_vm_host_name(s, 3));
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* Example 2: leaving v3 (on a host in maintenance) out costs
 * 2 + host 1 = 3; moving it costs a migration of 5.  colgen and auto said
 * `optimal` 6. */
static void test_soundness__leaving_a_vm_out(void **state) {
  vmp_problem *p = kept("issue18_leave_out_maintenance.json");
  vmp_solution *s;
  (void)state;
  check_all(p, 3.0, "leave out");
  s = solve(p, "auto");
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_PARTIAL);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_string_equal(vmp_solution_vm_name(s, vmp_solution_unplaced_vm(s, 0)), "v3");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* Example 3: a hard affinity group keeps its placed members
 * together and lets the others out: two of three on the host, 10 + 1. */
static void test_soundness__hard_affinity_places_what_fits(void **state) {
  vmp_problem *p = kept("issue18_hard_affinity_partial.json");
  (void)state;
  check_all(p, 11.0, "affinity");
  for (size_t k = 0; k < NSOLVERS; k++) {
    vmp_solution *s = solve(p, SOLVERS[k]);
    assert_int_equal(vmp_solution_num_unplaced(s), 1);
    assert_true(fabs(vmp_solution_objective(s) - 11.0) < 1e-9);
    assert_int_equal(vmp_solution_num_violations(s), 0);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

static const char AON[] =
    "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":2}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1}},{\"name\":\"b\",\"demand\":{\"cpu\":1}},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":1}},{\"name\":\"d\",\"demand\":{\"cpu\":1}}],"
    "\"groups\":[{\"name\":\"g\",\"policy\":\"affinity\",\"vms\":[\"a\",\"b\",\"c\"],"
    "\"all_or_nothing\":true}]}";

/* all_or_nothing: the old meaning, on request.  The three do not fit
 * together, so none is placed; d takes the host. */
static void test_soundness__all_or_nothing(void **state) {
  vmp_problem *p = tu_problem_json(AON);
  size_t place[4] = {0, 0, VMP_NONE, VMP_NONE};
  vmp_solution *s = NULL;
  const char *kind, *msg;
  char *json = NULL;
  int hard;
  (void)state;
  assert_int_equal(vmp_problem_group_all_or_nothing(p, 0), 1);
  check_all(p, 31.0, "all or nothing");
  for (size_t k = 0; k < NSOLVERS; k++) {
    s = solve(p, SOLVERS[k]);
    assert_int_equal(vmp_solution_num_unplaced(s), 3);
    assert_string_equal(vmp_solution_vm_host_name(s, 3), "h1");
    vmp_solution_free(s);
  }
  /* Two of three placed: a hard violation, named. */
  assert_int_equal(vmp_evaluate(p, place, &s), VMP_OK);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
  assert_int_equal(vmp_solution_num_violations(s), 1);
  assert_int_equal(vmp_solution_violation(s, 0, &kind, &msg, &hard), VMP_OK);
  assert_string_equal(kind, "affinity");
  assert_int_equal(hard, 1);
  assert_string_equal(msg, "affinity g: all or nothing, but 2 of 3 members are placed "
                           "(unplaced: c)");
  vmp_solution_free(s);
  /* The flag survives the JSON round trip. */
  assert_int_equal(vmp_problem_to_json(p, &json), VMP_OK);
  assert_non_null(strstr(json, "\"all_or_nothing\": true"));
  vmp_free(json);
  /* Only a hard affinity group with scope host can have it. */
  tu_assert_error(vmp_problem_set_group_all_or_nothing(p, 7, 1), VMP_EINVAL, "out of range");
  vmp_problem_free(p);
  p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":2}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1}},{\"name\":\"b\",\"demand\":{\"cpu\":1}}],"
      "\"groups\":[{\"name\":\"x\",\"policy\":\"anti-affinity\",\"vms\":[\"a\",\"b\"]},"
      "{\"name\":\"z\",\"policy\":\"affinity\",\"scope\":\"zone\",\"vms\":[\"a\",\"b\"]},"
      "{\"name\":\"s\",\"policy\":\"affinity\",\"hard\":false,\"vms\":[\"a\",\"b\"]}]}");
  for (size_t g = 0; g < 3; g++)
    tu_assert_error(vmp_problem_set_group_all_or_nothing(p, g, 1), VMP_EINVAL,
                    "all_or_nothing: only a hard affinity group with scope \"host\"");
  assert_int_equal(vmp_problem_set_group_all_or_nothing(p, 0, 0), VMP_OK);
  vmp_problem_free(p);
  {
    static const char bad[] =
        "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[],\"vms\":["
        "{\"name\":\"a\",\"demand\":{}},{\"name\":\"b\",\"demand\":{}}],"
        "\"groups\":[{\"name\":\"x\",\"policy\":\"anti-affinity\","
        "\"vms\":[\"a\",\"b\"],\"all_or_nothing\":true}]}";
    tu_assert_error(vmp_problem_parse(bad, sizeof bad - 1, VMP_FORMAT_JSON, "t.json", &p),
                    VMP_EINVAL, "t.json: groups[0]: all_or_nothing: only a hard affinity group");
    assert_null(p);
  }
}

/* Every number has a range (docs/formats.md, "Numbers"); the ends are
 * accepted, anything beyond is VMP_ERANGE naming the field. */
static void test_soundness__number_ranges_c_api(void **state) {
  vmp_problem *p = NULL;
  double cap[1] = {VMP_MAX_QUANTITY}, big[1] = {1e308}, tiny[1] = {1e-7};
  size_t h, v;
  (void)state;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  tu_assert_error(vmp_problem_add_host(p, "x", big, NULL), VMP_ERANGE,
                  "capacity.cpu: expected a number <= 1e15, got 1e+308");
  tu_assert_error(vmp_problem_add_host(p, "x", tiny, NULL), VMP_ERANGE,
                  "capacity.cpu: expected 0 or a number >= 1e-6, got 1e-07");
  assert_int_equal(vmp_problem_add_host(p, "h", cap, &h), VMP_OK);
  tu_assert_error(vmp_problem_set_host_cost(p, h, 1e308), VMP_ERANGE,
                  "cost: expected a number <= 1e9, got 1e+308");
  tu_assert_error(vmp_problem_set_host_cost(p, h, INFINITY), VMP_ERANGE,
                  "cost: expected a finite number");
  assert_int_equal(vmp_problem_set_host_cost(p, h, VMP_MAX_WEIGHT), VMP_OK);
  tu_assert_error(vmp_problem_set_host_overcommit(p, h, 0, 1e4), VMP_ERANGE,
                  "overcommit: expected a number <= 1000, got 10000");
  tu_assert_error(vmp_problem_set_host_overcommit(p, h, 0, 1e-4), VMP_ERANGE,
                  "overcommit: expected a number >= 0.001, got 0.0001");
  assert_int_equal(vmp_problem_set_host_overcommit(p, h, 0, VMP_MAX_OVERCOMMIT), VMP_OK);
  tu_assert_error(vmp_problem_set_host_reserved(p, h, 0, 2e15), VMP_ERANGE,
                  "reserved: expected a number <= 1e15");
  tu_assert_error(vmp_problem_add_vm(p, "x", big, NULL), VMP_ERANGE,
                  "demand.cpu: expected a number <= 1e15");
  assert_int_equal(vmp_problem_add_vm(p, "v", cap, &v), VMP_OK);
  tu_assert_error(vmp_problem_set_vm_migration_cost(p, v, 1e16), VMP_ERANGE,
                  "migration_cost: expected a number <= 1e15");
  assert_int_equal(vmp_problem_set_vm_migration_cost(p, v, -1), VMP_OK); /* default */
  for (size_t k = 0; k < 5; k++) {
    static const char *const terms[] = {"cost", "soft", "migrations", "balance", "unplaced"};
    char want[64];
    snprintf(want, sizeof want, "objective.%s: expected a number <= 1e9", terms[k]);
    tu_assert_error(vmp_problem_set_objective(p, terms[k], 1e10), VMP_ERANGE, want);
    assert_int_equal(vmp_problem_set_objective(p, terms[k], VMP_MAX_WEIGHT), VMP_OK);
  }
  assert_int_equal(vmp_problem_set_objective(p, "unplaced", -1), VMP_OK); /* automatic */
  vmp_problem_free(p);
}

/* Example 4: cost 1e308 made the automatic unplaced weight
 * infinite (objective inf, gap -nan%, GLPK assertion).  Every reader now
 * refuses it, naming the file and the field. */
static void test_soundness__number_ranges_readers(void **state) {
  static const struct {
    const char *text;
    int format;
    const char *msg;
  } cases[] = {
      {"{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[{\"name\":\"h\",\"capacity\":{\"cpu\":4},"
       "\"cost\":1e308}],\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1}}]}",
       VMP_FORMAT_JSON, "in: hosts[0]: cost: expected a number <= 1e9, got 1e+308"},
      {"{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[{\"name\":\"h\",\"capacity\":{\"cpu\":4},"
       "\"overcommit\":{\"cpu\":0}}],\"vms\":[]}",
       VMP_FORMAT_JSON, "in: hosts[0].overcommit.cpu: overcommit: expected a number >= 0.001"},
      {"{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[],\"vms\":[],"
       "\"objective\":{\"balance\":1e300}}",
       VMP_FORMAT_JSON, "in: objective.balance: expected a number <= 1e9"},
      {"1\n1\n10 1e308 -1\n1\n1 1\n3\n", VMP_FORMAT_MVP,
       "in: line 3: cost: expected a number <= 1e9, got 1e+308"},
      {"1\n1e308\n1\n1 1\n", VMP_FORMAT_VBP, "in: line 2: capacity.d1: expected a number <= 1e15"},
      {"2\n1e300\n5\n6\n", VMP_FORMAT_BPPLIB, "in: line 2: capacity.size: expected a number <= 1e15"},
  };
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    vmp_problem *p = NULL;
    tu_assert_error(vmp_problem_parse(cases[k].text, strlen(cases[k].text), cases[k].format,
                                      "in", &p),
                    VMP_ERANGE, cases[k].msg);
    assert_null(p);
  }
}

/* The rebalancing model's numbers have ranges too: weights, ratio targets
 * and move costs at most 1e9, absolute safety capacities at most 1e15.
 * Before, any finite value was taken: a safety weight of 1e300 gave
 * `check` an objective of inf called `optimal` with bound 2, and `solve`
 * a gap of -nan%. */
static void test_soundness__number_ranges_rebalancing(void **state) {
  static const struct {
    const char *field;
    const char *msg;
  } json[] = {
      {"\"safety\":{\"cpu\":{\"fraction\":0.5,\"weight\":1e300}}",
       "in: safety.cpu.weight: expected a number in 0..1e+09, got 1e+300"},
      {"\"ratio_balance\":[{\"resources\":[\"cpu\",\"mem\"],\"target\":1e10}]",
       "in: ratio_balance[0].target: expected a number in 0..1e+09, got 1e+10"},
      {"\"ratio_balance\":[{\"resources\":[\"cpu\",\"mem\"],\"weight\":1e10}]",
       "in: ratio_balance[0].weight: expected a number in 0..1e+09, got 1e+10"},
      {"\"host_move_costs\":{\"matrix\":[[0,1e308],[1,0]]}",
       "in: host_move_costs.matrix[0][1]: expected a number in 0..1e+09, got 1e+308"},
      {"\"host_move_costs\":{\"label\":\"rack\",\"costs\":{},\"default\":2e9}",
       "in: host_move_costs.default: expected a number in 0..1e+09, got 2e+09"},
      {"\"groups\":[{\"name\":\"a\",\"policy\":\"spread\",\"min_domains\":1,\"vms\":[\"x\"]}],"
       "\"dependencies\":[{\"group\":\"a\",\"on\":\"a\",\"hard\":false,\"weight\":1e200}]",
       "in: dependencies[0].weight: expected a number in 0..1e+09, got 1e+200"},
  };
  vmp_problem *p = NULL;
  size_t cls[2] = {0, 1}, g, d;
  double cap[2] = {8, 8}, dem[2] = {1, 1}, ok_costs[4] = {0, 1e9, 1e9, 0};
  double bad_costs[4] = {0, 1e10, 1, 0}, matrix[4] = {0, 1e300, 0, 0};
  const char *from[1] = {"r1"}, *to[1] = {"r1"};
  double huge[1] = {1e12};
  (void)state;
  for (size_t k = 0; k < sizeof json / sizeof *json; k++) {
    char text[1024];
    snprintf(text, sizeof text,
             "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
             "\"hosts\":[{\"name\":\"h\",\"capacity\":{\"cpu\":8,\"mem\":8},"
             "\"labels\":{\"rack\":\"r1\"}},"
             "{\"name\":\"i\",\"capacity\":{\"cpu\":8,\"mem\":8}}],"
             "\"vms\":[{\"name\":\"x\",\"demand\":{\"cpu\":1},\"host\":\"h\"}],%s}",
             json[k].field);
    tu_assert_error(vmp_problem_parse(text, strlen(text), VMP_FORMAT_JSON, "in", &p), VMP_ERANGE,
                    json[k].msg);
    assert_null(p);
  }
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "mem", NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_host(p, "h", cap, NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_host(p, "i", cap, NULL), VMP_OK);
  assert_int_equal(vmp_problem_set_host_label(p, 0, "rack", "r1"), VMP_OK);
  assert_int_equal(vmp_problem_add_vm(p, "x", dem, NULL), VMP_OK);
  tu_assert_error(vmp_problem_set_safety_weight(p, 0, 1e300), VMP_ERANGE,
                  "safety.cpu.weight: expected a number <= 1e9, got 1e+300");
  assert_int_equal(vmp_problem_set_safety_weight(p, 0, VMP_MAX_WEIGHT), VMP_OK);
  tu_assert_error(vmp_problem_set_host_safety(p, 0, 0, 1e16), VMP_ERANGE,
                  "safety.cpu: expected a number <= 1e15, got 1e+16");
  assert_int_equal(vmp_problem_set_host_safety(p, 0, 0, VMP_MAX_QUANTITY), VMP_OK);
  tu_assert_error(vmp_problem_add_ratio_balance(p, 0, 1, 1e10, 1, NULL), VMP_ERANGE,
                  "target: expected a number <= 1e9, got 10000000000");
  tu_assert_error(vmp_problem_add_ratio_balance(p, 0, 1, 1, 1e10, NULL), VMP_ERANGE,
                  "weight: expected a number <= 1e9, got 10000000000");
  assert_int_equal(vmp_problem_add_ratio_balance(p, 0, 1, VMP_MAX_WEIGHT, VMP_MAX_WEIGHT, NULL),
                   VMP_OK);
  tu_assert_error(vmp_problem_set_host_move_costs(p, cls, 2, bad_costs), VMP_ERANGE,
                  "host_move_costs.matrix[0][1]: expected a number <= 1e9, got 10000000000");
  tu_assert_error(vmp_problem_set_host_move_matrix(p, matrix), VMP_ERANGE,
                  "host_move_costs: row 0, column 1: expected a number <= 1e9, got 1e+300");
  tu_assert_error(vmp_problem_set_host_move_costs_by_label(p, "rack", 0, NULL, NULL, NULL, 2e9),
                  VMP_ERANGE, "host_move_costs.default: expected a number <= 1e9, got 2000000000");
  tu_assert_error(vmp_problem_set_host_move_costs_by_label(p, "rack", 1, from, to, huge, 0),
                  VMP_ERANGE, "host_move_costs[0]: expected a number <= 1e9, got 1000000000000");
  assert_int_equal(vmp_problem_set_host_move_costs(p, cls, 2, ok_costs), VMP_OK);
  assert_int_equal(vmp_problem_add_group(p, "a", VMP_SPREAD, 0, NULL, (size_t[]){0}, 1, &g),
                   VMP_OK);
  assert_int_equal(vmp_problem_add_dependency(p, g, g, NULL, &d), VMP_OK);
  tu_assert_error(vmp_problem_set_dependency_weight(p, d, 1e200), VMP_ERANGE,
                  "weight: expected a number <= 1e9, got 1e+200");
  assert_int_equal(vmp_problem_set_dependency_weight(p, d, VMP_MAX_WEIGHT), VMP_OK);
  {
    /* At the ends, the objective of the worst placement is finite. */
    size_t place[1] = {0};
    vmp_solution *s = NULL;
    assert_int_equal(vmp_evaluate(p, place, &s), VMP_OK);
    assert_true(isfinite(vmp_solution_objective(s)));
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* At the ends of every range, every solver gives a finite objective that
 * the evaluator agrees with, and a bound at most the optimum. */
static void test_soundness__extreme_numbers_solve(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":1e15,\"mem\":1e-6},\"cost\":1e9,"
      "\"overcommit\":{\"cpu\":1000}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":1e-6,\"mem\":1e15},\"cost\":1e9,"
      "\"overcommit\":{\"mem\":0.001},\"reserved\":{\"mem\":1e9}},"
      "{\"name\":\"h3\",\"capacity\":{\"cpu\":3,\"mem\":5},\"cost\":0}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1e15,\"mem\":0},\"host\":\"h2\","
      "\"migration_cost\":1e15,\"priority\":1000000},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":1e-6,\"mem\":1e-6}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":2,\"mem\":1e12},\"host\":\"h1\"},"
      "{\"name\":\"d\",\"demand\":{\"cpu\":1,\"mem\":1}}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"anti-affinity\",\"hard\":false,\"weight\":1e9,"
      "\"vms\":[\"b\",\"d\"]}],"
      "\"objective\":{\"cost\":1e9,\"migrations\":1e9,\"balance\":1e9,\"soft\":1e9}}");
  double best = tu_brute_force(p);
  (void)state;
  assert_true(isfinite(best));
  for (size_t k = 0; k < NSOLVERS; k++) {
    vmp_solution *s = solve(p, SOLVERS[k]), *e = NULL;
    size_t host[4];
    for (size_t v = 0; v < 4; v++) host[v] = vmp_solution_vm_host(s, v);
    assert_int_equal(vmp_evaluate(p, host, &e), VMP_OK);
    assert_true(isfinite(vmp_solution_objective(s)));
    assert_true(isfinite(vmp_solution_gap(s)));
    assert_true(vmp_solution_objective(s) == vmp_solution_objective(e));
    assert_true(vmp_solution_bound(s) <= best * (1 + 1e-12));
    assert_true(vmp_solution_objective(s) >= best * (1 - 1e-12));
    vmp_solution_free(e);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* Example 6: a label value with a newline was printed raw in
 * the anti-affinity message of `check`. */
static void test_soundness__label_values_escaped(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":4},\"labels\":{\"zone\":\"a\\nb\\u0001\"}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":4},\"labels\":{\"zone\":\"a\\nb\\u0001\"}}],"
      "\"vms\":[{\"name\":\"x\",\"demand\":{\"cpu\":1}},{\"name\":\"y\",\"demand\":{\"cpu\":1}}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"anti-affinity\",\"scope\":\"zone\","
      "\"vms\":[\"x\",\"y\"]}]}");
  size_t place[2] = {0, 1};
  vmp_solution *s = NULL;
  const char *kind, *msg;
  int hard;
  (void)state;
  assert_int_equal(vmp_evaluate(p, place, &s), VMP_OK);
  assert_int_equal(vmp_solution_violation(s, 0, &kind, &msg, &hard), VMP_OK);
  assert_string_equal(msg, "anti-affinity g: x, y share zone \"a\\nb\\x01\"");
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* An ILP whose hard group has no placeable member: its entry list is empty
 * (it was qsort(NULL, 0, ...), undefined behaviour that UBSan reports; the
 * balance term keeps the model bound from proving the greedy placement, so
 * the MIP is built). */
static void test_soundness__ilp_group_without_columns(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":4}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":5}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":9}},{\"name\":\"b\",\"demand\":{\"cpu\":9}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":1}},{\"name\":\"d\",\"demand\":{\"cpu\":3}},"
      "{\"name\":\"e\",\"demand\":{\"cpu\":2}},{\"name\":\"f\",\"demand\":{\"cpu\":2}}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"anti-affinity\",\"vms\":[\"a\",\"b\"]}],"
      "\"objective\":{\"balance\":3,\"cost\":1}}");
  vmp_solution *s = solve(p, "ilp");
  (void)state;
  /* a and b fit nowhere: 2 x 10; two hosts; balance 3 x 1 (h2 full) */
  assert_true(fabs(vmp_solution_objective(s) - 25.0) < 1e-9);
  assert_true(fabs(vmp_solution_bound(s) - 25.0) < 1e-9);
  assert_true(fabs(tu_brute_force(p) - 25.0) < 1e-9);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_PARTIAL);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_soundness__overfull_bound),
      cmocka_unit_test(test_soundness__leaving_a_vm_out),
      cmocka_unit_test(test_soundness__hard_affinity_places_what_fits),
      cmocka_unit_test(test_soundness__all_or_nothing),
      cmocka_unit_test(test_soundness__number_ranges_c_api),
      cmocka_unit_test(test_soundness__number_ranges_readers),
      cmocka_unit_test(test_soundness__number_ranges_rebalancing),
      cmocka_unit_test(test_soundness__extreme_numbers_solve),
      cmocka_unit_test(test_soundness__label_values_escaped),
      cmocka_unit_test(test_soundness__ilp_group_without_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
