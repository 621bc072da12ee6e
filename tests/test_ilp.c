/* ilp: the assignment MIP in GLPK.  Known optima (by enumeration) for
 * every constraint type and objective term, proven infeasibility, time
 * limits and interruption, the GLPK error guard, threads, parameters and
 * the model export. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generator.h"
#include "testutil.h"

static double stat(const vmp_solution *s, const char *name) {
  double v = NAN;
  if (vmp_solution_stat(s, name, &v)) fail_msg("no stat %s", name);
  return v;
}

/* ilp reaches the enumerated optimum of the problem and proves it. */
static void check_optimum(const char *file, int expect_status) {
  vmp_problem *p = tu_read_data(file);
  double best = tu_brute_force(p);
  vmp_solution *s = tu_solve(p, "ilp", 30);
  if (fabs(vmp_solution_objective(s) - best) > 1e-6)
    fail_msg("%s: ilp objective %.10g, enumerated optimum %.10g", file,
             vmp_solution_objective(s), best);
  assert_true(fabs(vmp_solution_bound(s) - best) <= 1e-6);
  assert_int_equal(vmp_solution_status(s), expect_status);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_ilp__capacity_and_host_costs(void **state) {
  (void)state;
  check_optimum("exact/capacity.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__rules_pins_allowed_hosts_maintenance(void **state) {
  (void)state;
  check_optimum("exact/rules.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__anti_affinity_host_and_zone(void **state) {
  (void)state;
  check_optimum("exact/anti_affinity.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__affinity_zone_and_merged_units(void **state) {
  (void)state;
  check_optimum("exact/affinity.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__soft_rules_and_soft_groups(void **state) {
  (void)state;
  check_optimum("exact/soft.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__migrations(void **state) {
  (void)state;
  check_optimum("exact/migrations.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__balance(void **state) {
  (void)state;
  check_optimum("exact/balance.json", VMP_STATUS_OPTIMAL);
}

static void test_ilp__unplaced_with_explicit_penalty(void **state) {
  vmp_problem *p = tu_read_data("exact/unplaced.json");
  vmp_solution *s = tu_solve(p, "ilp", 30);
  (void)state;
  /* Leaving a (penalty 2) out beats opening a second host (cost 5). */
  assert_true(vmp_solution_objective(s) == 7.0);
  assert_true(tu_brute_force(p) == 7.0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_PARTIAL);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_string_equal(vmp_solution_vm_name(s, vmp_solution_unplaced_vm(s, 0)), "a");
  assert_true(vmp_solution_bound(s) == 7.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_ilp__proves_infeasibility(void **state) {
  vmp_problem *p = tu_read_data("exact/infeasible.json");
  vmp_solution *s = tu_solve(p, "ilp", 30);
  (void)state;
  /* Each VM fits alone; only two of the three fit together. */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_INFEASIBLE);
  assert_int_equal(vmp_solution_num_unplaced(s), 1);
  assert_true(vmp_solution_bound(s) == vmp_solution_objective(s));
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_ilp__time_limit_returns_the_warm_start(void **state) {
  vmp_problem *p = tu_read_data("falkenauer_t60_00.txt");
  vmp_solution *s = tu_solve(p, "ilp", 1e-9);
  (void)state;
  /* No time for the MIP: the verified warm start, its bound and gap. */
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_TIME_LIMIT);
  assert_true(vmp_solution_bound(s) == 20.0);   /* volume: every bin full */
  assert_true(vmp_solution_objective(s) > 20.0);
  assert_true(vmp_solution_gap(s) > 0.0);
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static int stop_at_once(const vmp_progress *pr, void *ud) {
  int *calls = ud;
  (*calls)++;
  return strcmp(pr->solver, "ilp") == 0;
}

static void test_ilp__interruption_inside_the_search(void **state) {
  vmp_problem *p = tu_read_data("falkenauer_t60_00.txt");
  vmp_solution *s = NULL;
  vmp_solve_opts opts;
  int calls = 0;
  (void)state;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "ilp";
  opts.time_limit = 60;
  opts.progress = stop_at_once;
  opts.progress_userdata = &calls;
  opts.progress_interval = 0;
  assert_int_equal(vmp_solve(p, &opts, &s), VMP_OK);
  assert_true(calls >= 1);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_INTERRUPTED);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_true(vmp_solution_bound(s) >= 20.0);
  assert_true(vmp_solution_gap(s) > 0.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_ilp__glpk_failure_is_an_error_and_recoverable(void **state) {
  /* soft.json: the bounds do not settle it, so GLPK runs. */
  vmp_problem *p = tu_read_data("exact/soft.json");
  vmp_params *ps = NULL;
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  (void)state;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "ilp.test_glpk_error", "true"), VMP_OK);
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "ilp";
  opts.params = ps;
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_ESOLVER, "ilp: GLPK failed: glp_set_col_bnds");
  assert_null(s);
  assert_non_null(strstr(vmp_last_error(), "out of range"));
  vmp_params_free(ps);
  /* The process carries on: GLPK works again at once on this thread. */
  s = tu_solve(p, "ilp", 30);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(fabs(vmp_solution_objective(s) - 3.0) < 1e-9);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

typedef struct job {
  const vmp_problem *p;
  double objective;
  size_t host[16];
  int rc;
} job;

static void *run_job(void *arg) {
  job *j = arg;
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "ilp";
  opts.time_limit = 60;
  j->rc = vmp_solve(j->p, &opts, &s);
  if (!j->rc) {
    j->objective = vmp_solution_objective(s);
    for (size_t v = 0; v < vmp_solution_num_vms(s) && v < 16; v++)
      j->host[v] = vmp_solution_vm_host(s, v);
  }
  vmp_solution_free(s);
  return NULL;
}

static void test_ilp__two_threads_same_results(void **state) {
  vmp_problem *a = tu_read_data("exact/soft.json"), *b = tu_read_data("exact/balance.json");
  job seq[2], par[2];
  pthread_t t[2];
  (void)state;
  memset(seq, 0, sizeof seq);
  memset(par, 0, sizeof par);
  seq[0].p = par[0].p = a;
  seq[1].p = par[1].p = b;
  run_job(&seq[0]);
  run_job(&seq[1]);
  assert_int_equal(pthread_create(&t[0], NULL, run_job, &par[0]), 0);
  assert_int_equal(pthread_create(&t[1], NULL, run_job, &par[1]), 0);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  for (int k = 0; k < 2; k++) {
    assert_int_equal(seq[k].rc, VMP_OK);
    assert_int_equal(par[k].rc, VMP_OK);
    assert_true(seq[k].objective == par[k].objective);
    assert_memory_equal(seq[k].host, par[k].host, sizeof seq[k].host);
  }
  assert_true(fabs(seq[0].objective - 3.0) < 1e-9);
  vmp_problem_free(a);
  vmp_problem_free(b);
}

static void test_ilp__warm_start_is_injected(void **state) {
  vmp_problem *p = NULL;
  vmp_solution *s;
  (void)state;
  assert_int_equal(vmp_problem_read(tu_example("datacenter.json"), 0, &p), VMP_OK);
  s = tu_solve(p, "ilp", 60);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 6.0);
  assert_true(stat(s, "ilp.warm_start_injected") == 1.0);
  assert_true(stat(s, "ilp.warm_start_objective") > 6.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_ilp__parameters_are_checked(void **state) {
  vmp_params *ps = NULL;
  (void)state;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  tu_assert_error(vmp_params_set(ps, "ilp.mip_gap", "1.5"), VMP_ERANGE,
                  "ilp.mip_gap: 1.5 is out of range [0, 1]");
  tu_assert_error(vmp_params_set(ps, "ilp.presolve", "maybe"), VMP_EINVAL,
                  "ilp.presolve: expected true or false");
  tu_assert_error(vmp_params_set(ps, "ilp.max_columns", "0"), VMP_ERANGE, "ilp.max_columns");
  tu_assert_error(vmp_params_set(ps, "ilp.max_columns", "2.5"), VMP_EINVAL, "an integer");
  assert_int_equal(vmp_params_set(ps, "ilp.mip_gap", "0.01"), VMP_OK);
  assert_string_equal(vmp_params_get(ps, "ilp.cuts"), "true");
  vmp_params_free(ps);
}

static void test_ilp__too_large_is_refused(void **state) {
  vmp_problem *p = tu_read_data("falkenauer_t60_00.txt");
  vmp_params *ps = NULL;
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  (void)state;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "ilp.max_columns", "10"), VMP_OK);
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "ilp";
  opts.params = ps;
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_ERANGE, "more than ilp.max_columns (10)");
  assert_null(s);
  vmp_params_free(ps);
  vmp_problem_free(p);
}

/* ilp.max_memory_mb: a model estimated over the budget loses what is
 * optional, in order (the conflict graph of clique cuts, then cover and
 * MIR cuts, then the linking rows A3) until it fits, and is refused
 * otherwise. */
static vmp_solution *solve_budget(const vmp_problem *p, double mb, int *rc) {
  vmp_params *ps = NULL;
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  char text[32];
  snprintf(text, sizeof text, "%.0f", mb);
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "ilp.max_memory_mb", text), VMP_OK);
  /* no time limit (the model is built whatever the machine's speed); the
   * first integer solution ends the search */
  assert_int_equal(vmp_params_set(ps, "ilp.mip_gap", "1"), VMP_OK);
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "ilp";
  opts.params = ps;
  opts.time_limit = 0;
  *rc = vmp_solve(p, &opts, &s);
  vmp_params_free(ps);
  return s;
}

/* What the budget dropped: clique cuts, all cuts, linking rows. */
static void assert_dropped(const vmp_solution *s, int clique, int cuts, int linking, double mb) {
  assert_true(stat(s, "ilp.clique_cuts_dropped") == clique);
  assert_true(stat(s, "ilp.cuts_dropped") == cuts);
  assert_true(stat(s, "ilp.linking_dropped") == linking);
  assert_true(stat(s, "ilp.memory_estimate_mb") <= mb);
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
}

static void test_ilp__memory_budget(void **state) {
  vmpb_real_opts o;
  vmp_problem *p = NULL;
  vmp_solution *s;
  double full, clique, cuts, linking, rows, mb;
  char want[256];
  int rc;
  (void)state;
  vmpb_real_opts_init(&o, 50, 200, 1);
  assert_int_equal(vmpb_generate_realistic(&o, &p), VMP_OK);
  s = solve_budget(p, 100000, &rc);
  assert_int_equal(rc, VMP_OK);
  assert_dropped(s, 0, 0, 0, 100000);
  full = stat(s, "ilp.memory_estimate_mb");
  clique = stat(s, "ilp.memory_clique_mb");
  cuts = stat(s, "ilp.memory_cuts_mb");
  linking = stat(s, "ilp.memory_linking_mb");
  rows = stat(s, "ilp.rows");
  print_message("estimate %.2f MB: clique %.2f, cuts %.2f, linking %.2f; %.0f rows\n", full,
                clique, cuts, linking, rows);
  /* every part is worth a budget step of 1 MB at this size */
  assert_true(clique > 1.0 && cuts > 1.0 && linking > 1.0);
  vmp_solution_free(s);
  /* under the whole, not under it without the conflict graph */
  mb = ceil(full - clique);
  s = solve_budget(p, mb, &rc);
  assert_int_equal(rc, VMP_OK);
  assert_dropped(s, 1, 0, 0, mb);
  vmp_solution_free(s);
  /* then without the cut generators */
  mb = ceil(full - clique - cuts);
  s = solve_budget(p, mb, &rc);
  assert_int_equal(rc, VMP_OK);
  assert_dropped(s, 1, 1, 0, mb);
  vmp_solution_free(s);
  /* then without the linking rows: a smaller model, the same placements */
  mb = ceil(full - clique - cuts - linking);
  s = solve_budget(p, mb, &rc);
  assert_int_equal(rc, VMP_OK);
  assert_dropped(s, 1, 1, 1, mb);
  assert_true(stat(s, "ilp.rows") < rows);
  vmp_solution_free(s);
  /* below that: refused, with what it would take and the knob */
  mb = ceil(full - clique - cuts - linking) - 1.0;
  s = solve_budget(p, mb, &rc);
  snprintf(want, sizeof want,
           "would take about %.0f MB with the process, without clique, cover and MIR cuts "
           "and the linking rows x <= y, more than ilp.max_memory_mb (%.0f); raise it or "
           "use colgen",
           full - clique - cuts - linking, mb);
  tu_assert_error(rc, VMP_ERANGE, want);
  assert_null(s);
  vmp_problem_free(p);
}

static void test_ilp__model_export(void **state) {
  vmp_problem *p = tu_read_data("exact/unplaced.json");
  char lp[256], mps[256], *text;
  (void)state;
  snprintf(lp, sizeof lp, "/tmp/vmplace_test_ilp_%ld.lp", (long)getpid());
  snprintf(mps, sizeof mps, "/tmp/vmplace_test_ilp_%ld.mps", (long)getpid());
  assert_int_equal(vmp_write_model(p, NULL, lp, VMP_MODEL_AUTO), VMP_OK);
  text = tu_slurp(lp);
  assert_non_null(text);
  assert_non_null(strstr(text, "Minimize"));
  assert_non_null(strstr(text, "+ 5 y_0"));   /* host cost */
  assert_non_null(strstr(text, "+ 8 u_1"));   /* 2 x (1 + priority 3) */
  free(text);
  assert_int_equal(vmp_write_model(p, NULL, mps, VMP_MODEL_AUTO), VMP_OK);
  text = tu_slurp(mps);
  assert_non_null(text);
  assert_non_null(strstr(text, "ROWS"));
  assert_non_null(strstr(text, "x_0_0"));
  free(text);
  remove(lp);
  remove(mps);
  tu_assert_error(vmp_write_model(p, NULL, "/tmp/model.txt", VMP_MODEL_AUTO), VMP_EINVAL,
                  "name it *.lp or *.mps");
  tu_assert_error(vmp_write_model(p, NULL, "/nonexistent-dir/m.lp", VMP_MODEL_LP), VMP_EIO,
                  "/nonexistent-dir/m.lp");
  vmp_problem_free(p);
}

/* Hosts of equal capacity and price that differ in a label (s1 and g1:
 * the rule confines the pay VMs to zone secure) are separate classes:
 * merged, symmetry breaking (A10, A11) and the per-class rows would treat
 * s1 as a general host (the optimum, 40, buys s1, s2 and big).  The covering rows (A13: both
 * resources over every host and over the secure zone; A14: the replica
 * set opens three hosts) keep the enumerated optimum, with the warm
 * start and without it (the presolver drops it). */
static void test_ilp__classes_apart_by_label_and_cover_rows(void **state) {
  static const char *const none[] = {NULL};
  static const char *const cold[] = {"ilp.presolve=true", NULL};
  static const char *const off[] = {"ilp.cover_rows=false", "ilp.branch_hosts=false", NULL};
  const char *const *runs[] = {none, cold, off};
  vmp_problem *p = tu_read_data("exact/classes.json");
  double best = tu_brute_force(p);
  (void)state;
  assert_true(best == 40.0);
  for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
    vmp_solution *s = tu_solve_params(p, "ilp", 60, runs[k]);
    assert_true(vmp_solution_objective(s) == best);
    assert_true(vmp_solution_bound(s) == best);
    assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
    assert_true(stat(s, "model.host_classes") == 4.0);   /* g1, big, s1, s2 */
    assert_true(stat(s, "ilp.cover_rows") == (runs[k] == off ? 0.0 : 5.0));
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

/* Realistic 10x30 instances (bench generator) whose optima CBC
 * 2.10 proved on the exported model without the new rows: the MIP with
 * the covering rows and host-first branching proves the same optimum,
 * and so does host-first branching alone, and so does the tree without
 * Gomory cuts and with most-fractional branching that large rule-laden
 * models get (ilp.node_cuts_max_columns=0 applies it to these). */
static void test_ilp__realistic_optima_with_cover_rows_and_host_branching(void **state) {
  static const struct { uint64_t seed; double opt; } cases[] = {{3, 168}, {4, 133}, {6, 128}};
  static const char *const none[] = {NULL};
  static const char *const branch_only[] = {"ilp.cover_rows=false", NULL};
  static const char *const cheap[] = {"ilp.node_cuts_max_columns=0", NULL};
  const char *const *runs[] = {none, branch_only, cheap};
  (void)state;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    vmpb_real_opts o;
    vmp_problem *p = NULL;
    vmpb_real_opts_init(&o, 10, 30, cases[c].seed);
    assert_int_equal(vmpb_generate_realistic(&o, &p), VMP_OK);
    for (int run = 0; run < 3; run++) {
      vmp_solution *s = tu_solve_params(p, "ilp", 120, runs[run]);
      if (vmp_solution_objective(s) != cases[c].opt || vmp_solution_bound(s) != cases[c].opt)
        fail_msg("seed %u run %d: objective %g bound %g, optimum %g", (unsigned)cases[c].seed,
                 run, vmp_solution_objective(s), vmp_solution_bound(s), cases[c].opt);
      assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
      assert_true(run == 1 ? stat(s, "ilp.cover_rows") == 0.0 : stat(s, "ilp.cover_rows") >= 6.0);
      assert_true(stat(s, "ilp.cheap_tree") == (run == 2 ? 1.0 : 0.0));
      vmp_solution_free(s);
    }
    vmp_problem_free(p);
  }
}

/* ilp.lazy_linking: the root LP starts without the linking rows (A3) of
 * VMs with a demand and adds the broken ones until none is: its optimum
 * is the whole model's (the same ilp.root_lp to 1e-9), and every mode
 * proves the optimum CBC 2.10 proved for realistic 10x30 seed 4 (133).
 * Mode 1 ends with every row, mode 2 with only those the rounds added. */
static void test_ilp__lazy_linking_same_root_and_optimum(void **state) {
  static const char *const off[] = {"ilp.lazy_linking=0", NULL};
  static const char *const all[] = {"ilp.lazy_linking=1", "ilp.lazy_linking_min=0", NULL};
  static const char *const few[] = {"ilp.lazy_linking=2", "ilp.lazy_linking_min=0", NULL};
  const char *const *runs[] = {off, all, few};
  double root[3], rows[3], added[3];
  vmpb_real_opts o;
  vmp_problem *p = NULL;
  (void)state;
  vmpb_real_opts_init(&o, 10, 30, 4);
  assert_int_equal(vmpb_generate_realistic(&o, &p), VMP_OK);
  for (size_t k = 0; k < 3; k++) {
    vmp_solution *s = tu_solve_params(p, "ilp", 120, runs[k]);
    if (vmp_solution_objective(s) != 133.0 || vmp_solution_bound(s) != 133.0)
      fail_msg("%s: objective %g bound %g, optimum 133", runs[k][0], vmp_solution_objective(s),
               vmp_solution_bound(s));
    assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
    root[k] = stat(s, "ilp.root_lp");
    rows[k] = stat(s, "ilp.rows");
    added[k] = stat(s, "ilp.linking_lazy");
    vmp_solution_free(s);
  }
  print_message("root LP %.6f; rows %.0f / %.0f / %.0f; linking rows added %.0f\n", root[0],
                rows[0], rows[1], rows[2], added[1]);
  assert_true(root[0] > 100.0);   /* the MIP ran: the warm start was not proven by a bound */
  assert_true(fabs(root[1] - root[0]) <= 1e-9 * root[0]);
  assert_true(fabs(root[2] - root[0]) <= 1e-9 * root[0]);
  assert_true(added[0] == 0.0 && added[1] > 0.0 && added[2] == added[1]);
  assert_true(rows[1] == rows[0]);
  assert_true(rows[2] < rows[0]);
  vmp_problem_free(p);
}

/* A linking row added to a problem GLPK has already scaled, over columns
 * of very different scales (capacities near 1e14: the referee's seed
 * 16): unscaled, GLPK's dual simplex called the root LP infeasible and
 * ilp failed.  The optimum buys h1 (cost 2) for both VMs (h3 has no
 * capacity); the model is too badly scaled for GLPK's duals to back a
 * proof, so every mode answers as the whole model does: that placement,
 * a bound of at most 2 (that of the volume), no proof. */
static void test_ilp__lazy_linking_badly_scaled(void **state) {
  static const char *const off[] = {"ilp.lazy_linking=0", NULL};
  static const char *const all[] = {"ilp.lazy_linking=1", "ilp.lazy_linking_min=0", NULL};
  static const char *const few[] = {"ilp.lazy_linking=2", "ilp.lazy_linking_min=0", NULL};
  const char *const *runs[] = {off, all, few};
  vmp_problem *p = tu_read_data("exact/lazy_scaling.json");
  double bound0 = NAN;
  (void)state;
  assert_true(tu_brute_force(p) == 2.0);
  for (size_t k = 0; k < 3; k++) {
    vmp_solution *s = tu_solve_params(p, "ilp", 30, runs[k]);
    assert_true(vmp_solution_objective(s) == 2.0);
    assert_true(vmp_solution_bound(s) <= 2.0);
    assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
    if (k == 0) bound0 = vmp_solution_bound(s);
    assert_true(vmp_solution_bound(s) == bound0);
    vmp_solution_free(s);
  }
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ilp__capacity_and_host_costs),
      cmocka_unit_test(test_ilp__rules_pins_allowed_hosts_maintenance),
      cmocka_unit_test(test_ilp__anti_affinity_host_and_zone),
      cmocka_unit_test(test_ilp__affinity_zone_and_merged_units),
      cmocka_unit_test(test_ilp__soft_rules_and_soft_groups),
      cmocka_unit_test(test_ilp__migrations),
      cmocka_unit_test(test_ilp__balance),
      cmocka_unit_test(test_ilp__unplaced_with_explicit_penalty),
      cmocka_unit_test(test_ilp__proves_infeasibility),
      cmocka_unit_test(test_ilp__time_limit_returns_the_warm_start),
      cmocka_unit_test(test_ilp__interruption_inside_the_search),
      cmocka_unit_test(test_ilp__glpk_failure_is_an_error_and_recoverable),
      cmocka_unit_test(test_ilp__two_threads_same_results),
      cmocka_unit_test(test_ilp__warm_start_is_injected),
      cmocka_unit_test(test_ilp__parameters_are_checked),
      cmocka_unit_test(test_ilp__too_large_is_refused),
      cmocka_unit_test(test_ilp__memory_budget),
      cmocka_unit_test(test_ilp__model_export),
      cmocka_unit_test(test_ilp__classes_apart_by_label_and_cover_rows),
      cmocka_unit_test(test_ilp__realistic_optima_with_cover_rows_and_host_branching),
      cmocka_unit_test(test_ilp__lazy_linking_same_root_and_optimum),
      cmocka_unit_test(test_ilp__lazy_linking_badly_scaled),
  };
  return cmocka_run_group_tests_name("ilp", tests, NULL, NULL);
}
