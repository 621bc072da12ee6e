/*
 * ROADEF/EURO 2012 files through the library into the rebalancer's input,
 * for the engine's dev harness (main.c) and tests (tests/rebalance/): the
 * library's reader (vmp_problem_read_roadef), the compiled model and the
 * `rebalance` solver's conversion (rebalance_adapter.h), so that both
 * exercise what users run.  VM v is process v, host h is machine h.
 */
#ifndef VMP_ROADEF_LOAD_H
#define VMP_ROADEF_LOAD_H

#include "rebalance_adapter.h"

typedef struct roadef {
  vmp__rmodel m;      /* the engine's model (a copy of in.r) */
  const int *init;    /* the initial assignment (m.init) */
  vmp_problem *p;     /* the problem the library read */
  vmp__model *cm;     /* its compiled model, which m points into */
  vmp__rebalance_input in;
} roadef;

/* Reads a model file and its initial assignment.  0, or a negative VMP_E*
 * code with vmp_last_error() naming the file and the field (or what the
 * engine does not model); on failure *rd holds nothing to free. */
int roadef_load(roadef *rd, const char *model_path, const char *assign_path);
/* Reads a solution file (one machine per process) into a[rd->m.nv].  0,
 * or as vmp_solution_read_roadef. */
int roadef_read_solution(const roadef *rd, const char *path, int *a);
/* Writes a[rd->m.nv] in the challenge's solution format.  0, or as
 * vmp_solution_write_roadef. */
int roadef_write_solution(const roadef *rd, const char *path, const int *a);
/* Frees what roadef_load allocated; NULL is fine. */
void roadef_free(roadef *rd);

#endif
