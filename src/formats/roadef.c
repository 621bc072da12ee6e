/*
 * ROADEF/EURO 2012 machine reassignment (Google): the challenge's model
 * file plus the initial assignment.
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
 * What vmplace keeps:
 *   resources r0..r<R-1>; machine k -> host "mk" with capacity[R] and the
 *   labels "neighborhood" and "location" (decimal); process k -> VM "pk"
 *   with requirement[R], current host from the assignment (none without
 *   one) and migration cost = processMoveCostWeight * processMoveCost (the
 *   move cost alone when the weight is 0); every service with two or more
 *   processes -> hard anti-affinity group "sk" with scope "host" (the
 *   challenge's conflict constraint); objective weight "migrations" = 1.
 *
 * What vmplace cannot represent and drops (each is still checked for
 * type, range and index): safety capacities and the load cost weights;
 * transient usage (a moved process holding capacity on its old machine
 * too); spreadMin (a service over at least that many locations);
 * dependencies (a process's neighbourhood must hold its dependencies'
 * processes); balance costs; service move cost; machine move costs and
 * their weight.  Scores computed by vmplace are therefore not the
 * challenge's scores.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

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
  long long R, M, S, P;
  long long w_process;     /* processMoveCostWeight */
  double *cap;             /* [m * R + r] */
  long long *nbh, *loc;
  size_t *machine_line;
  size_t *service_line;
  long long *service;      /* of each process */
  double *req;             /* [p * R + r] */
  long long *move_cost;
  size_t *process_line;
  long long *machine;      /* initial machine of each process; NULL: none */
} roadef;

static void roadef_free(roadef *f) {
  free(f->cap);
  free(f->nbh);
  free(f->loc);
  free(f->machine_line);
  free(f->service_line);
  free(f->service);
  free(f->req);
  free(f->move_cost);
  free(f->process_line);
  free(f->machine);
}

static int parse_resources(vmp__tok *t, roadef *f) {
  char what[96];
  long long x;
  int rc;
  if ((rc = vmp__tok_int(t, "number of resources", 0, VMP__MAX_RESOURCES,
                         &f->R)))
    return rc;
  for (long long r = 0; r < f->R; r++) {
    snprintf(what, sizeof what, "transient flag of resource %lld", r);
    if ((rc = vmp__tok_int(t, what, 0, 1, &x))) return rc;
    snprintf(what, sizeof what, "load cost weight of resource %lld", r);
    if ((rc = read_nonneg(t, what, &x))) return rc;
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
  }
  /* One description for the row: M * M numbers are too many to describe
   * each (the line still says where). */
  snprintf(what, sizeof what, "move costs of machine %lld", m);
  for (long long k = 0; k < f->M; k++)
    if ((rc = read_nonneg(t, what, &x))) return rc;
  return 0;
}

static int parse_machines(vmp__tok *t, roadef *f) {
  size_t per = 2 + 2 * (size_t)f->R;
  int rc;
  if ((rc = read_count(t, "number of machines", per, &f->M))) return rc;
  /* Each machine also has a row of M move costs: M * M numbers. */
  if (!fits(t, f->M, per + (size_t)f->M))
    return too_many(t, "number of machines", f->M);
  f->cap = vmp__calloc((size_t)f->M * (size_t)f->R, sizeof *f->cap);
  f->nbh = vmp__calloc((size_t)f->M, sizeof *f->nbh);
  f->loc = vmp__calloc((size_t)f->M, sizeof *f->loc);
  f->machine_line = vmp__calloc((size_t)f->M, sizeof *f->machine_line);
  if (!f->cap || !f->nbh || !f->loc || !f->machine_line) return vmp__enomem();
  for (long long m = 0; m < f->M; m++)
    if ((rc = parse_machine(t, f, m))) return rc;
  return 0;
}

static int parse_services(vmp__tok *t, roadef *f) {
  char what[96];
  long long x, ndeps;
  int rc;
  if ((rc = read_count(t, "number of services", 2, &f->S))) return rc;
  f->service_line = vmp__calloc((size_t)f->S, sizeof *f->service_line);
  if (!f->service_line) return vmp__enomem();
  for (long long s = 0; s < f->S; s++) {
    snprintf(what, sizeof what, "spreadMin of service %lld", s);
    if ((rc = read_nonneg(t, what, &x))) return rc;
    f->service_line[s] = t->line;
    snprintf(what, sizeof what, "number of dependencies of service %lld", s);
    if ((rc = vmp__tok_int(t, what, 0, f->S, &ndeps))) return rc;
    for (long long k = 0; k < ndeps; k++) {
      snprintf(what, sizeof what, "dependency %lld of service %lld", k, s);
      if ((rc = read_index(t, what, f->S, "service", &x))) return rc;
    }
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
  char what[96];
  long long nb, x;
  int rc;
  if ((rc = read_count(t, "number of balance objectives", 4, &nb))) return rc;
  for (long long b = 0; b < nb; b++) {
    snprintf(what, sizeof what, "first resource of balance objective %lld", b);
    if ((rc = read_index(t, what, f->R, "resource", &x))) return rc;
    snprintf(what, sizeof what, "second resource of balance objective %lld",
             b);
    if ((rc = read_index(t, what, f->R, "resource", &x))) return rc;
    snprintf(what, sizeof what, "target of balance objective %lld", b);
    if ((rc = read_nonneg(t, what, &x))) return rc;
    snprintf(what, sizeof what, "weight of balance objective %lld", b);
    if ((rc = read_nonneg(t, what, &x))) return rc;
  }
  if ((rc = read_nonneg(t, "process move cost weight", &f->w_process)) ||
      (rc = read_nonneg(t, "service move cost weight", &x)) ||
      (rc = read_nonneg(t, "machine move cost weight", &x)))
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
  snprintf(val, sizeof val, "%lld", f->nbh[m]);
  if ((rc = vmp_problem_set_host_label(p, h, "neighborhood", val))) return rc;
  snprintf(val, sizeof val, "%lld", f->loc[m]);
  return vmp_problem_set_host_label(p, h, "location", val);
}

static int build_hosts(const roadef *f, const char *origin, vmp_problem *p) {
  int rc;
  for (long long m = 0; m < f->M; m++)
    if ((rc = add_machine(f, m, p)))
      return vmp__error_prefix(rc, "%s: line %zu", origin,
                               f->machine_line[m]);
  return 0;
}

static int build_vms(const roadef *f, const char *origin, vmp_problem *p) {
  char name[32];
  size_t v;
  int rc;
  for (long long k = 0; k < f->P; k++) {
    double w = (double)f->w_process, cost = (double)f->move_cost[k];
    snprintf(name, sizeof name, "p%lld", k);
    if ((rc = vmp_problem_add_vm(p, name, f->req + k * f->R, &v)) ||
        (rc = vmp_problem_set_vm_migration_cost(p, v, w > 0 ? w * cost
                                                            : cost)) ||
        (f->machine &&
         (rc = vmp_problem_set_vm_host(p, v, (size_t)f->machine[k]))))
      return vmp__error_prefix(rc, "%s: line %zu", origin,
                               f->process_line[k]);
  }
  return 0;
}

/* The conflict constraint: no two processes of a service on one machine. */
static int build_groups(const roadef *f, const char *origin, vmp_problem *p) {
  size_t *start, *member, *fill;
  char name[32];
  int rc = 0;
  start = vmp__calloc((size_t)f->S + 1, sizeof *start);
  member = vmp__calloc((size_t)f->P, sizeof *member);
  fill = vmp__calloc((size_t)f->S, sizeof *fill);
  if (!start || !member || !fill) {
    rc = vmp__enomem();
    goto done;
  }
  for (long long k = 0; k < f->P; k++) start[f->service[k] + 1]++;
  for (long long s = 0; s < f->S; s++) start[s + 1] += start[s];
  for (long long k = 0; k < f->P; k++) {
    long long s = f->service[k];
    member[start[s] + fill[s]++] = (size_t)k;
  }
  for (long long s = 0; s < f->S && !rc; s++) {
    size_t n = start[s + 1] - start[s];
    if (n < 2) continue;
    snprintf(name, sizeof name, "s%lld", s);
    if ((rc = vmp_problem_add_group(p, name, VMP_ANTI_AFFINITY, 1, "host",
                                    member + start[s], n, NULL)))
      rc = vmp__error_prefix(rc, "%s: line %zu", origin, f->service_line[s]);
  }
done:
  free(start);
  free(member);
  free(fill);
  return rc;
}

static int build(const roadef *f, const char *origin, vmp_problem *p) {
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
  if ((rc = vmp_problem_set_objective(p, "migrations", 1.0)))
    return vmp__error_prefix(rc, "%s", origin);
  return 0;
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
