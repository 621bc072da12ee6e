/*
 * Parameter values (vmp_params): the values a caller set, each checked
 * against its solver's spec when set, so a solve never starts with
 * "genetic.population = -3".  Finding a spec by name needs the registry:
 * that is solvers/registry.c (for solvers) and src/engine/params.c (the
 * public API).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

int vmp_params_new(vmp_params **out) {
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = calloc(1, sizeof **out);
  return *out ? 0 : vmp__enomem();
}

void vmp_params_free(vmp_params *ps) {
  if (!ps) return;
  for (size_t k = 0; k < ps->n; k++) free(ps->v[k].text);
  free(ps->v);
  free(ps);
}

int vmp__param_parse(const vmp__param_spec *spec, const char *text, double *num) {
  char *end;
  double d;
  *num = 0.0;
  switch (spec->type) {
    case VMP_PARAM_BOOL:
      if (!strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "on") ||
          !strcmp(text, "yes")) {
        *num = 1.0;
        return 0;
      }
      if (!strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "off") ||
          !strcmp(text, "no"))
        return 0;
      return vmp__error(VMP_EINVAL, "%s: expected true or false, got \"%s\"",
                        spec->name, text);
    case VMP_PARAM_INT:
    case VMP_PARAM_DOUBLE:
      errno = 0;
      d = strtod(text, &end);
      if (end == text || *end || errno == ERANGE || !isfinite(d))
        return vmp__error(VMP_EINVAL, "%s: expected a number, got \"%s\"", spec->name,
                          text);
      if (spec->type == VMP_PARAM_INT && d != floor(d))
        return vmp__error(VMP_EINVAL, "%s: expected an integer, got \"%s\"",
                          spec->name, text);
      if (d < spec->min || d > spec->max)
        return vmp__error(VMP_ERANGE, "%s: %s is out of range [%g, %g]", spec->name,
                          text, spec->min, spec->max);
      *num = d;
      return 0;
    default:
      if (!text[0])
        return vmp__error(VMP_EINVAL, "%s: expected a non-empty value", spec->name);
      return spec->check ? spec->check(text) : 0;
  }
}

const vmp__param_val *vmp__params_find(const vmp_params *ps,
                                       const vmp__param_spec *spec) {
  for (size_t k = 0; ps && k < ps->n; k++)
    if (ps->v[k].spec == spec) return &ps->v[k];
  return NULL;
}

int vmp__params_put(vmp_params *ps, const vmp__param_spec *spec, const char *value) {
  char *copy;
  double num;
  int rc;
  if ((rc = vmp__param_parse(spec, value, &num))) return rc;
  if (!(copy = vmp__strdup(value))) return vmp__enomem();
  for (size_t k = 0; k < ps->n; k++)
    if (ps->v[k].spec == spec) {
      free(ps->v[k].text);
      ps->v[k].text = copy;
      ps->v[k].num = num;
      return 0;
    }
  if (vmp__grow(&ps->v, &ps->cap, ps->n + 1, sizeof *ps->v)) {
    free(copy);
    return VMP_ENOMEM;
  }
  ps->v[ps->n].spec = spec;
  ps->v[ps->n].text = copy;
  ps->v[ps->n].num = num;
  ps->n++;
  return 0;
}
