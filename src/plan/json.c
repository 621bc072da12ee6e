/*
 * Plan JSON (docs/libvirt.md, "Plan JSON"): writing, and a strict reader
 * whose messages name the field.  A plan that was read is replayed by the
 * checker before it is handed out, so that a hand-edited plan cannot make
 * `vmplace apply` overload a host.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "plan_impl.h"
#include "readers.h"

/* ---- writing ---------------------------------------------------------------------- */

static json_t *per_resource(const vmp_plan *pl, const double *row) {
  json_t *o = json_object();
  for (uint32_t r = 0; o && r < pl->nres; r++)
    if (json_object_set_new(o, pl->res_name[r], vmp__json_num_or_null(row[r]))) {
      json_decref(o);
      return NULL;
    }
  return o;
}

static json_t *host_or_null(const vmp_plan *pl, uint32_t h) {
  return h == VMP__PLAN_NONE ? json_null() : json_string(pl->host_name[h]);
}

static int write_tables(const vmp_plan *pl, json_t *root) {
  json_t *a = json_array(), *o;
  int bad = !a;
  for (uint32_t r = 0; a && r < pl->nres; r++)
    bad |= json_array_append_new(a, json_string(pl->res_name[r]));
  bad |= json_object_set_new(root, "resources", a);
  a = json_array();
  bad |= !a;
  for (size_t h = 0; a && h < pl->nhosts; h++) {
    bad |= !(o = json_object());
    if (!o) break;
    bad |= json_object_set_new(o, "name", json_string(pl->host_name[h]));
    if (pl->host_uri[h]) bad |= json_object_set_new(o, "uri", json_string(pl->host_uri[h]));
    if (pl->host_mig_uri[h] || pl->host_mig_listen[h] || pl->host_mig_tunnelled[h]) {
      json_t *m = json_object();
      bad |= !m;
      if (m && pl->host_mig_uri[h])
        bad |= json_object_set_new(m, "uri", json_string(pl->host_mig_uri[h]));
      if (m && pl->host_mig_listen[h])
        bad |= json_object_set_new(m, "listen_address", json_string(pl->host_mig_listen[h]));
      if (m && pl->host_mig_tunnelled[h]) bad |= json_object_set_new(m, "tunnelled", json_true());
      if (m) bad |= json_object_set_new(o, "migration", m);
    }
    bad |= json_object_set_new(o, "capacity", per_resource(pl, &pl->cap[h * pl->nres]));
    bad |= json_object_set_new(o, "load", per_resource(pl, &pl->load[h * pl->nres]));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "hosts", a);
  a = json_array();
  bad |= !a;
  for (size_t v = 0; a && v < pl->nvms; v++) {
    bad |= !(o = json_object());
    if (!o) break;
    bad |= json_object_set_new(o, "name", json_string(pl->vm_name[v]));
    bad |= json_object_set_new(o, "demand", per_resource(pl, &pl->dem[v * pl->nres]));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "vms", a);
  return bad;
}

static int write_steps(const vmp_plan *pl, json_t *root) {
  json_t *a = json_array(), *o;
  int bad = !a;
  for (size_t w = 0; a && w < pl->nwaves; w++) {
    bad |= !(o = json_object());
    if (!o) break;
    bad |= json_object_set_new(o, "wave", json_integer((json_int_t)w + 1));
    bad |= json_object_set_new(o, "duration_s", vmp__json_num_or_null(pl->wave_duration[w]));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "waves", a);
  a = json_array();
  bad |= !a;
  for (size_t k = 0; a && k < pl->nsteps; k++) {
    const vmp__pstep *s = &pl->steps[k];
    double mib = vmp__plan_vm_mib(pl, s->vm);
    bad |= !(o = json_object());
    if (!o) break;
    bad |= json_object_set_new(o, "wave", json_integer((json_int_t)s->wave + 1));
    bad |= json_object_set_new(o, "action",
                               json_string(vmp_plan_action_name(vmp__pstep_action(s))));
    bad |= json_object_set_new(o, "vm", json_string(pl->vm_name[s->vm]));
    bad |= json_object_set_new(o, "from", host_or_null(pl, s->from));
    bad |= json_object_set_new(o, "to", host_or_null(pl, s->to));
    if (s->staging) bad |= json_object_set_new(o, "staging", json_true());
    if (s->room_for < pl->nvms)
      bad |= json_object_set_new(o, "makes_room_for", json_string(pl->vm_name[s->room_for]));
    bad |= json_object_set_new(o, "memory_mib", vmp__json_num_or_null(mib));
    bad |= json_object_set_new(
        o, "duration_s",
        vmp__json_num_or_null(vmp__pstep_action(s) == VMP_ACTION_MIGRATE ? mib / pl->bandwidth
                                                                          : 0.0));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "steps", a);
  a = json_array();
  bad |= !a;
  for (size_t k = 0; a && k < pl->nblocked; k++) {
    const vmp__pblocked *b = &pl->blocked[k];
    bad |= !(o = json_object());
    if (!o) break;
    bad |= json_object_set_new(o, "vm", json_string(pl->vm_name[b->vm]));
    bad |= json_object_set_new(o, "from", host_or_null(pl, b->from));
    bad |= json_object_set_new(o, "to", host_or_null(pl, b->to));
    bad |= json_object_set_new(o, "reason", json_string(b->reason));
    bad |= json_array_append_new(a, o);
  }
  bad |= json_object_set_new(root, "blocked", a);
  return bad;
}

int vmp_plan_to_json(const vmp_plan *pl, char **out) {
  json_t *root;
  int bad = 0;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!pl) return vmp__error(VMP_EINVAL, "plan is NULL");
  if (!(root = json_object())) return vmp__enomem();
  bad |= json_object_set_new(root, "version", json_integer(1));
  bad |= json_object_set_new(root, "kind", json_string("plan"));
  bad |= json_object_set_new(root, "status", json_string(vmp_plan_status_name(pl->status)));
  bad |= json_object_set_new(root, "max_concurrent", json_integer(pl->max_concurrent));
  bad |= json_object_set_new(root, "bandwidth_mibps", vmp__json_num_or_null(pl->bandwidth));
  bad |= json_object_set_new(root, "duration_s", vmp__json_num_or_null(pl->duration));
  bad |= write_tables(pl, root);
  bad |= write_steps(pl, root);
  if (!bad) *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  return *out ? VMP_OK : vmp__enomem();
}

int vmp_plan_write(const vmp_plan *pl, const char *path) {
  char *text;
  FILE *f;
  int rc;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp_plan_to_json(pl, &text))) return rc;
  f = fopen(path, "w");
  if (!f) {
    free(text);
    return vmp__error(VMP_EIO, "%s: cannot open for writing", path);
  }
  rc = fputs(text, f) < 0 || fputc('\n', f) == EOF;
  rc |= fclose(f) != 0;
  free(text);
  return rc ? vmp__error(VMP_EIO, "%s: write failed", path) : VMP_OK;
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct prd {
  const char *origin;
  vmp_plan *pl;
  vmp__strmap hosts, vms, res;
} prd;

/* "origin: path: message" (json_util.h), as the other JSON readers say it. */
#define pfail(R, code, path, ...) vmp__json_fail((R)->origin, code, path, __VA_ARGS__)

static int keys_ok(const prd *R, const json_t *o, const char *path,
                   const char *const *allowed) {
  const char *key;
  json_t *v;
  if (!json_is_object(o)) return pfail(R, VMP_EPARSE, path, "expected an object");
  json_object_foreach((json_t *)o, key, v) {
    const char *const *a = allowed;
    while (*a && strcmp(*a, key)) a++;
    if (!*a) return pfail(R, VMP_EPARSE, path, "unknown key \"%s\"", key);
  }
  return VMP_OK;
}

static int get_array(const prd *R, const json_t *o, const char *key, json_t **out) {
  *out = json_object_get(o, key);
  if (!*out) *out = NULL;
  if (*out && !json_is_array(*out)) return pfail(R, VMP_EPARSE, key, "expected an array");
  return VMP_OK;
}

static int get_string(const prd *R, const json_t *o, const char *key, const char *path,
                      int nullable, const char **out) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if ((!v || json_is_null(v)) && nullable) return VMP_OK;
  if (!json_is_string(v))
    return pfail(R, VMP_EPARSE, path, "%s: expected a string%s", key,
                 nullable ? " or null" : "");
  *out = json_string_value(v);
  return VMP_OK;
}

static int read_row(const prd *R, const json_t *o, const char *path, double *row) {
  const char *key;
  json_t *v;
  uint32_t r;
  if (!json_is_object(o)) return pfail(R, VMP_EPARSE, path, "expected an object");
  if (json_object_size(o) != R->pl->nres)
    return pfail(R, VMP_EPARSE, path, "expected a number for each of the %u resources",
                 R->pl->nres);
  json_object_foreach((json_t *)o, key, v) {
    double d;
    if (!vmp__strmap_get(&R->res, key, &r))
      return pfail(R, VMP_ENOTFOUND, path, "unknown resource \"%s\"", key);
    d = json_number_value(v);
    if (!json_is_number(v) || !isfinite(d) || d < 0)
      return pfail(R, VMP_EPARSE, path, "%s: expected a number >= 0", key);
    row[r] = d;
  }
  return VMP_OK;
}

static int read_resources(prd *R, const json_t *root, size_t nhosts, size_t nvms) {
  json_t *a = json_object_get(root, "resources"), *v;
  size_t k;
  int rc;
  if (!json_is_array(a) || json_array_size(a) > VMP__MAX_RESOURCES)
    return pfail(R, VMP_EPARSE, "resources", "expected an array of at most %d names",
                 VMP__MAX_RESOURCES);
  if ((rc = vmp__plan_alloc(json_array_size(a), nhosts, nvms, &R->pl))) return rc;
  json_array_foreach(a, k, v) {
    char path[64];
    snprintf(path, sizeof path, "resources[%zu]", k);
    if (!json_is_string(v)) return pfail(R, VMP_EPARSE, path, "expected a name");
    if (vmp__strmap_get(&R->res, json_string_value(v), NULL))
      return pfail(R, VMP_EPARSE, path, "duplicate resource \"%s\"", json_string_value(v));
    if (!(R->pl->res_name[k] = vmp__strdup(json_string_value(v))) ||
        vmp__strmap_put(&R->res, R->pl->res_name[k], (uint32_t)k))
      return vmp__enomem();
  }
  return VMP_OK;
}

/* A host's "migration" object, checked as the problem reader checks it. */
static int read_migration(prd *R, const json_t *m, size_t k) {
  static const char *const KEYS[] = {"uri", "listen_address", "tunnelled", NULL};
  const char *uri, *listen;
  json_t *t;
  char path[64];
  int rc;
  snprintf(path, sizeof path, "hosts[%zu].migration", k);
  if (!json_is_object(m)) return pfail(R, VMP_EPARSE, path, "expected an object");
  if ((rc = keys_ok(R, m, path, KEYS)) || (rc = get_string(R, m, "uri", path, 1, &uri)) ||
      (rc = get_string(R, m, "listen_address", path, 1, &listen)))
    return rc;
  t = json_object_get(m, "tunnelled");
  if (t && !json_is_boolean(t)) return pfail(R, VMP_EPARSE, path, "tunnelled: expected true or false");
  if (json_is_true(t) && (uri || listen))
    return pfail(R, VMP_EPARSE, path, "a tunnelled migration takes no uri or listen_address");
  if ((uri && !(R->pl->host_mig_uri[k] = vmp__strdup(uri))) ||
      (listen && !(R->pl->host_mig_listen[k] = vmp__strdup(listen))))
    return vmp__enomem();
  R->pl->host_mig_tunnelled[k] = json_is_true(t);
  return VMP_OK;
}

static int read_hosts(prd *R, const json_t *hosts) {
  static const char *const KEYS[] = {"name", "uri", "migration", "capacity", "load", NULL};
  size_t k;
  json_t *o;
  int rc;
  json_array_foreach(hosts, k, o) {
    char path[64];
    const char *name, *uri;
    snprintf(path, sizeof path, "hosts[%zu]", k);
    if ((rc = keys_ok(R, o, path, KEYS)) || (rc = get_string(R, o, "name", path, 0, &name)) ||
        (rc = get_string(R, o, "uri", path, 1, &uri)))
      return rc;
    if (vmp__strmap_get(&R->hosts, name, NULL))
      return pfail(R, VMP_EPARSE, path, "duplicate host \"%s\"", name);
    if (!(R->pl->host_name[k] = vmp__strdup(name)) ||
        (uri && !(R->pl->host_uri[k] = vmp__strdup(uri))) ||
        vmp__strmap_put(&R->hosts, R->pl->host_name[k], (uint32_t)k))
      return vmp__enomem();
    if (json_object_get(o, "migration") &&
        (rc = read_migration(R, json_object_get(o, "migration"), k)))
      return rc;
    snprintf(path, sizeof path, "hosts[%zu].capacity", k);
    if ((rc = read_row(R, json_object_get(o, "capacity"), path, &R->pl->cap[k * R->pl->nres])))
      return rc;
    snprintf(path, sizeof path, "hosts[%zu].load", k);
    if ((rc = read_row(R, json_object_get(o, "load"), path, &R->pl->load[k * R->pl->nres])))
      return rc;
  }
  return VMP_OK;
}

static int read_vms(prd *R, const json_t *vms) {
  static const char *const KEYS[] = {"name", "demand", NULL};
  size_t k;
  json_t *o;
  int rc;
  json_array_foreach(vms, k, o) {
    char path[64];
    const char *name;
    snprintf(path, sizeof path, "vms[%zu]", k);
    if ((rc = keys_ok(R, o, path, KEYS)) || (rc = get_string(R, o, "name", path, 0, &name)))
      return rc;
    if (vmp__strmap_get(&R->vms, name, NULL))
      return pfail(R, VMP_EPARSE, path, "duplicate VM \"%s\"", name);
    if (!(R->pl->vm_name[k] = vmp__strdup(name)) ||
        vmp__strmap_put(&R->vms, R->pl->vm_name[k], (uint32_t)k))
      return vmp__enomem();
    snprintf(path, sizeof path, "vms[%zu].demand", k);
    if ((rc = read_row(R, json_object_get(o, "demand"), path, &R->pl->dem[k * R->pl->nres])))
      return rc;
  }
  return VMP_OK;
}

/* A host reference: name -> index; null (when allowed) -> NONE. */
static int host_ref(const prd *R, const json_t *o, const char *key, const char *path,
                    int nullable, uint32_t *out) {
  const char *name;
  int rc;
  if ((rc = get_string(R, o, key, path, nullable, &name))) return rc;
  *out = VMP__PLAN_NONE;
  if (name && !vmp__strmap_get(&R->hosts, name, out))
    return pfail(R, VMP_ENOTFOUND, path, "%s: unknown host \"%s\"", key, name);
  return VMP_OK;
}

static int vm_ref(const prd *R, const json_t *o, const char *path, uint32_t *out) {
  const char *name;
  int rc;
  if ((rc = get_string(R, o, "vm", path, 0, &name))) return rc;
  if (!vmp__strmap_get(&R->vms, name, out))
    return pfail(R, VMP_ENOTFOUND, path, "vm: unknown VM \"%s\" (not in \"vms\")", name);
  return VMP_OK;
}

static int read_steps(prd *R, const json_t *steps) {
  static const char *const KEYS[] = {"wave", "action", "vm", "from", "to", "staging",
                                     "makes_room_for", "memory_mib", "duration_s", NULL};
  json_int_t prev = 0;
  size_t k;
  json_t *o, *v;
  int rc;
  json_array_foreach(steps, k, o) {
    char path[64];
    const char *action;
    uint32_t vm, from, to, room_for;
    json_int_t wave;
    int staging = 0;
    snprintf(path, sizeof path, "steps[%zu]", k);
    if ((rc = keys_ok(R, o, path, KEYS)) || (rc = vm_ref(R, o, path, &vm)) ||
        (rc = host_ref(R, o, "from", path, 1, &from)) ||
        (rc = host_ref(R, o, "to", path, 1, &to)) ||
        (rc = get_string(R, o, "action", path, 0, &action)))
      return rc;
    v = json_object_get(o, "wave");
    wave = json_is_integer(v) ? json_integer_value(v) : 0;
    if (!json_is_integer(v) || wave < 1 || wave > (json_int_t)UINT32_MAX - 1)
      return pfail(R, VMP_EPARSE, path, "wave: expected an integer >= 1");
    /* Waves are numbered 1, 2, ... in step order, none empty. */
    if (!prev && wave != 1)
      return pfail(R, VMP_EPARSE, path, "wave: the first step is in wave 1, not %lld",
                   (long long)wave);
    if (wave != prev && wave != prev + 1)
      return pfail(R, VMP_EPARSE, path, "wave: expected %lld or %lld, got %lld",
                   (long long)prev, (long long)prev + 1, (long long)wave);
    prev = wave;
    if (strcmp(action, "migrate") && strcmp(action, "start") && strcmp(action, "stop"))
      return pfail(R, VMP_EPARSE, path,
                   "action: expected \"migrate\", \"start\" or \"stop\", got \"%s\"", action);
    if (from == VMP__PLAN_NONE && strcmp(action, "start"))
      return pfail(R, VMP_EPARSE, path, "from: a %s step needs a source host", action);
    if (from != VMP__PLAN_NONE && !strcmp(action, "start"))
      return pfail(R, VMP_EPARSE, path, "from: a start step has no source host (null)");
    if (to == VMP__PLAN_NONE && strcmp(action, "stop"))
      return pfail(R, VMP_EPARSE, path, "to: a %s step needs a target host", action);
    if (to != VMP__PLAN_NONE && !strcmp(action, "stop"))
      return pfail(R, VMP_EPARSE, path, "to: a stop step has no target host (null)");
    if ((v = json_object_get(o, "staging"))) {
      if (!json_is_boolean(v)) return pfail(R, VMP_EPARSE, path, "staging: expected a boolean");
      staging = json_is_true(v);
    }
    if (staging && to == VMP__PLAN_NONE)
      return pfail(R, VMP_EPARSE, path, "staging: a stop step is not a staging step");
    room_for = VMP__PLAN_NONE;
    if ((v = json_object_get(o, "makes_room_for"))) {
      if (!json_is_string(v))
        return pfail(R, VMP_EPARSE, path, "makes_room_for: expected a VM name");
      if (!vmp__strmap_get(&R->vms, json_string_value(v), &room_for))
        return pfail(R, VMP_ENOTFOUND, path,
                     "makes_room_for: unknown VM \"%s\" (not in \"vms\")",
                     json_string_value(v));
      if (!staging)
        return pfail(R, VMP_EPARSE, path,
                     "makes_room_for: only a staging step makes room for another VM");
      if (room_for == vm)
        return pfail(R, VMP_EPARSE, path, "makes_room_for: a VM does not make room for itself");
    }
    if ((rc = vmp__plan_add_step(R->pl, vm, from, to, (uint32_t)(wave - 1), staging)))
      return rc;
    R->pl->steps[R->pl->nsteps - 1].room_for = room_for;
  }
  return VMP_OK;
}

static int read_blocked(prd *R, const json_t *blocked) {
  static const char *const KEYS[] = {"vm", "from", "to", "reason", NULL};
  size_t k;
  json_t *o;
  int rc;
  json_array_foreach(blocked, k, o) {
    char path[64];
    const char *reason;
    uint32_t vm, from, to;
    snprintf(path, sizeof path, "blocked[%zu]", k);
    if ((rc = keys_ok(R, o, path, KEYS)) || (rc = vm_ref(R, o, path, &vm)) ||
        (rc = host_ref(R, o, "from", path, 1, &from)) ||
        (rc = host_ref(R, o, "to", path, 1, &to)) ||
        (rc = get_string(R, o, "reason", path, 0, &reason)) ||
        (rc = vmp__plan_add_blocked(R->pl, vm, from, to, reason)))
      return rc;
  }
  return VMP_OK;
}

static int read_header(prd *R, const json_t *root, const char **status) {
  json_t *v;
  int rc;
  v = json_object_get(root, "version");
  if (!json_is_integer(v) || json_integer_value(v) != 1)
    return pfail(R, VMP_EPARSE, "version", "expected 1");
  if ((rc = get_string(R, root, "status", "status", 0, status))) return rc;
  v = json_object_get(root, "max_concurrent");
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > (json_int_t)UINT32_MAX)
    return pfail(R, VMP_EPARSE, "max_concurrent", "expected an integer >= 0");
  R->pl->max_concurrent = (uint32_t)json_integer_value(v);
  v = json_object_get(root, "bandwidth_mibps");
  if (!json_is_number(v) || !(json_number_value(v) > 0) || !isfinite(json_number_value(v)))
    return pfail(R, VMP_EPARSE, "bandwidth_mibps", "expected a number > 0");
  R->pl->bandwidth = json_number_value(v);
  return VMP_OK;
}

static int parse_root(prd *R, const json_t *root) {
  static const char *const KEYS[] = {"version", "kind", "status", "max_concurrent", "bandwidth_mibps",
                                     "duration_s", "resources", "hosts", "vms", "waves",
                                     "steps", "blocked", NULL};
  json_t *hosts, *vms, *steps, *blocked, *waves;
  const char *status;
  int rc;
  if ((rc = vmp__json_check_kind(R->origin, root, "plan")) ||
      (rc = keys_ok(R, root, "(top level)", KEYS)))
    return rc;
  if ((rc = get_array(R, root, "hosts", &hosts)) || (rc = get_array(R, root, "vms", &vms)) ||
      (rc = get_array(R, root, "steps", &steps)) ||
      (rc = get_array(R, root, "blocked", &blocked)) ||
      (rc = get_array(R, root, "waves", &waves)))
    return rc;
  if (!hosts) return pfail(R, VMP_EPARSE, "hosts", "missing (expected an array)");
  if ((rc = read_resources(R, root, json_array_size(hosts), vms ? json_array_size(vms) : 0)) ||
      (rc = read_header(R, root, &status)) || (rc = read_hosts(R, hosts)) ||
      (vms && (rc = read_vms(R, vms))) || (steps && (rc = read_steps(R, steps))) ||
      (blocked && (rc = read_blocked(R, blocked))))
    return rc;
  R->pl->status = R->pl->nblocked ? VMP_PLAN_BLOCKED : VMP_PLAN_COMPLETE;
  if (strcmp(status, vmp_plan_status_name(R->pl->status)))
    return pfail(R, VMP_EPARSE, "status", "\"%s\" does not match %zu blocked moves", status,
                 R->pl->nblocked);
  if ((rc = vmp__plan_finish(R->pl))) return rc;
  if ((rc = vmp_plan_verify(R->pl, NULL, NULL)))
    return vmp__error_prefix(rc, "%s: unsafe plan", R->origin);
  return VMP_OK;
}

int vmp_plan_parse(const char *data, size_t len, const char *origin, vmp_plan **out) {
  json_error_t err;
  json_t *root;
  prd R;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!data && len) return vmp__error(VMP_EINVAL, "data is NULL");
  memset(&R, 0, sizeof R);
  R.origin = origin ? origin : "<plan>";
  if (!len) return vmp__error(VMP_EPARSE, "%s: empty input", R.origin);
  root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return vmp__error(VMP_EPARSE, "%s: line %d column %d: %s", R.origin, err.line, err.column,
                      err.text);
  vmp__strmap_init(&R.hosts);
  vmp__strmap_init(&R.vms);
  vmp__strmap_init(&R.res);
  rc = parse_root(&R, root);
  json_decref(root);
  vmp__strmap_free(&R.hosts);
  vmp__strmap_free(&R.vms);
  vmp__strmap_free(&R.res);
  if (rc) {
    vmp_plan_free(R.pl);
    return rc;
  }
  *out = R.pl;
  return VMP_OK;
}

int vmp_plan_read(const char *path, vmp_plan **out) {
  char *data;
  size_t len;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  rc = vmp_plan_parse(data, len, path, out);
  free(data);
  return rc;
}
