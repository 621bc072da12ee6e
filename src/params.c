/*
 * Solver parameters by name: every solver declares its parameters (type,
 * range, default, documentation) next to its code; values are checked when
 * set, so a solve never starts with "genetic.population = -3".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../solvers/solver.h"

typedef struct param_val {
  const vmp__param_spec *spec;
  char *text;
  double num;
} param_val;

struct vmp_params {
  param_val *v;
  size_t n, cap;
};

static const vmp__param_spec *find_spec(const char *name) {
  for (size_t s = 0; s < vmp__solver_count(); s++) {
    const vmp__solver *sv = vmp__solver_at(s);
    for (size_t k = 0; k < sv->nparams; k++)
      if (!strcmp(sv->params[k].name, name)) return &sv->params[k];
  }
  return NULL;
}

size_t vmp_param_count(void) {
  size_t n = 0;
  for (size_t s = 0; s < vmp__solver_count(); s++) n += vmp__solver_at(s)->nparams;
  return n;
}

int vmp_param_info(size_t k, const char **name, int *type, double *min,
                   double *max, const char **def, const char **doc) {
  for (size_t s = 0; s < vmp__solver_count(); s++) {
    const vmp__solver *sv = vmp__solver_at(s);
    if (k < sv->nparams) {
      const vmp__param_spec *p = &sv->params[k];
      if (name) *name = p->name;
      if (type) *type = p->type;
      if (min) *min = p->min;
      if (max) *max = p->max;
      if (def) *def = p->def;
      if (doc) *doc = p->doc;
      return 0;
    }
    k -= sv->nparams;
  }
  return vmp__error(VMP_EINVAL, "parameter index out of range");
}

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

/* Parses text for spec; sets *num for numeric kinds. */
static int check_value(const vmp__param_spec *spec, const char *text, double *num) {
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

int vmp_params_set(vmp_params *ps, const char *name, const char *value) {
  const vmp__param_spec *spec;
  char *copy;
  double num;
  int rc;
  if (!ps || !name || !value)
    return vmp__error(VMP_EINVAL, "params, name or value is NULL");
  if (!(spec = find_spec(name)))
    return vmp__error(VMP_ENOTFOUND,
                      "unknown parameter \"%s\" (vmplace solve --list-params "
                      "shows them all)",
                      name);
  if ((rc = check_value(spec, value, &num))) return rc;
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

int vmp_params_set_number(vmp_params *ps, const char *name, double value) {
  char buf[32];
  return vmp_params_set(ps, name, vmp__fmt_num(buf, value));
}

const char *vmp_params_get(const vmp_params *ps, const char *name) {
  const vmp__param_spec *spec;
  if (!name || !(spec = find_spec(name))) return NULL;
  for (size_t k = 0; ps && k < ps->n; k++)
    if (ps->v[k].spec == spec) return ps->v[k].text;
  return spec->def;
}

double vmp__param_num(const vmp__ctx *ctx, const char *name, double fallback) {
  const vmp__param_spec *spec = find_spec(name);
  const vmp_params *ps = ctx->params;
  double d;
  if (!spec) return fallback;
  for (size_t k = 0; ps && k < ps->n; k++)
    if (ps->v[k].spec == spec) return ps->v[k].num;
  if (check_value(spec, spec->def, &d)) return fallback;
  return d;
}

const char *vmp__param_str(const vmp__ctx *ctx, const char *name,
                           const char *fallback) {
  const char *s = vmp_params_get(ctx->params, name);
  return s ? s : fallback;
}
