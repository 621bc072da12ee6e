/*
 * Tests of the benchmark-format readers (src/formats/): the tokenizer, one
 * tiny sample per format with every value checked, one test per class of
 * bad input (exact code and a message naming the line or field), a
 * no-crash sweep over truncated and mutated samples, and a load of every
 * instance under ../shared/instances when that directory exists.
 *
 * Inputs are copied into buffers of exactly their length, without a NUL,
 * so that AddressSanitizer catches any read past the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "readers.h"

#ifndef VMPLACE_TEST_DATA
#error "VMPLACE_TEST_DATA must name tests/data"
#endif

#define FORMATS VMPLACE_TEST_DATA "/formats/"

typedef int (*reader_fn)(const char *, size_t, const char *, vmp_problem **);

/* ---- helpers ------------------------------------------------------------------ */

static char *exact_copy(const char *text, size_t len) {
  char *b = malloc(len ? len : 1);
  assert_non_null(b);
  if (len) memcpy(b, text, len);
  return b;
}

static int parse_with(reader_fn fn, const char *text, vmp_problem **out) {
  size_t len = strlen(text);
  char *b = exact_copy(text, len);
  int rc = fn(b, len, "in.txt", out);
  free(b);
  if (rc) assert_null(*out);
  return rc;
}

static int parse_roadef(const char *model, const char *assignment,
                        vmp_problem **out) {
  size_t ml = strlen(model), al = assignment ? strlen(assignment) : 0;
  char *mb = exact_copy(model, ml);
  char *ab = assignment ? exact_copy(assignment, al) : NULL;
  int rc = vmp__read_roadef(mb, ml, ab, al, "model_x.txt", out);
  free(mb);
  free(ab);
  if (rc) assert_null(*out);
  return rc;
}

static void expect_error(int rc, int code, const char *needle) {
  const char *msg = vmp_last_error();
  if (rc != code)
    fail_msg("expected %s, got %s (%s)", vmp_err_name(code), vmp_err_name(rc),
             msg);
  if (!strstr(msg, needle))
    fail_msg("message \"%s\" does not contain \"%s\"", msg, needle);
}

static void expect_fail(reader_fn fn, const char *text, int code,
                        const char *needle) {
  vmp_problem *p = NULL;
  expect_error(parse_with(fn, text, &p), code, needle);
}

static char *slurp(const char *path, size_t *len) {
  char *data = NULL;
  int rc = vmp__read_file(path, &data, len);
  if (rc) fail_msg("%s", vmp_last_error());
  return data;
}

/* Reads the sample FORMATS/name with a format's reader; fails the test on
 * an error. */
static vmp_problem *read_sample(int (*read)(const char *, size_t, const char *, vmp_problem **),
                                const char *name) {
  char path[1024];
  size_t len;
  char *data;
  vmp_problem *p = NULL;
  snprintf(path, sizeof path, "%s%s", FORMATS, name);
  data = slurp(path, &len);
  assert_int_equal(read(data, len, name, &p), VMP_OK);
  free(data);
  return p;
}

static void expect_host(const vmp_problem *p, size_t h, const char *name,
                        const double *cap, double cost) {
  assert_string_equal(vmp_problem_host_name(p, h), name);
  for (size_t r = 0; r < vmp_problem_num_resources(p); r++)
    assert_true(vmp_problem_host_capacity(p, h, r) == cap[r]);
  assert_true(vmp_problem_host_cost(p, h) == cost);
}

static void expect_vm(const vmp_problem *p, size_t v, const char *name,
                      const double *demand, size_t host) {
  assert_string_equal(vmp_problem_vm_name(p, v), name);
  for (size_t r = 0; r < vmp_problem_num_resources(p); r++)
    assert_true(vmp_problem_vm_demand(p, v, r) == demand[r]);
  assert_int_equal(vmp_problem_vm_host(p, v), host);
}

/* ---- tokenizer ------------------------------------------------------------------ */

static void test_readers__tok_numbers(void **state) {
  static const char text[] = "1 2.5\r\n-3e2\n\n  +7 0.125";
  char *b = exact_copy(text, sizeof text - 1);
  vmp__tok t;
  double v;
  long long n;
  (void)state;
  vmp__tok_init(&t, b, sizeof text - 1, "t");
  assert_int_equal(vmp__tok_num(&t, "a", &v), VMP_OK);
  assert_true(v == 1.0);
  assert_int_equal(t.line, 1);
  assert_int_equal(vmp__tok_num(&t, "b", &v), VMP_OK);
  assert_true(v == 2.5);
  assert_int_equal(vmp__tok_num(&t, "c", &v), VMP_OK);
  assert_true(v == -300.0);
  assert_int_equal(t.line, 2);
  assert_int_equal(vmp__tok_int(&t, "d", 0, 10, &n), VMP_OK);
  assert_int_equal(n, 7);
  assert_int_equal(t.line, 4);
  assert_int_equal(vmp__tok_num(&t, "e", &v), VMP_OK);
  assert_true(v == 0.125);
  assert_int_equal(vmp__tok_end(&t), VMP_OK);
  free(b);
}

static int tok_num_rc(const char *text) {
  size_t len = strlen(text);
  char *b = exact_copy(text, len);
  vmp__tok t;
  double v;
  int rc;
  vmp__tok_init(&t, b, len, "t");
  rc = vmp__tok_num(&t, "x", &v);
  free(b);
  return rc;
}

static int tok_int_rc(const char *text, long long min, long long max) {
  size_t len = strlen(text);
  char *b = exact_copy(text, len);
  vmp__tok t;
  long long v;
  int rc;
  vmp__tok_init(&t, b, len, "t");
  rc = vmp__tok_int(&t, "x", min, max, &v);
  free(b);
  return rc;
}

static void test_readers__tok_errors(void **state) {
  (void)state;
  expect_error(tok_num_rc("\n\nabc"), VMP_EPARSE, "t: line 3: x: expected a "
               "number, got \"abc\"");
  expect_error(tok_num_rc("NaN"), VMP_ERANGE, "expected a finite number");
  expect_error(tok_num_rc("-inf"), VMP_ERANGE, "finite");
  expect_error(tok_num_rc("Infinity"), VMP_ERANGE, "finite");
  expect_error(tok_num_rc("1e999"), VMP_ERANGE, "finite");
  expect_error(tok_num_rc("0x10"), VMP_EPARSE, "\"0x10\"");
  expect_error(tok_num_rc("1e"), VMP_EPARSE, "expected a number");
  expect_error(tok_num_rc("."), VMP_EPARSE, "expected a number");
  expect_error(tok_num_rc("5\n \n"), VMP_OK, "");
  expect_error(tok_num_rc("7\n"), VMP_OK, "");
  expect_error(tok_num_rc(" \n "), VMP_EPARSE, "line 1: x: expected a number, "
               "got end of input");
  expect_error(tok_int_rc("2.5", 0, 9), VMP_EPARSE, "expected an integer");
  expect_error(tok_int_rc("-", 0, 9), VMP_EPARSE, "expected an integer");
  expect_error(tok_int_rc("10", 0, 9), VMP_ERANGE, "in 0..9, got 10");
  expect_error(tok_int_rc("-1", 0, LLONG_MAX), VMP_ERANGE, ">= 0, got -1");
  expect_error(tok_int_rc("99999999999999999999", 0, LLONG_MAX), VMP_ERANGE,
               "64 bits");
  expect_error(tok_int_rc("nan", 0, 9), VMP_ERANGE, "finite");
  expect_error(tok_int_rc("-9223372036854775808", LLONG_MIN, LLONG_MAX),
               VMP_OK, "");
  {
    /* A long token shows truncated, and control bytes show as '?'. */
    static const char text[] = "7 ab\001cdefghijklmnopqrstuvwxyz0123";
    char *b = exact_copy(text, sizeof text - 1);
    vmp__tok t;
    double v;
    vmp__tok_init(&t, b, sizeof text - 1, "t");
    assert_int_equal(vmp__tok_num(&t, "x", &v), VMP_OK);
    expect_error(vmp__tok_end(&t), VMP_EPARSE,
                 "unexpected text after the last item: "
                 "\"ab?cdefghijklmnopqrstuvw...\"");
    free(b);
  }
}

/* ---- samples ---------------------------------------------------------------------- */

static void check_vbp_sample(const vmp_problem *p) {
  static const double cap[] = {10, 8};
  static const double i1[] = {3, 2}, i2[] = {2.5, 4};
  assert_int_equal(vmp_problem_num_resources(p), 2);
  assert_string_equal(vmp_problem_resource_name(p, 0), "d1");
  assert_string_equal(vmp_problem_resource_name(p, 1), "d2");
  assert_int_equal(vmp_problem_num_hosts(p), 3);
  expect_host(p, 0, "b1", cap, 1);
  expect_host(p, 1, "b2", cap, 1);
  expect_host(p, 2, "b3", cap, 1);
  assert_int_equal(vmp_problem_num_vms(p), 3);
  expect_vm(p, 0, "i1", i1, VMP_NONE);
  expect_vm(p, 1, "i2_1", i2, VMP_NONE);
  expect_vm(p, 2, "i2_2", i2, VMP_NONE);
  assert_int_equal(vmp_problem_num_groups(p), 0);
}

static void test_readers__vbp_sample(void **state) {
  vmp_problem *p = read_sample(vmp__read_vbp, "tiny.vbp");
  (void)state;
  check_vbp_sample(p);
  vmp_problem_free(p);
}

static void test_readers__mvp_sample(void **state) {
  static const double small[] = {10, 10}, big[] = {20, 15};
  static const double i1[] = {4, 5}, i2[] = {6, 7};
  vmp_problem *p = read_sample(vmp__read_mvp, "tiny.mvp");
  (void)state;
  assert_int_equal(vmp_problem_num_resources(p), 2);
  assert_string_equal(vmp_problem_resource_name(p, 1), "d2");
  /* Two bins of type 1; type 2 is unlimited: one per item copy (3). */
  assert_int_equal(vmp_problem_num_hosts(p), 5);
  expect_host(p, 0, "t1_1", small, 3);
  expect_host(p, 1, "t1_2", small, 3);
  expect_host(p, 2, "t2_1", big, 5);
  expect_host(p, 3, "t2_2", big, 5);
  expect_host(p, 4, "t2_3", big, 5);
  /* Item 3 has no copies. */
  assert_int_equal(vmp_problem_num_vms(p), 3);
  expect_vm(p, 0, "i1", i1, VMP_NONE);
  expect_vm(p, 1, "i2_1", i2, VMP_NONE);
  expect_vm(p, 2, "i2_2", i2, VMP_NONE);
  vmp_problem_free(p);
}

static void test_readers__bpplib_sample(void **state) {
  static const double cap[] = {10};
  static const double w[] = {4, 6, 5};
  static const char *const names[] = {"i1", "i2", "i3"};
  vmp_problem *p = read_sample(vmp__read_bpplib, "tiny_bpplib.txt");
  (void)state;
  assert_int_equal(vmp_problem_num_resources(p), 1);
  assert_string_equal(vmp_problem_resource_name(p, 0), "size");
  assert_int_equal(vmp_problem_num_hosts(p), 3);
  expect_host(p, 0, "b1", cap, 1);
  expect_host(p, 2, "b3", cap, 1);
  assert_int_equal(vmp_problem_num_vms(p), 3);
  for (size_t v = 0; v < 3; v++) expect_vm(p, v, names[v], &w[v], VMP_NONE);
  vmp_problem_free(p);
}

static void test_readers__cloud_sample(void **state) {
  static const double c0[] = {24, 96, 16}, c7[] = {6, 4, 6};
  static const double p0[] = {1, 2, 3}, p1[] = {3, 6, 1}, p2[] = {1, 1, 5};
  vmp_problem *p = read_sample(vmp__read_cloud, "tiny_cloud.json");
  (void)state;
  assert_int_equal(vmp_problem_num_resources(p), 3);
  assert_string_equal(vmp_problem_resource_name(p, 0), "cpu");
  assert_string_equal(vmp_problem_resource_name(p, 1), "memory");
  assert_string_equal(vmp_problem_resource_name(p, 2), "network");
  assert_int_equal(vmp_problem_num_hosts(p), 2);
  expect_host(p, 0, "c0", c0, 4800);
  expect_host(p, 1, "c7", c7, 660);
  assert_int_equal(vmp_problem_num_vms(p), 3);
  expect_vm(p, 0, "p0", p0, VMP_NONE);
  expect_vm(p, 1, "p1", p1, 1);
  expect_vm(p, 2, "p2", p2, 0);
  /* The default migration cost is the memory demand. */
  assert_true(vmp_problem_vm_migration_cost(p, 1) == 6);
  vmp_problem_free(p);
}

static void check_roadef_sample(const vmp_problem *p, int with_assignment) {
  static const double m0[] = {10, 20}, m1[] = {12, 30}, m2[] = {8, 8};
  static const double p0[] = {2, 3}, p1[] = {4, 1}, p2[] = {1, 1};
  double w;
  assert_int_equal(vmp_problem_num_resources(p), 2);
  assert_string_equal(vmp_problem_resource_name(p, 0), "r0");
  assert_string_equal(vmp_problem_resource_name(p, 1), "r1");
  assert_int_equal(vmp_problem_num_hosts(p), 3);
  expect_host(p, 0, "m0", m0, 1);
  expect_host(p, 1, "m1", m1, 1);
  expect_host(p, 2, "m2", m2, 1);
  assert_string_equal(vmp_problem_host_label(p, 0, "neighborhood"), "0");
  assert_string_equal(vmp_problem_host_label(p, 0, "location"), "0");
  assert_string_equal(vmp_problem_host_label(p, 1, "location"), "1");
  assert_string_equal(vmp_problem_host_label(p, 2, "neighborhood"), "1");
  assert_string_equal(vmp_problem_host_label(p, 2, "location"), "2");
  assert_int_equal(vmp_problem_num_vms(p), 3);
  expect_vm(p, 0, "p0", p0, with_assignment ? 0 : VMP_NONE);
  expect_vm(p, 1, "p1", p1, with_assignment ? 1 : VMP_NONE);
  expect_vm(p, 2, "p2", p2, with_assignment ? 1 : VMP_NONE);
  /* Each process's own move cost; processMoveCostWeight 2 is the
   * migrations weight. */
  assert_true(vmp_problem_vm_migration_cost(p, 0) == 5);
  assert_true(vmp_problem_vm_migration_cost(p, 1) == 7);
  assert_true(vmp_problem_vm_migration_cost(p, 2) == 0);
  /* Service 0: spread group over locations (spreadMin 2) and its conflict
   * group; service 1 (one process): a spread group that depends on s0. */
  assert_int_equal(vmp_problem_num_groups(p), 3);
  assert_string_equal(vmp_problem_group_name(p, 0), "s0");
  assert_int_equal(vmp_problem_group_policy(p, 0), VMP_SPREAD);
  assert_int_equal(vmp_problem_group_min_domains(p, 0), 2);
  assert_string_equal(vmp_problem_group_name(p, 1), "s0-conflict");
  assert_int_equal(vmp_problem_group_policy(p, 1), VMP_ANTI_AFFINITY);
  assert_int_equal(vmp_problem_group_hard(p, 1), 1);
  assert_string_equal(vmp_problem_group_scope(p, 1), "host");
  assert_int_equal(vmp_problem_group_num_vms(p, 1), 2);
  assert_int_equal(vmp_problem_group_vm(p, 1, 0), 0);
  assert_int_equal(vmp_problem_group_vm(p, 1, 1), 1);
  assert_string_equal(vmp_problem_group_name(p, 2), "s1");
  assert_int_equal(vmp_problem_num_dependencies(p), 1);
  assert_int_equal(vmp_problem_get_objective(p, "migrations", &w), VMP_OK);
  assert_true(w == 2.0);
  assert_int_equal(vmp_problem_get_objective(p, "group_moves", &w), VMP_OK);
  assert_true(w == 10.0);
  assert_int_equal(vmp_problem_get_objective(p, "host_moves", &w), VMP_OK);
  assert_true(w == 100.0);
}

static void test_readers__roadef_sample(void **state) {
  vmp_problem *p;
  size_t ml, al;
  char *model, *assignment;
  (void)state;
  model = slurp(FORMATS "model_tiny.txt", &ml);
  assignment = slurp(FORMATS "assignment_tiny.sol", &al);
  assert_int_equal(vmp__read_roadef(model, ml, assignment, al,
                                    "model_tiny.txt", &p), VMP_OK);
  check_roadef_sample(p, 1);
  vmp_problem_free(p);
  assert_int_equal(vmp__read_roadef(model, ml, NULL, 0, "model_tiny.txt", &p),
                   VMP_OK);
  check_roadef_sample(p, 0);
  vmp_problem_free(p);
  free(model);
  free(assignment);
}

static const char ROADEF[] =
    "2\n0 10\n1 5\n"
    "3\n0 0 10 20 8 16 0 1 2\n0 1 12 30 10 25 1 0 1\n1 2 8 8 6 6 2 1 0\n"
    "2\n2 0\n0 1 0\n"
    "3\n0 2 3 5\n0 4 1 7\n1 1 1 0\n"
    "1\n0 1 20\n10\n"
    "2 10 100\n";

/* ROADEF with the text `from` (which must occur once) replaced by `to`. */
static char *roadef_with(const char *from, const char *to) {
  const char *at = strstr(ROADEF, from);
  size_t n = strlen(ROADEF) - strlen(from) + strlen(to) + 1;
  char *s = malloc(n);
  assert_non_null(at);
  assert_null(strstr(at + 1, from));
  assert_non_null(s);
  snprintf(s, n, "%.*s%s%s", (int)(at - ROADEF), ROADEF, to,
           at + strlen(from));
  return s;
}

/* A service may name the same dependency twice: it is one constraint, and
 * each service's distinct ones are kept in file order. */
static void test_readers__roadef_dependency_twice(void **state) {
  char *model = roadef_with("2\n2 0\n0 1 0\n", "2\n2 1 1\n0 2 0 0\n");
  vmp_problem *p = NULL;
  size_t g, on;
  const char *scope;
  int hard;
  (void)state;
  assert_int_equal(parse_roadef(model, "0 1 1", &p), VMP_OK);
  assert_int_equal(vmp_problem_num_dependencies(p), 2);
  assert_int_equal(vmp_problem_dependency(p, 0, &g, &on, &scope, &hard, NULL),
                   VMP_OK);
  assert_string_equal(vmp_problem_group_name(p, g), "s0");
  assert_string_equal(vmp_problem_group_name(p, on), "s1");
  assert_string_equal(scope, "neighborhood");
  assert_int_equal(hard, 1);
  assert_int_equal(vmp_problem_dependency(p, 1, &g, &on, NULL, NULL, NULL),
                   VMP_OK);
  assert_string_equal(vmp_problem_group_name(p, g), "s1");
  assert_string_equal(vmp_problem_group_name(p, on), "s0");
  /* The public call still refuses a duplicate. */
  assert_int_equal(vmp_problem_add_dependency(p, g, on, "neighborhood", NULL),
                   VMP_EEXIST);
  vmp_problem_free(p);
  free(model);
}

static void test_readers__roadef_zero_weight(void **state) {
  char *model = roadef_with("2 10 100", "0 10 100");
  vmp_problem *p = NULL;
  double w;
  (void)state;
  /* Without a process move cost weight, moving costs nothing in the
   * migrations term; the move costs are kept as they are. */
  assert_int_equal(parse_roadef(model, "0 1 1", &p), VMP_OK);
  assert_true(vmp_problem_vm_migration_cost(p, 0) == 5);
  assert_true(vmp_problem_vm_migration_cost(p, 1) == 7);
  assert_int_equal(vmp_problem_get_objective(p, "migrations", &w), VMP_OK);
  assert_true(w == 0.0);
  vmp_problem_free(p);
  free(model);
}

static void test_readers__read_file(void **state) {
  char *data = (char *)1;
  size_t len = 99;
  vmp_problem *p = NULL;
  (void)state;
  assert_int_equal(vmp__read_file(FORMATS "tiny.vbp", &data, &len), VMP_OK);
  assert_int_equal(len, 29);
  assert_int_equal(data[len], '\0');
  assert_int_equal(vmp__read_vbp(data, len, "tiny.vbp", &p), VMP_OK);
  check_vbp_sample(p);
  vmp_problem_free(p);
  free(data);
  expect_error(vmp__read_file(FORMATS "no-such-file.vbp", &data, &len),
               VMP_EIO, "no-such-file.vbp: No such file or directory");
  assert_null(data);
  assert_int_equal(len, 0);
  expect_error(vmp__read_file(FORMATS, &data, &len), VMP_EIO,
               "Is a directory");
  assert_null(data);
}

/* ---- bad input, one class each ------------------------------------------------------ */

static void test_readers__empty(void **state) {
  vmp_problem *p = NULL;
  (void)state;
  expect_fail(vmp__read_vbp, "", VMP_EPARSE, "in.txt: empty input");
  expect_fail(vmp__read_mvp, " \r\n", VMP_EPARSE, "in.txt: empty input");
  expect_fail(vmp__read_bpplib, "\n\n", VMP_EPARSE, "in.txt: empty input");
  expect_fail(vmp__read_cloud, "", VMP_EPARSE, "in.txt: empty input");
  expect_error(parse_roadef("", NULL, &p), VMP_EPARSE,
               "model_x.txt: empty input");
  expect_error(parse_roadef(ROADEF, " ", &p), VMP_EPARSE,
               "model_x.txt: assignment: empty input");
  assert_int_equal(vmp__read_vbp(NULL, 0, NULL, &p), VMP_EPARSE);
  assert_null(p);
  assert_int_equal(vmp__read_vbp("1", 1, "x", NULL), VMP_EINVAL);
}

static void test_readers__truncated(void **state) {
  vmp_problem *p = NULL;
  (void)state;
  /* Cut within the last record: a file that lost whole records is
   * refused by the count check instead (test_readers__absurd_count). */
  expect_fail(vmp__read_vbp, "2\n10 8\n3\n3 2 1\n2.5 4 2\n1 1\n", VMP_EPARSE,
              "in.txt: line 6: copies of item 3: expected a number, got end "
              "of input");
  expect_fail(vmp__read_mvp, "1\n1\n100 1 -1\n1\n1 10\n", VMP_EPARSE,
              "line 5: size 1 of item 1: expected a number, got end of "
              "input");
  expect_fail(vmp__read_bpplib, "3\n10\n4\n6\n", VMP_EPARSE,
              "line 4: weight of item 3");
  expect_fail(vmp__read_cloud, "{\"computerList\": [", VMP_EPARSE, "line 1");
  {
    char *model = roadef_with("2 10 100\n", "2 10\n");
    expect_error(parse_roadef(model, NULL, &p), VMP_EPARSE,
                 "line 18: machine move cost weight");
    free(model);
  }
  expect_error(parse_roadef(ROADEF, "0 1", &p), VMP_EPARSE,
               "assignment: line 1: machine of process 2: expected a number, "
               "got end of input");
}

static void test_readers__negative(void **state) {
  vmp_problem *p = NULL;
  char *model;
  (void)state;
  /* a problem needs a resource (problem JSON refuses none): a ROADEF model
   * without one used to be read into a problem that could not be written
   * and read back (found by fuzz_roadef) */
  expect_error(parse_roadef("0\n1\n0 0\n0\n0\n0\n0\n1 10 100\n", NULL, &p), VMP_ERANGE,
               "model_x.txt: line 1: number of resources: expected an integer in 1..64, got 0");
  expect_fail(vmp__read_vbp, "1\n10\n2\n3 1\n-2 1\n", VMP_ERANGE,
              "in.txt: line 5: size 1 of item 2: expected a number >= 0, got "
              "-2");
  expect_fail(vmp__read_vbp, "1\n10\n1\n3 -1\n", VMP_ERANGE,
              "line 4: copies of item 1: expected an integer in 0..1000000, "
              "got -1");
  expect_fail(vmp__read_mvp, "1\n1\n10 -1 1\n0\n", VMP_ERANGE,
              "line 3: cost of bin type 1: expected a number >= 0");
  expect_fail(vmp__read_mvp, "1\n1\n10 1 -2\n0\n", VMP_ERANGE,
              "line 3: number of bins of type 1 (-1: unlimited): expected an "
              "integer in -1..1000000, got -2");
  expect_fail(vmp__read_bpplib, "1\n-10\n4\n", VMP_ERANGE,
              "line 2: capacity: expected a number >= 0, got -10");
  model = roadef_with("0 4 1 7", "0 4 -1 7");
  expect_error(parse_roadef(model, NULL, &p), VMP_ERANGE,
               "model_x.txt: line 13: requirement 1 of process 1: expected "
               "an integer >= 0, got -1");
  free(model);
}

static void test_readers__nonfinite(void **state) {
  (void)state;
  expect_fail(vmp__read_vbp, "1\nnan\n0\n", VMP_ERANGE,
              "line 2: capacity 1: expected a finite number, got \"nan\"");
  expect_fail(vmp__read_vbp, "1\n10\n1\ninf 1\n", VMP_ERANGE,
              "line 4: size 1 of item 1: expected a finite number");
  expect_fail(vmp__read_bpplib, "1\n10\n1e400\n", VMP_ERANGE,
              "line 3: weight of item 1: expected a finite number, got "
              "\"1e400\"");
  expect_fail(vmp__read_mvp, "1\n1\n10 1 -1\n1\n1 1\n-Infinity\n", VMP_ERANGE,
              "line 6: size 1 of item 1: expected a finite number");
}

static void test_readers__not_a_number(void **state) {
  vmp_problem *p = NULL;
  (void)state;
  expect_fail(vmp__read_bpplib, "2\n10\n4\nfoo\n", VMP_EPARSE,
              "in.txt: line 4: weight of item 2: expected a number, got "
              "\"foo\"");
  expect_fail(vmp__read_vbp, "2.5\n", VMP_EPARSE,
              "line 1: number of dimensions: expected an integer, got \"2.5\"");
  expect_fail(vmp__read_vbp, "1\n10\n1\n3 1x\n", VMP_EPARSE,
              "line 4: copies of item 1: expected an integer, got \"1x\"");
  {
    static const char nul[] = "1\n10\n1\n3\0 1\n";
    char *b = exact_copy(nul, sizeof nul - 1);
    expect_error(vmp__read_vbp(b, sizeof nul - 1, "in.txt", &p), VMP_EPARSE,
                 "line 4: size 1 of item 1: expected a number, got \"3?\"");
    assert_null(p);
    free(b);
  }
  expect_error(parse_roadef(ROADEF, "0 x 1", &p), VMP_EPARSE,
               "assignment: line 1: machine of process 1: expected an "
               "integer, got \"x\"");
}

static void test_readers__trailing_garbage(void **state) {
  vmp_problem *p = NULL;
  char *model;
  (void)state;
  expect_fail(vmp__read_bpplib, "2\n10\n4\n5\n6\n", VMP_EPARSE,
              "in.txt: line 5: unexpected text after the last item: \"6\"");
  expect_fail(vmp__read_vbp, "1\n10\n1\n3 1\n}\n", VMP_EPARSE,
              "line 5: unexpected text");
  expect_fail(vmp__read_mvp, "1\n1\n10 1 -1\n1\n1 1\n3\n4\n", VMP_EPARSE,
              "line 7: unexpected text");
  model = roadef_with("2 10 100\n", "2 10 100 7\n");
  expect_error(parse_roadef(model, NULL, &p), VMP_EPARSE,
               "line 18: unexpected text");
  free(model);
  expect_error(parse_roadef(ROADEF, "0 1 1 2", &p), VMP_EPARSE,
               "assignment: line 1: more entries than the 3 processes");
  expect_fail(vmp__read_cloud, "{\"computerList\": [], \"processList\": []} x",
              VMP_EPARSE, "in.txt: line 1 column");
}

static void test_readers__absurd_count(void **state) {
  vmp_problem *p = NULL;
  char *model;
  (void)state;
  expect_fail(vmp__read_vbp, "1\n10\n1000000000000\n1 1\n", VMP_ERANGE,
              "in.txt: line 3: number of items: 1000000000000 is more than "
              "the rest of the input can hold");
  expect_fail(vmp__read_vbp, "1\n10\n1\n1 1000000000000\n", VMP_ERANGE,
              "line 4: copies of item 1: expected an integer in 0..1000000");
  expect_fail(vmp__read_vbp, "1\n10\n2\n1 1000000\n1 1\n", VMP_ERANGE,
              "line 5: more than 1000000 item copies in all");
  expect_fail(vmp__read_vbp, "65\n", VMP_ERANGE,
              "line 1: number of dimensions: expected an integer in 1..64, "
              "got 65");
  expect_fail(vmp__read_mvp, "1\n99999999999\n10 1 1\n", VMP_ERANGE,
              "line 2: number of bin types: 99999999999 is more than");
  expect_fail(vmp__read_mvp, "1\n2\n10 1 -1\n10 1 -1\n2\n1 1000000\n1\n"
              "1 1000000\n1\n", VMP_ERANGE, "line 8: more than 1000000");
  expect_fail(vmp__read_mvp, "1\n2\n10 1 -1\n10 1 -1\n1\n1 1000000\n1\n",
              VMP_ERANGE, "line 4: more than 1000000 bins in all");
  expect_fail(vmp__read_bpplib, "1000000000000\n10\n4\n", VMP_ERANGE,
              "line 1: number of items: 1000000000000 is more than");
  expect_fail(vmp__read_bpplib, "9223372036854775807\n10\n4\n", VMP_ERANGE,
              "is more than");
  model = roadef_with("3\n0 0 10", "100000\n0 0 10");
  expect_error(parse_roadef(model, NULL, &p), VMP_ERANGE,
               "line 4: number of machines: 100000 is more than");
  free(model);
  /* 8 machines would fit without their 8 x 8 move costs. */
  model = roadef_with("3\n0 0 10", "8\n0 0 10");
  expect_error(parse_roadef(model, NULL, &p), VMP_ERANGE,
               "line 4: number of machines: 8 is more than");
  free(model);
}

static void test_readers__json_unknown_key(void **state) {
  (void)state;
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [{\"id\": 0, "
              "\"requiredCpuPower\": 1, \"requiredMemory\": 1, "
              "\"requiredNetworkBandwidth\": 1}, {\"id\": 1, \"foo\": 2}]}",
              VMP_EPARSE, "in.txt: processList[1]: unknown key \"foo\"");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [], \"bogus\": 1}",
              VMP_EPARSE, "in.txt: (top level): unknown key \"bogus\" (expected one of: id, "
              "computerList, processList, score)");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [{\"id\": 0, \"cpuPower\": 1, \"memory\": 1, "
              "\"networkBandwidth\": 1, \"cost\": 1, \"ram\": 4}], "
              "\"processList\": []}",
              VMP_EPARSE, "computerList[0]: unknown key \"ram\"");
}

static void test_readers__json_wrong_type(void **state) {
  (void)state;
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [{\"id\": 0, \"cpuPower\": 1, \"memory\": "
              "\"96\", \"networkBandwidth\": 1, \"cost\": 1}], "
              "\"processList\": []}",
              VMP_EPARSE, "in.txt: computerList[0].memory: expected a number "
              ">= 0, got a string");
  expect_fail(vmp__read_cloud, "{\"computerList\": {}, \"processList\": []}",
              VMP_EPARSE, "computerList: expected an array, got an object");
  expect_fail(vmp__read_cloud, "{\"computerList\": [], \"processList\": [7]}",
              VMP_EPARSE, "processList[0]: expected an object, got a number");
  expect_fail(vmp__read_cloud, "[1, 2]", VMP_EPARSE,
              "(top level): expected an object, got an array");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [{\"id\": \"a\"}], \"processList\": []}",
              VMP_EPARSE, "computerList[0].id: expected an integer id");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [{\"id\": 0, "
              "\"requiredCpuPower\": 1, \"requiredMemory\": 1, "
              "\"requiredNetworkBandwidth\": 1, \"computer\": \"c0\"}]}",
              VMP_EPARSE, "processList[0].computer: expected null, a computer "
              "id or an object with an id, got a string");
  expect_fail(vmp__read_cloud, "{\"processList\": []}", VMP_EPARSE,
              "computerList: missing");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [{\"id\": 0, \"cpuPower\": 1, \"memory\": 1, "
              "\"networkBandwidth\": 1}], \"processList\": []}",
              VMP_EPARSE, "computerList[0]: missing \"cost\"");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [], \"score\": 3}",
              VMP_EPARSE, "score: expected null or a string");
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [{\"id\": 0, "
              "\"requiredCpuPower\": 1, \"requiredMemory\": -4, "
              "\"requiredNetworkBandwidth\": 1}]}",
              VMP_ERANGE, "processList[0].requiredMemory: expected a number "
              ">= 0, got -4");
  expect_fail(vmp__read_cloud, "{\"computerList\": [], \"computerList\": []}",
              VMP_EPARSE, "duplicate object key");
}

static void test_readers__json_duplicate_id(void **state) {
  static const char *const computers =
      "{\"computerList\": [{\"id\": 0, \"cpuPower\": 1, \"memory\": 1, "
      "\"networkBandwidth\": 1, \"cost\": 1}, {\"id\": 0, \"cpuPower\": 2, "
      "\"memory\": 2, \"networkBandwidth\": 2, \"cost\": 2}], "
      "\"processList\": []}";
  static const char *const processes =
      "{\"computerList\": [], \"processList\": [{\"id\": 3, "
      "\"requiredCpuPower\": 1, \"requiredMemory\": 1, "
      "\"requiredNetworkBandwidth\": 1}, {\"id\": 3, \"requiredCpuPower\": 1, "
      "\"requiredMemory\": 1, \"requiredNetworkBandwidth\": 1}]}";
  (void)state;
  expect_fail(vmp__read_cloud, computers, VMP_EEXIST,
              "in.txt: computerList[1].id: duplicate id 0 (also "
              "computerList[0])");
  expect_fail(vmp__read_cloud, processes, VMP_EEXIST,
              "processList[1].id: duplicate id 3 (also processList[0])");
}

static void test_readers__json_unknown_computer(void **state) {
  (void)state;
  expect_fail(vmp__read_cloud,
              "{\"computerList\": [], \"processList\": [{\"id\": 0, "
              "\"requiredCpuPower\": 1, \"requiredMemory\": 1, "
              "\"requiredNetworkBandwidth\": 1, \"computer\": {\"id\": 9}}]}",
              VMP_ENOTFOUND, "processList[0].computer: unknown computer id 9");
}

static void test_readers__assignment_out_of_range(void **state) {
  vmp_problem *p = NULL;
  (void)state;
  expect_error(parse_roadef(ROADEF, "0 3 1", &p), VMP_ERANGE,
               "model_x.txt: assignment: line 1: machine of process 1: "
               "expected a machine index in 0..2, got 3");
  expect_error(parse_roadef(ROADEF, "0\n1\n-1", &p), VMP_ERANGE,
               "assignment: line 3: machine of process 2: expected a machine "
               "index in 0..2, got -1");
}

static void test_readers__roadef_bad_index(void **state) {
  static const struct {
    const char *from, *to;
    const char *needle;
  } cases[] = {
      {"1 1 1 0\n", "2 1 1 0\n",
       "line 14: service of process 2: expected a service index in 0..1, "
       "got 2"},
      {"0 1 0\n", "0 1 5\n",
       "line 10: dependency 0 of service 1: expected a service index in "
       "0..1, got 5"},
      {"0 1 20\n", "0 2 20\n",
       "line 16: second resource of balance objective 0: expected a resource "
       "index in 0..1, got 2"},
      {"1 5\n", "2 5\n",
       "line 3: transient flag of resource 1: expected an integer in 0..1, "
       "got 2"},
  };
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    vmp_problem *p = NULL;
    char *model = roadef_with(cases[k].from, cases[k].to);
    expect_error(parse_roadef(model, NULL, &p), VMP_ERANGE, cases[k].needle);
    free(model);
  }
}

static void test_readers__mvp_multi_shape(void **state) {
  (void)state;
  expect_fail(vmp__read_mvp, "2\n1\n100 100 1 -1\n2\n1 1\n5 5\n2 3\n50 25\n"
              "25 50\n", VMP_ENOTSUP, "in.txt: line 7: item 2 has 2 "
              "alternative shapes; items with alternative shapes are not "
              "supported");
}

/* ---- no crash on damaged input -------------------------------------------------------- */

typedef struct sample {
  const char *file;
  reader_fn fn;       /* NULL: ROADEF */
} sample;

static const sample SAMPLES[] = {
    {"tiny.vbp", vmp__read_vbp},
    {"tiny.mvp", vmp__read_mvp},
    {"tiny_bpplib.txt", vmp__read_bpplib},
    {"tiny_cloud.json", vmp__read_cloud},
    {"model_tiny.txt", NULL},
};

static int run_sample(const sample *s, const char *data, size_t len) {
  static const char assignment[] = "0 1 1";
  vmp_problem *p = (vmp_problem *)1;
  char *b = exact_copy(data, len);
  int rc = s->fn ? s->fn(b, len, "m", &p)
                 : vmp__read_roadef(b, len, assignment, sizeof assignment - 1,
                                    "m", &p);
  free(b);
  /* Whatever the input: a problem exactly on success, else an error code
   * of the table with a message. */
  if (rc == VMP_OK) {
    assert_non_null(p);
    vmp_problem_free(p);
  } else {
    assert_null(p);
    assert_true(rc < 0 && rc > VMP__ERRNO_LAST);
    assert_true(vmp_last_error()[0] != '\0');
  }
  return rc;
}

static void test_readers__damaged_input(void **state) {
  static const char noise[] = "0-9 .e\n\r\"{}[]:,x\001";
  uint64_t seed = 12345;
  (void)state;
  for (size_t s = 0; s < sizeof SAMPLES / sizeof *SAMPLES; s++) {
    char path[512];
    size_t len;
    char *data;
    snprintf(path, sizeof path, FORMATS "%s", SAMPLES[s].file);
    data = slurp(path, &len);
    assert_int_equal(run_sample(&SAMPLES[s], data, len), VMP_OK);
    for (size_t cut = 0; cut < len; cut++) run_sample(&SAMPLES[s], data, cut);
    for (int round = 0; round < 3000; round++) {
      char *m = exact_copy(data, len);
      for (int k = 0; k < 3; k++) {
        /* xorshift: fixed, reproducible noise. */
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        m[seed % len] = noise[(seed >> 32) % (sizeof noise - 1)];
      }
      run_sample(&SAMPLES[s], m, len);
      free(m);
    }
    free(data);
  }
}

/* ---- every benchmark instance ----------------------------------------------------------- */

typedef struct tally {
  int vbp, vbp_negative, mvp, mvp_multi, bpplib, cloud, roadef;
} tally;

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

static int has_negative(const char *data, size_t len) {
  return memchr(data, '-', len) != NULL;
}

static void expect_loaded(const char *path, int rc, int expected,
                          vmp_problem *p) {
  if (rc != expected)
    fail_msg("%s: expected %s, got %s: %s", path, vmp_err_name(expected),
             vmp_err_name(rc), vmp_last_error());
  if (rc == VMP_OK) {
    if (!p || vmp_problem_num_vms(p) == 0 || vmp_problem_num_hosts(p) == 0)
      fail_msg("%s: loaded without hosts or VMs", path);
  } else {
    assert_null(p);
    /* The message names the file. */
    assert_non_null(strstr(vmp_last_error(), path));
  }
  vmp_problem_free(p);
}

static void load_roadef(const char *path, const char *base, tally *n) {
  char apath[4096];
  char *model, *assignment;
  size_t ml, al, dir = (size_t)(base - path);
  vmp_problem *p = NULL;
  int rc;
  snprintf(apath, sizeof apath, "%.*sassignment_%.*s.sol", (int)dir, path,
           (int)(strlen(base) - strlen("model_") - strlen(".txt")),
           base + strlen("model_"));
  model = slurp(path, &ml);
  assignment = slurp(apath, &al);
  rc = vmp__read_roadef(model, ml, assignment, al, path, &p);
  if (rc == VMP_OK)
    for (size_t v = 0; v < vmp_problem_num_vms(p); v++)
      assert_int_not_equal(vmp_problem_vm_host(p, v), VMP_NONE);
  expect_loaded(path, rc, VMP_OK, p);
  n->roadef++;
  free(model);
  free(assignment);
}

static void load_instance(const char *path, tally *n) {
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  vmp_problem *p = NULL;
  size_t len;
  char *data;
  int rc;
  if (ends_with(base, ".txt") && !strncmp(base, "model_", 6)) {
    load_roadef(path, base, n);
    return;
  }
  if (!ends_with(base, ".vbp") && !ends_with(base, ".mvp") &&
      !(ends_with(base, ".json") && strstr(path, "/cloudbalancing")) &&
      !(ends_with(base, ".txt") && strstr(path, "/bpplib/") &&
        strcmp(base, "Bounds_BPPLib.jl.txt")))
    return;
  data = slurp(path, &len);
  if (ends_with(base, ".vbp")) {
    /* Some Triplet instances hold negative sizes (their generator's
     * artefact); a demand cannot be negative. */
    int neg = has_negative(data, len);
    rc = vmp__read_vbp(data, len, path, &p);
    expect_loaded(path, rc, neg ? VMP_ERANGE : VMP_OK, p);
    n->vbp++;
    n->vbp_negative += neg;
  } else if (ends_with(base, ".mvp")) {
    int multi = !strcmp(base, "instance.mvp") || !strcmp(base, "mvp.mvp");
    rc = vmp__read_mvp(data, len, path, &p);
    expect_loaded(path, rc, multi ? VMP_ENOTSUP : VMP_OK, p);
    n->mvp++;
    n->mvp_multi += multi;
  } else if (ends_with(base, ".json")) {
    rc = vmp__read_cloud(data, len, path, &p);
    expect_loaded(path, rc, VMP_OK, p);
    n->cloud++;
  } else {
    rc = vmp__read_bpplib(data, len, path, &p);
    expect_loaded(path, rc, VMP_OK, p);
    n->bpplib++;
  }
  free(data);
}

static void walk(const char *dir, tally *n) {
  DIR *d = opendir(dir);
  struct dirent *e;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode))
      walk(path, n);
    else if (S_ISREG(st.st_mode))
      load_instance(path, n);
  }
  closedir(d);
}

static void test_readers__all_instances(void **state) {
  const char *dir = getenv("VMPLACE_INSTANCES");
  struct stat st;
  tally n;
  (void)state;
  if (!dir) dir = VMPLACE_TEST_DATA "/../../../shared/instances";
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    print_message("no benchmark instances at %s\n", dir);
    skip();
  }
  memset(&n, 0, sizeof n);
  walk(dir, &n);
  print_message("loaded: %d vbp (%d refused: negative sizes), %d mvp (%d "
                "refused: alternative shapes), %d bpplib, %d cloud, %d "
                "roadef\n", n.vbp, n.vbp_negative, n.mvp, n.mvp_multi,
                n.bpplib, n.cloud, n.roadef);
  assert_true(n.vbp + n.mvp + n.bpplib + n.cloud + n.roadef > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_readers__tok_numbers),
      cmocka_unit_test(test_readers__tok_errors),
      cmocka_unit_test(test_readers__vbp_sample),
      cmocka_unit_test(test_readers__mvp_sample),
      cmocka_unit_test(test_readers__bpplib_sample),
      cmocka_unit_test(test_readers__cloud_sample),
      cmocka_unit_test(test_readers__roadef_sample),
      cmocka_unit_test(test_readers__roadef_zero_weight),
      cmocka_unit_test(test_readers__roadef_dependency_twice),
      cmocka_unit_test(test_readers__read_file),
      cmocka_unit_test(test_readers__empty),
      cmocka_unit_test(test_readers__truncated),
      cmocka_unit_test(test_readers__negative),
      cmocka_unit_test(test_readers__nonfinite),
      cmocka_unit_test(test_readers__not_a_number),
      cmocka_unit_test(test_readers__trailing_garbage),
      cmocka_unit_test(test_readers__absurd_count),
      cmocka_unit_test(test_readers__json_unknown_key),
      cmocka_unit_test(test_readers__json_wrong_type),
      cmocka_unit_test(test_readers__json_duplicate_id),
      cmocka_unit_test(test_readers__json_unknown_computer),
      cmocka_unit_test(test_readers__assignment_out_of_range),
      cmocka_unit_test(test_readers__roadef_bad_index),
      cmocka_unit_test(test_readers__mvp_multi_shape),
      cmocka_unit_test(test_readers__damaged_input),
      cmocka_unit_test(test_readers__all_instances),
  };
  return cmocka_run_group_tests_name("readers", tests, NULL, NULL);
}
