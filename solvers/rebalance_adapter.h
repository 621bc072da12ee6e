/*
 * The compiled model as the rebalancer's input (solvers/rebalance_adapter.c):
 * used by the `rebalance` solver and by the engine's ROADEF dev harness and
 * tests (bench/tools/roadef/, tests/rebalance/), so that those read their
 * files through the library exactly as users do.
 */
#ifndef VMP_REBALANCE_ADAPTER_H
#define VMP_REBALANCE_ADAPTER_H

#include "model.h"
#include "rebalance/rmodel.h"

/* The engine's model `r` and the arrays it points into; `r.init` holds
 * each VM's current host (-1 for none).  VM v and host h of `r` are VM v
 * and host h of the problem.  Everything but `r` is storage. */
typedef struct vmp__rebalance_input {
  vmp__rmodel r;
  int *init, *gstart, *gvms, *hcls, *cstart, *cvms, *ndom, *label;
  int *astart, *ahosts, *svms, *da, *db;
  unsigned char *transient, *closed;
  vmp__rbalance *bal;
  vmp__rspread *spread;
  vmp__rdepend *dep;
  double *hmc;
} vmp__rebalance_input;

/* Fills *out from the compiled model m.  `out->r` borrows m's arrays as
 * well as out's own: m must outlive it.  0; VMP_ENOTSUP naming the feature
 * the engine does not model (hard host affinity, soft rules or groups, the
 * "balance" term, a VM no host may take); VMP_ENOMEM.  On failure *out
 * holds nothing to free. */
int vmp__rebalance_from_model(const vmp__model *m, vmp__rebalance_input *out);

/* Frees what vmp__rebalance_from_model allocated (NULL is fine) and zeroes
 * *in. */
void vmp__rebalance_input_free(vmp__rebalance_input *in);

#endif /* VMP_REBALANCE_ADAPTER_H */
