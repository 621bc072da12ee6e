/* The rule language (src/model/rule.c): parse errors with their exact
 * column and message, evaluation truth tables, explanations, operand
 * references and vmp_rule_check. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "rule.h"

/* ---- fixture ------------------------------------------------------------ */

/* Resources cpu (0) and mem (1).
 *   host h0: cpu 4,  mem 16; zone=a, gen=3, tier=10, empty=""
 *   host h1: cpu 16, mem 64; zone=secure, gen=abc, kubernetes.io/arch=amd64,
 *            cost 2.5
 *   host h2: cpu 0,  mem 0;  no labels
 *   vm web-1: cpu 8, mem 8; app=web, pci=true, tier=2, gen=3.0
 *   vm db-1:  cpu 2, mem 4; priority 5; no labels */
enum { H0, H1, H2 };
enum { WEB, DB };

static void ok(int rc) {
  if (rc) fail_msg("%s: %s", vmp_err_name(rc), vmp_last_error());
}

static vmp_problem *fixture(void) {
  vmp_problem *p = NULL;
  const double h0[] = {4, 16}, h1[] = {16, 64}, h2[] = {0, 0};
  const double web[] = {8, 8}, db[] = {2, 4};
  ok(vmp_problem_new(&p));
  ok(vmp_problem_add_resource(p, "cpu", NULL));
  ok(vmp_problem_add_resource(p, "mem", NULL));
  ok(vmp_problem_add_host(p, "h0", h0, NULL));
  ok(vmp_problem_add_host(p, "h1", h1, NULL));
  ok(vmp_problem_add_host(p, "h2", h2, NULL));
  ok(vmp_problem_set_host_label(p, H0, "zone", "a"));
  ok(vmp_problem_set_host_label(p, H0, "gen", "3"));
  ok(vmp_problem_set_host_label(p, H0, "tier", "10"));
  ok(vmp_problem_set_host_label(p, H0, "empty", ""));
  ok(vmp_problem_set_host_label(p, H1, "zone", "secure"));
  ok(vmp_problem_set_host_label(p, H1, "gen", "abc"));
  ok(vmp_problem_set_host_label(p, H1, "kubernetes.io/arch", "amd64"));
  ok(vmp_problem_set_host_cost(p, H1, 2.5));
  ok(vmp_problem_add_vm(p, "web-1", web, NULL));
  ok(vmp_problem_add_vm(p, "db-1", db, NULL));
  ok(vmp_problem_set_vm_label(p, WEB, "app", "web"));
  ok(vmp_problem_set_vm_label(p, WEB, "pci", "true"));
  ok(vmp_problem_set_vm_label(p, WEB, "tier", "2"));
  ok(vmp_problem_set_vm_label(p, WEB, "gen", "3.0"));
  ok(vmp_problem_set_vm_priority(p, DB, 5));
  return p;
}

static int group_setup(void **state) {
  *state = fixture();
  return 0;
}

static int group_teardown(void **state) {
  vmp_problem_free(*state);
  return 0;
}

static vmp__expr *parse(vmp_problem *p, const char *text) {
  vmp__expr *e = NULL;
  size_t col = 99;
  int rc = vmp__expr_parse(p, text, &e, &col);
  if (rc)
    fail_msg("parse of `%s` failed: %s: %s", text, vmp_err_name(rc),
             vmp_last_error());
  assert_int_equal(col, 0);
  assert_non_null(e);
  return e;
}

static int ev(vmp_problem *p, const char *text, uint32_t vm, uint32_t host) {
  vmp__expr *e = parse(p, text);
  int r = vmp__expr_eval(e, p, vm, host);
  vmp__expr_free(e);
  return r;
}

#define EXPECT(p, text, vm, host, want)                                      \
  do {                                                                       \
    int got_ = ev((p), (text), (vm), (host));                                \
    if (got_ != (want))                                                      \
      fail_msg("`%s` on (%d, %d): expected %d, got %d", (text), (int)(vm),   \
               (int)(host), (want), got_);                                   \
  } while (0)

static void expect_explain(vmp_problem *p, const char *text, uint32_t vm,
                           uint32_t host, const char *want) {
  vmp__expr *e = parse(p, text);
  vmp__buf b;
  vmp__buf_init(&b);
  vmp__expr_explain(e, p, vm, host, &b);
  assert_false(b.oom);
  if (strcmp(b.data ? b.data : "", want))
    fail_msg("explain `%s` on (%d, %d):\n  expected: %s\n  got:      %s", text,
             (int)vm, (int)host, want, b.data ? b.data : "(empty)");
  vmp__buf_free(&b);
  vmp__expr_free(e);
}

static void expect_error(vmp_problem *p, const char *text, int code,
                         size_t column, const char *needle) {
  vmp__expr *e = (vmp__expr *)&e;
  size_t col = 12345;
  int rc = vmp__expr_parse(p, text, &e, &col);
  if (rc != code)
    fail_msg("`%s`: expected %s, got %s (%s)", text, vmp_err_name(code),
             vmp_err_name(rc), vmp_last_error());
  assert_null(e);
  if (col != column)
    fail_msg("`%s`: expected column %zu, got %zu (%s)", text, column, col,
             vmp_last_error());
  if (!strstr(vmp_last_error(), needle))
    fail_msg("`%s`: message \"%s\" lacks \"%s\"", text, vmp_last_error(),
             needle);
}

/* ---- parse errors ------------------------------------------------------- */

static void test_rule__parse_errors(void **state) {
  static const struct {
    const char *text;
    size_t column;
    const char *needle;
  } cases[] = {
      {"", 1, "expected an expression"},
      {"   ", 4, "expected an expression"},
      {"vm.labels.pci ==", 17, "expected a value after '=='"},
      {"vm.labels.pci >= )", 18, "expected a value after '>='"},
      {"vm.lables.x == \"a\"", 1, "unknown operand 'vm.lables'"},
      {"!(vm.lables.x == \"a\")", 3, "unknown operand 'vm.lables'"},
      {"host.cpu == 1", 1, "unknown operand 'host.cpu'"},
      {"foo == 1", 1, "unknown operand 'foo'"},
      {"vm.name == \"abc", 12, "unterminated string"},
      {"vm.name == \"a\\", 12, "unterminated string"},
      {"vm.name == \"a\\q\"", 14, "unknown escape '\\q'"},
      {"vm.name == \"a\" host.name == \"b\"", 16,
       "unexpected text after the expression"},
      {"vm.name == \"a\" #", 16, "unexpected text after the expression"},
      {"true == true", 6, "unexpected text after the expression"},
      {"(vm.name == \"a\"", 16, "expected ')' to close '(' at column 1"},
      {"vm.name == \"a\")", 15, "unmatched ')'"},
      {"vm.name = \"a\"", 9, "expected '==' instead of '='"},
      {"vm.name == \"a\" & host.name == \"b\"", 16,
       "expected '&&' instead of '&'"},
      {"vm.name == \"a\" | host.name == \"b\"", 16,
       "expected '||' instead of '|'"},
      {"vm.name", 8, "expected ==, !=, <, <=, >, >= or in after 'vm.name'"},
      {"vm.name in [\"a\",]", 17, "expected a value after ','"},
      {"vm.name in []", 13, "expected a value after '['"},
      {"vm.name in \"a\"", 12, "expected '[' after 'in'"},
      {"vm.name in [\"a\" \"b\"]", 17, "expected ',' or ']' in the list"},
      {"vm.name in [\"a\", host.name]", 18,
       "only strings and numbers may appear in a list"},
      {"vm.name in [\"a\"", 16, "expected ']' to close '[' at column 12"},
      {"vm.demand.cpu > 1e", 17, "malformed number '1e'"},
      {"vm.demand.cpu > 0x10", 17, "malformed number '0x10'"},
      {"vm.demand.cpu > 1e999", 17, "number out of range '1e999'"},
      {"vm.demand.cpu > inf", 17, "unknown operand 'inf'"},
      {"vm.demand.cpu > nan", 17, "unknown operand 'nan'"},
      {"1.2.3 == 1", 1, "malformed number '1.2.3'"},
      {"- 5 == 1", 1, "malformed number '-'"},
      {"vm. == 1", 4, "expected labels, demand, name or priority after 'vm.'"},
      {"vm == 1", 3, "expected '.' after 'vm'"},
      {"host.labels == \"a\"", 12, "expected '.' or '[' after 'host.labels'"},
      {"host.labels. == \"a\"", 13,
       "expected a label key after 'host.labels.'"},
      {"host.labels[zone] == \"a\"", 13,
       "expected a string after 'host.labels['"},
      {"host.labels[\"\"] == \"a\"", 13, "empty label key"},
      {"host.labels[\"zone\" == \"a\"", 20,
       "expected ']' after the label key"},
      {"host.labels.a.b == \"x\"", 14, "unexpected '.' after 'host.labels.a'"},
      {"vm.name.x == \"a\"", 8, "unexpected '.' after 'vm.name'"},
      {"vm.demand == 1", 10, "expected '.' after 'vm.demand'"},
      {"vm.demand. == 1", 11, "expected a resource name after 'vm.demand.'"},
      {"vm.name == \"a\" &&", 18, "expected an expression after '&&'"},
      {"vm.name == \"a\" || ", 19, "expected an expression after '||'"},
      {"|| vm.name == \"a\"", 1, "expected an expression"},
      {"!", 2, "expected an expression after '!'"},
      {"()", 2, "expected an expression after '('"},
      {"vm.name == \x01", 12, "expected a value after '=='"},
  };
  vmp_problem *p = *state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    expect_error(p, cases[k].text, VMP_EPARSE, cases[k].column,
                 cases[k].needle);
    /* Without a problem the syntax errors are the same. */
    expect_error(NULL, cases[k].text, VMP_EPARSE, cases[k].column,
                 cases[k].needle);
  }
}

static void test_rule__error_message_is_exact(void **state) {
  vmp_problem *p = *state;
  expect_error(p, "vm.labels.pci ==", VMP_EPARSE, 17, "");
  assert_string_equal(vmp_last_error(),
                      "column 17: expected a value after '=='");
  expect_error(p, "vm.lables.pci == \"a\"", VMP_EPARSE, 1, "");
  assert_string_equal(vmp_last_error(),
                      "column 1: unknown operand 'vm.lables' (expected "
                      "vm.labels, vm.demand, vm.name or vm.priority)");
}

static void test_rule__unknown_resource(void **state) {
  vmp_problem *p = *state;
  expect_error(p, "vm.demand.cpu > 1 && vm.demand.gpu > 1", VMP_ENOTFOUND, 32,
               "unknown resource 'gpu'");
  assert_string_equal(vmp_last_error(),
                      "column 32: unknown resource 'gpu' in 'vm.demand.gpu'");
  expect_error(p, "host.capacity.disk >= 1", VMP_ENOTFOUND, 15,
               "unknown resource 'disk' in 'host.capacity.disk'");
  /* A syntax error before the resource wins: errors are reported left to
   * right. */
  expect_error(p, "vm.name = 1 || vm.demand.gpu > 1", VMP_EPARSE, 9,
               "expected '=='");
  /* Without a problem the resources are not checked. */
  assert_int_equal(vmp__expr_parse(NULL, "vm.demand.gpu > 1", NULL, NULL), 0);
}

static void test_rule__nesting_limit(void **state) {
  vmp_problem *p = *state;
  char text[1200];
  size_t n = 0;
  /* 256 levels parse; the 257th '(' is refused at its own column. */
  for (int k = 0; k < 256; k++) text[n++] = '(';
  memcpy(text + n, "true", 4);
  n += 4;
  for (int k = 0; k < 256; k++) text[n++] = ')';
  text[n] = '\0';
  assert_int_equal(ev(p, text, WEB, H0), 1);

  n = 0;
  for (int k = 0; k < 257; k++) text[n++] = '(';
  strcpy(text + n, "true");
  expect_error(p, text, VMP_EPARSE, 257, "nesting deeper than 256");

  n = 0;
  for (int k = 0; k < 256; k++) text[n++] = '!';
  strcpy(text + n, "true");
  assert_int_equal(ev(p, text, WEB, H0), 1); /* an even number of '!' */
  n = 0;
  for (int k = 0; k < 300; k++) text[n++] = k % 2 ? '!' : '(';
  strcpy(text + n, "true");
  expect_error(p, text, VMP_EPARSE, 257, "nesting deeper than 256");
}

static void test_rule__long_chains_do_not_nest(void **state) {
  vmp_problem *p = *state;
  const size_t terms = 100000;
  char *text = malloc(terms * 9 + 8);
  size_t n = 0;
  assert_non_null(text);
  for (size_t k = 0; k < terms; k++) {
    memcpy(text + n, "true && ", 8);
    n += 8;
  }
  strcpy(text + n, "true");
  assert_int_equal(ev(p, text, WEB, H0), 1);
  n = 0;
  for (size_t k = 0; k < terms; k++) {
    memcpy(text + n, "false || ", 9);
    n += 9;
  }
  strcpy(text + n, "true");
  assert_int_equal(ev(p, text, WEB, H0), 1);
  free(text);
}

static void test_rule__failed_parse_leaves_pool_alone(void **state) {
  vmp_problem *p = *state;
  expect_error(p, "host.labels.neverseen == \"nor-this\" &&", VMP_EPARSE, 39,
               "expected an expression after '&&'");
  assert_int_equal(vmp__pool_find(&p->pool, "neverseen"), 0);
  assert_int_equal(vmp__pool_find(&p->pool, "nor-this"), 0);
}

static void test_rule__rule_check(void **state) {
  size_t col = 77;
  (void)state;
  assert_int_equal(vmp_rule_check("vm.labels.pci == \"true\"", &col), VMP_OK);
  assert_int_equal(col, 0);
  /* No problem: resources are not resolved. */
  assert_int_equal(vmp_rule_check("vm.demand.gpu >= 1", &col), VMP_OK);
  assert_int_equal(vmp_rule_check("vm.labels.pci ==", &col), VMP_EPARSE);
  assert_int_equal(col, 17);
  assert_string_equal(vmp_last_error(),
                      "column 17: expected a value after '=='");
  assert_int_equal(vmp_rule_check("(", NULL), VMP_EPARSE);
  col = 77;
  assert_int_equal(vmp_rule_check(NULL, &col), VMP_EINVAL);
  assert_int_equal(col, 0);
}

static void test_rule__add_rule_prefixes_the_field(void **state) {
  vmp_problem *p = *state;
  assert_int_equal(vmp_problem_add_rule(p, "bad", NULL, "vm.labels.pci ==", 1,
                                        NULL),
                   VMP_EPARSE);
  assert_string_equal(vmp_last_error(),
                      "require: column 17: expected a value after '=='");
  assert_int_equal(vmp_problem_add_rule(p, "bad", "vm.demand.gpu > 1",
                                        "true", 1, NULL),
                   VMP_ENOTFOUND);
  assert_string_equal(vmp_last_error(),
                      "when: column 11: unknown resource 'gpu' in "
                      "'vm.demand.gpu'");
}

static void test_rule__syntax_accepted(void **state) {
  static const char *const texts[] = {
      "true",
      "false",
      " \t\n vm.name == \"x\" \r\n",
      "vm.labels.app-name_1 == \"x\"",
      "vm.labels.1st == \"x\"",
      "vm.labels[\"a b.c/d\"] == \"x\"",
      "host.labels[ \"zone\" ] != \"x\"",
      "vm.demand.cpu<=host.capacity.cpu",
      "vm.demand.cpu>-1&&vm.demand.mem>=+0.5e-3",
      "vm.demand.cpu > .5 || vm.demand.cpu < 5.",
      "vm.name in[\"a\",\"b\"]",
      "vm.priority in [ 1 , 2.5e1 , \"3\" ]",
      "\"a\" == \"a\"",
      "1 < 2",
      "!!(true)",
      "!(vm.name == \"a\") && !host.name != \"b\"",
      "host.cost >= 0 && host.name < \"z\"",
      "vm.name == \"\\\"\\\\\\n\\t\"",
  };
  vmp_problem *p = *state;
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    vmp__expr_free(parse(p, texts[k]));
    assert_int_equal(vmp_rule_check(texts[k], NULL), VMP_OK);
  }
}

/* ---- evaluation --------------------------------------------------------- */

static void test_rule__eval_absent(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "host.labels.zone == \"a\"", WEB, H0, 1);
  EXPECT(p, "host.labels.zone == \"a\"", WEB, H1, 0);
  EXPECT(p, "host.labels.zone == \"a\"", WEB, H2, 0);
  EXPECT(p, "host.labels.zone != \"a\"", WEB, H0, 0);
  EXPECT(p, "host.labels.zone != \"a\"", WEB, H1, 1);
  EXPECT(p, "host.labels.zone != \"a\"", WEB, H2, 1);
  EXPECT(p, "host.labels.zone < \"z\"", WEB, H2, 0);
  EXPECT(p, "host.labels.zone >= \"\"", WEB, H2, 0);
  EXPECT(p, "host.labels.zone > 0", WEB, H2, 0);
  EXPECT(p, "host.labels.zone != 0", WEB, H2, 1);
  EXPECT(p, "host.labels.zone in [\"a\", \"b\"]", WEB, H2, 0);
  EXPECT(p, "!(host.labels.zone in [\"a\"])", WEB, H2, 1);
  /* Both sides absent. */
  EXPECT(p, "vm.labels.zone == host.labels.nothing", DB, H2, 0);
  EXPECT(p, "vm.labels.zone != host.labels.nothing", DB, H2, 1);
  /* A side that is not given is absent. */
  EXPECT(p, "host.labels.zone == \"a\"", WEB, VMP__NO_HOST, 0);
  EXPECT(p, "host.labels.zone != \"a\"", WEB, VMP__NO_HOST, 1);
  EXPECT(p, "host.capacity.cpu >= 0", WEB, VMP__NO_HOST, 0);
  EXPECT(p, "host.name != \"h0\"", WEB, VMP__NO_HOST, 1);
  EXPECT(p, "vm.labels.app == \"web\"", UINT32_MAX, H0, 0);
  EXPECT(p, "vm.priority >= 0", UINT32_MAX, H0, 0);
  EXPECT(p, "vm.labels.app == \"web\"", WEB, VMP__NO_HOST, 1);
}

static void test_rule__eval_numeric_labels(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "host.labels.gen >= 3", WEB, H0, 1);
  EXPECT(p, "host.labels.gen >= 3", WEB, H1, 0);     /* "abc" */
  EXPECT(p, "host.labels.gen < 3", WEB, H1, 0);
  EXPECT(p, "host.labels.gen != 3", WEB, H1, 0);     /* not a number */
  EXPECT(p, "host.labels.gen != 3", WEB, H2, 1);     /* absent */
  EXPECT(p, "host.labels.gen != 3", WEB, H0, 0);
  EXPECT(p, "host.labels.gen == 3.0", WEB, H0, 1);
  EXPECT(p, "host.labels.gen == 3e0", WEB, H0, 1);
  EXPECT(p, "host.labels.gen == +3", WEB, H0, 1);
  EXPECT(p, "host.labels.gen == 0.3e1", WEB, H0, 1);
  EXPECT(p, "host.labels.gen == 30E-1", WEB, H0, 1);
  EXPECT(p, "host.labels.gen == \"3.0\"", WEB, H0, 0); /* strings */
  EXPECT(p, "vm.labels.gen == host.labels.gen", WEB, H0, 0);
  EXPECT(p, "vm.labels.gen == 3", WEB, H0, 1);
  /* "10" > 9 as numbers, but "10" < "9" as strings. */
  EXPECT(p, "host.labels.tier > 9", WEB, H0, 1);
  EXPECT(p, "host.labels.tier > \"9\"", WEB, H0, 0);
  EXPECT(p, "vm.labels.tier < host.labels.tier", WEB, H0, 0);
  /* A label against a numeric operand reads as a number too. */
  EXPECT(p, "host.labels.tier > vm.demand.cpu", WEB, H0, 1);
  EXPECT(p, "host.labels.gen < vm.demand.cpu", WEB, H0, 1);
  EXPECT(p, "host.labels.gen < vm.demand.cpu", WEB, H1, 0);
  /* String literals against numbers. */
  EXPECT(p, "\"5\" == 5", WEB, H0, 1);
  EXPECT(p, "\"abc\" == 5", WEB, H0, 0);
  EXPECT(p, "\"abc\" != 5", WEB, H0, 0);
  EXPECT(p, "\"0x10\" == 16", WEB, H0, 0);
  EXPECT(p, "\"1e2\" == 100", WEB, H0, 1);
}

static void test_rule__eval_numbers(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "0.1 < 0.2", WEB, H0, 1);
  EXPECT(p, "0.30000000000000004 > 0.3", WEB, H0, 1);
  EXPECT(p, "123456789012345678 == 123456789012345678.0", WEB, H0, 1);
  EXPECT(p, "1e-400 == 0", WEB, H0, 1);
  EXPECT(p, "-0 == 0", WEB, H0, 1);
  EXPECT(p, "-1.5 < -1", WEB, H0, 1);
  EXPECT(p, "1e22 == 10000000000000000000000", WEB, H0, 1);
  EXPECT(p, "1.7976931348623157e308 > 1e308", WEB, H0, 1);
}

/* The language always writes '.', whatever LC_NUMERIC the host program set
 * (long numbers go through strtod, which follows it). */
static void test_rule__numbers_ignore_the_locale(void **state) {
  static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",
                                      "fr_FR.UTF-8", "fr_FR.utf8"};
  vmp_problem *p = *state;
  char old[256];
  int set = 0;
  snprintf(old, sizeof old, "%s", setlocale(LC_NUMERIC, NULL));
  for (size_t k = 0; k < sizeof names / sizeof names[0] && !set; k++)
    set = setlocale(LC_NUMERIC, names[k]) != NULL;
  if (!set || localeconv()->decimal_point[0] != ',') {
    setlocale(LC_NUMERIC, old);
    skip();
  }
  {
    int a = ev(p, "0.30000000000000004 > 0.3", WEB, H0);
    int b = ev(p, "\"2.50000000000000000001\" == 2.5", WEB, H0);
    int c = ev(p, "1.25 == 125e-2", WEB, H0);
    int d = ev(p, "host.labels.gen < 3.000000000000000000001", WEB, H0);
    setlocale(LC_NUMERIC, old);
    assert_int_equal(a, 1);
    assert_int_equal(b, 1);
    assert_int_equal(c, 1);
    assert_int_equal(d, 0); /* rounds to 3 */
  }
}

static void test_rule__eval_strings(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "host.labels.zone < \"b\"", WEB, H0, 1);
  EXPECT(p, "host.labels.zone < \"b\"", WEB, H1, 0);
  EXPECT(p, "host.name >= \"h1\"", WEB, H0, 0);
  EXPECT(p, "host.name >= \"h1\"", WEB, H1, 1);
  EXPECT(p, "host.name >= \"h1\"", WEB, H2, 1);
  EXPECT(p, "\"B\" < \"a\"", WEB, H0, 1);            /* bytewise */
  EXPECT(p, "\"\xc3\xa9\" > \"z\"", WEB, H0, 1);     /* unsigned bytes */
  EXPECT(p, "\"ab\" < \"abc\"", WEB, H0, 1);
  EXPECT(p, "\"ab\" <= \"ab\" && \"ab\" >= \"ab\"", WEB, H0, 1);
  EXPECT(p, "vm.name == \"web-1\"", WEB, H0, 1);
  EXPECT(p, "vm.name == \"web-1\"", DB, H0, 0);
  EXPECT(p, "vm.name != host.name", WEB, H0, 1);
  /* An empty value is a value, not absence. */
  EXPECT(p, "host.labels.empty == \"\"", WEB, H0, 1);
  EXPECT(p, "host.labels.empty == \"\"", WEB, H1, 0);
  EXPECT(p, "host.labels.empty != \"\"", WEB, H1, 1);
  EXPECT(p, "host.labels.empty < \"a\"", WEB, H0, 1);
  EXPECT(p, "host.labels.empty == 0", WEB, H0, 0);
  EXPECT(p, "host.labels[\"kubernetes.io/arch\"] == \"amd64\"", WEB, H1, 1);
}

static void test_rule__eval_in(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "host.labels.zone in [\"b\", \"secure\"]", WEB, H1, 1);
  EXPECT(p, "host.labels.zone in [\"b\", \"secure\"]", WEB, H0, 0);
  EXPECT(p, "host.labels.gen in [1, 2, 3]", WEB, H0, 1);
  EXPECT(p, "host.labels.gen in [1, 2, 3]", WEB, H1, 0);
  EXPECT(p, "host.labels.gen in [\"3\"]", WEB, H0, 1);
  EXPECT(p, "host.labels.gen in [\"3.0\"]", WEB, H0, 0);
  EXPECT(p, "host.labels.gen in [3.0]", WEB, H0, 1);
  EXPECT(p, "host.labels.gen in [\"x\", 3]", WEB, H0, 1);
  EXPECT(p, "vm.name in [\"web-1\", \"db-1\"]", WEB, H0, 1);
  EXPECT(p, "vm.name in [\"web-1\", \"db-1\"]", DB, H0, 1);
  EXPECT(p, "vm.demand.cpu in [2, 8]", WEB, H0, 1);
  EXPECT(p, "vm.demand.cpu in [\"8\"]", WEB, H0, 1);
  EXPECT(p, "vm.demand.cpu in [\"eight\"]", WEB, H0, 0);
  EXPECT(p, "vm.priority in [5]", DB, H0, 1);
  EXPECT(p, "\"a\" in [\"b\", \"a\"]", WEB, H0, 1);
}

static void test_rule__eval_precedence(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "true || false && false", WEB, H0, 1);
  EXPECT(p, "false && false || true", WEB, H0, 1);
  EXPECT(p, "(true || false) && false", WEB, H0, 0);
  EXPECT(p, "!false && false", WEB, H0, 0);
  EXPECT(p, "!(false && false)", WEB, H0, 1);
  EXPECT(p, "!true || true", WEB, H0, 1);
  EXPECT(p, "!(true || true)", WEB, H0, 0);
  EXPECT(p, "!!true", WEB, H0, 1);
  EXPECT(p, "!!!true", WEB, H0, 0);
  EXPECT(p, "true && true && false", WEB, H0, 0);
  EXPECT(p, "false || false || true", WEB, H0, 1);
  EXPECT(p, "((false)) || ((true && (true)))", WEB, H0, 1);
  {
    const char *r = "vm.labels.pci == \"true\" && host.labels.zone == "
                    "\"secure\" || vm.labels.pci != \"true\"";
    EXPECT(p, r, WEB, H1, 1);
    EXPECT(p, r, WEB, H0, 0);
    EXPECT(p, r, DB, H0, 1);
  }
}

static void test_rule__eval_numeric_operands(void **state) {
  vmp_problem *p = *state;
  EXPECT(p, "vm.priority >= 5", DB, H0, 1);
  EXPECT(p, "vm.priority >= 5", WEB, H0, 0);
  EXPECT(p, "host.cost > 2", WEB, H1, 1);
  EXPECT(p, "host.cost > 2", WEB, H0, 0);
  EXPECT(p, "host.cost == 1", WEB, H0, 1);
  EXPECT(p, "host.capacity.cpu >= vm.demand.cpu", WEB, H0, 0);
  EXPECT(p, "host.capacity.cpu >= vm.demand.cpu", WEB, H1, 1);
  EXPECT(p, "host.capacity.mem == 64", WEB, H1, 1);
  EXPECT(p, "vm.demand.mem == 4", DB, H1, 1);
  /* A name that is not a number makes a numeric comparison false. */
  EXPECT(p, "vm.name > 0", WEB, H0, 0);
}

static void test_rule__eval_sees_later_labels(void **state) {
  vmp_problem *p = NULL;
  vmp__expr *e;
  (void)state;
  ok(vmp_problem_new(&p));
  ok(vmp_problem_add_host(p, "h", NULL, NULL));
  ok(vmp_problem_add_vm(p, "v", NULL, NULL));
  /* Neither the key nor the value exist yet when the rule is parsed. */
  e = parse(p, "host.labels.color == \"red\" && vm.labels.q == "
               "\"say \\\"hi\\\"\\n\"");
  assert_int_equal(vmp__expr_eval(e, p, 0, 0), 0);
  ok(vmp_problem_set_host_label(p, 0, "color", "red"));
  ok(vmp_problem_set_vm_label(p, 0, "q", "say \"hi\"\n"));
  assert_int_equal(vmp__expr_eval(e, p, 0, 0), 1);
  ok(vmp_problem_set_host_label(p, 0, "color", NULL));
  assert_int_equal(vmp__expr_eval(e, p, 0, 0), 0);
  vmp__expr_free(e);
  vmp_problem_free(p);
}

static void test_rule__null_expression(void **state) {
  vmp_problem *p = *state;
  vmp__expr *e = (vmp__expr *)&e;
  /* The empty `when` always holds. */
  assert_int_equal(vmp__expr_eval(NULL, p, WEB, H0), 1);
  /* Syntax only: nothing is built. */
  assert_int_equal(vmp__expr_parse(NULL, "vm.name == \"a\"", &e, NULL), 0);
  assert_null(e);
  assert_int_equal(vmp__expr_parse(p, NULL, &e, NULL), VMP_EINVAL);
  assert_null(e);
  assert_int_equal(vmp__expr_uses_vm(NULL), 0);
  assert_int_equal(vmp__expr_uses_host(NULL), 0);
  vmp__expr_free(NULL);
}

/* ---- explanations ------------------------------------------------------- */

static void test_rule__explain(void **state) {
  vmp_problem *p = *state;
  expect_explain(p, "host.labels.zone == \"a\"", WEB, H1,
                 "host.labels.zone is \"secure\"");
  expect_explain(p, "host.labels.zone == \"a\"", WEB, H2,
                 "host.labels.zone is absent");
  expect_explain(p, "vm.demand.cpu <= host.capacity.cpu", WEB, H0,
                 "vm.demand.cpu is 8, host.capacity.cpu is 4");
  expect_explain(p, "!(host.labels.zone == \"secure\")", WEB, H1,
                 "host.labels.zone is \"secure\"");
  expect_explain(p, "host.labels.gen >= 3", WEB, H1,
                 "host.labels.gen is \"abc\" (not a number)");
  expect_explain(p, "host.labels[\"kubernetes.io/arch\"] == \"arm64\"", WEB,
                 H1, "host.labels[\"kubernetes.io/arch\"] is \"amd64\"");
  expect_explain(p, "host.labels.empty != \"\"", WEB, H0,
                 "host.labels.empty is \"\"");
  expect_explain(p, "host.cost < 2 && vm.priority > 1", DB, H1,
                 "host.cost is 2.5");
  expect_explain(p, "vm.name in [\"a\", \"b\"]", WEB, H0,
                 "vm.name is \"web-1\"");
  expect_explain(p, "false", WEB, H0, "always false");
  expect_explain(p, "1 > 2", WEB, H0, "1 > 2 is false");
  expect_explain(p, "\"x\" in [\"a\"]", WEB, H0, "\"x\" is not in the list");
}

static void test_rule__explain_and_or_not(void **state) {
  vmp_problem *p = *state;
  /* &&: only the false operands. */
  expect_explain(p, "host.labels.zone == \"a\" && host.cost < 2", WEB, H1,
                 "host.labels.zone is \"secure\", host.cost is 2.5");
  expect_explain(p, "host.labels.zone == \"a\" && host.cost < 2", WEB, H2,
                 "host.labels.zone is absent");
  /* ||: all of them, each fact once. */
  expect_explain(p, "host.labels.zone == \"a\" || host.labels.zone == \"b\"",
                 WEB, H1, "host.labels.zone is \"secure\"");
  expect_explain(p, "host.labels.zone == \"a\" || vm.priority > 3", WEB, H1,
                 "host.labels.zone is \"secure\", vm.priority is 0");
  /* !: the true comparisons inside. */
  expect_explain(p,
                 "!(vm.labels.pci == \"true\" && host.labels.zone != "
                 "\"secure\")",
                 WEB, H0, "vm.labels.pci is \"true\", host.labels.zone is \"a\"");
  expect_explain(p, "!(host.labels.zone == \"b\" || host.cost < 2)", WEB, H0,
                 "host.cost is 1");
  /* A true expression names what makes it true. */
  expect_explain(p, "host.labels.zone == \"a\"", WEB, H0,
                 "host.labels.zone is \"a\"");
}

static void test_rule__explain_appends_and_escapes(void **state) {
  vmp_problem *p = NULL;
  vmp__expr *e;
  vmp__buf b;
  (void)state;
  ok(vmp_problem_new(&p));
  ok(vmp_problem_add_host(p, "h", NULL, NULL));
  ok(vmp_problem_add_vm(p, "v", NULL, NULL));
  ok(vmp_problem_set_host_label(p, 0, "note", "say \"hi\"\n\\"));
  ok(vmp_problem_set_host_label(p, 0, "with space", "x"));
  e = parse(p, "host.labels.note == \"\" || host.labels[\"with space\"] == "
               "\"y\"");
  vmp__buf_init(&b);
  vmp__buf_puts(&b, "rule r: ");
  vmp__expr_explain(e, p, 0, 0, &b);
  assert_string_equal(b.data,
                      "rule r: host.labels.note is \"say \\\"hi\\\"\\n\\\\\", "
                      "host.labels[\"with space\"] is \"x\"");
  vmp__buf_free(&b);
  vmp__expr_free(e);
  vmp_problem_free(p);
}

/* ---- references, flags, clone ------------------------------------------- */

static int has_key(const uint32_t *keys, size_t n, uint32_t id) {
  for (size_t k = 0; k < n; k++)
    if (keys[k] == id) return 1;
  return 0;
}

static void test_rule__refs(void **state) {
  vmp_problem *p = *state;
  vmp__refs r;
  vmp__expr *a = parse(p,
                       "vm.labels.app == \"web\" && host.labels.zone == \"a\" "
                       "|| vm.labels.app in [\"x\"] && host.capacity.mem > "
                       "vm.demand.cpu && vm.priority > 1 && host.name != "
                       "\"x\"");
  vmp__expr *b = parse(p, "vm.labels.pci == \"true\" && host.cost < 1 && "
                          "vm.name != \"a\" && host.labels.zone != \"b\"");
  uint32_t app = vmp__pool_find(&p->pool, "app");
  uint32_t zone = vmp__pool_find(&p->pool, "zone");
  uint32_t pci = vmp__pool_find(&p->pool, "pci");
  assert_true(app && zone && pci);
  vmp__refs_init(&r);
  ok(vmp__expr_refs(a, &r));
  assert_int_equal(r.n_vm_keys, 1);
  assert_int_equal(r.vm_keys[0], app);
  assert_int_equal(r.n_host_keys, 1);
  assert_int_equal(r.host_keys[0], zone);
  assert_int_equal(r.vm_demand, 1);       /* cpu */
  assert_int_equal(r.host_capacity, 2);   /* mem */
  assert_int_equal(r.vm_priority, 1);
  assert_int_equal(r.host_name, 1);
  assert_int_equal(r.vm_name, 0);
  assert_int_equal(r.host_cost, 0);
  ok(vmp__expr_refs(b, &r));
  assert_int_equal(r.n_vm_keys, 2);
  assert_true(has_key(r.vm_keys, r.n_vm_keys, pci));
  assert_int_equal(r.n_host_keys, 1);
  assert_int_equal(r.vm_name, 1);
  assert_int_equal(r.host_cost, 1);
  vmp__refs_free(&r);
  assert_null(r.vm_keys);
  assert_int_equal(r.n_vm_keys, 0);
  vmp__expr_free(a);
  vmp__expr_free(b);
}

static void test_rule__uses_sides(void **state) {
  static const struct {
    const char *text;
    int vm, host;
  } cases[] = {
      {"vm.name == \"a\"", 1, 0},
      {"vm.labels.x == \"a\" || vm.demand.cpu > 1", 1, 0},
      {"host.cost > 1", 0, 1},
      {"host.labels[\"k\"] in [\"a\"]", 0, 1},
      {"vm.priority < host.capacity.cpu", 1, 1},
      {"true", 0, 0},
      {"1 == 1", 0, 0},
  };
  vmp_problem *p = *state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    vmp__expr *e = parse(p, cases[k].text);
    assert_int_equal(vmp__expr_uses_vm(e), cases[k].vm);
    assert_int_equal(vmp__expr_uses_host(e), cases[k].host);
    vmp__expr_free(e);
  }
}

static void test_rule__clone(void **state) {
  vmp_problem *p = *state;
  vmp__expr *e = parse(p, "host.labels.zone in [\"a\", \"secure\"] && "
                          "vm.demand.cpu <= host.capacity.cpu || "
                          "vm.name == \"db-1\"");
  vmp__expr *c = NULL;
  vmp__buf b;
  ok(vmp__expr_clone(e, &c));
  assert_non_null(c);
  vmp__expr_free(e);
  assert_int_equal(vmp__expr_eval(c, p, WEB, H0), 0);
  assert_int_equal(vmp__expr_eval(c, p, WEB, H1), 1);
  assert_int_equal(vmp__expr_eval(c, p, DB, H0), 1);
  vmp__buf_init(&b);
  vmp__expr_explain(c, p, WEB, H0, &b);
  assert_string_equal(b.data, "vm.demand.cpu is 8, host.capacity.cpu is 4, "
                              "vm.name is \"web-1\"");
  vmp__buf_free(&b);
  vmp__expr_free(c);
  c = (vmp__expr *)&c;
  ok(vmp__expr_clone(NULL, &c));
  assert_null(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rule__parse_errors),
      cmocka_unit_test(test_rule__error_message_is_exact),
      cmocka_unit_test(test_rule__unknown_resource),
      cmocka_unit_test(test_rule__nesting_limit),
      cmocka_unit_test(test_rule__long_chains_do_not_nest),
      cmocka_unit_test(test_rule__failed_parse_leaves_pool_alone),
      cmocka_unit_test(test_rule__rule_check),
      cmocka_unit_test(test_rule__add_rule_prefixes_the_field),
      cmocka_unit_test(test_rule__syntax_accepted),
      cmocka_unit_test(test_rule__eval_absent),
      cmocka_unit_test(test_rule__eval_numeric_labels),
      cmocka_unit_test(test_rule__eval_numbers),
      cmocka_unit_test(test_rule__numbers_ignore_the_locale),
      cmocka_unit_test(test_rule__eval_strings),
      cmocka_unit_test(test_rule__eval_in),
      cmocka_unit_test(test_rule__eval_precedence),
      cmocka_unit_test(test_rule__eval_numeric_operands),
      cmocka_unit_test(test_rule__eval_sees_later_labels),
      cmocka_unit_test(test_rule__null_expression),
      cmocka_unit_test(test_rule__explain),
      cmocka_unit_test(test_rule__explain_and_or_not),
      cmocka_unit_test(test_rule__explain_appends_and_escapes),
      cmocka_unit_test(test_rule__refs),
      cmocka_unit_test(test_rule__uses_sides),
      cmocka_unit_test(test_rule__clone),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
