/*
 * The ROADEF/EURO 2012 solution format: one machine index per process, in
 * process order.  For a problem read from a challenge model file, VM k is
 * process k and host h is machine h, so the file can be scored by the
 * challenge's own checker.
 */
#include <stdio.h>
#include <stdlib.h>

#include "readers.h"

int vmp_solution_to_roadef(const vmp_solution *s, char **out) {
  vmp__buf b;
  size_t n;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!s) return vmp__error(VMP_EINVAL, "solution is NULL");
  n = vmp_solution_num_vms(s);
  for (size_t v = 0; v < n; v++)
    if (vmp_solution_vm_host(s, v) == VMP_NONE)
      return vmp__error(VMP_ESTATE,
                        "VM %s is unplaced: a ROADEF solution places every "
                        "process",
                        vmp_solution_vm_name(s, v));
  vmp__buf_init(&b);
  for (size_t v = 0; v < n; v++)
    vmp__buf_printf(&b, "%s%zu", v ? " " : "", vmp_solution_vm_host(s, v));
  if (!(*out = vmp__buf_take(&b))) {
    if (n == 0 && (*out = vmp__strdup(""))) return 0;
    return vmp__enomem();
  }
  return 0;
}

int vmp_solution_write_roadef(const vmp_solution *s, const char *path) {
  char *text;
  int rc;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp_solution_to_roadef(s, &text))) return rc;
  rc = vmp__write_text_file(path, text);
  free(text);
  return rc;
}

int vmp_solution_read_roadef(const vmp_problem *p, const char *path,
                             vmp_solution **out) {
  char *data = NULL, what[64];
  size_t len = 0, n, *host = NULL;
  vmp__tok t;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || !path) return vmp__error(VMP_EINVAL, "problem or path is NULL");
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  n = vmp_problem_num_vms(p);
  host = malloc((n + 1) * sizeof *host);
  if (!host) {
    free(data);
    return vmp__enomem();
  }
  vmp__tok_init(&t, data, len, path);
  for (size_t v = 0; v < n && !rc; v++) {
    long long h;
    snprintf(what, sizeof what, "host of VM %zu", v);
    rc = vmp__tok_int(&t, what, 0, (long long)vmp_problem_num_hosts(p) - 1, &h);
    host[v] = (size_t)h;
  }
  if (!rc && vmp__tok_end(&t))
    rc = vmp__error(VMP_EPARSE, "%s: line %zu: more entries than the %zu VMs "
                    "of the problem", path, t.line, n);
  if (!rc) rc = vmp_evaluate(p, host, out);
  free(host);
  free(data);
  return rc;
}
