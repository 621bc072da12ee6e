/*
 * Tests of vmplace-bench's parts (bench/lib): the worker on one sample file
 * of each format, the results.csv contract, resuming, the arithmetic of
 * gaps, percentiles and profiles, the mapping of instance names to the
 * optima tables, CSV quoting, the CBC peer on an MPS written by GLPK, the
 * CP-SAT peer (when ortools is installed), and the isolation of crashed
 * and hung workers.  Runs execute in forked children, as in the runner.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glpk.h>

#include "testutil.h"
#include "bench.h"
#include "report.h"
#include "runner.h"

#define BENCH_DATA VMPLACE_TEST_DATA "/bench"

/* ---- helpers --------------------------------------------------------------------- */

static char *make_tmpdir(void) {
  char *d = strdup("/tmp/vmplace-test-bench-XXXXXX");
  assert_non_null(d);
  assert_non_null(mkdtemp(d));
  return d;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void rm_tree(char *dir) {
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void mkdir_p(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0755);
      *p = '/';
    }
  mkdir(buf, 0755);
}

static size_t count_lines(const char *text) {
  size_t n = 0;
  for (; text && *text; text++) n += *text == '\n';
  return n;
}

static char *path_join(const char *dir, const char *name) {
  char *p = NULL;
  assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
  return p;
}

/* Runs vmplace-bench's main in this process (jobs in forked children). */
static int bench(const char *const *args) {
  char *argv[32];
  int argc = 0;
  argv[argc++] = "vmplace-bench";
  for (; *args; args++) argv[argc++] = (char *)*args;
  argv[argc] = NULL;
  return vmpb_main(argc, argv, NULL);
}

static void work(const char *path, const char *solver, vmpb_outcome *o) {
  vmpb_instance in;
  vmpb_work w;
  memset(&in, 0, sizeof in);
  in.kind = VMPB_KIND_FILE;
  in.path = (char *)path;
  in.suite = in.name = (char *)"t";
  memset(&w, 0, sizeof w);
  w.inst = &in;
  w.solver = solver;
  w.time_limit = 5;
  w.seed = 1;
  w.threads = 1;
  w.tmpdir = "/tmp";
  vmpb_work_run(&w, o);
}

static const vmpb_row *find_row(vmpb_table *t, const char *suite,
                                const char *instance, const char *solver) {
  size_t k = vmpb_table_find(t, suite, instance, solver);
  if (k == (size_t)-1) fail_msg("no row %s/%s/%s", suite, instance, solver);
  return &t->rows[k];
}

/* ---- the worker reads every format into the right problem ------------------------- */

static void test_bench__worker_reads_each_format(void **state) {
  static const struct {
    const char *file;
    double vms;
  } cases[] = {
      {"tiny.vbp", 3},        {"tiny.mvp", 3},       {"tiny_bpplib.txt", 3},
      {"tiny_cloud.json", 3}, {"model_tiny.txt", 3},
  };
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char path[4096];
    vmpb_outcome o;
    snprintf(path, sizeof path, "%s/formats/%s", VMPLACE_TEST_DATA, cases[k].file);
    /* The ROADEF model has a transient resource, which roundrobin does
     * not model: the rebalancer solves it. */
    work(path, strcmp(cases[k].file, "model_tiny.txt") ? "roundrobin" : "rebalance",
         &o);
    if (strcmp(o.status, "optimal") && strcmp(o.status, "feasible"))
      fail_msg("%s: status %s (%s)", cases[k].file, o.status, o.note);
    assert_true(o.vms == cases[k].vms);
    assert_true(o.unplaced == 0);
    assert_true(o.value >= o.bound);
    assert_true(o.read_s >= 0 && o.time_s >= 0);
  }
}

static void test_bench__worker_values_of_fixed_samples(void **state) {
  vmpb_outcome o;
  (void)state;
  /* sizes 4, 6, 5 in bins of 10: roundrobin opens a bin per item; the
   * volume bound is 2 (and 2 is optimal: 4+6 and 5) */
  work(VMPLACE_TEST_DATA "/formats/tiny_bpplib.txt", "roundrobin", &o);
  assert_string_equal(o.status, "feasible");
  assert_true(o.value == 3 && o.bound == 2 && o.hosts_used == 3);
  assert_int_equal(o.proven_optimal, 0);
  /* cloud balancing: the value is the cost of the computers used.
   * roundrobin puts p2 on computer 7; the minimal-disruption pass moves
   * it back to computer 0, where the file has it, which empties computer 7
   * (cost 660) */
  work(VMPLACE_TEST_DATA "/formats/tiny_cloud.json", "roundrobin", &o);
  assert_true(o.value == 4800);
}

static void test_bench__unsupported_and_bad_files(void **state) {
  vmpb_outcome o;
  (void)state;
  work(BENCH_DATA "/inst/neg.vbp", "greedy", &o);
  assert_string_equal(o.status, "unsupported");
  assert_non_null(strstr(o.note, "expected a number >= 0, got -2"));
  assert_true(isnan(o.value));
  work(BENCH_DATA "/inst/multi.mvp", "greedy", &o);
  assert_string_equal(o.status, "unsupported");
  assert_non_null(strstr(o.note, "alternative shapes"));
  work(VMPLACE_TEST_DATA "/bad/garbage.txt", "greedy", &o);
  assert_string_equal(o.status, "error");
  assert_non_null(strstr(o.note, "garbage.txt"));
  work(BENCH_DATA "/inst/a.vbp", "no-such-solver", &o);
  assert_string_equal(o.status, "error");
  assert_non_null(strstr(o.note, "VMP_ENOTFOUND"));
}

static void test_bench__outcome_survives_the_pipe(void **state) {
  vmpb_outcome o, back;
  int fd[2];
  char buf[4096];
  ssize_t n;
  (void)state;
  vmpb_outcome_init(&o);
  snprintf(o.status, sizeof o.status, "feasible");
  o.value = 42;
  o.bound = 40.5;
  o.time_s = 0.125;
  o.vms = 7;
  snprintf(o.note, sizeof o.note, "two\nlines");
  assert_int_equal(pipe(fd), 0);
  assert_int_equal(vmpb_outcome_write(fd[1], &o), 0);
  close(fd[1]);
  n = read(fd[0], buf, sizeof buf - 1);
  close(fd[0]);
  assert_true(n > 0);
  buf[n] = 0;
  assert_int_equal(vmpb_outcome_parse(buf, &back), 1);
  assert_string_equal(back.status, "feasible");
  assert_true(back.value == 42 && back.bound == 40.5 && back.time_s == 0.125);
  assert_true(back.vms == 7 && isnan(back.hosts_used));
  assert_string_equal(back.note, "two lines");
  /* a record cut short (the worker died while writing) is incomplete */
  *strstr(buf, "end=1") = 0;
  assert_int_equal(vmpb_outcome_parse(buf, &back), 0);
}

/* ---- results.csv ---------------------------------------------------------------------- */

static const char *const FIXED_HEADER =
    "suite,instance,solver,status,value,best_known,proven_optimal,bound,"
    "gap_to_best,time_s,peak_mib";

static void test_bench__results_csv_has_the_exact_columns(void **state) {
  char *dir = make_tmpdir(), *csv, *text, *p;
  vmpb_table t = {0};
  char err[VMPB_ERRLEN];
  const vmpb_row *r;
  const char *args[] = {"--instances", BENCH_DATA "/inst", "--optima",
                        BENCH_DATA "/optima.csv", "--solvers", "roundrobin",
                        "--time-limit", "5", "--out", dir, NULL};
  (void)state;
  assert_int_equal(bench(args), 0);
  csv = path_join(dir, "results.csv");
  text = tu_slurp(csv);
  assert_non_null(text);
  assert_memory_equal(text, FIXED_HEADER, strlen(FIXED_HEADER));
  assert_true(text[strlen(FIXED_HEADER)] == ',' || text[strlen(FIXED_HEADER)] == '\n');
  /* one row per instance and solver: 4 files, 1 solver */
  assert_int_equal(count_lines(text), 1 + 4);
  assert_int_equal(vmpb_results_read(csv, &t, err), 0);
  assert_int_equal(t.n, 4);
  r = find_row(&t, "dir:inst", "sub/b.txt", "roundrobin");
  assert_string_equal(r->f[VMPB_COL_STATUS], "feasible");
  assert_string_equal(r->f[VMPB_COL_VALUE], "3");
  assert_string_equal(r->f[VMPB_COL_BEST_KNOWN], "2");
  assert_string_equal(r->f[VMPB_COL_PROVEN_OPTIMAL], "false");
  assert_string_equal(r->f[VMPB_COL_BOUND], "2");
  assert_string_equal(r->f[VMPB_COL_GAP_TO_BEST], "0.500000");
  assert_true(vmpb_row_num(r, VMPB_COL_TIME_S) >= 0);
  assert_true(vmpb_row_num(r, VMPB_COL_PEAK_MIB) > 0);
  assert_string_equal(r->f[VMPB_COL_BEST_KNOWN_PROVEN], "true");
  r = find_row(&t, "dir:inst", "a.vbp", "roundrobin");
  assert_string_equal(r->f[VMPB_COL_BEST_KNOWN], "2");    /* by stem */
  r = find_row(&t, "dir:inst", "neg.vbp", "roundrobin");
  assert_string_equal(r->f[VMPB_COL_STATUS], "unsupported");
  assert_string_equal(r->f[VMPB_COL_VALUE], "");
  assert_string_equal(r->f[VMPB_COL_BEST_KNOWN], "");
  /* the reports exist and say what they hold */
  free(text);
  p = path_join(dir, "summary.md");
  text = tu_slurp(p);
  assert_non_null(text);
  assert_non_null(strstr(text, "$ vmplace-bench --instances"));
  assert_non_null(strstr(text, "## dir:inst"));
  /* 2 runs: the 2 other files are unsupported */
  assert_non_null(strstr(text, "| roundrobin | 2 | 2 | 0 | 0 | 50.00% |"));
  assert_non_null(strstr(text, "`neg.vbp`"));
  free(text);
  free(p);
  p = path_join(dir, "profile.svg");
  text = tu_slurp(p);
  assert_non_null(text);
  assert_non_null(strstr(text, "<svg"));
  assert_non_null(strstr(text, "dir:inst (2 instances)"));
  free(text);
  free(p);
  p = path_join(dir, "results.json");
  text = tu_slurp(p);
  assert_non_null(text);
  assert_non_null(strstr(text, "\"gap_to_best\": 0.5"));
  free(text);
  free(p);
  vmpb_table_free(&t);
  free(csv);
  rm_tree(dir);
}

static void test_bench__resumed_run_does_not_repeat(void **state) {
  char *dir = make_tmpdir(), *csv, *first, *second, *third;
  vmpb_table t = {0};
  char err[VMPB_ERRLEN];
  const char *args[] = {"--instances", BENCH_DATA "/inst", "--solvers",
                        "roundrobin", "--out", dir, NULL};
  const char *more[] = {"--instances", BENCH_DATA "/inst", "--solvers",
                        "roundrobin,greedy", "--out", dir, NULL};
  const char *force[] = {"--instances", BENCH_DATA "/inst", "--filter", "^a",
                         "--solvers", "roundrobin", "--force", "--out", dir,
                         NULL};
  (void)state;
  csv = path_join(dir, "results.csv");
  assert_int_equal(bench(args), 0);
  first = tu_slurp(csv);
  /* the same command again: nothing to run, the file is untouched */
  assert_int_equal(bench(args), 0);
  second = tu_slurp(csv);
  assert_string_equal(first, second);
  /* a row cut short by a killed runner is dropped and its run redone;
   * a new solver adds only its own rows, after the old ones */
  {
    FILE *f = fopen(csv, "a");
    assert_non_null(f);
    fputs("dir:inst,a.vbp,greedy,feasible,2,2,false,2,0.000000,0.1,2.0,tr", f);
    fclose(f);
  }
  assert_int_equal(bench(more), 0);
  third = tu_slurp(csv);
  assert_memory_equal(third, first, strlen(first));
  assert_int_equal(count_lines(third), 1 + 4 + 4);
  /* --force redoes the selected runs only, replacing their rows */
  assert_int_equal(bench(force), 0);
  assert_int_equal(vmpb_results_read(csv, &t, err), 0);
  assert_int_equal(t.n, 8);
  find_row(&t, "dir:inst", "a.vbp", "roundrobin");
  assert_string_equal(t.rows[t.n - 1].f[VMPB_COL_INSTANCE], "a.vbp");
  /* the commands of every run are kept for the summary */
  {
    char *cmds = path_join(dir, "commands.txt"), *text = tu_slurp(cmds);
    size_t runs = 0;
    for (char *p = text; (p = strstr(p, "\n$ ")); p++) runs++;
    assert_int_equal(runs, 4);
    free(text);
    free(cmds);
  }
  vmpb_table_free(&t);
  free(first);
  free(second);
  free(third);
  free(csv);
  rm_tree(dir);
}

static void test_bench__bad_usage(void **state) {
  char *dir = make_tmpdir(), *csv;
  const char *unknown_suite[] = {"--suite", "nope", "--out", dir, NULL};
  const char *unknown_solver[] = {"--instances", BENCH_DATA "/inst",
                                  "--solvers", "greedy,nope", "--out", dir, NULL};
  const char *no_out[] = {"--instances", BENCH_DATA "/inst", NULL};
  const char *bad_num[] = {"--instances", BENCH_DATA "/inst", "--time-limit",
                           "-1", "--out", dir, NULL};
  const char *bad_dc[] = {"--suite", "datacenter:10y5", "--out", dir, NULL};
  const char *nothing[] = {"--out", dir, NULL};
  (void)state;
  assert_int_equal(bench(unknown_suite), 2);
  assert_int_equal(bench(unknown_solver), 2);
  assert_int_equal(bench(no_out), 2);
  assert_int_equal(bench(bad_num), 2);
  assert_int_equal(bench(bad_dc), 2);
  assert_int_equal(bench(nothing), 2);
  /* a results.csv of another shape is never appended to */
  csv = path_join(dir, "results.csv");
  spit(csv, "a,b,c\n1,2,3\n");
  {
    const char *args[] = {"--instances", BENCH_DATA "/inst", "--solvers",
                          "roundrobin", "--out", dir, NULL};
    char *text;
    assert_int_equal(bench(args), 2);
    text = tu_slurp(csv);
    assert_string_equal(text, "a,b,c\n1,2,3\n");
    free(text);
  }
  free(csv);
  rm_tree(dir);
}

/* The generated datacenter and --online, or the message that says what
 * this build lacks. */
static void test_bench__datacenter_and_online(void **state) {
  char *dir = make_tmpdir(), *p, *text;
  const char *dc[] = {"--suite", "datacenter:20x100:7", "--solvers", "roundrobin",
                      "--out", dir, NULL};
  const char *online[] = {"--online", "50", "--suite", "datacenter:20x100:7",
                          "--solvers", "roundrobin", "--out", dir, NULL};
  vmpb_table t = {0};
  char err[VMPB_ERRLEN];
  (void)state;
  assert_int_equal(bench(dc), 0);
  p = path_join(dir, "results.csv");
  assert_int_equal(vmpb_results_read(p, &t, err), 0);
  free(p);
  {
    const vmpb_row *r = find_row(&t, "datacenter:20x100:7", "h20-v100-s7", "roundrobin");
    assert_string_equal(r->f[VMPB_COL_VMS], "100");
    assert_string_equal(r->f[VMPB_COL_BEST_KNOWN], "");
    assert_true(vmpb_row_num(r, VMPB_COL_READ_S) >= 0);
  }
  vmpb_table_free(&t);
  assert_int_equal(bench(online), 0);
  p = path_join(dir, "online.csv");
  text = tu_slurp(p);
  assert_non_null(text);
  assert_non_null(strstr(text, "datacenter:20x100:7,20,100,50,"));
  assert_non_null(strstr(text, ",ok,"));
  free(text);
  /* the unforeseen arrivals: as many, added to the open placer */
  assert_int_equal(vmpb_online_read(p, &t, err), 0);
  assert_int_equal(t.n, 1);
  assert_string_equal(t.rows[0].f[VMPB_OCOL_ADDED], "50");
  assert_true(vmpb_row_num(&t.rows[0], VMPB_OCOL_ADD_MEDIAN_US) > 0);
  vmpb_table_free(&t);
  free(p);
  rm_tree(dir);
}

/* The realistic suite: 30 instances named by size and seed, generated in
 * the worker. */
static void test_bench__realistic_suite(void **state) {
  char *dir = make_tmpdir(), *p;
  const char *run[] = {"--suite", "realistic", "--filter", "r20x60-s01$", "--solvers",
                       "roundrobin", "--out", dir, NULL};
  vmpb_selection sel = {"realistic", NULL, NULL, NULL, 0};
  vmpb_instances il = {0};
  vmpb_table t = {0};
  char err[VMPB_ERRLEN];
  (void)state;
  assert_true(vmpb_suite_known("realistic"));
  assert_int_equal(vmpb_instances_add(&il, &sel, NULL, NULL, err), 0);
  assert_int_equal(il.n, 30);
  assert_string_equal(il.v[0].name, "r20x60-s01");
  assert_string_equal(il.v[9].name, "r20x60-s10");
  assert_string_equal(il.v[10].name, "r50x200-s01");
  assert_string_equal(il.v[29].name, "r100x400-s10");
  assert_int_equal(il.v[29].hosts, 100);
  assert_int_equal(il.v[29].vms, 400);
  assert_int_equal(il.v[29].gen_seed, 10);
  assert_int_equal(il.v[29].kind, VMPB_KIND_REALISTIC);
  vmpb_instances_free(&il);
  sel.filter = "r50x200";
  sel.limit = 4;
  assert_int_equal(vmpb_instances_add(&il, &sel, NULL, NULL, err), 0);
  assert_int_equal(il.n, 4);
  assert_string_equal(il.v[3].name, "r50x200-s04");
  vmpb_instances_free(&il);
  assert_int_equal(bench(run), 0);
  p = path_join(dir, "results.csv");
  assert_int_equal(vmpb_results_read(p, &t, err), 0);
  free(p);
  {
    const vmpb_row *r = find_row(&t, "realistic", "r20x60-s01", "roundrobin");
    assert_string_equal(r->f[VMPB_COL_VMS], "60");
    assert_string_equal(r->f[VMPB_COL_STATUS], "feasible");
  }
  vmpb_table_free(&t);
  rm_tree(dir);
}

/* ---- arithmetic ------------------------------------------------------------------------- */

static void test_bench__gap_and_percentiles(void **state) {
  double odd[] = {3, 1, 2}, even[] = {4, 1, NAN, 3, 2}, twenty[20], hundred[100];
  double one[] = {5}, none[] = {NAN, NAN};
  (void)state;
  assert_true(vmpb_gap(21, 20) == 0.05);
  assert_true(vmpb_gap(20, 20) == 0);
  assert_true(vmpb_gap(19, 20) == -0.05);
  assert_true(isnan(vmpb_gap(NAN, 20)) && isnan(vmpb_gap(3, NAN)) &&
              isnan(vmpb_gap(3, 0)));
  assert_true(vmpb_matches(20, 20) && vmpb_matches(19, 20) &&
              vmpb_matches(20.0000000001, 20));
  assert_false(vmpb_matches(21, 20) || vmpb_matches(NAN, 20) || vmpb_matches(2, NAN));
  assert_true(vmpb_median(odd, 3) == 2);
  assert_true(vmpb_median(even, 5) == 2.5);          /* NaN left out */
  for (int k = 0; k < 20; k++) twenty[k] = 20 - k;    /* 20..1 */
  for (int k = 0; k < 100; k++) hundred[k] = k + 1;   /* 1..100 */
  assert_true(vmpb_percentile(twenty, 20, 95) == 19);  /* rank ceil(19) */
  assert_true(vmpb_percentile(hundred, 100, 95) == 95);
  assert_true(vmpb_percentile(hundred, 100, 99) == 99);
  assert_true(vmpb_percentile(hundred, 100, 50) == 50);
  assert_true(vmpb_percentile(one, 1, 95) == 5);
  assert_true(isnan(vmpb_percentile(none, 2, 95)) && isnan(vmpb_median(none, 2)));
}

static void test_bench__profile_arithmetic(void **state) {
  double gaps[] = {0, 0.02, 0.1, NAN, -0.01};
  double base[] = {2.5, 1.0, NAN};
  double small[] = {0.13, 0, 0};
  vmpb_profile_line lines[2] = {{"greedy", small, 3}, {"roundrobin", base, 3}};
  vmpb_profile_line only_base[1] = {{"roundrobin", base, 3}};
  vmpb_profile_line zero[1] = {{"greedy", small + 1, 2}};
  (void)state;
  /* 5 instances: gaps 0 and -1% (better than the best known) count at 0 */
  assert_true(vmpb_profile_share(gaps, 5, 0) == 0.4);
  assert_true(vmpb_profile_share(gaps, 5, 0.019) == 0.4);
  assert_true(vmpb_profile_share(gaps, 5, 0.02) == 0.6);
  assert_true(vmpb_profile_share(gaps, 5, 0.1) == 0.8);
  assert_true(vmpb_profile_share(gaps, 5, 10) == 0.8);  /* NaN never counts */
  assert_true(isnan(vmpb_profile_share(gaps, 0, 0)));
  /* x range: 13% rounds up to 20%; the baseline does not set it unless
   * it is alone; at least 1%, at most 100% */
  assert_true(vmpb_profile_xmax(lines, 2) == 0.2);
  assert_true(vmpb_profile_xmax(only_base, 1) == 1.0);
  assert_true(vmpb_profile_xmax(zero, 1) == 0.01);
}

static void add_row(vmpb_table *t, const char *suite, const char *inst,
                    const char *solver, const char *status, const char *value,
                    const char *best, const char *bound, const char *time) {
  vmpb_row *r = vmpb_table_add(t);
  assert_non_null(r);
  vmpb_row_set(r, VMPB_COL_SUITE, suite);
  vmpb_row_set(r, VMPB_COL_INSTANCE, inst);
  vmpb_row_set(r, VMPB_COL_SOLVER, solver);
  vmpb_row_set(r, VMPB_COL_STATUS, status);
  vmpb_row_set(r, VMPB_COL_VALUE, value);
  vmpb_row_set(r, VMPB_COL_BEST_KNOWN, best);
  vmpb_row_set(r, VMPB_COL_BOUND, bound);
  vmpb_row_set(r, VMPB_COL_TIME_S, time);
  vmpb_row_set(r, VMPB_COL_PROVEN_OPTIMAL,
               !strcmp(status, "optimal") ? "true" : "false");
}

static void test_bench__suite_figures_on_a_fixed_table(void **state) {
  vmpb_table t = {0};
  vmpb_solver_stats st;
  vmpb_profile_line *lines;
  size_t nl, ni;
  (void)state;
  add_row(&t, "s", "i1", "greedy", "optimal", "10", "10", "10", "0.5");
  add_row(&t, "s", "i2", "greedy", "feasible", "11", "10", "9", "1.5");
  add_row(&t, "s", "i3", "greedy", "timeout", "", "20", "", "");
  add_row(&t, "s", "i4", "greedy", "unsupported", "", "5", "", "");
  add_row(&t, "s", "i1", "roundrobin", "feasible", "12", "10", "8", "0.1");
  add_row(&t, "s", "i2", "roundrobin", "feasible", "15", "10", "10", "0.3");
  add_row(&t, "s", "i3", "roundrobin", "feasible", "30", "20", "", "0.2");
  add_row(&t, "s", "i4", "roundrobin", "unsupported", "", "5", "", "");
  vmpb_suite_stats(&t, "s", "greedy", &st);
  assert_int_equal(st.runs, 3);
  assert_int_equal(st.unsupported, 1);
  assert_int_equal(st.solved, 2);
  assert_int_equal(st.matched, 1);
  assert_int_equal(st.proven, 1);
  assert_int_equal(st.failed, 1);
  assert_true(fabs(st.mean_gap - 0.05) < 1e-12);
  assert_true(fabs(st.max_gap - 0.1) < 1e-12);
  assert_true(fabs(st.total_vs_best - (21.0 / 20 - 1)) < 1e-12);
  assert_true(st.median_time == 1.0);   /* 0.5 and 1.5; the timeout has none */
  assert_true(st.p95_time == 1.5);
  /* best bound per instance over both solvers: i1 10, i2 10 */
  assert_true(fabs(st.mean_gap_bound - 0.05) < 1e-12);
  vmpb_suite_stats(&t, "s", "roundrobin", &st);
  assert_true(fabs(st.mean_gap - (0.2 + 0.5 + 0.5) / 3) < 1e-12);
  assert_true(fabs(st.total_vs_best - (57.0 / 40 - 1)) < 1e-12);
  /* the profile covers i1..i3 (i4 was loaded by no one) */
  assert_int_equal(vmpb_profile_suite(&t, "s", &lines, &nl, &ni), 0);
  assert_int_equal(ni, 3);
  assert_int_equal(nl, 2);
  assert_string_equal(lines[0].solver, "greedy");   /* registry order */
  assert_true(lines[0].gaps[0] == 0 && fabs(lines[0].gaps[1] - 0.1) < 1e-12 &&
              isnan(lines[0].gaps[2]));
  assert_true(fabs(vmpb_profile_share(lines[0].gaps, 3, 0.1) - 2.0 / 3) < 1e-12);
  assert_true(vmpb_profile_share(lines[1].gaps, 3, 0.5) == 1);
  vmpb_profile_free(lines, nl);
  vmpb_table_free(&t);
}

/* ---- names, optima tables and CSV ----------------------------------------------------- */

static void test_bench__csv_quoting(void **state) {
  char line[] = "a,\"b,c\",\"say \"\"hi\"\"\",,last\n";
  char *f[8];
  char *out = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&out, &len);
  (void)state;
  assert_int_equal(vmpb_csv_split(line, f, 8), 5);
  assert_string_equal(f[0], "a");
  assert_string_equal(f[1], "b,c");
  assert_string_equal(f[2], "say \"hi\"");
  assert_string_equal(f[3], "");
  assert_string_equal(f[4], "last");
  vmpb_csv_field(m, "plain");
  fputc(',', m);
  vmpb_csv_field(m, "x, \"y\"\nz");
  fclose(m);
  assert_string_equal(out, "plain,\"x, \"\"y\"\" z\"");
  free(out);
  {
    char bad[] = "a,\"open";
    assert_int_equal(vmpb_csv_split(bad, f, 8), -1);
  }
}

static void test_bench__natural_order(void **state) {
  (void)state;
  assert_true(vmpb_natcmp("t60_00", "t120_00") < 0);
  assert_true(vmpb_natcmp("class2_", "class10_") < 0);
  assert_true(vmpb_natcmp("a007", "a7") == 0);
  assert_true(vmpb_natcmp("a", "ab") < 0);
  assert_true(vmpb_natcmp("N1C1W1_B", "N1C1W1_A") > 0);
}

/* A fake data root with one file per suite naming scheme. */
static void fake_data(const char *root) {
  static const char *const files[] = {
      "bpplib/Falkenauer/Falkenauer_T/Falkenauer_t120_00.txt",
      "bpplib/Falkenauer/Falkenauer_T/Falkenauer_t60_00.txt",
      "bpplib/Falkenauer/Falkenauer_U/Falkenauer_u120_00.txt",
      "vectorpack_mommessin2025/New_instances_multidim/class1/class1_20_3_0.vbp",
      "vectorpack_mommessin2025/New_instances_multidim/class10/class10_20_3_0.vbp",
      "vpsolver_examples/bpp.vbp",
      "vpsolver_examples/instance.mvp",
      "vpsolver_examples/notes.md",
  };
  char path[4096], *slash;
  for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
    snprintf(path, sizeof path, "%s/%s", root, files[k]);
    slash = strrchr(path, '/');
    *slash = 0;
    mkdir_p(path);
    *slash = '/';
    spit(path, "3\n10\n4\n6\n5\n");
  }
  snprintf(path, sizeof path, "%s/optima", root);
  mkdir_p(path);
  snprintf(path, sizeof path, "%s/optima/bpplib_1d_optima.csv", root);
  spit(path, "instance,opt_or_best,is_proven_optimal,source\n"
             "Falkenauer_t60_00,20,true,\"a, b\"\n"
             "Falkenauer_t120_00,40,true,x\n");
  snprintf(path, sizeof path, "%s/optima/vbp_mommessin_new_detail.csv", root);
  spit(path, "instance,relpath,LB,OPT,best_heuristic,opt_or_best,is_proven_optimal,proof\n"
             "New/class1_20_3_0,vectorpack_mommessin2025/New_instances_multidim/"
             "class1/class1_20_3_0.vbp,10,11,12,11,true,p\n");
  snprintf(path, sizeof path, "%s/optima/vpsolver_examples_optima.csv", root);
  spit(path, "instance,opt_or_best,is_proven_optimal,source\n"
             "vpsolver_examples/bpp.vbp,18,true,s\n"
             "vpsolver_examples/instance.mvp,8,false,s\n");
}

static void test_bench__suites_name_instances_as_their_tables(void **state) {
  char *root = make_tmpdir(), err[VMPB_ERRLEN];
  vmpb_instances l = {0};
  vmpb_selection s;
  (void)state;
  fake_data(root);
  memset(&s, 0, sizeof s);
  s.suite = "bpplib-falkenauer";
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), 0);
  assert_int_equal(l.n, 3);
  /* natural order: t60 before t120, T before U */
  assert_string_equal(l.v[0].name, "Falkenauer_t60_00");
  assert_true(l.v[0].best_known == 20 && l.v[0].best_known_proven == 1);
  assert_string_equal(l.v[1].name, "Falkenauer_t120_00");
  assert_true(l.v[1].best_known == 40);
  assert_string_equal(l.v[2].name, "Falkenauer_u120_00");
  assert_true(isnan(l.v[2].best_known) && l.v[2].best_known_proven == -1);
  assert_true(isnan(l.v[0].best_heuristic));
  vmpb_instances_free(&l);

  s.suite = "vbp-new";
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), 0);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.v[0].suite, "vbp-new");
  assert_string_equal(l.v[0].name, "New/class1_20_3_0");
  assert_true(l.v[0].best_known == 11 && l.v[0].best_heuristic == 12);
  assert_string_equal(l.v[1].name, "New/class10_20_3_0");
  vmpb_instances_free(&l);

  s.suite = "examples";
  s.filter = "mvp$";
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), 0);
  assert_int_equal(l.n, 1);     /* notes.md is not an instance */
  assert_string_equal(l.v[0].name, "vpsolver_examples/instance.mvp");
  assert_true(l.v[0].best_known == 8 && l.v[0].best_known_proven == 0);
  vmpb_instances_free(&l);

  s.suite = "bpplib-falkenauer";
  s.filter = "_00$";
  s.limit = 2;
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), 0);
  assert_int_equal(l.n, 2);
  vmpb_instances_free(&l);

  s.filter = "(";
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), -1);
  assert_non_null(strstr(err, "--filter \"(\""));
  s.filter = NULL;
  s.suite = "bpplib-scholl";    /* its folder is missing */
  assert_int_equal(vmpb_instances_add(&l, &s, root, NULL, err), -1);
  assert_non_null(strstr(err, "bpplib/Scholl is not a directory"));
  rm_tree(root);
}

static void test_bench__optima_tables_and_matching(void **state) {
  char *dir = make_tmpdir(), *csv = path_join(dir, "t.csv"), err[VMPB_ERRLEN];
  vmpb_optima o = {0};
  const vmpb_opt_entry *e;
  (void)state;
  spit(csv, "instance,relpath,opt_or_best,is_proven_optimal,best_heuristic\n"
            "Waescher_TEST0005,bpplib/Waescher/Waescher_TEST0005.txt,28,true,\n"
            "Set/x1,deep/dir/x1.vbp,7,false,9\n"
            "plain.json,,5,,\n");
  assert_int_equal(vmpb_optima_load(&o, csv, err), 0);
  assert_int_equal(o.n, 3);
  e = vmpb_optima_find(&o, "Set/x1");
  assert_non_null(e);
  assert_true(e->best == 7 && e->proven == 0 && e->best_heuristic == 9);
  /* --instances files: by relative path, stem, base name, or relpath suffix */
  assert_ptr_equal(vmpb_optima_match(&o, "Waescher_TEST0005.txt"),
                   vmpb_optima_find(&o, "Waescher_TEST0005"));
  assert_ptr_equal(vmpb_optima_match(&o, "any/where/Waescher_TEST0005.txt"),
                   vmpb_optima_find(&o, "Waescher_TEST0005"));
  assert_ptr_equal(vmpb_optima_match(&o, "dir/x1.vbp"), e);
  assert_ptr_equal(vmpb_optima_match(&o, "plain.json"),
                   vmpb_optima_find(&o, "plain.json"));
  assert_true(vmpb_optima_find(&o, "plain.json")->proven == -1);
  assert_null(vmpb_optima_match(&o, "ir/x1.vbp"));
  assert_null(vmpb_optima_match(&o, "nothing.txt"));
  vmpb_optima_free(&o);
  spit(csv, "name,value\nx,1\n");
  assert_int_equal(vmpb_optima_load(&o, csv, err), -1);
  assert_non_null(strstr(err, "expected the columns instance and opt_or_best"));
  spit(csv, "instance,opt_or_best\nx,many\n");
  assert_int_equal(vmpb_optima_load(&o, csv, err), -1);
  assert_non_null(strstr(err, "line 2: opt_or_best: expected a number"));
  assert_int_equal(o.n, 0);
  free(csv);
  rm_tree(dir);
}

/* Every instance of every suite finds its best-known value in the real
 * tables (when ../shared/instances is there). */
static void test_bench__shared_suites_all_have_best_known(void **state) {
  char data[4096], err[VMPB_ERRLEN];
  const char *const *names = vmpb_suite_names();
  static const struct {
    const char *suite;
    size_t n;
  } expect[] = {{"bpplib-falkenauer", 160}, {"bpplib-scholl", 1210},
                {"bpplib-hard28", 28},      {"vbp-panigrahy", 1620},
                {"vbp-new", 1080},          {"vbp-triplet", 240},
                {"cloudbalancing", 8},      {"examples", 7},
                {"roadef", 18}};
  (void)state;
  if (vmpb_data_dir(NULL, data, sizeof data, err)) skip();
  for (size_t k = 0; names[k]; k++) {
    vmpb_instances l = {0};
    vmpb_selection s;
    size_t with_best = 0, with_heur = 0;
    memset(&s, 0, sizeof s);
    s.suite = names[k];
    /* A new suite needs its row here: never read past the table. */
    assert_true(k < sizeof expect / sizeof *expect);
    assert_int_equal(vmpb_instances_add(&l, &s, data, NULL, err), 0);
    assert_string_equal(names[k], expect[k].suite);
    if (l.n != expect[k].n) fail_msg("%s: %zu instances", names[k], l.n);
    for (size_t i = 0; i < l.n; i++) {
      with_best += !isnan(l.v[i].best_known);
      with_heur += !isnan(l.v[i].best_heuristic);
    }
    if (with_best != l.n) fail_msg("%s: %zu of %zu with a best-known value", names[k], with_best, l.n);
    if (!strncmp(names[k], "vbp-", 4) && with_heur != l.n)
      fail_msg("%s: %zu with best_heuristic", names[k], with_heur);
    vmpb_instances_free(&l);
  }
}

/* ---- peers ----------------------------------------------------------------------------- */

static void test_bench__cbc_output_parsing(void **state) {
  vmpb_outcome o;
  (void)state;
  vmpb_outcome_init(&o);
  vmpb_cbc_parse("Optimal - objective value 2.00000000\n      0 y1  1  1\n", "", &o);
  assert_string_equal(o.status, "optimal");
  assert_true(o.value == 2 && o.bound == 2 && o.proven_optimal);
  vmpb_outcome_init(&o);
  vmpb_cbc_parse("Stopped on time - objective value 41.00000000\n",
                 "Result - Stopped on time limit\nObjective value:  41\n"
                 "Lower bound:                    39.5\n", &o);
  assert_string_equal(o.status, "feasible");
  assert_string_equal(o.stop_reason, "time_limit");
  assert_true(o.value == 41 && o.bound == 39.5 && !o.proven_optimal);
  vmpb_outcome_init(&o);
  vmpb_cbc_parse("Stopped on time (no integer solution - continuous used) - "
                 "objective value 49.80666667\n", "Lower bound:  49.807\n", &o);
  assert_string_equal(o.status, "no_solution");
  assert_true(isnan(o.value) && o.bound == 49.807);
  vmpb_outcome_init(&o);
  vmpb_cbc_parse("Infeasible - objective value 2.00000000\n", NULL, &o);
  assert_string_equal(o.status, "infeasible");
  assert_true(isnan(o.value));
  vmpb_outcome_init(&o);
  vmpb_cbc_parse(NULL, NULL, &o);
  assert_string_equal(o.status, "error");
}

/* Bin packing of sizes 6, 5, 4 into bins of 10 (optimum 2 bins), written
 * as MPS by GLPK, solved by CBC through the peer. */
static void write_bin_packing_mps(const char *path) {
  static const double size[] = {6, 5, 4};
  glp_prob *lp;
  int ind[8];
  glp_term_out(GLP_OFF);
  lp = glp_create_prob();
  double val[8];
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_cols(lp, 3 + 9);     /* y1..y3, then x[i][b] */
  for (int c = 1; c <= 12; c++) {
    glp_set_col_kind(lp, c, GLP_BV);
    glp_set_obj_coef(lp, c, c <= 3 ? 1 : 0);
  }
  glp_add_rows(lp, 6);
  for (int i = 0; i < 3; i++) {   /* each item in one bin */
    for (int b = 0; b < 3; b++) {
      ind[b + 1] = 4 + 3 * i + b;
      val[b + 1] = 1;
    }
    glp_set_mat_row(lp, 1 + i, 3, ind, val);
    glp_set_row_bnds(lp, 1 + i, GLP_FX, 1, 1);
  }
  for (int b = 0; b < 3; b++) {   /* capacity of a used bin */
    for (int i = 0; i < 3; i++) {
      ind[i + 1] = 4 + 3 * i + b;
      val[i + 1] = size[i];
    }
    ind[4] = 1 + b;
    val[4] = -10;
    glp_set_mat_row(lp, 4 + b, 4, ind, val);
    glp_set_row_bnds(lp, 4 + b, GLP_UP, 0, 0);
  }
  assert_int_equal(glp_write_mps(lp, GLP_MPS_FILE, NULL, path), 0);
  glp_delete_prob(lp);
  glp_free_env();
}

static void test_bench__cbc_peer_on_a_glpk_mps(void **state) {
  char which[4096], *dir, *mps;
  vmpb_outcome o;
  (void)state;
  if (!vmpb_which("cbc", which, sizeof which)) skip();
  dir = make_tmpdir();
  mps = path_join(dir, "bp.mps");
  write_bin_packing_mps(mps);
  vmpb_outcome_init(&o);
  assert_int_equal(vmpb_cbc_run(mps, 10, &o), 0);
  if (strcmp(o.status, "optimal")) fail_msg("cbc: %s (%s)", o.status, o.note);
  assert_true(o.value == 2 && o.bound == 2 && o.proven_optimal);
  assert_true(o.time_s >= 0 && o.peak_mib > 0);
  free(mps);
  rm_tree(dir);
}

static void test_bench__cpsat_peer_judged_by_the_evaluator(void **state) {
  char why[300];
  vmpb_outcome o;
  (void)state;
  if (!vmpb_peer_available("cpsat", why, sizeof why)) skip();
  /* process 1 needs memory 6 that only computer 0 (cost 4800) has, and
   * all three fit there: the optimum is 4800 */
  work(VMPLACE_TEST_DATA "/formats/tiny_cloud.json", "cpsat", &o);
  if (strcmp(o.status, "optimal")) fail_msg("cpsat: %s (%s)", o.status, o.note);
  assert_true(o.value == 4800 && o.proven_optimal && o.hosts_used == 1);
  assert_true(o.peak_mib > 0);
  /* what the model leaves out is reported, not solved as something else */
  {
    const char *json =
        "{\"version\":1,\"resources\":[\"cpu\"],"
        "\"hosts\":[{\"name\":\"h\",\"capacity\":{\"cpu\":4},\"labels\":{\"z\":\"a\"}}],"
        "\"vms\":[{\"name\":\"v\",\"demand\":{\"cpu\":1}}],"
        "\"rules\":[{\"name\":\"r\",\"require\":\"host.labels.z == \\\"a\\\"\"}]}";
    char *dir = make_tmpdir(), *p = path_join(dir, "rules.json");
    spit(p, json);
    work(p, "cpsat", &o);
    assert_string_equal(o.status, "unsupported");
    assert_non_null(strstr(o.note, "compliance rules"));
    free(p);
    rm_tree(dir);
  }
}

/* ---- isolation: a crashed or hung worker is measured, not fatal ---------------------- */

typedef struct seen {
  char status[4][32];
  char note[4][400];
  int n;
} seen;

static void record(vmpb_runner *rn, const vmpb_job *j, const vmpb_outcome *o,
                   double wall) {
  seen *s = rn->user;
  (void)j, (void)wall;
  snprintf(s->status[s->n], 32, "%s", o->status);
  snprintf(s->note[s->n], 400, "%s", o->note);
  s->n++;
}

static void test_bench__crash_and_hang_are_isolated(void **state) {
  char *dir = make_tmpdir(), *crash = path_join(dir, "crash.sh"),
       *hang = path_join(dir, "hang.sh"), *log = path_join(dir, "log");
  vmpb_instance in;
  vmpb_job job;
  vmpb_runner rn;
  seen s;
  (void)state;
  /* stand-ins for the worker executable */
  spit(crash, "#!/bin/sh\nkill -SEGV $$\n");
  spit(hang, "#!/bin/sh\nexec sleep 30\n");
  chmod(crash, 0755);
  chmod(hang, 0755);
  memset(&in, 0, sizeof in);
  in.kind = VMPB_KIND_FILE;
  in.path = (char *)"x";
  in.suite = in.name = (char *)"x";
  memset(&s, 0, sizeof s);
  memset(&rn, 0, sizeof rn);
  rn.tmpdir = dir;
  rn.log_path = log;
  rn.time_limit = 1;
  rn.kill_after = 0.3;
  rn.seed = 1;
  rn.threads = 1;
  rn.jobs = 1;
  rn.user = &s;
  rn.on_result = record;
  rn.t_start = vmpb_now();
  memset(&job, 0, sizeof job);
  job.inst = &in;
  job.solver = "greedy";
  rn.self_exe = crash;
  assert_int_equal(vmpb_runner_run(&rn, &job, 1), 0);
  rn.self_exe = hang;
  free(job.buf);
  memset(&job, 0, sizeof job);
  job.inst = &in;
  job.solver = "greedy";
  assert_int_equal(vmpb_runner_run(&rn, &job, 1), 0);
  free(job.buf);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.status[0], "crash");
  assert_non_null(strstr(s.note[0], "signal 11"));
  assert_string_equal(s.status[1], "timeout");
  assert_non_null(strstr(s.note[1], "killed after"));
  free(crash);
  free(hang);
  free(log);
  rm_tree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bench__worker_reads_each_format),
      cmocka_unit_test(test_bench__worker_values_of_fixed_samples),
      cmocka_unit_test(test_bench__unsupported_and_bad_files),
      cmocka_unit_test(test_bench__outcome_survives_the_pipe),
      cmocka_unit_test(test_bench__results_csv_has_the_exact_columns),
      cmocka_unit_test(test_bench__resumed_run_does_not_repeat),
      cmocka_unit_test(test_bench__bad_usage),
      cmocka_unit_test(test_bench__datacenter_and_online),
      cmocka_unit_test(test_bench__realistic_suite),
      cmocka_unit_test(test_bench__gap_and_percentiles),
      cmocka_unit_test(test_bench__profile_arithmetic),
      cmocka_unit_test(test_bench__suite_figures_on_a_fixed_table),
      cmocka_unit_test(test_bench__csv_quoting),
      cmocka_unit_test(test_bench__natural_order),
      cmocka_unit_test(test_bench__suites_name_instances_as_their_tables),
      cmocka_unit_test(test_bench__optima_tables_and_matching),
      cmocka_unit_test(test_bench__shared_suites_all_have_best_known),
      cmocka_unit_test(test_bench__cbc_output_parsing),
      cmocka_unit_test(test_bench__cbc_peer_on_a_glpk_mps),
      cmocka_unit_test(test_bench__cpsat_peer_judged_by_the_evaluator),
      cmocka_unit_test(test_bench__crash_and_hang_are_isolated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
