/*
 * roundrobin: the seed document's baseline.  Items in input order; each
 * goes to the first host that fits, starting from the host after the one
 * that took the previous item.  A reference point for the benchmarks, not
 * a serious solver.
 */
#include "state.h"
#include "solvers.h"

static int roundrobin_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  vmp__state st;
  size_t next = 0;
  int rc;
  if ((rc = vmp__state_init(&st, m))) return rc;
  for (size_t i = 0; i < m->nitems && m->nhosts; i++) {
    if (m->item_unplaceable[i]) continue;
    for (size_t k = 0; k < m->nhosts; k++) {
      size_t h = (next + k) % m->nhosts;
      if (!vmp__state_fits(&st, i, h)) continue;
      vmp__state_place(&st, i, h);
      next = (h + 1) % m->nhosts;
      break;
    }
  }
  for (size_t i = 0; i < m->nitems; i++) res->host[i] = st.host[i];
  res->stop_reason = VMP_STOP_COMPLETED;
  vmp__state_free(&st);
  return 0;
}

const vmp__solver vmp__solver_roundrobin = {
    "roundrobin", "hosts in turn, first that fits (baseline)", roundrobin_solve,
    NULL, 0};
