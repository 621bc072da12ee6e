/*
 * Realistic datacenter generator (generator.h).
 *
 * Hosts come in four types with their own capacity and cost (cost grows a
 * little slower than capacity, as list prices do, so the big types are
 * more cost-efficient per unit but not always the best fit).  VMs are
 * drawn from a cloud-like catalogue of three families (general 1:4 vCPU to
 * GiB, compute 1:2, memory 1:8) in sizes 1..16 vCPU; the mix leans towards
 * small sizes, and how much it leans is solved for so that the VMs' demand
 * fills the requested share of the hosts' capacity in the tightest
 * resource.  Anti-affinity groups spread a share of the VMs; with `rules`,
 * hosts and VMs get labels and the problem three compliance rules; with
 * `current`, VMs are given current hosts by a random fit, as a running
 * datacenter would have them.
 *
 * Only the public API builds the problem, and the random numbers come from
 * the library's own generator (vmp__rng, xoshiro256** seeded through
 * splitmix64, which src/util/util.c keeps stable), so a seed gives the same
 * problem on every machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "internal.h" /* vmp__rng: the library's xoshiro256** */

/* ---- random numbers ---------------------------------------------------------- */

/* A draw below n scales a unit draw (not vmp__rng_below's rejection): the
 * generator has always drawn so, and a seed must keep giving the same
 * problem. */
static size_t draw_below(vmp__rng *r, size_t n) {
  return (size_t)(vmp__rng_unit(r) * (double)n);
}

/* ---- the catalogues -------------------------------------------------------- */

typedef struct host_type {
  const char *name;
  double cpu, mem_mib, disk_gb, cost, share;
} host_type;

static const host_type host_types[] = {
    {"small", 32, 131072, 2000, 1.0, 0.40},
    {"medium", 64, 262144, 4000, 1.8, 0.35},
    {"large", 96, 524288, 8000, 3.2, 0.15},
    {"highmem", 64, 1048576, 4000, 3.5, 0.10},
};
#define NHT (sizeof host_types / sizeof host_types[0])

#define CPU_OVERCOMMIT 2.0
#define MEM_RESERVED_MIB 8192.0

typedef struct vm_size {
  double cpu, mem_gib;
} vm_size;

/* General (1:4), compute (1:2) and memory (1:8) families. */
static const vm_size vm_sizes[] = {
    {1, 4},  {2, 8},  {4, 16}, {8, 32},  {16, 64},  /* general */
    {2, 4},  {4, 8},  {8, 16}, {16, 32},            /* compute */
    {2, 16}, {4, 32}, {8, 64}, {16, 128},           /* memory */
};
#define NVS (sizeof vm_sizes / sizeof vm_sizes[0])

static double size_disk(const vm_size *s) { return 20.0 * s->cpu; }

void vmpb_gen_opts_init(vmpb_gen_opts *o, size_t hosts, size_t vms, uint64_t seed) {
  memset(o, 0, sizeof *o);
  o->hosts = hosts;
  o->vms = vms;
  o->seed = seed;
  o->anti_affinity = 0.01;
  o->group_size = 3;
  o->rules = 0;
  o->current = 0;
  o->load = 0.6;
}

/* Probabilities of the catalogue sizes for a tilt theta: weight
 * theta^log2(cpu), the families equally likely. */
static void size_probs(double theta, double *prob) {
  double sum = 0.0;
  for (size_t k = 0; k < NVS; k++) {
    prob[k] = pow(theta, log2(vm_sizes[k].cpu));
    sum += prob[k];
  }
  for (size_t k = 0; k < NVS; k++) prob[k] /= sum;
}

/* Expected use of the tightest resource (as a share of the capacity) for
 * tilt theta. */
static double expected_load(double theta, const double *cap, size_t vms) {
  double prob[NVS], cpu = 0.0, mem = 0.0, disk = 0.0, l;
  size_probs(theta, prob);
  for (size_t k = 0; k < NVS; k++) {
    cpu += prob[k] * vm_sizes[k].cpu;
    mem += prob[k] * vm_sizes[k].mem_gib * 1024.0;
    disk += prob[k] * size_disk(&vm_sizes[k]);
  }
  l = cpu * (double)vms / cap[0];
  if (mem * (double)vms / cap[1] > l) l = mem * (double)vms / cap[1];
  if (disk * (double)vms / cap[2] > l) l = disk * (double)vms / cap[2];
  return l;
}

static int check(int rc, vmp_problem *p) {
  if (rc) vmp_problem_free(p);
  return rc;
}

/* An empty problem with the generators' three resources in *out. */
static int new_problem(vmp_problem **out) {
  vmp_problem *p = NULL;
  int rc;
  *out = NULL;
  if ((rc = vmp_problem_new(&p))) return rc;
  if ((rc = vmp_problem_add_resource(p, "cpu", NULL)) ||
      (rc = vmp_problem_add_resource(p, "memory_mib", NULL)) ||
      (rc = vmp_problem_add_resource(p, "disk_gb", NULL)))
    return check(rc, p);
  *out = p;
  return 0;
}

/* ---- hosts, VMs, groups, rules ---------------------------------------------- */

static size_t zones_for(size_t hosts) {
  size_t z = hosts / 50;
  return z < 2 ? 2 : z > 16 ? 16 : z;
}

static int add_hosts(const vmpb_gen_opts *o, vmp__rng *r, vmp_problem *p, double *cap) {
  char name[32], val[32];
  size_t zones = zones_for(o->hosts);
  int rc = 0;
  for (size_t h = 0; h < o->hosts && !rc; h++) {
    double u = vmp__rng_unit(r), acc = 0.0, c[3];
    size_t t = 0;
    for (t = 0; t + 1 < NHT; t++) {
      acc += host_types[t].share;
      if (u < acc) break;
    }
    c[0] = host_types[t].cpu;
    c[1] = host_types[t].mem_mib;
    c[2] = host_types[t].disk_gb;
    snprintf(name, sizeof name, "h%06zu", h + 1);
    if ((rc = vmp_problem_add_host(p, name, c, NULL))) break;
    rc = vmp_problem_set_host_overcommit(p, h, 0, CPU_OVERCOMMIT);
    if (!rc) rc = vmp_problem_set_host_reserved(p, h, 1, MEM_RESERVED_MIB);
    if (!rc) rc = vmp_problem_set_host_cost(p, h, host_types[t].cost);
    snprintf(val, sizeof val, "z%zu", h % zones + 1);
    if (!rc) rc = vmp_problem_set_host_label(p, h, "zone", val);
    if (!rc) rc = vmp_problem_set_host_label(p, h, "type", host_types[t].name);
    if (!rc && o->rules) {
      /* One host in ten is certified for card payments; half the hosts
       * have SSD storage. */
      if (draw_below(r, 10) == 0) rc = vmp_problem_set_host_label(p, h, "compliance", "pci");
      if (!rc && draw_below(r, 2) == 0) rc = vmp_problem_set_host_label(p, h, "storage", "ssd");
    }
    cap[0] += c[0] * CPU_OVERCOMMIT;
    cap[1] += c[1] - MEM_RESERVED_MIB;
    cap[2] += c[2];
  }
  return rc;
}

static int add_vms(const vmpb_gen_opts *o, vmp__rng *r, vmp_problem *p, const double *cap) {
  double lo = 0.05, hi = 20.0, prob[NVS], cdf[NVS];
  char name[32];
  int rc = 0;
  /* Tilt the catalogue until the expected load meets the target (bisection
   * on a monotone function; clamped at the ends of the range). */
  for (int it = 0; it < 60; it++) {
    double mid = sqrt(lo * hi);
    if (expected_load(mid, cap, o->vms) > o->load)
      hi = mid;
    else
      lo = mid;
  }
  size_probs(lo, prob);
  for (size_t k = 0; k < NVS; k++) cdf[k] = prob[k] + (k ? cdf[k - 1] : 0.0);
  for (size_t v = 0; v < o->vms && !rc; v++) {
    double u = vmp__rng_unit(r), d[3];
    size_t k = 0;
    while (k + 1 < NVS && u >= cdf[k]) k++;
    d[0] = vm_sizes[k].cpu;
    d[1] = vm_sizes[k].mem_gib * 1024.0;
    d[2] = size_disk(&vm_sizes[k]);
    snprintf(name, sizeof name, "vm-%07zu", v + 1);
    if ((rc = vmp_problem_add_vm(p, name, d, NULL))) break;
    if (o->rules) {
      if (draw_below(r, 50) == 0) rc = vmp_problem_set_vm_label(p, v, "pci", "true");
      if (!rc && draw_below(r, 4) == 0) rc = vmp_problem_set_vm_label(p, v, "disk", "ssd");
    }
  }
  return rc;
}

static int add_groups(const vmpb_gen_opts *o, vmp_problem *p) {
  size_t gs = o->group_size < 2 ? 2 : o->group_size;
  size_t members = (size_t)(o->anti_affinity * (double)o->vms + 0.5);
  size_t ngroups = members / gs, stride;
  size_t *vms = malloc(gs * sizeof *vms);
  char name[32];
  int rc = 0;
  if (!vms) return VMP_ENOMEM;
  if (ngroups == 0 || o->vms < gs) {
    free(vms);
    return 0;
  }
  /* Members are spread over the whole VM list: a group's VMs are ngroups
   * apart, so that they have unrelated sizes. */
  stride = o->vms / gs;
  for (size_t g = 0; g < ngroups && !rc; g++) {
    const char *scope = "host";
    for (size_t k = 0; k < gs; k++) vms[k] = g + k * stride;
    /* With rules, one group in four spreads over zones instead. */
    if (o->rules && g % 4 == 3) scope = "zone";
    snprintf(name, sizeof name, "aa-%06zu", g + 1);
    rc = vmp_problem_add_group(p, name, VMP_ANTI_AFFINITY, 1, scope, vms, gs, NULL);
  }
  free(vms);
  return rc;
}

static int add_rules(vmp_problem *p) {
  int rc = vmp_problem_add_rule(p, "pci", "vm.labels.pci == \"true\"",
                                "host.labels.compliance == \"pci\"", 1, NULL);
  if (!rc)
    rc = vmp_problem_add_rule(p, "big-memory", "vm.demand.memory_mib >= 131072",
                              "host.labels.type in [\"large\", \"highmem\"]", 1, NULL);
  if (!rc)
    rc = vmp_problem_add_rule(p, "ssd", "vm.labels.disk == \"ssd\"",
                              "host.labels.storage == \"ssd\"", 0, NULL);
  return rc;
}

/* A running datacenter: each VM on a random host with room (a few tries),
 * capacity only; a VM that finds none stays new. */
static int add_current(size_t hosts, size_t vms, vmp__rng *r, vmp_problem *p) {
  double *left = malloc((hosts * 3 + 1) * sizeof *left);
  int rc = 0;
  if (!left) return VMP_ENOMEM;
  for (size_t h = 0; h < hosts; h++)
    for (size_t q = 0; q < 3; q++)
      left[h * 3 + q] = vmp_problem_host_effective_capacity(p, h, q);
  for (size_t v = 0; v < vms && !rc && hosts; v++) {
    for (int tries = 0; tries < 8; tries++) {
      size_t h = draw_below(r, hosts), q;
      for (q = 0; q < 3 && vmp_problem_vm_demand(p, v, q) <= left[h * 3 + q]; q++) {}
      if (q < 3) continue;
      for (q = 0; q < 3; q++) left[h * 3 + q] -= vmp_problem_vm_demand(p, v, q);
      rc = vmp_problem_set_vm_host(p, v, h);
      break;
    }
  }
  free(left);
  return rc;
}

int vmpb_generate(const vmpb_gen_opts *o, vmp_problem **out) {
  vmp_problem *p = NULL;
  double cap[3] = {0, 0, 0};
  vmp__rng r;
  int rc;
  if (!out) return VMP_EINVAL;
  *out = NULL;
  if (!o || !(o->load > 0.0) || !(o->anti_affinity >= 0.0) || o->anti_affinity > 1.0)
    return VMP_EINVAL;
  if ((rc = new_problem(&p))) return rc;
  vmp__rng_seed(&r, o->seed);
  rc = add_hosts(o, &r, p, cap);
  if (!rc && o->vms) rc = add_vms(o, &r, p, cap);
  if (!rc) rc = add_groups(o, p);
  if (!rc && o->rules) rc = add_rules(p);
  if (!rc && o->current) rc = add_current(o->hosts, o->vms, &r, p);
  if (rc) return check(rc, p);
  *out = p;
  return 0;
}

/* ---- the realistic family (generator.h) ------------------------------------------ */

/* Larger types cost less per core; the high-memory type pays for its
 * memory.  General-purpose types may be overcommitted. */
static const vmpb_host_type real_types[] = {
    {"s32", 32, 128, 1000, 10.0, 0.35, 1},
    {"m64", 64, 256, 2000, 18.0, 0.30, 1},
    {"l96", 96, 384, 4000, 25.0, 0.20, 1},
    {"hm64", 64, 768, 2000, 24.0, 0.15, 0},
};
static const double real_vcpus[] = {1, 2, 4, 8, 16};
static const double real_gib[] = {2, 4, 8};
static const double real_disks[] = {40, 100, 200, 500};

void vmpb_real_opts_init(vmpb_real_opts *o, size_t hosts, size_t vms, uint64_t seed) {
  memset(o, 0, sizeof *o);
  o->hosts = hosts;
  o->vms = vms;
  o->seed = seed;
  o->types = real_types;
  o->ntypes = sizeof real_types / sizeof real_types[0];
  o->overcommit_share = 1.0 / 3.0;
  o->overcommit = 2.0;
  o->secure_share = 0.2;
  o->secure_premium = 1.3;
  o->pci_share = 0.1;
  o->replica_share = 0.4;
  o->replica_min = 3;
  o->replica_max = 5;
  o->vcpus = real_vcpus;
  o->nvcpus = sizeof real_vcpus / sizeof real_vcpus[0];
  o->gib_per_vcpu = real_gib;
  o->ngib = sizeof real_gib / sizeof real_gib[0];
  o->disks_gb = real_disks;
  o->ndisks = sizeof real_disks / sizeof real_disks[0];
  o->load = 0.7;
}

static int real_check(const vmpb_real_opts *o) {
  if (!o->hosts || !o->types || !o->ntypes || !o->vcpus || !o->nvcpus || !o->gib_per_vcpu ||
      !o->ngib || !o->disks_gb || !o->ndisks)
    return 0;
  if (!(o->load > 0.0 && o->load <= 1.0) || !(o->overcommit >= 1.0)) return 0;
  if (!(o->overcommit_share >= 0.0 && o->overcommit_share <= 1.0)) return 0;
  if (!(o->secure_share >= 0.0 && o->secure_share <= 1.0) || !(o->secure_premium > 0.0)) return 0;
  if (!(o->pci_share >= 0.0 && o->pci_share <= 1.0)) return 0;
  if (!(o->replica_share >= 0.0 && o->replica_share <= 1.0)) return 0;
  if (o->replica_min < 2 || o->replica_max < o->replica_min) return 0;
  for (size_t t = 0; t < o->ntypes; t++)
    if (!(o->types[t].cpu > 0.0 && o->types[t].mem_gib > 0.0 && o->types[t].disk_gb > 0.0 &&
          o->types[t].price >= 0.0 && o->types[t].share >= 0.0))
      return 0;
  return 1;
}

/* Host types by share; overcommit on a share of the general-purpose hosts;
 * the secure zone on a share of all hosts (random picks, a fixed count).
 * cap[] receives the effective capacity per resource. */
/* The secure zone's hosts, for the pci VMs to fit in. */
typedef struct zone {
  size_t n;
  double *cap;          /* [n*3] effective capacity of each host */
  double total[3], used[3];
} zone;

static int real_hosts(const vmpb_real_opts *o, vmp__rng *r, vmp_problem *p, double *cap,
                      zone *z) {
  double total = 0.0;
  size_t nsec = (size_t)(o->secure_share * (double)o->hosts + 0.5);
  uint8_t *secure = calloc(o->hosts + 1, 1);
  char name[32];
  int rc = 0;
  if (!secure || !(z->cap = malloc((3 * o->hosts + 1) * sizeof *z->cap))) {
    free(secure);
    return VMP_ENOMEM;
  }
  if (nsec == 0 && o->secure_share > 0.0 && o->pci_share > 0.0) nsec = 1;
  for (size_t k = 0; k < nsec;) {
    size_t h = draw_below(r, o->hosts);
    if (!secure[h]) {
      secure[h] = 1;
      k++;
    }
  }
  for (size_t t = 0; t < o->ntypes; t++) total += o->types[t].share;
  for (size_t h = 0; h < o->hosts && !rc; h++) {
    const vmpb_host_type *ty = &o->types[o->ntypes - 1];
    double u = vmp__rng_unit(r) * total, acc = 0.0, c[3], oc = 1.0;
    for (size_t t = 0; t < o->ntypes; t++) {
      acc += o->types[t].share;
      if (u < acc) {
        ty = &o->types[t];
        break;
      }
    }
    c[0] = ty->cpu;
    c[1] = ty->mem_gib * 1024.0;
    c[2] = ty->disk_gb;
    if (ty->general && vmp__rng_unit(r) < o->overcommit_share) oc = o->overcommit;
    snprintf(name, sizeof name, "h%03zu", h + 1);
    if ((rc = vmp_problem_add_host(p, name, c, NULL))) break;
    if (oc > 1.0) rc = vmp_problem_set_host_overcommit(p, h, 0, oc);
    /* whole prices: bounds round up */
    if (!rc)
      rc = vmp_problem_set_host_cost(p, h, floor(ty->price * (secure[h] ? o->secure_premium : 1.0) + 0.5));
    if (!rc) rc = vmp_problem_set_host_label(p, h, "type", ty->name);
    if (!rc) rc = vmp_problem_set_host_label(p, h, "zone", secure[h] ? "secure" : "general");
    cap[0] += c[0] * oc;
    cap[1] += c[1];
    cap[2] += c[2];
    if (secure[h]) {
      double e[3] = {c[0] * oc, c[1], c[2]};
      memcpy(z->cap + 3 * z->n++, e, sizeof e);
      for (int q = 0; q < 3; q++) z->total[q] += e[q];
    }
  }
  free(secure);
  return rc;
}

/* vCPU probabilities for a tilt theta: weight theta^k for the k-th size. */
static void real_probs(const vmpb_real_opts *o, double theta, double *prob) {
  double sum = 0.0;
  for (size_t k = 0; k < o->nvcpus; k++) sum += prob[k] = pow(theta, (double)k);
  for (size_t k = 0; k < o->nvcpus; k++) prob[k] /= sum;
}

static double real_load(const vmpb_real_opts *o, double theta, const double *cap) {
  double prob[64], cpu = 0.0, gib = 0.0, disk = 0.0, l;
  real_probs(o, theta, prob);
  for (size_t k = 0; k < o->nvcpus; k++) cpu += prob[k] * o->vcpus[k];
  for (size_t k = 0; k < o->ngib; k++) gib += o->gib_per_vcpu[k] / (double)o->ngib;
  for (size_t k = 0; k < o->ndisks; k++) disk += o->disks_gb[k] / (double)o->ndisks;
  l = cpu * (double)o->vms / cap[0];
  if (cpu * gib * 1024.0 * (double)o->vms / cap[1] > l) l = cpu * gib * 1024.0 * (double)o->vms / cap[1];
  if (disk * (double)o->vms / cap[2] > l) l = disk * (double)o->vms / cap[2];
  return l;
}

/* VMs: flavours tilted towards the load; replica sets of identical VMs
 * in hard anti-affinity groups; pci VMs (whole sets at a time) confined
 * to the secure zone by a hard rule, as many as it can hold: each fits a
 * secure host of its own, and their demand stays within the load factor
 * of the zone's capacity. */
/* Whether n VMs of demand d may be confined to the zone: each on its own
 * host that fits it, and the zone's load stays within the load factor. */
static int zone_takes(zone *z, const double *d, size_t n, double load) {
  size_t fit = 0;
  for (int q = 0; q < 3; q++)
    if (z->used[q] + (double)n * d[q] > load * z->total[q]) return 0;
  for (size_t h = 0; h < z->n; h++)
    fit += d[0] <= z->cap[3 * h] && d[1] <= z->cap[3 * h + 1] && d[2] <= z->cap[3 * h + 2];
  if (fit < n) return 0;
  for (int q = 0; q < 3; q++) z->used[q] += (double)n * d[q];
  return 1;
}

static int real_vms(const vmpb_real_opts *o, vmp__rng *r, vmp_problem *p, const double *cap,
                    zone *z) {
  size_t nsecure = z->n;
  double lo = 0.01, hi = 100.0, prob[64], cdf[64];
  size_t *members = malloc((o->replica_max + 1) * sizeof *members), ngroups = 0, v = 0;
  char name[32];
  int rc = 0;
  if (!members) return VMP_ENOMEM;
  for (int it = 0; it < 60; it++) {
    double mid = sqrt(lo * hi);
    if (real_load(o, mid, cap) > o->load)
      hi = mid;
    else
      lo = mid;
  }
  real_probs(o, lo, prob);
  for (size_t k = 0; k < o->nvcpus; k++) cdf[k] = prob[k] + (k ? cdf[k - 1] : 0.0);
  while (v < o->vms && !rc) {
    double u = vmp__rng_unit(r), d[3];
    size_t k = 0, n = 1;
    int pci = nsecure > 0 && vmp__rng_unit(r) < o->pci_share;
    while (k + 1 < o->nvcpus && u >= cdf[k]) k++;
    d[0] = o->vcpus[k];
    d[1] = d[0] * o->gib_per_vcpu[draw_below(r, o->ngib)] * 1024.0;
    d[2] = o->disks_gb[draw_below(r, o->ndisks)];
    if (vmp__rng_unit(r) < o->replica_share / (double)((o->replica_min + o->replica_max) / 2)) {
      n = o->replica_min + draw_below(r, o->replica_max - o->replica_min + 1);
      if (n > o->vms - v) n = o->vms - v;
      /* pci sets fit the secure zone */
      if (pci && n > nsecure) n = nsecure;
    }
    /* pci VMs only as many as the secure zone can hold */
    if (pci && !zone_takes(z, d, n, o->load)) pci = 0;
    for (size_t q = 0; q < n && !rc; q++) {
      snprintf(name, sizeof name, n > 1 ? "vm%03zu-r%zu" : "vm%03zu", v + 1, q + 1);
      if ((rc = vmp_problem_add_vm(p, name, d, NULL))) break;
      if (pci) rc = vmp_problem_set_vm_label(p, v, "pci", "true");
      members[q] = v++;
    }
    if (!rc && n > 1) {
      snprintf(name, sizeof name, "replicas-%03zu", ++ngroups);
      rc = vmp_problem_add_group(p, name, VMP_ANTI_AFFINITY, 1, "host", members, n, NULL);
    }
  }
  free(members);
  if (!rc && nsecure > 0)
    rc = vmp_problem_add_rule(p, "pci-in-secure-zone", "vm.labels.pci == \"true\"",
                              "host.labels.zone == \"secure\"", 1, NULL);
  return rc;
}

int vmpb_generate_realistic(const vmpb_real_opts *o, vmp_problem **out) {
  vmp_problem *p = NULL;
  double cap[3] = {0, 0, 0};
  zone z;
  vmp__rng r;
  int rc;
  if (!out) return VMP_EINVAL;
  *out = NULL;
  if (!o || !real_check(o) || o->nvcpus > 64) return VMP_EINVAL;
  if ((rc = new_problem(&p))) return rc;
  vmp__rng_seed(&r, o->seed ^ UINT64_C(0x5eed15));
  memset(&z, 0, sizeof z);
  rc = real_hosts(o, &r, p, cap, &z);
  if (!rc && o->vms) rc = real_vms(o, &r, p, cap, &z);
  if (!rc && o->current) rc = add_current(o->hosts, o->vms, &r, p);
  free(z.cap);
  if (rc) return check(rc, p);
  *out = p;
  return 0;
}
