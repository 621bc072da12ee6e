/*
 * vmp_virt_snapshot: the datacenter as a problem (docs/libvirt.md,
 * "Snapshot").
 *
 * The inventory is cloned, host capacities are reconciled with what each
 * node reports, and every domain becomes a VM.  Demands come from libvirt
 * (vCPUs, maximum memory, disk capacities) unless the domain's vmplace
 * metadata gives them; resources libvirt does not measure are 0 unless the
 * metadata gives them.  VMs are added host by host in inventory order and
 * by name within a host, so that a snapshot of the same datacenter is the
 * same problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem_impl.h"
#include "units.h"
#include "virt_impl.h"

typedef struct dom {
  char *name;
  uint32_t host;          /* where it is defined or runs */
  int active;
  double vcpus, mem_bytes, disk_bytes;
  int disk_ok;            /* every disk's capacity was read */
  vmp__domxml x;
} dom;

typedef struct snap {
  vmp_virt *v;
  const vmp_problem *inv;
  vmp_problem *q;
  uint32_t flags;
  int kind[VMP__MAX_RESOURCES];
  double unit[VMP__MAX_RESOURCES];  /* bytes per unit (memory, disk) */
  int wants_disk;
  dom *doms;
  size_t ndoms, doms_cap;
} snap;

static int check_inventory(const vmp_problem *inv) {
  if (vmp_problem_num_vms(inv))
    return vmp__error(VMP_EINVAL, "the inventory lists %zu VMs; it describes hosts only "
                                  "(VMs come from libvirt)", vmp_problem_num_vms(inv));
  for (size_t h = 0; h < vmp_problem_num_hosts(inv); h++) {
    const char *uri = vmp_problem_host_uri(inv, h);
    if (!uri || !uri[0])
      return vmp__error(VMP_EINVAL, "inventory host %s has no uri", vmp_problem_host_name(inv, h));
    for (size_t g = 0; g < h; g++)
      if (!strcmp(uri, vmp_problem_host_uri(inv, g)))
        return vmp__error(VMP_EINVAL, "inventory hosts %s and %s share the uri %s",
                          vmp_problem_host_name(inv, g), vmp_problem_host_name(inv, h), uri);
  }
  return VMP_OK;
}

/* The reconciliation rule for what the node measures: 0 in the inventory
 * means "what libvirt reports"; any other value is kept up to what
 * libvirt reports, never above (the inventory may hold capacity back, not
 * invent it). */
static int reconcile(snap *S, uint32_t h, uint32_t r, double measured) {
  double inv = vmp_problem_host_capacity(S->inv, h, r);
  double use = inv;
  if (inv == 0.0) {
    use = measured;
  } else if (inv > measured) {
    vmp__virt_log(S->v, VMP_LOG_WARN,
                  "%s: capacity.%s %g in the inventory exceeds the %g libvirt reports; "
                  "using %g",
                  vmp_problem_host_name(S->inv, h), vmp_problem_resource_name(S->inv, r), inv,
                  measured, measured);
    use = measured;
  }
  return vmp_problem_set_host_capacity(S->q, h, r, use);
}

static int read_node(snap *S, uint32_t h, virConnectPtr c) {
  virNodeInfo ni;
  int rc;
  if (virNodeGetInfo(c, &ni) < 0)
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the node", vmp_problem_host_name(S->inv, h));
  for (uint32_t r = 0; r < S->q->nres; r++) {
    if (S->kind[r] == VMP__RES_CPU && (rc = reconcile(S, h, r, (double)ni.cpus))) return rc;
    if (S->kind[r] == VMP__RES_MEMORY &&
        (rc = reconcile(S, h, r, (double)ni.memory * 1024.0 / S->unit[r])))
      return rc;
  }
  return VMP_OK;
}

static int metadata_gives(const dom *d, const char *res) {
  for (size_t k = 0; k < d->x.ndemands; k++)
    if (!strcmp(d->x.demands[k].key, res)) return 1;
  return 0;
}

static void read_disks(snap *S, dom *d, virDomainPtr dp, const char *hname) {
  d->disk_ok = 1;
  for (size_t k = 0; k < d->x.ndisks; k++) {
    virDomainBlockInfo bi;
    if (virDomainGetBlockInfo(dp, d->x.disks[k], &bi, 0) < 0) {
      virErrorPtr e = virGetLastError();
      vmp__virt_log(S->v, VMP_LOG_WARN, "%s: domain %s: capacity of disk %s unknown (%s); "
                                        "counted as 0",
                    hname, d->name, d->x.disks[k], e && e->message ? e->message : "?");
      d->disk_ok = 0;
      continue;
    }
    d->disk_bytes += (double)bi.capacity;
  }
}

static int read_domain(snap *S, uint32_t h, virDomainPtr dp) {
  const char *hname = vmp_problem_host_name(S->inv, h);
  virDomainInfo info;
  char where[512], *xml;
  dom *d;
  int rc, need_disk = 0;
  if (vmp__grow(&S->doms, &S->doms_cap, S->ndoms + 1, sizeof *S->doms)) return vmp__enomem();
  d = &S->doms[S->ndoms];
  memset(d, 0, sizeof *d);
  if (!(d->name = vmp__strdup(virDomainGetName(dp)))) return vmp__enomem();
  S->ndoms++;
  d->host = h;
  d->active = virDomainIsActive(dp) == 1;
  if (virDomainGetInfo(dp, &info) < 0)
    return vmp__virt_fail(VMP_EVIRT, "%s: domain %s: cannot read its info", hname, d->name);
  d->vcpus = info.nrVirtCpu;
  /* The maximum, not the balloon's current size: placement must hold when
   * the guest takes its memory back. */
  d->mem_bytes = (double)info.maxMem * 1024.0;
  if (!(xml = virDomainGetXMLDesc(dp, 0)))
    return vmp__virt_fail(VMP_EVIRT, "%s: domain %s: cannot read its XML", hname, d->name);
  snprintf(where, sizeof where, "%s: domain %s", hname, d->name);
  rc = vmp__domxml_parse(xml, where, &d->x);
  free(xml);
  if (rc) return rc;
  for (uint32_t r = 0; r < S->q->nres; r++)
    if (S->kind[r] == VMP__RES_DISK && !metadata_gives(d, vmp_problem_resource_name(S->q, r)))
      need_disk = 1;
  if (need_disk) read_disks(S, d, dp, hname);
  return VMP_OK;
}

static int cmp_dom_ptr(const void *a, const void *b) {
  virDomainPtr x = *(virDomainPtr const *)a, y = *(virDomainPtr const *)b;
  return strcmp(virDomainGetName(x), virDomainGetName(y));
}

static int read_host(snap *S, uint32_t h) {
  const char *uri = vmp_problem_host_uri(S->inv, h);
  unsigned int lflags = VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  virDomainPtr *list = NULL;
  virConnectPtr c;
  int n, rc;
  if ((rc = vmp__virt_conn(S->v, uri, &c)))
    return vmp__error_prefix(rc, "inventory host %s", vmp_problem_host_name(S->inv, h));
  if ((rc = read_node(S, h, c))) return rc;
  if (S->flags & VMP_SNAPSHOT_INACTIVE) lflags |= VIR_CONNECT_LIST_DOMAINS_INACTIVE;
  if ((n = virConnectListAllDomains(c, &list, lflags)) < 0)
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot list domains", vmp_problem_host_name(S->inv, h));
  qsort(list, (size_t)n, sizeof *list, cmp_dom_ptr);
  rc = VMP_OK;
  for (int k = 0; k < n; k++) {
    if (!rc) rc = read_domain(S, h, list[k]);
    virDomainFree(list[k]);
  }
  free(list);
  return rc;
}

/* Which record of each name counts: a running domain; two running copies
 * are an error; between shut-off definitions the first host wins.  Sets
 * used[k] for the records that become VMs. */
static int pick(snap *S, uint8_t *used) {
  vmp__strmap first;
  int rc = VMP_OK;
  vmp__strmap_init(&first);
  for (size_t k = 0; !rc && k < S->ndoms; k++) {
    const dom *d = &S->doms[k];
    uint32_t j;
    if (!vmp__strmap_get(&first, d->name, &j)) {
      used[k] = 1;
      rc = vmp__strmap_put(&first, d->name, (uint32_t)k);
      continue;
    }
    if (S->doms[j].active && d->active) {
      rc = vmp__error(VMP_ESTATE, "domain %s runs on both %s and %s", d->name,
                      vmp_problem_host_name(S->inv, S->doms[j].host),
                      vmp_problem_host_name(S->inv, d->host));
    } else if (d->active) {
      used[j] = 0;
      used[k] = 1;
      rc = vmp__strmap_put(&first, d->name, (uint32_t)k);
    }
    if (!rc)
      vmp__virt_log(S->v, VMP_LOG_INFO, "domain %s: ignoring its shut-off definition on %s",
                    d->name, vmp_problem_host_name(S->inv, S->doms[used[k] ? j : k].host));
  }
  vmp__strmap_free(&first);
  return rc;
}

static int demand_of(const snap *S, const dom *d, uint32_t r, double *out) {
  const char *res = vmp_problem_resource_name(S->q, r);
  for (size_t k = 0; k < d->x.ndemands; k++)
    if (!strcmp(d->x.demands[k].key, res)) {
      *out = strtod(d->x.demands[k].value, NULL);
      return VMP_OK;
    }
  switch (S->kind[r]) {
    case VMP__RES_CPU: *out = d->vcpus; break;
    case VMP__RES_MEMORY: *out = d->mem_bytes / S->unit[r]; break;
    case VMP__RES_DISK: *out = d->disk_bytes / S->unit[r]; break;
    default: *out = 0.0; break;
  }
  return VMP_OK;
}

static int add_vm(snap *S, const dom *d) {
  const char *hname = vmp_problem_host_name(S->inv, d->host);
  double demand[VMP__MAX_RESOURCES];
  size_t v, idx;
  int rc = VMP_OK;
  for (size_t k = 0; k < d->x.ndemands; k++)
    if (vmp_problem_find_resource(S->q, d->x.demands[k].key, &idx))
      return vmp__error(VMP_ENOTFOUND, "%s: domain %s: metadata: <vmplace:demand>: unknown "
                                       "resource \"%s\"", hname, d->name, d->x.demands[k].key);
  for (uint32_t r = 0; r < S->q->nres; r++) demand_of(S, d, r, &demand[r]);
  if ((rc = vmp_problem_add_vm(S->q, d->name, demand, &v)))
    return vmp__error_prefix(rc, "%s: domain %s", hname, d->name);
  if (d->active) rc = vmp_problem_set_vm_host(S->q, v, d->host);
  for (size_t k = 0; !rc && k < d->x.nlabels; k++)
    rc = vmp_problem_set_vm_label(S->q, v, d->x.labels[k].key, d->x.labels[k].value);
  if (!rc && d->x.has_priority) rc = vmp_problem_set_vm_priority(S->q, v, d->x.priority);
  if (!rc && d->x.has_migration_cost)
    rc = vmp_problem_set_vm_migration_cost(S->q, v, d->x.migration_cost);
  if (!rc && d->x.has_pinned) rc = vmp_problem_set_vm_pinned(S->q, v, d->x.pinned);
  if (!rc && d->x.nallowed) {
    size_t *hosts = malloc(d->x.nallowed * sizeof *hosts);
    if (!hosts) return vmp__enomem();
    for (size_t k = 0; !rc && k < d->x.nallowed; k++)
      if (vmp_problem_find_host(S->q, d->x.allowed[k], &hosts[k]))
        rc = vmp__error(VMP_ENOTFOUND, "metadata: <vmplace:allowed-host>: \"%s\" is not in the "
                                       "inventory", d->x.allowed[k]);
    if (!rc) rc = vmp_problem_set_vm_allowed_hosts(S->q, v, hosts, d->x.nallowed);
    free(hosts);
  }
  if (rc) return vmp__error_prefix(rc, "%s: domain %s", hname, d->name);
  return VMP_OK;
}

/* Groups from the members' metadata: every member must describe the group
 * alike; a group needs two members to constrain anything. */
typedef struct mgroup {
  const vmp__group_ref *ref;    /* the first member's description */
  size_t first_dom;
  size_t *members;
  size_t n;
} mgroup;

static int same_group(const vmp__group_ref *a, const vmp__group_ref *b) {
  return a->policy == b->policy && a->hard == b->hard && !strcmp(a->scope, b->scope) &&
         a->weight == b->weight;
}

static int collect_groups(snap *S, const uint8_t *used, mgroup **out, size_t *nout) {
  vmp__strmap index;
  mgroup *gs = NULL;
  size_t n = 0, cap = 0;
  int rc = VMP_OK;
  vmp__strmap_init(&index);
  for (size_t k = 0; !rc && k < S->ndoms; k++) {
    for (size_t g = 0; used[k] && !rc && g < S->doms[k].x.ngroups; g++) {
      const vmp__group_ref *G = &S->doms[k].x.groups[g];
      mgroup *m;
      uint32_t at;
      if (!vmp__strmap_get(&index, G->name, &at)) {
        if (vmp__grow(&gs, &cap, n + 1, sizeof *gs) ||
            !(gs[n].members = malloc((S->ndoms + 1) * sizeof *gs[n].members)) ||
            vmp__strmap_put(&index, G->name, (uint32_t)n)) {
          rc = vmp__enomem();
          break;
        }
        gs[n].ref = G;
        gs[n].first_dom = k;
        gs[n].n = 0;
        at = (uint32_t)n++;
      }
      m = &gs[at];
      if (!same_group(m->ref, G)) {
        rc = vmp__error(VMP_EPARSE, "group %s: domains %s and %s describe it differently "
                                    "(policy, hard, scope and weight must agree)",
                        G->name, S->doms[m->first_dom].name, S->doms[k].name);
        break;
      }
      if (vmp_problem_find_vm(S->q, S->doms[k].name, &m->members[m->n]) == VMP_OK) m->n++;
    }
  }
  vmp__strmap_free(&index);
  *out = gs;
  *nout = n;
  return rc;
}

static int add_groups(snap *S, const uint8_t *used) {
  mgroup *gs = NULL;
  size_t n = 0, idx;
  int rc = collect_groups(S, used, &gs, &n);
  for (size_t k = 0; !rc && k < n; k++) {
    const vmp__group_ref *G = gs[k].ref;
    if (gs[k].n < 2) {
      vmp__virt_log(S->v, VMP_LOG_INFO, "group %s has one member (%s); nothing to enforce",
                    G->name, S->doms[gs[k].first_dom].name);
      continue;
    }
    if ((rc = vmp_problem_add_group(S->q, G->name, G->policy, G->hard, G->scope, gs[k].members,
                                    gs[k].n, &idx)))
      rc = vmp__error_prefix(rc, "group %s (from domain metadata)", G->name);
    else if (!G->hard)
      rc = vmp_problem_set_group_weight(S->q, idx, G->weight);
  }
  for (size_t k = 0; k < n; k++) free(gs[k].members);
  free(gs);
  return rc;
}

static void snap_free(snap *S) {
  for (size_t k = 0; k < S->ndoms; k++) {
    free(S->doms[k].name);
    vmp__domxml_free(&S->doms[k].x);
  }
  free(S->doms);
}

static int build(snap *S) {
  uint8_t *used;
  int rc = VMP_OK;
  for (uint32_t h = 0; !rc && h < vmp_problem_num_hosts(S->inv); h++) rc = read_host(S, h);
  if (rc) return rc;
  if (!(used = calloc(S->ndoms + 1, 1))) return vmp__enomem();
  rc = pick(S, used);
  for (size_t k = 0; !rc && k < S->ndoms; k++)
    if (used[k]) rc = add_vm(S, &S->doms[k]);
  if (!rc) rc = add_groups(S, used);
  free(used);
  return rc;
}

int vmp_virt_snapshot(vmp_virt *v, const vmp_problem *inv, uint32_t flags, vmp_problem **out) {
  snap S;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!v || !inv) return vmp__error(VMP_EINVAL, "session or inventory is NULL");
  if (flags & ~(uint32_t)VMP_SNAPSHOT_INACTIVE)
    return vmp__error(VMP_EINVAL, "unknown snapshot flags 0x%x", flags);
  if ((rc = check_inventory(inv))) return rc;
  memset(&S, 0, sizeof S);
  S.v = v;
  S.inv = inv;
  S.flags = flags;
  if ((rc = vmp_problem_clone(inv, &S.q))) return rc;
  for (uint32_t r = 0; r < S.q->nres; r++)
    S.kind[r] = vmp__res_kind_of(vmp_problem_resource_name(S.q, r), &S.unit[r]);
  rc = build(&S);
  snap_free(&S);
  if (rc) {
    vmp_problem_free(S.q);
    return rc;
  }
  *out = S.q;
  return VMP_OK;
}
