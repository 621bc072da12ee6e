/*
 * The hard rebalancing constraints (transient resources, spread minimums,
 * dependencies; model.h VMP__NEED_HARD) kept incrementally beside a
 * vmp__state, for the heuristic solvers (greedy, local).  The tracker
 * counts violated constraint instances -- a (host, transient resource)
 * over capacity, a spread group covering fewer than min(min_domains,
 * placed) domains, a VM of a dependent group in a domain with no VM of
 * the group it depends on -- so that a solver can refuse any change that
 * adds one, and repair a placement to none.
 */
#ifndef VMP_HARDCONS_H
#define VMP_HARDCONS_H

#include "solvers.h"
#include "state.h"

typedef struct vmp__hardcons {
  const vmp__model *m;
  int on;                /* the model has a hard need at all */
  double *tload;         /* [h*nres+r] transient demand of items placed on
                            h by members whose current host is not h */
  uint8_t *tover;        /* [h*nres+r] 1 when over capacity */
  uint32_t **scnt;       /* [spread][domain] placed members */
  uint32_t *scover, *splaced;  /* [spread] */
  uint8_t *sviol;        /* [spread] */
  uint32_t **da, **db;   /* [dep][domain] placed VMs of the two groups */
  uint32_t *vm_start;    /* [nvms+1] CSR into vm_refs: */
  uint32_t *vm_refs;     /* spread s as 2s, dependency d as 2d+1 */
  size_t nviol;          /* violated instances now */
} vmp__hardcons;

/* Sets up the tracker for m (everything unplaced); a no-op tracker (on ==
 * 0) when m has no hard need. */
int vmp__hardcons_init(vmp__hardcons *hd, const vmp__model *m);
void vmp__hardcons_free(vmp__hardcons *hd);
/* Everything unplaced. */
void vmp__hardcons_clear(vmp__hardcons *hd);
/* Item i was placed on / is being taken off host h (call around
 * vmp__state_place / vmp__state_unplace). */
void vmp__hardcons_place(vmp__hardcons *hd, size_t i, size_t h);
void vmp__hardcons_unplace(vmp__hardcons *hd, size_t i, size_t h);

/* VM v of the model arrives on / leaves host h, for the spread and
 * dependency counts only (its transient demand is not tracked): the online
 * placer places VMs one at a time and keeps transient holds as load of its
 * own. */
void vmp__hardcons_vm_place(vmp__hardcons *hd, size_t v, size_t h);
void vmp__hardcons_vm_unplace(vmp__hardcons *hd, size_t v, size_t h);

/* Places item i on h in both st and hd when it fits (vmp__state_fits) and
 * adds no violated instance; 1 when placed. */
int vmp__hardcons_try_place(vmp__state *st, vmp__hardcons *hd, size_t i, size_t h);

/* Makes `host` (items -> host or -1) satisfy every hard constraint:
 * every item goes where `host` says when capacity, allowed hosts and
 * groups let it (those staying on their current host first); items are
 * then taken off one at a time while that lowers the violations
 * (vmp__hardcons_shed); left-out items are tried again, first where `host`
 * says or where they run now, then on any host, while that places more
 * (a dependent VM may wait for the group it depends on).  st and hd end
 * holding the result; host gets it too.  When ctx (may be NULL) says to
 * stop, the items not yet re-inserted stay out.  Returns 0 or a negative
 * code;
 * *violations the instances still violated (only when the current
 * placement alone breaks a transient capacity). */
int vmp__hardcons_repair(vmp__state *st, vmp__hardcons *hd, int32_t *host,
                         size_t *violations, vmp__ctx *ctx);

/* Loads `host` into st and hd (items that do not fit stay out) and swaps
 * the hosts of two placed items, one of them a member of a spread group
 * or a dependency, whenever both fit in the other's place and that lowers
 * the violated instances; at most `budget` swaps are tried.  A packing
 * that meets capacity but puts the members in the wrong domains (an exact
 * solver's patterns) often needs only that.  host gets the result. */
void vmp__hardcons_swap(vmp__state *st, vmp__hardcons *hd, int32_t *host, uint64_t budget);

/* Takes items off, one at a time, while that lowers the violations, until
 * none is left or nothing helps. */
void vmp__hardcons_shed(vmp__state *st, vmp__hardcons *hd);

#endif /* VMP_HARDCONS_H */
