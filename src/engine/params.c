/*
 * Solver parameters by name, the public API: every solver declares its
 * parameters (type, range, default, documentation) next to its code; the
 * values live in a vmp_params (src/runtime/params.c), checked when set.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solvers.h"

size_t vmp_num_params(void) {
  size_t n = 0;
  for (size_t s = 0; s < vmp__solver_count(); s++) n += vmp__solver_at(s)->nparams;
  return n;
}

int vmp_param_at(size_t k, const char **name, int *type, double *min,
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

int vmp_params_set(vmp_params *ps, const char *name, const char *value) {
  const vmp__param_spec *spec;
  if (!ps || !name || !value)
    return vmp__error(VMP_EINVAL, "params, name or value is NULL");
  if (!(spec = vmp__param_spec_find(name)))
    return vmp__error(VMP_ENOTFOUND,
                      "unknown parameter \"%s\" (vmplace solve --list-params "
                      "shows them all)",
                      name);
  return vmp__params_put(ps, spec, value);
}

int vmp_params_set_number(vmp_params *ps, const char *name, double value) {
  char buf[32];
  return vmp_params_set(ps, name, vmp__fmt_num(buf, value));
}

const char *vmp_params_get(const vmp_params *ps, const char *name) {
  const vmp__param_spec *spec;
  const vmp__param_val *v;
  if (!name || !(spec = vmp__param_spec_find(name))) return NULL;
  v = vmp__params_find(ps, spec);
  return v ? v->text : spec->def;
}
