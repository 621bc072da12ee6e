/*
 * A small, self-contained reader of the ROADEF/EURO 2012 machine
 * reassignment files straight into the rebalancer's vmp__rmodel (for the
 * dev harness and the engine's tests; vmplace's own reader is
 * src/read_roadef.c).
 */
#ifndef VMP_ROADEF_READ_H
#define VMP_ROADEF_READ_H

#include "rmodel.h"

typedef struct roadef {
  vmp__rmodel m;           /* points into the arrays below */
  int *init;               /* the initial assignment (copy of m.init) */
  int n_services;
  /* storage */
  double *demand, *cap, *safety, *sw, *pmc, *hmc;
  unsigned char *transient;
  vmp__rbalance *balance;
  int *group_start, *group_vms, *hmc_class, *n_domains, *label;
  vmp__rspread *spread;
  vmp__rdepend *depend;
  int *dep_lists;
} roadef;

/* Reads model and assignment files.  0, or a negative VMP_E* code with
 * the message in err (naming the file and the field). */
int roadef_read(roadef *rd, const char *model_path, const char *assign_path,
                char *err, size_t errlen);
/* Reads a solution file (nv machine indices) into a. */
int roadef_read_solution(const char *path, int nv, int *a, char *err, size_t errlen);
/* Writes a in the challenge's solution format. */
int roadef_write_solution(const char *path, int nv, const int *a);
void roadef_free(roadef *rd);

#endif
