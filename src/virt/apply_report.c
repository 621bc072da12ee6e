/*
 * Apply reports (virt.h) and the option initialisers of the libvirt
 * adapter: plain data, present in every build.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apply_report.h"
#include "opts.h"

VMP__OPTS_ABI(virt_opts_abi, vmp_virt_opts, VMP_VIRT_OPTS_VERSION, VMP_VIRT_OPTS_INIT,
              "virt options", "vmp_virt_opts_init",
              VMP__OPTS_END(vmp_virt_opts, log_userdata));
VMP__OPTS_ABI(apply_opts_abi, vmp_apply_opts, VMP_APPLY_OPTS_VERSION, VMP_APPLY_OPTS_INIT,
              "apply options", "vmp_apply_opts_init",
              VMP__OPTS_END(vmp_apply_opts, progress_userdata),
              VMP__OPTS_END(vmp_apply_opts, parallel));

int vmp_virt_opts_init(vmp_virt_opts *opts, uint32_t version) {
  return vmp__opts_init(&virt_opts_abi, opts, version);
}

int vmp_apply_opts_init(vmp_apply_opts *opts, uint32_t version) {
  return vmp__opts_init(&apply_opts_abi, opts, version);
}

int vmp__virt_load_opts(vmp_virt_opts *dst, const vmp_virt_opts *src) {
  return vmp__opts_load(&virt_opts_abi, dst, src);
}

int vmp__virt_load_apply_opts(vmp_apply_opts *dst, const vmp_apply_opts *src) {
  return vmp__opts_load(&apply_opts_abi, dst, src);
}

const char *vmp_step_state_name(int state) {
  switch (state) {
    case VMP_STEP_PENDING: return "pending";
    case VMP_STEP_DONE: return "done";
    case VMP_STEP_ALREADY: return "already";
    case VMP_STEP_FAILED: return "failed";
    case VMP_STEP_WOULD_RUN: return "would_run";
    default: return "unknown";
  }
}

void vmp_apply_report_free(vmp_apply_report *r) {
  if (!r) return;
  for (size_t k = 0; k < r->nsteps; k++) {
    VMP__FREE_ALL(r->steps[k].message, r->steps[k].vm, r->steps[k].from, r->steps[k].to);
  }
  free(r->steps);
  free(r);
}

int vmp__report_new(const vmp_plan *pl, vmp_apply_report **out) {
  vmp_apply_report *r = calloc(1, sizeof *r);
  size_t n = vmp_plan_num_steps(pl);
  *out = NULL;
  if (!r || !(r->steps = calloc(n + 1, sizeof *r->steps))) {
    free(r);
    return vmp__enomem();
  }
  r->nsteps = n;
  for (size_t k = 0; k < n; k++) {
    vmp__rstep *s = &r->steps[k];
    const char *from = vmp_plan_step_from(pl, k), *to = vmp_plan_step_to(pl, k);
    s->method = "";
    s->vm = vmp__strdup(vmp_plan_step_vm(pl, k));
    s->to = to ? vmp__strdup(to) : NULL;
    s->from = from ? vmp__strdup(from) : NULL;
    if (!s->vm || (to && !s->to) || (from && !s->from)) {
      vmp_apply_report_free(r);
      return vmp__enomem();
    }
  }
  *out = r;
  return VMP_OK;
}

int vmp__report_set(vmp_apply_report *r, size_t k, int state, const char *method,
                    const char *message) {
  vmp__rstep *s = &r->steps[k];
  s->state = state;
  if (method) s->method = method;
  free(s->message);
  s->message = NULL;
  if (message && message[0] && !(s->message = vmp__strdup(message))) return vmp__enomem();
  return VMP_OK;
}

size_t vmp_apply_report_num_steps(const vmp_apply_report *r) { return r ? r->nsteps : 0; }

int vmp_apply_report_state(const vmp_apply_report *r, size_t k) {
  return r && k < r->nsteps ? r->steps[k].state : -1;
}

const char *vmp_apply_report_method(const vmp_apply_report *r, size_t k) {
  return r && k < r->nsteps ? r->steps[k].method : "";
}

const char *vmp_apply_report_message(const vmp_apply_report *r, size_t k) {
  if (!r || k >= r->nsteps || !r->steps[k].message) return "";
  return r->steps[k].message;
}

size_t vmp_apply_report_num_in_state(const vmp_apply_report *r, int state) {
  size_t n = 0;
  for (size_t k = 0; r && k < r->nsteps; k++) n += r->steps[k].state == state;
  return n;
}

size_t vmp_apply_report_cpu_sched(const vmp_apply_report *r) { return r ? r->cpu_sched : 0; }

int vmp_apply_report_to_json(const vmp_apply_report *r, char **out) {
  static const int states[] = {VMP_STEP_DONE, VMP_STEP_ALREADY, VMP_STEP_FAILED,
                               VMP_STEP_PENDING, VMP_STEP_WOULD_RUN};
  json_t *root, *a;
  int bad = 0;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!r) return vmp__error(VMP_EINVAL, "report is NULL");
  if (!(root = json_object())) return vmp__enomem();
  for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
    bad |= json_object_set_new(
        root, vmp_step_state_name(states[k]),
        json_integer((json_int_t)vmp_apply_report_num_in_state(r, states[k])));
  bad |= json_object_set_new(root, "cpu_sched", json_integer((json_int_t)r->cpu_sched));
  a = json_array();
  bad |= !a;
  for (size_t k = 0; a && k < r->nsteps; k++) {
    const vmp__rstep *s = &r->steps[k];
    json_t *o = json_object();
    if (!o) {
      bad = 1;
      break;
    }
    bad |= json_object_set_new(o, "step", json_integer((json_int_t)k + 1));
    bad |= json_object_set_new(o, "vm", json_string(s->vm));
    bad |= json_object_set_new(o, "from", s->from ? json_string(s->from) : json_null());
    bad |= json_object_set_new(o, "to", s->to ? json_string(s->to) : json_null());
    bad |= json_object_set_new(o, "state", json_string(vmp_step_state_name(s->state)));
    bad |= json_object_set_new(o, "method", json_string(s->method));
    if (s->message) bad |= json_object_set_new(o, "message", json_string(s->message));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "steps", a);
  if (!bad) *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  return *out ? VMP_OK : vmp__enomem();
}
