/*
 * Writing problems as vmplace problem JSON.  The output reads back into an
 * identical problem: every field that differs from its default is written,
 * and numbers are written with as many digits as they need to round-trip.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "problem_impl.h"

static json_t *labels_json(const vmp_problem *p, size_t idx, int is_host) {
  json_t *o = json_object();
  size_t n = is_host ? vmp_problem_host_num_labels(p, idx)
                     : vmp_problem_vm_num_labels(p, idx);
  for (size_t k = 0; o && k < n; k++) {
    const char *key, *val;
    if (is_host)
      vmp_problem_host_label_at(p, idx, k, &key, &val);
    else
      vmp_problem_vm_label_at(p, idx, k, &key, &val);
    if (vmp__json_add(o, key, json_string(val))) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

static json_t *host_json(const vmp_problem *p, size_t h) {
  json_t *o = json_object(), *cap = json_object(), *oc = NULL, *res = NULL;
  int bad = !o || !cap;
  for (uint32_t r = 0; !bad && r < p->nres; r++) {
    const char *rn = vmp_problem_resource_name(p, r);
    double ov = p->host_overcommit[h * p->nres + r];
    double rv = p->host_reserved[h * p->nres + r];
    bad |= vmp__json_add(cap, rn, vmp__json_num(p->host_capacity[h * p->nres + r]));
    if (ov != 1.0) {
      if (!oc) oc = json_object();
      bad |= !oc || vmp__json_add(oc, rn, vmp__json_num(ov));
    }
    if (rv != 0.0) {
      if (!res) res = json_object();
      bad |= !res || vmp__json_add(res, rn, vmp__json_num(rv));
    }
  }
  bad |= vmp__json_add(o, "name", json_string(vmp_problem_host_name(p, h)));
  bad |= vmp__json_add(o, "capacity", cap);
  cap = NULL;
  if (oc) bad |= vmp__json_add(o, "overcommit", oc);
  if (res) bad |= vmp__json_add(o, "reserved", res);
  oc = res = NULL;
  if (p->host_cost[h] != 1.0) bad |= vmp__json_add(o, "cost", vmp__json_num(p->host_cost[h]));
  if (p->host_labels[h].n) bad |= vmp__json_add(o, "labels", labels_json(p, h, 1));
  if (p->host_uri[h]) bad |= vmp__json_add(o, "uri", json_string(vmp_problem_host_uri(p, h)));
  {
    const vmp__migration *m = &p->host_migration[h];
    if (m->uri || m->listen || m->tunnelled) {
      json_t *mo = json_object();
      bad |= !mo;
      if (mo && m->uri) bad |= vmp__json_add(mo, "uri", json_string(vmp__pool_str(&p->pool, m->uri)));
      if (mo && m->listen)
        bad |= vmp__json_add(mo, "listen_address", json_string(vmp__pool_str(&p->pool, m->listen)));
      if (mo && m->tunnelled) bad |= vmp__json_add(mo, "tunnelled", json_true());
      if (mo) bad |= vmp__json_add(o, "migration", mo);
    }
  }
  if (p->host_maintenance[h]) bad |= vmp__json_add(o, "maintenance", json_true());
  if (bad) {
    json_decref(o);
    json_decref(cap);
    json_decref(oc);
    json_decref(res);
    return NULL;
  }
  return o;
}

static json_t *vm_json(const vmp_problem *p, size_t v) {
  json_t *o = json_object(), *dem = json_object();
  int bad = !o || !dem;
  for (uint32_t r = 0; !bad && r < p->nres; r++)
    bad |= vmp__json_add(dem, vmp_problem_resource_name(p, r),
                         vmp__json_num(p->vm_demand[v * p->nres + r]));
  bad |= vmp__json_add(o, "name", json_string(vmp_problem_vm_name(p, v)));
  bad |= vmp__json_add(o, "demand", dem);
  if (p->vm_host[v] != VMP__NO_HOST)
    bad |= vmp__json_add(o, "host", json_string(vmp_problem_host_name(p, p->vm_host[v])));
  if (p->vm_labels[v].n) bad |= vmp__json_add(o, "labels", labels_json(p, v, 0));
  if (p->vm_priority[v]) bad |= vmp__json_add(o, "priority", json_integer(p->vm_priority[v]));
  if (p->vm_migration_cost[v] >= 0.0)
    bad |= vmp__json_add(o, "migration_cost", vmp__json_num(p->vm_migration_cost[v]));
  if (p->vm_allowed[v].n) {
    json_t *a = json_array();
    bad |= !a;
    for (uint32_t k = 0; a && k < p->vm_allowed[v].n; k++)
      bad |= json_array_append_new(
          a, json_string(vmp_problem_host_name(p, p->vm_allowed[v].h[k])));
    bad |= vmp__json_add(o, "allowed_hosts", a);
  }
  if (p->vm_pinned[v]) bad |= vmp__json_add(o, "pinned", json_true());
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *group_json(const vmp_problem *p, size_t g) {
  const vmp__group *gr = &p->groups[g];
  json_t *o = json_object(), *vms = json_array();
  int bad = !o || !vms;
  bad |= vmp__json_add(o, "name", json_string(vmp_problem_group_name(p, g)));
  bad |= vmp__json_add(o, "policy", json_string(gr->policy == VMP_AFFINITY ? "affinity"
                                                                           : "anti-affinity"));
  bad |= vmp__json_add(o, "hard", json_boolean(gr->hard));
  for (uint32_t k = 0; vms && k < gr->nvms; k++)
    bad |= json_array_append_new(vms, json_string(vmp_problem_vm_name(p, gr->vms[k])));
  bad |= vmp__json_add(o, "vms", vms);
  bad |= vmp__json_add(o, "scope", json_string(vmp_problem_group_scope(p, g)));
  if (gr->weight != 1.0) bad |= vmp__json_add(o, "weight", vmp__json_num(gr->weight));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *rule_json(const vmp_problem *p, size_t r) {
  const vmp__rule *ru = &p->rules[r];
  json_t *o = json_object();
  int bad = !o;
  bad |= vmp__json_add(o, "name", json_string(vmp_problem_rule_name(p, r)));
  if (ru->when_text[0]) bad |= vmp__json_add(o, "when", json_string(ru->when_text));
  bad |= vmp__json_add(o, "require", json_string(ru->require_text));
  bad |= vmp__json_add(o, "hard", json_boolean(ru->hard));
  if (ru->weight != 1.0) bad |= vmp__json_add(o, "weight", vmp__json_num(ru->weight));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *problem_json(const vmp_problem *p) {
  json_t *root = json_object(), *a;
  int bad = !root;
  bad |= vmp__json_add(root, "version", json_integer(1));
  bad |= vmp__json_add(root, "kind", json_string("problem"));
  a = json_array();
  bad |= !a;
  for (uint32_t r = 0; a && r < p->nres; r++)
    bad |= json_array_append_new(a, json_string(vmp_problem_resource_name(p, r)));
  bad |= vmp__json_add(root, "resources", a);
  a = json_array();
  bad |= !a;
  for (size_t h = 0; a && !bad && h < p->nhosts; h++)
    bad |= json_array_append_new(a, host_json(p, h));
  bad |= vmp__json_add(root, "hosts", a);
  a = json_array();
  bad |= !a;
  for (size_t v = 0; a && !bad && v < p->nvms; v++)
    bad |= json_array_append_new(a, vm_json(p, v));
  bad |= vmp__json_add(root, "vms", a);
  if (p->ngroups) {
    a = json_array();
    bad |= !a;
    for (size_t g = 0; a && !bad && g < p->ngroups; g++)
      bad |= json_array_append_new(a, group_json(p, g));
    bad |= vmp__json_add(root, "groups", a);
  }
  if (p->nrules) {
    a = json_array();
    bad |= !a;
    for (size_t r = 0; a && !bad && r < p->nrules; r++)
      bad |= json_array_append_new(a, rule_json(p, r));
    bad |= vmp__json_add(root, "rules", a);
  }
  a = json_object();
  bad |= !a;
  if (a) {
    bad |= vmp__json_add(a, "cost", vmp__json_num(p->w.cost));
    bad |= vmp__json_add(a, "migrations", vmp__json_num(p->w.migrations));
    bad |= vmp__json_add(a, "balance", vmp__json_num(p->w.balance));
    bad |= vmp__json_add(a, "soft", vmp__json_num(p->w.soft));
    if (p->w.unplaced >= 0.0) bad |= vmp__json_add(a, "unplaced", vmp__json_num(p->w.unplaced));
  }
  bad |= vmp__json_add(root, "objective", a);
  if (bad) {
    json_decref(root);
    return NULL;
  }
  return root;
}

int vmp_problem_to_json(const vmp_problem *p, char **out) {
  json_t *root;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  root = problem_json(p);
  if (!root) return vmp__enomem();
  *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                              JSON_REAL_PRECISION(17));
  json_decref(root);
  return *out ? 0 : vmp__enomem();
}

int vmp_problem_write(const vmp_problem *p, const char *path) {
  char *text;
  int rc;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp_problem_to_json(p, &text))) return rc;
  rc = vmp__write_text_file(path, text);
  free(text);
  return rc;
}
