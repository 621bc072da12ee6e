/*
 * ROADEF/EURO 2012 machine reassignment (Google): the challenge's model
 * file plus the initial assignment, read into vmplace's rebalancing model
 * with nothing dropped (docs/formats.md, docs/rebalancing.md).
 *
 * Model, all integers, whitespace-separated:
 *   R;  R x (transient weightLoadCost)
 *   M;  M x (neighborhood location capacity[R] safetyCapacity[R]
 *            moveCost[M])
 *   S;  S x (spreadMin nDependencies dependency...)
 *   P;  P x (service requirement[R] processMoveCost)
 *   B;  B x (resource1 resource2 target, then weight)
 *   processMoveCostWeight serviceMoveCostWeight machineMoveCostWeight
 * Assignment: P machine indices (0-based), whitespace-separated.
 *
 * How it maps:
 *   resource r -> "r<r>", transient as flagged, safety weight = its load
 *   cost weight; machine m -> host "m<m>" with its capacities, its safety
 *   capacities (absolute), the labels "neighborhood" and "location"
 *   (decimal), and its move-cost row (stored as classes); service s with
 *   at least one process -> spread group "s<s>" over "location" with
 *   min_domains max(1, spreadMin) (the service's identity for
 *   dependencies and the group move cost), plus, with two or more
 *   processes, the hard anti-affinity group "s<s>-conflict" over hosts;
 *   each dependency of s on t -> a hard dependency of "s<s>" on "s<t>"
 *   within "neighborhood"; process p -> VM "p<p>" with its requirements,
 *   migration cost = its move cost and current host from the assignment;
 *   balance triple -> a ratio balance term; objective: cost 0, safety 1,
 *   ratio_balance 1, migrations = wPMC, group_moves = wSMC, host_moves =
 *   wMMC, balance 0.  With every process placed, vmplace's objective is
 *   the challenge's, to the unit.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"
#include "reassign_impl.h"

/* Whether n records of `per` numbers each fit in the rest of the input:
 * every number needs a digit and a separator.  Checked before anything is
 * allocated for them, so a header claiming 10^12 machines fails at once. */
static int fits(const vmp__tok *t, long long n, size_t per) {
  size_t room = (size_t)(t->end - t->p) / 2;
  return n == 0 || (unsigned long long)n <= room / per;
}

static int too_many(const vmp__tok *t, const char *what, long long n) {
  return vmp__error(VMP_ERANGE, "%s: line %zu: %s: %lld is more than the "
                    "rest of the input can hold", t->origin, t->line, what, n);
}

static int read_count(vmp__tok *t, const char *what, size_t per,
                      long long *n) {
  return vmp__tok_count(t, what, per, n);
}

static int read_nonneg(vmp__tok *t, const char *what, long long *v) {
  return vmp__tok_int(t, what, 0, LLONG_MAX, v);
}

/* An index into a list of n `kind`s. */
static int read_index(vmp__tok *t, const char *what, long long n,
                      const char *kind, long long *v) {
  int rc = vmp__tok_int(t, what, LLONG_MIN, LLONG_MAX, v);
  if (rc) return rc;
  if (n == 0)
    return vmp__error(VMP_ERANGE, "%s: line %zu: %s: got %lld, but there are "
                      "no %ss", t->origin, t->line, what, *v, kind);
  if (*v < 0 || *v >= n)
    return vmp__error(VMP_ERANGE, "%s: line %zu: %s: expected a %s index in "
                      "0..%lld, got %lld", t->origin, t->line, what, kind,
                      n - 1, *v);
  return 0;
}

typedef struct roadef {
  long long R, M, S, P, B;
  long long w_process, w_service, w_machine;
  unsigned char *transient;   /* [R] */
  double *load_weight;        /* [R] */
  double *cap, *safety;       /* [m * R + r] */
  long long *nbh, *loc;
  size_t *machine_line;
  vmp__hmc_builder *mmc;      /* machine move-cost rows */
  double *row;                /* [M] scratch */
  long long *spread_min;      /* [S] */
  size_t *dep_start;          /* [S + 1] CSR into dep */
  long long *dep;
  size_t ndep, dep_cap;
  size_t *service_line;
  long long *service;         /* of each process */
  double *req;                /* [p * R + r] */
  long long *move_cost;
  size_t *process_line;
  long long *bal;             /* [b * 4]: r1 r2 target weight */
  size_t *bal_line;
  long long *machine;         /* initial machine of each process; NULL: none */
} roadef;

static void roadef_free(roadef *f) {
  VMP__FREE_ALL(f->transient, f->load_weight, f->cap, f->safety, f->nbh, f->loc, f->machine_line);
  vmp__hmc_builder_free(f->mmc);
  VMP__FREE_ALL(f->row, f->spread_min, f->dep_start, f->dep, f->service_line, f->service, f->req,
                f->move_cost, f->process_line, f->bal, f->bal_line, f->machine);
}

static int parse_resources(vmp__tok *t, roadef *f) {
  char what[96];
  long long x;
  int rc;
  if ((rc = vmp__tok_int(t, "number of resources", 1, VMP__MAX_RESOURCES,
                         &f->R)))
    return rc;
  f->transient = vmp__calloc((size_t)f->R + 1, 1);
  f->load_weight = vmp__calloc((size_t)f->R + 1, sizeof *f->load_weight);
  if (!f->transient || !f->load_weight) return vmp__enomem();
  for (long long r = 0; r < f->R; r++) {
    snprintf(what, sizeof what, "transient flag of resource %lld", r);
    if ((rc = vmp__tok_int(t, what, 0, 1, &x))) return rc;
    f->transient[r] = (unsigned char)x;
    snprintf(what, sizeof what, "load cost weight of resource %lld", r);
    if ((rc = read_nonneg(t, what, &x))) return rc;
    f->load_weight[r] = (double)x;
  }
  return 0;
}

static int parse_machine(vmp__tok *t, roadef *f, long long m) {
  char what[96];
  long long x;
  int rc;
  snprintf(what, sizeof what, "neighborhood of machine %lld", m);
  if ((rc = read_nonneg(t, what, &f->nbh[m]))) return rc;
  f->machine_line[m] = t->line;
  snprintf(what, sizeof what, "location of machine %lld", m);
  if ((rc = read_nonneg(t, what, &f->loc[m]))) return rc;
  for (long long r = 0; r < f->R; r++) {
    snprintf(what, sizeof what, "capacity %lld of machine %lld", r, m);
    if ((rc = read_nonneg(t, what, &x))) return rc;
    f->cap[m * f->R + r] = (double)x;
  }
  for (long long r = 0; r < f->R; r++) {
    snprintf(what, sizeof what, "safety capacity %lld of machine %lld", r, m);
    if ((rc = read_nonneg(t, what, &x))) return rc;
    f->safety[m * f->R + r] = (double)x;
  }
  /* One description for the row: M * M numbers are too many to describe
   * each (the line still says where). */
  snprintf(what, sizeof what, "move costs of machine %lld", m);
  for (long long k = 0; k < f->M; k++) {
    if ((rc = read_nonneg(t, what, &x))) return rc;
    f->row[k] = (double)x;
  }
  if ((rc = vmp__hmc_builder_row(f->mmc, f->row)))
    return vmp__error_prefix(rc, "%s: line %zu", t->origin, t->line);
  return 0;
}

static int parse_machines(vmp__tok *t, roadef *f) {
  size_t per = 2 + 2 * (size_t)f->R;
  int rc;
  if ((rc = read_count(t, "number of machines", per, &f->M))) return rc;
  /* Each machine also has a row of M move costs: M * M numbers. */
  if (!fits(t, f->M, per + (size_t)f->M))
    return too_many(t, "number of machines", f->M);
  f->cap = vmp__calloc((size_t)f->M * (size_t)f->R + 1, sizeof *f->cap);
  f->safety = vmp__calloc((size_t)f->M * (size_t)f->R + 1, sizeof *f->safety);
  f->nbh = vmp__calloc((size_t)f->M + 1, sizeof *f->nbh);
  f->loc = vmp__calloc((size_t)f->M + 1, sizeof *f->loc);
  f->machine_line = vmp__calloc((size_t)f->M + 1, sizeof *f->machine_line);
  f->row = vmp__calloc((size_t)f->M + 1, sizeof *f->row);
  if (!f->cap || !f->safety || !f->nbh || !f->loc || !f->machine_line ||
      !f->row)
    return vmp__enomem();
  if ((rc = vmp__hmc_builder_new((size_t)f->M, &f->mmc))) return rc;
  for (long long m = 0; m < f->M; m++)
    if ((rc = parse_machine(t, f, m))) return rc;
  return 0;
}

static int parse_services(vmp__tok *t, roadef *f) {
  char what[96];
  long long x, ndeps;
  int rc;
  if ((rc = read_count(t, "number of services", 2, &f->S))) return rc;
  f->service_line = vmp__calloc((size_t)f->S + 1, sizeof *f->service_line);
  f->spread_min = vmp__calloc((size_t)f->S + 1, sizeof *f->spread_min);
  f->dep_start = vmp__calloc((size_t)f->S + 1, sizeof *f->dep_start);
  if (!f->service_line || !f->spread_min || !f->dep_start)
    return vmp__enomem();
  for (long long s = 0; s < f->S; s++) {
    snprintf(what, sizeof what, "spreadMin of service %lld", s);
    if ((rc = read_nonneg(t, what, &f->spread_min[s]))) return rc;
    f->service_line[s] = t->line;
    snprintf(what, sizeof what, "number of dependencies of service %lld", s);
    if ((rc = vmp__tok_int(t, what, 0, f->S, &ndeps))) return rc;
    for (long long k = 0; k < ndeps; k++) {
      snprintf(what, sizeof what, "dependency %lld of service %lld", k, s);
      if ((rc = read_index(t, what, f->S, "service", &x))) return rc;
      if (vmp__grow(&f->dep, &f->dep_cap, f->ndep + 1, sizeof *f->dep))
        return vmp__enomem();
      f->dep[f->ndep++] = x;
    }
    f->dep_start[s + 1] = f->ndep;
  }
  return 0;
}

static int parse_processes(vmp__tok *t, roadef *f) {
  char what[96];
  long long x;
  int rc;
  if ((rc = read_count(t, "number of processes", 2 + (size_t)f->R, &f->P)))
    return rc;
  f->service = vmp__calloc((size_t)f->P, sizeof *f->service);
  f->req = vmp__calloc((size_t)f->P * (size_t)f->R, sizeof *f->req);
  f->move_cost = vmp__calloc((size_t)f->P, sizeof *f->move_cost);
  f->process_line = vmp__calloc((size_t)f->P, sizeof *f->process_line);
  if (!f->service || !f->req || !f->move_cost || !f->process_line)
    return vmp__enomem();
  for (long long p = 0; p < f->P; p++) {
    snprintf(what, sizeof what, "service of process %lld", p);
    if ((rc = read_index(t, what, f->S, "service", &f->service[p]))) return rc;
    f->process_line[p] = t->line;
    for (long long r = 0; r < f->R; r++) {
      snprintf(what, sizeof what, "requirement %lld of process %lld", r, p);
      if ((rc = read_nonneg(t, what, &x))) return rc;
      f->req[p * f->R + r] = (double)x;
    }
    snprintf(what, sizeof what, "move cost of process %lld", p);
    if ((rc = read_nonneg(t, what, &f->move_cost[p]))) return rc;
  }
  return 0;
}

static int parse_tail(vmp__tok *t, roadef *f) {
  static const char *const field[4] = {"first resource", "second resource",
                                       "target", "weight"};
  char what[96];
  int rc;
  if ((rc = read_count(t, "number of balance objectives", 4, &f->B)))
    return rc;
  f->bal = vmp__calloc((size_t)f->B * 4 + 1, sizeof *f->bal);
  f->bal_line = vmp__calloc((size_t)f->B + 1, sizeof *f->bal_line);
  if (!f->bal || !f->bal_line) return vmp__enomem();
  for (long long b = 0; b < f->B; b++) {
    for (int k = 0; k < 4; k++) {
      snprintf(what, sizeof what, "%s of balance objective %lld", field[k], b);
      rc = k < 2 ? read_index(t, what, f->R, "resource", &f->bal[b * 4 + k])
                 : read_nonneg(t, what, &f->bal[b * 4 + k]);
      if (rc) return rc;
      if (k == 0) f->bal_line[b] = t->line;
    }
  }
  if ((rc = read_nonneg(t, "process move cost weight", &f->w_process)) ||
      (rc = read_nonneg(t, "service move cost weight", &f->w_service)) ||
      (rc = read_nonneg(t, "machine move cost weight", &f->w_machine)))
    return rc;
  return vmp__tok_end(t);
}

static int parse_model(vmp__tok *t, roadef *f) {
  int rc;
  if ((rc = parse_resources(t, f)) || (rc = parse_machines(t, f)) ||
      (rc = parse_services(t, f)) || (rc = parse_processes(t, f)))
    return rc;
  return parse_tail(t, f);
}

static int parse_assignment(const char *data, size_t len, const char *origin,
                            roadef *f) {
  char what[64], *aorigin;
  vmp__tok t;
  int rc = 0;
  /* Messages name the model file, which is all the caller passed. */
  aorigin = malloc(strlen(origin) + sizeof ": assignment");
  if (!aorigin) return vmp__enomem();
  strcpy(aorigin, origin);
  strcat(aorigin, ": assignment");
  if (f->P > 0 && vmp__blank(data, len)) {
    rc = vmp__error(VMP_EPARSE, "%s: empty input (expected %lld machine "
                    "indices)", aorigin, f->P);
    goto done;
  }
  f->machine = vmp__calloc((size_t)f->P, sizeof *f->machine);
  if (!f->machine) {
    rc = vmp__enomem();
    goto done;
  }
  vmp__tok_init(&t, data, len, aorigin);
  for (long long p = 0; p < f->P && !rc; p++) {
    snprintf(what, sizeof what, "machine of process %lld", p);
    rc = read_index(&t, what, f->M, "machine", &f->machine[p]);
  }
  if (!rc && vmp__tok_end(&t))
    rc = vmp__error(VMP_EPARSE, "%s: line %zu: more entries than the %lld "
                    "processes of the model", aorigin, t.line, f->P);
done:
  free(aorigin);
  return rc;
}

static int add_machine(const roadef *f, long long m, vmp_problem *p) {
  char name[32], val[32];
  size_t h;
  int rc;
  snprintf(name, sizeof name, "m%lld", m);
  if ((rc = vmp_problem_add_host(p, name, f->cap + m * f->R, &h))) return rc;
  for (long long r = 0; r < f->R; r++)
    if ((rc = vmp_problem_set_host_safety(p, h, (size_t)r,
                                          f->safety[m * f->R + r])))
      return rc;
  snprintf(val, sizeof val, "%lld", f->nbh[m]);
  if ((rc = vmp_problem_set_host_label(p, h, "neighborhood", val))) return rc;
  snprintf(val, sizeof val, "%lld", f->loc[m]);
  return vmp_problem_set_host_label(p, h, "location", val);
}

static int build_hosts(roadef *f, const char *origin, vmp_problem *p) {
  int rc;
  for (long long m = 0; m < f->M; m++)
    if ((rc = add_machine(f, m, p)))
      return vmp__error_prefix(rc, "%s: line %zu", origin,
                               f->machine_line[m]);
  if (f->M && (rc = vmp__hmc_builder_finish(f->mmc, p)))
    return vmp__error_prefix(rc, "%s: machine move costs", origin);
  return 0;
}

static int build_vms(const roadef *f, const char *origin, vmp_problem *p) {
  char name[32];
  size_t v;
  int rc;
  for (long long k = 0; k < f->P; k++) {
    snprintf(name, sizeof name, "p%lld", k);
    if ((rc = vmp_problem_add_vm(p, name, f->req + k * f->R, &v)) ||
        (rc = vmp_problem_set_vm_migration_cost(p, v,
                                                (double)f->move_cost[k])) ||
        (f->machine &&
         (rc = vmp_problem_set_vm_host(p, v, (size_t)f->machine[k]))))
      return vmp__error_prefix(rc, "%s: line %zu", origin,
                               f->process_line[k]);
  }
  return 0;
}

/* One service: its spread group "s<s>" (always, when it has a process),
 * and its conflict group "s<s>-conflict" (two or more processes).  gid[s]
 * receives the spread group's index, or VMP_NONE. */
static int add_service(const roadef *f, long long s, const size_t *member,
                       size_t n, vmp_problem *p, size_t *gid) {
  char name[48];
  size_t g;
  int rc;
  *gid = VMP_NONE;
  if (n == 0) return 0;
  if ((size_t)f->spread_min[s] > n)
    return vmp__error(VMP_ERANGE, "spreadMin of service %lld: %lld is more "
                      "than its %zu processes: no assignment can meet it", s,
                      f->spread_min[s], n);
  snprintf(name, sizeof name, "s%lld", s);
  if ((rc = vmp_problem_add_group(p, name, VMP_SPREAD, 1, "location", member,
                                  n, &g)) ||
      (rc = vmp_problem_set_group_min_domains(
           p, g, f->spread_min[s] > 1 ? (size_t)f->spread_min[s] : 1)))
    return rc;
  *gid = g;
  if (n < 2) return 0;
  snprintf(name, sizeof name, "s%lld-conflict", s);
  return vmp_problem_add_group(p, name, VMP_ANTI_AFFINITY, 1, "host", member,
                               n, NULL);
}

/* Services: conflict, spread and dependencies. */
static int build_groups(const roadef *f, const char *origin, vmp_problem *p) {
  size_t *start, *member, *fill, *gid, *listed;
  int rc = 0;
  start = vmp__calloc((size_t)f->S + 1, sizeof *start);
  member = vmp__calloc((size_t)f->P + 1, sizeof *member);
  fill = vmp__calloc((size_t)f->S + 1, sizeof *fill);
  gid = vmp__calloc((size_t)f->S + 1, sizeof *gid);
  /* listed[t] = s + 1 once s's dependency on t is added: a service's list
   * may name t twice (the same constraint), and no other service adds
   * (s, t), so the problem need not search its dependencies for it. */
  listed = vmp__calloc((size_t)f->S + 1, sizeof *listed);
  if (!start || !member || !fill || !gid || !listed) {
    rc = vmp__enomem();
    goto done;
  }
  for (long long k = 0; k < f->P; k++) start[f->service[k] + 1]++;
  for (long long s = 0; s < f->S; s++) start[s + 1] += start[s];
  for (long long k = 0; k < f->P; k++) {
    long long s = f->service[k];
    member[start[s] + fill[s]++] = (size_t)k;
  }
  for (long long s = 0; s < f->S && !rc; s++)
    if ((rc = add_service(f, s, member + start[s], start[s + 1] - start[s], p,
                          &gid[s])))
      rc = vmp__error_prefix(rc, "%s: line %zu", origin, f->service_line[s]);
  for (long long s = 0; s < f->S && !rc; s++) {
    if (gid[s] == VMP_NONE) continue;   /* no process: nothing to satisfy */
    for (size_t k = f->dep_start[s]; k < f->dep_start[s + 1] && !rc; k++) {
      long long t = f->dep[k];
      if (gid[t] == VMP_NONE) {
        rc = vmp__error(VMP_ERANGE, "%s: line %zu: service %lld depends on "
                        "service %lld, which has no process: no assignment "
                        "can meet it", origin, f->service_line[s], s, t);
        break;
      }
      if (listed[t] == (size_t)s + 1) continue;
      listed[t] = (size_t)s + 1;
      rc = vmp__reassign_add_distinct_dependency(p, gid[s], gid[t],
                                                 "neighborhood");
      if (rc)
        rc = vmp__error_prefix(rc, "%s: line %zu", origin,
                               f->service_line[s]);
    }
  }
done:
  VMP__FREE_ALL(start, member, fill, gid, listed);
  return rc;
}

static int build_objective(const roadef *f, const char *origin,
                           vmp_problem *p) {
  int rc = 0;
  for (long long r = 0; r < f->R && !rc; r++)
    if (!(rc = vmp_problem_set_resource_transient(p, (size_t)r,
                                                  f->transient[r])))
      rc = vmp_problem_set_safety_weight(p, (size_t)r, f->load_weight[r]);
  for (long long b = 0; b < f->B && !rc; b++) {
    const long long *q = f->bal + b * 4;
    if ((rc = vmp_problem_add_ratio_balance(p, (size_t)q[0], (size_t)q[1],
                                            (double)q[2], (double)q[3],
                                            NULL)))
      return vmp__error_prefix(rc, "%s: line %zu: balance objective %lld",
                               origin, f->bal_line[b], b);
  }
  if (!rc) rc = vmp_problem_set_objective(p, "cost", 0.0);
  if (!rc) rc = vmp_problem_set_objective(p, "balance", 0.0);
  if (!rc) rc = vmp_problem_set_objective(p, "safety", 1.0);
  if (!rc) rc = vmp_problem_set_objective(p, "ratio_balance", 1.0);
  if (!rc)
    rc = vmp_problem_set_objective(p, "migrations", (double)f->w_process);
  if (!rc)
    rc = vmp_problem_set_objective(p, "group_moves", (double)f->w_service);
  if (!rc)
    rc = vmp_problem_set_objective(p, "host_moves", (double)f->w_machine);
  return rc ? vmp__error_prefix(rc, "%s", origin) : 0;
}

static int build(roadef *f, const char *origin, vmp_problem *p) {
  char name[32];
  int rc;
  for (long long r = 0; r < f->R; r++) {
    snprintf(name, sizeof name, "r%lld", r);
    if ((rc = vmp_problem_add_resource(p, name, NULL)))
      return vmp__error_prefix(rc, "%s", origin);
  }
  if ((rc = build_hosts(f, origin, p)) || (rc = build_vms(f, origin, p)) ||
      (rc = build_groups(f, origin, p)))
    return rc;
  return build_objective(f, origin, p);
}

int vmp__read_roadef(const char *model, size_t model_len,
                     const char *assignment, size_t assignment_len,
                     const char *origin, vmp_problem **out) {
  vmp__tok t;
  roadef f;
  vmp_problem *p = NULL;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!origin) origin = "<input>";
  if (!model || vmp__blank(model, model_len))
    return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  memset(&f, 0, sizeof f);
  vmp__tok_init(&t, model, model_len, origin);
  rc = parse_model(&t, &f);
  if (!rc && assignment)
    rc = parse_assignment(assignment, assignment_len, origin, &f);
  if (!rc && !(rc = vmp_problem_new(&p))) rc = build(&f, origin, p);
  roadef_free(&f);
  if (rc) {
    vmp_problem_free(p);
    return rc;
  }
  *out = p;
  return 0;
}
