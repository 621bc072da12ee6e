/*
 * The rebalancer's incremental state: one complete assignment with every
 * derived quantity (loads, transient loads, per-host cost, conflict
 * counts, spread and dependency domain counts, group move counts) kept up
 * to date move by move, so that a shift or swap is priced and checked in
 * time independent of the instance size.
 *
 * vmp__ridx holds what all lanes share (read-only after building): the
 * per-VM membership lists.  vmp__rstate is one lane's assignment.
 */
#ifndef VMP_REBALANCE_RSTATE_H
#define VMP_REBALANCE_RSTATE_H

#include <stdint.h>

#include "rmodel.h"

typedef struct vmp__ridx {
  const vmp__rmodel *m;
  int nv, nh, nr;
  const double *safety;     /* nh x nr (the model's, or cap) */
  double sw[64];            /* safety weights, 0 when none */
  unsigned char tr[64];     /* transient flags */
  int any_tr;
  int *init;                /* nv, -1 = new */
  int *vc_start, *vc;       /* conflict sets of each VM */
  int *vg_start, *vg;       /* move-cost groups of each VM */
  int *vs_start, *vs;       /* spreads of each VM */
  /* dependencies work on VM lists: the distinct (list, label) pairs of
   * their a and b sides, each with one counter per domain, so a VM's move
   * updates one counter per list it is in, however many dependencies
   * name that list */
  int n_lists;
  int *list_label, *list_off;  /* per list: label, counter offset */
  int *vl_start, *vl;       /* lists of each VM */
  int *la_start, *la;       /* per list: dependencies with it as side a */
  int *lb_start, *lb;       /* per list: dependencies with it as side b */
  int *dep_a, *dep_b;       /* per dependency: its two list ids */
  int *sp_off;              /* offsets of each spread's domain counters */
  int sp_total, lc_total;
  int max_group;            /* largest group size */
  size_t conf_members;      /* total conflict memberships */
  int *movable;             /* VMs that may move (not pinned) */
  int n_movable;
  unsigned char *host_ok;   /* nh: host may receive VMs (not closed) */
  double *init_tl;          /* nh x nr: transient load of the initial
                               assignment (what a host holds for its own
                               VMs wherever they go); NULL without
                               transient resources */
} vmp__ridx;

typedef struct vmp__rstate {
  const vmp__ridx *x;
  int *a;                   /* nv current hosts */
  double *load, *tl;        /* nh x nr load; transient load (with the VMs
                               that moved away from their initial host) */
  double *hc;               /* nh: load + balance cost of each host */
  int *cnt;                 /* nh: VMs per host */
  uint64_t *hkey;           /* conflict (set, host) hash: key set*nh+host+1 */
  int *hval;
  size_t hmask;
  int *spc, *spdist;        /* spread domain counts, distinct domains */
  int *lc;                  /* per list and domain: its VMs there */
  int *gm, *hist;           /* moved VMs per group, groups per moved count */
  int gmax;
  double c_host;            /* sum of hc */
  double c_pmc, c_mmc, c_hcost; /* unweighted move sums; host-cost sum */
  int **hv;                 /* nh: the VMs on each host (hn[h] of them) */
  int *hn, *hcap;
  int *pos;                 /* nv: index of each VM in its host's list */
  int oom;                  /* the host lists could not grow */
} vmp__rstate;

int vmp__ridx_build(vmp__ridx *x, const vmp__rmodel *m);
void vmp__ridx_free(vmp__ridx *x);

int vmp__rstate_init(vmp__rstate *s, const vmp__ridx *x);
void vmp__rstate_free(vmp__rstate *s);
/* Rebuilds every derived quantity from assignment a (copied). */
void vmp__rstate_load(vmp__rstate *s, const int *a);
/* The objective of the current assignment. */
double vmp__rstate_cost(const vmp__rstate *s);
/* Moves v to host h, updating everything (no feasibility check). */
void vmp__rstate_move(vmp__rstate *s, int v, int h);
/* 1 when every hard constraint that the last move of v (from host `from`)
 * touched holds: capacity and transient capacity on v's host, v's conflict
 * sets there, v's spreads and dependencies, and the domain v left. */
int vmp__rstate_ok_after(const vmp__rstate *s, int v, int from);
/* VMs of conflict set c on host h. */
int vmp__rstate_conf_count(const vmp__rstate *s, int c, int h);
/* Load + balance cost of host h if its load row were L. */
double vmp__rstate_host_cost(const vmp__ridx *x, int h, const double *L);
/* The move-cost terms but the group term (the VM's own price and the
 * host-to-host price, weighted) of v ending on host h. */
double vmp__ridx_move_cost(const vmp__ridx *x, int v, int h);
/* Whether v may be put on h at all (allowed list, open host). */
int vmp__ridx_allowed(const vmp__ridx *x, int v, int h);

#endif
