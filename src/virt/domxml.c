/*
 * Reading a domain's XML with libxml2: its disks, and the vmplace metadata
 * element (docs/libvirt.md, "Metadata"):
 *
 *   <metadata>
 *     <vmplace:vm xmlns:vmplace="https://vmplace.org/xmlns/1.0">
 *       <vmplace:label key="app">web</vmplace:label>
 *       <vmplace:priority>10</vmplace:priority>
 *       <vmplace:migration-cost>8192</vmplace:migration-cost>
 *       <vmplace:pinned>true</vmplace:pinned>
 *       <vmplace:live-migration>false</vmplace:live-migration>
 *       <vmplace:allowed-host>h1</vmplace:allowed-host>
 *       <vmplace:demand resource="disk_gb">80</vmplace:demand>
 *       <vmplace:group name="web" policy="anti-affinity" hard="true"
 *                      scope="zone" weight="1"/>
 *     </vmplace:vm>
 *   </metadata>
 *
 * As in problem JSON, an unknown element or attribute is an error: a
 * misspelt <vmplace:pined> must not silently mean "not pinned".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "virt_impl.h"

typedef struct dx {
  const char *where;
  vmp__domxml *d;
} dx;

static int is(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static int ours(const xmlNode *n) {
  return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, VMP__XMLNS);
}

/* The element's text without surrounding blanks (caller frees). */
static char *text_of(const xmlNode *n) {
  xmlChar *t = xmlNodeGetContent(n);
  char *s, *e, *copy;
  if (!t) return vmp__strdup("");
  for (s = (char *)t; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++) {}
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
  copy = malloc((size_t)(e - s) + 1);
  if (copy) {
    memcpy(copy, s, (size_t)(e - s));
    copy[e - s] = '\0';
  }
  xmlFree(t);
  return copy;
}

/* An attribute's value (caller frees), or NULL when absent. */
static char *attr(const xmlNode *n, const char *name) {
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  char *copy;
  if (!v) return NULL;
  copy = vmp__strdup((const char *)v);
  xmlFree(v);
  return copy;
}

static int bad(const dx *X, const char *elem, const char *fmt, ...) VMP__PRINTF(3, 4);
static int bad(const dx *X, const char *elem, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return vmp__error(VMP_EPARSE, "%s: metadata: <%s:%s>: %s", X->where, VMP__XMLNS_PREFIX, elem,
                    msg);
}

/* Only the listed attributes may appear. */
static int attrs_ok(const dx *X, const xmlNode *n, const char *const *allowed) {
  for (const xmlAttr *a = n->properties; a; a = a->next) {
    const char *const *k = allowed;
    while (*k && strcmp(*k, (const char *)a->name)) k++;
    if (!*k) return bad(X, (const char *)n->name, "unknown attribute \"%s\"", (const char *)a->name);
  }
  return VMP_OK;
}

static int parse_number(const char *s, double *out) {
  char *end;
  double d;
  errno = 0;
  d = strtod(s, &end);
  if (!*s || *end || errno || !isfinite(d) || d < 0) return -1;
  *out = d;
  return 0;
}

static int parse_bool(const char *s, int *out) {
  if (!*s || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes")) {
    *out = 1;
    return 0;
  }
  if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")) {
    *out = 0;
    return 0;
  }
  return -1;
}

static int add_kv(vmp__kv **arr, size_t *n, char *key, char *value) {
  vmp__kv *grown = realloc(*arr, (*n + 1) * sizeof **arr);
  if (!grown) return vmp__enomem();
  *arr = grown;
  grown[*n].key = key;
  grown[*n].value = value;
  (*n)++;
  return VMP_OK;
}

static int has_key(const vmp__kv *arr, size_t n, const char *key) {
  for (size_t k = 0; k < n; k++)
    if (!strcmp(arr[k].key, key)) return 1;
  return 0;
}

static int parse_label(dx *X, const xmlNode *n) {
  static const char *const A[] = {"key", NULL};
  char *key, *value;
  int rc;
  if ((rc = attrs_ok(X, n, A))) return rc;
  key = attr(n, "key");
  if (!key || !key[0]) {
    free(key);
    return bad(X, "label", "needs a non-empty key attribute");
  }
  if (has_key(X->d->labels, X->d->nlabels, key)) {
    rc = bad(X, "label", "duplicate key \"%s\"", key);
    free(key);
    return rc;
  }
  if (!(value = text_of(n)) || (rc = add_kv(&X->d->labels, &X->d->nlabels, key, value))) {
    free(key);
    free(value);
    return value ? rc : vmp__enomem();
  }
  return VMP_OK;
}

static int parse_demand(dx *X, const xmlNode *n) {
  static const char *const A[] = {"resource", NULL};
  char *res, *value;
  double d;
  int rc;
  if ((rc = attrs_ok(X, n, A))) return rc;
  res = attr(n, "resource");
  if (!res || !res[0]) {
    free(res);
    return bad(X, "demand", "needs a resource attribute");
  }
  if (has_key(X->d->demands, X->d->ndemands, res)) {
    rc = bad(X, "demand", "duplicate resource \"%s\"", res);
    free(res);
    return rc;
  }
  if (!(value = text_of(n))) {
    free(res);
    return vmp__enomem();
  }
  if (parse_number(value, &d)) {
    rc = bad(X, "demand", "expected a number >= 0, got \"%s\"", value);
    free(res);
    free(value);
    return rc;
  }
  if ((rc = add_kv(&X->d->demands, &X->d->ndemands, res, value))) {
    free(res);
    free(value);
  }
  return rc;
}

static int parse_group(dx *X, const xmlNode *n) {
  static const char *const A[] = {"name", "policy", "hard", "scope", "weight", NULL};
  vmp__group_ref g = {0};
  vmp__group_ref *grown;
  char *policy = NULL, *hard = NULL, *weight = NULL;
  int rc;
  if ((rc = attrs_ok(X, n, A))) return rc;
  g.name = attr(n, "name");
  policy = attr(n, "policy");
  hard = attr(n, "hard");
  weight = attr(n, "weight");
  g.scope = attr(n, "scope");
  g.hard = 1;
  g.weight = 1.0;
  if (!g.name || !g.name[0])
    rc = bad(X, "group", "needs a name attribute");
  else if (!policy || (strcmp(policy, "affinity") && strcmp(policy, "anti-affinity")))
    rc = bad(X, "group", "policy: expected \"affinity\" or \"anti-affinity\", got \"%s\"",
             policy ? policy : "(none)");
  else if (hard && parse_bool(hard, &g.hard))
    rc = bad(X, "group", "hard: expected true or false, got \"%s\"", hard);
  else if (weight && parse_number(weight, &g.weight))
    rc = bad(X, "group", "weight: expected a number >= 0, got \"%s\"", weight);
  else if (g.scope && !g.scope[0])
    rc = bad(X, "group", "scope: expected \"host\" or a host label key");
  if (!rc) {
    g.policy = !strcmp(policy, "affinity") ? VMP_AFFINITY : VMP_ANTI_AFFINITY;
    if (!g.scope && !(g.scope = vmp__strdup("host"))) rc = vmp__enomem();
  }
  if (!rc && !(grown = realloc(X->d->groups, (X->d->ngroups + 1) * sizeof *grown)))
    rc = vmp__enomem();
  if (!rc) {
    X->d->groups = grown;
    X->d->groups[X->d->ngroups++] = g;
  } else {
    free(g.name);
    free(g.scope);
  }
  free(policy);
  free(hard);
  free(weight);
  return rc;
}

/* <priority>, <migration-cost>, <pinned>, <live-migration>, <allowed-host>:
 * text only. */
static int parse_simple(dx *X, const xmlNode *n) {
  static const char *const NONE[] = {NULL};
  const char *name = (const char *)n->name;
  vmp__domxml *d = X->d;
  char *t;
  int rc;
  double num;
  if ((rc = attrs_ok(X, n, NONE))) return rc;
  if (!(t = text_of(n))) return vmp__enomem();
  if (!strcmp(name, "priority")) {
    if (d->has_priority) rc = bad(X, name, "appears twice");
    else if (parse_number(t, &num) || num != floor(num) || num > 1000000)
      rc = bad(X, name, "expected an integer 0..1000000, got \"%s\"", t);
    d->priority = (int32_t)(rc ? 0 : num);
    d->has_priority = 1;
  } else if (!strcmp(name, "migration-cost")) {
    if (d->has_migration_cost) rc = bad(X, name, "appears twice");
    else if (parse_number(t, &d->migration_cost))
      rc = bad(X, name, "expected a number >= 0, got \"%s\"", t);
    d->has_migration_cost = 1;
  } else if (!strcmp(name, "pinned")) {
    if (d->has_pinned) rc = bad(X, name, "appears twice");
    else if (parse_bool(t, &d->pinned))
      rc = bad(X, name, "expected true or false, got \"%s\"", t);
    d->has_pinned = 1;
  } else if (!strcmp(name, "live-migration")) {
    if (d->has_live_migration) rc = bad(X, name, "appears twice");
    else if (parse_bool(t, &d->live_migration))
      rc = bad(X, name, "expected true or false, got \"%s\"", t);
    d->has_live_migration = 1;
  } else {
    char **grown;
    if (!t[0]) {
      rc = bad(X, name, "expected a host name");
    } else if (!(grown = realloc(d->allowed, (d->nallowed + 1) * sizeof *grown))) {
      rc = vmp__enomem();
    } else {
      d->allowed = grown;
      d->allowed[d->nallowed++] = t;
      return VMP_OK;
    }
  }
  free(t);
  return rc;
}

static int parse_vm(dx *X, const xmlNode *vm) {
  static const char *const NONE[] = {NULL};
  int rc;
  if ((rc = attrs_ok(X, vm, NONE))) return rc;
  for (const xmlNode *n = vm->children; n; n = n->next) {
    const char *name = (const char *)n->name;
    if (n->type != XML_ELEMENT_NODE) continue;
    if (!ours(n))
      return vmp__error(VMP_EPARSE, "%s: metadata: <%s:vm> holds <%s>, which is not a "
                                    "vmplace element", X->where, VMP__XMLNS_PREFIX, name);
    if (!strcmp(name, "label")) rc = parse_label(X, n);
    else if (!strcmp(name, "demand")) rc = parse_demand(X, n);
    else if (!strcmp(name, "group")) rc = parse_group(X, n);
    else if (!strcmp(name, "priority") || !strcmp(name, "migration-cost") ||
             !strcmp(name, "pinned") || !strcmp(name, "live-migration") ||
             !strcmp(name, "allowed-host"))
      rc = parse_simple(X, n);
    else
      rc = bad(X, name, "unknown element");
    if (rc) return rc;
  }
  return VMP_OK;
}

static int parse_metadata(dx *X, const xmlNode *md) {
  int seen = 0, rc;
  for (const xmlNode *n = md->children; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE || !ours(n)) continue;
    if (strcmp((const char *)n->name, "vm"))
      return bad(X, (const char *)n->name, "unknown element (the vmplace element is "
                                           "<vmplace:vm>)");
    if (seen++) return bad(X, "vm", "appears twice");
    if ((rc = parse_vm(X, n))) return rc;
  }
  return VMP_OK;
}

static int parse_devices(dx *X, const xmlNode *devices) {
  for (const xmlNode *n = devices->children; n; n = n->next) {
    char *device, *dev = NULL, **grown;
    int is_disk;
    if (!is(n, "disk")) continue;
    device = attr(n, "device");
    /* CD-ROMs and floppies hold no capacity of the VM's own. */
    is_disk = !device || !strcmp(device, "disk") || !strcmp(device, "lun");
    free(device);
    if (!is_disk) continue;
    for (const xmlNode *t = n->children; t && !dev; t = t->next)
      if (is(t, "target")) dev = attr(t, "dev");
    if (!dev) continue;
    if (!(grown = realloc(X->d->disks, (X->d->ndisks + 1) * sizeof *grown))) {
      free(dev);
      return vmp__enomem();
    }
    X->d->disks = grown;
    X->d->disks[X->d->ndisks++] = dev;
  }
  return VMP_OK;
}

int vmp__domxml_parse(const char *xml, const char *where, vmp__domxml *out) {
  xmlDocPtr doc;
  const xmlNode *root;
  dx X;
  int rc = VMP_OK;
  memset(out, 0, sizeof *out);
  X.where = where;
  X.d = out;
  doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) return vmp__error(VMP_EPARSE, "%s: the domain XML from libvirt does not parse", where);
  root = xmlDocGetRootElement(doc);
  if (!root || !is(root, "domain")) {
    xmlFreeDoc(doc);
    return vmp__error(VMP_EPARSE, "%s: the domain XML from libvirt has no <domain>", where);
  }
  for (const xmlNode *n = root->children; !rc && n; n = n->next) {
    if (is(n, "devices")) rc = parse_devices(&X, n);
    else if (is(n, "metadata")) rc = parse_metadata(&X, n);
  }
  xmlFreeDoc(doc);
  if (rc) vmp__domxml_free(out);
  return rc;
}

void vmp__domxml_free(vmp__domxml *d) {
  for (size_t k = 0; k < d->ndisks; k++) free(d->disks[k]);
  for (size_t k = 0; k < d->nlabels; k++) {
    free(d->labels[k].key);
    free(d->labels[k].value);
  }
  for (size_t k = 0; k < d->ndemands; k++) {
    free(d->demands[k].key);
    free(d->demands[k].value);
  }
  for (size_t k = 0; k < d->nallowed; k++) free(d->allowed[k]);
  for (size_t k = 0; k < d->ngroups; k++) {
    free(d->groups[k].name);
    free(d->groups[k].scope);
  }
  VMP__FREE_ALL(d->disks, d->labels, d->demands, d->allowed, d->groups);
  memset(d, 0, sizeof *d);
}
