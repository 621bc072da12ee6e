/*
 * The solver registry: every solver of this build, in the order `vmplace
 * solve --list-solvers` shows them.
 */
#include <string.h>

#include "solver.h"

extern const vmp__solver vmp__solver_roundrobin;
extern const vmp__solver vmp__solver_greedy;
extern const vmp__solver vmp__solver_local;
extern const vmp__solver vmp__solver_genetic;
extern const vmp__solver vmp__solver_auto;
extern const vmp__solver vmp__solver_ilp;
extern const vmp__solver vmp__solver_colgen;

static const vmp__solver *const solvers[] = {
    &vmp__solver_auto,  &vmp__solver_greedy, &vmp__solver_local,
    &vmp__solver_ilp,   &vmp__solver_colgen, &vmp__solver_genetic,
    &vmp__solver_roundrobin,
};

#define NSOLVERS (sizeof solvers / sizeof solvers[0])

const vmp__solver *vmp__solver_find(const char *name) {
  if (!name) return NULL;
  for (size_t k = 0; k < NSOLVERS; k++)
    if (!strcmp(solvers[k]->name, name)) return solvers[k];
  return NULL;
}

size_t vmp__solver_count(void) { return NSOLVERS; }

const vmp__solver *vmp__solver_at(size_t k) { return k < NSOLVERS ? solvers[k] : NULL; }

size_t vmp_solver_count(void) { return NSOLVERS; }

const char *vmp_solver_name(size_t k) { return k < NSOLVERS ? solvers[k]->name : NULL; }

const char *vmp_solver_summary(size_t k) {
  return k < NSOLVERS ? solvers[k]->summary : NULL;
}
