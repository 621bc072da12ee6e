/* libFuzzer target for the rule language (src/model/rule.c): any bytes
 * must parse or fail cleanly, and a parsed expression must evaluate,
 * explain, clone and report its operands without fault.  It also checks
 * that the syntax-only parse (no problem) agrees with the full one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

/* A fresh problem per input, so that nothing interned by one input can
 * change what the next one does. */
static vmp_problem *make_problem(void) {
  static const double cap[2] = {16, 64}, dem[2] = {4, 8};
  vmp_problem *p = NULL;
  if (vmp_problem_new(&p)) return NULL;
  if (vmp_problem_add_resource(p, "cpu", NULL) ||
      vmp_problem_add_resource(p, "mem", NULL) ||
      vmp_problem_add_host(p, "h1", cap, NULL) ||
      vmp_problem_add_host(p, "h2", NULL, NULL) ||
      vmp_problem_set_host_label(p, 0, "zone", "a") ||
      vmp_problem_set_host_label(p, 0, "gen", "3") ||
      vmp_problem_set_host_label(p, 0, "empty", "") ||
      vmp_problem_set_host_label(p, 0, "k8s.io/arch", "amd64") ||
      vmp_problem_set_host_cost(p, 1, 2.5) ||
      vmp_problem_add_vm(p, "web-1", dem, NULL) ||
      vmp_problem_set_vm_label(p, 0, "app", "web") ||
      vmp_problem_set_vm_label(p, 0, "tier", "10") ||
      vmp_problem_set_vm_priority(p, 0, 7)) {
    vmp_problem_free(p);
    return NULL;
  }
  return p;
}

static void exercise(const vmp__expr *e, const vmp_problem *p) {
  static const uint32_t vms[] = {0, UINT32_MAX};
  static const uint32_t hosts[] = {0, 1, VMP__NO_HOST};
  vmp__expr *c = NULL;
  vmp__refs refs;
  if (vmp__expr_clone(e, &c)) return;
  for (size_t v = 0; v < sizeof vms / sizeof vms[0]; v++)
    for (size_t h = 0; h < sizeof hosts / sizeof hosts[0]; h++) {
      vmp__buf b;
      int r = vmp__expr_eval(e, p, vms[v], hosts[h]);
      if (r != 0 && r != 1) abort();
      if (vmp__expr_eval(c, p, vms[v], hosts[h]) != r) abort();
      vmp__buf_init(&b);
      vmp__expr_explain(c, p, vms[v], hosts[h], &b);
      vmp__buf_free(&b);
    }
  vmp__refs_init(&refs);
  (void)vmp__expr_refs(e, &refs);
  (void)vmp__expr_refs(c, &refs);
  vmp__refs_free(&refs);
  (void)vmp__expr_uses_vm(c);
  (void)vmp__expr_uses_host(c);
  vmp__expr_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  vmp_problem *p;
  vmp__expr *e = NULL;
  size_t col = 0, col0 = 0;
  int rc, rc0;
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  p = make_problem();
  if (!p) {
    free(text);
    return 0;
  }
  rc = vmp__expr_parse(p, text, &e, &col);
  rc0 = vmp_rule_check(text, &col0);
  /* Syntax is the same with or without a problem; only an unknown resource
   * (which the syntax-only parse does not look up) may differ, and then the
   * syntax-only parse either succeeds or fails further on. */
  if (rc == VMP_ENOTFOUND) {
    if (rc0 != VMP_OK && !(rc0 == VMP_EPARSE && col0 > col)) abort();
  } else if (rc != VMP_ENOMEM && rc0 != VMP_ENOMEM) {
    if (rc != rc0 || col != col0) abort();
  }
  if (rc == 0) {
    if (!e || col != 0) abort();
    exercise(e, p);
  } else if (e || (rc == VMP_EPARSE && col == 0)) {
    abort();
  }
  vmp__expr_free(e);
  vmp_problem_free(p);
  free(text);
  return 0;
}
