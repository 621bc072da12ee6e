/*
 * ilp: the assignment MIP in GLPK (docs/formulations.md, "The assignment
 * model", equations (A1)-(A12)).  Every constraint and objective term of
 * the model: allowed hosts, capacity, hard groups with any scope, soft
 * rules and groups, migrations, balance, unplaced items with their
 * penalty; and the hard rebalancing constraints, exactly: transient
 * resources (T), spread minimums (S) and dependencies (D) (rows below
 * transient_rows).  The rebalancing objective terms (safety, ratio
 * balance, host and group moves, soft spread and dependencies) are not in
 * the MIP: with them the evaluator scores the answer and no optimality is
 * claimed (solve.c).
 *
 * What makes it solvable:
 *  - symmetry breaking over classes of identical hosts (A10, A11): used
 *    hosts of a class come first, and the k-th host of a class only takes
 *    items from the k-th onwards in a fixed order;
 *  - per class, only as many hosts as a placement no worse than the warm
 *    start can pay for (A12);
 *  - covering rows (A13, A14): the capacity of the hosts an allowed set
 *    may use covers the demand confined to it, and a hard anti-affinity
 *    group opens as many hosts as it has members, written out so that
 *    GLPK's cuts round them;
 *  - branching on which hosts are bought (y) before where items go;
 *  - a warm start from the fast solvers, verified by the evaluator and
 *    handed to GLPK's heuristic callback (GLPK takes it on trust, so it is
 *    checked here: its GLPK objective must equal the evaluator's);
 *  - the model's lower bounds (volume, L2, cover LP): when the warm start
 *    meets them, no MIP is built at all.
 *
 * GLPK rules (glpk_util.h): everything is validated and sized before the
 * first glp_* call; the guard of glpk_util.h turns GLPK errors into
 * VMP_ESOLVER; output goes to the log callback only; the environment is
 * freed at the end.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "glpk_util.h"
#include "warmstart.h"

/* ---- parameters ------------------------------------------------------------ */

static const vmp__param_spec ilp_params[] = {
    {"ilp.mip_gap", VMP_PARAM_DOUBLE, 0.0, 1.0, "0",
     "relative gap (objective - bound) / objective at which to stop"},
    {"ilp.presolve", VMP_PARAM_BOOL, 0, 1, "false",
     "GLPK's MIP presolver; when on, the warm start cannot be injected"},
    {"ilp.cuts", VMP_PARAM_BOOL, 0, 1, "true",
     "GLPK's Gomory, MIR, cover and clique cuts"},
    {"ilp.symmetry", VMP_PARAM_BOOL, 0, 1, "true",
     "symmetry breaking over classes of identical hosts"},
    {"ilp.host_limit", VMP_PARAM_BOOL, 0, 1, "true",
     "per host class, keep only as many hosts as a placement no worse "
     "than the warm start can pay for"},
    {"ilp.cover_rows", VMP_PARAM_BOOL, 0, 1, "true",
     "implied rows that GLPK's cuts can round: per resource, the capacity "
     "of the hosts an allowed set may use covers the demand confined to it; "
     "a hard host anti-affinity group opens at least as many hosts as it "
     "has members (A13, A14)"},
    {"ilp.branch_hosts", VMP_PARAM_BOOL, 0, 1, "true",
     "branch on a fractional host-used column y before any x"},
    {"ilp.linking", VMP_PARAM_BOOL, 0, 1, "true",
     "rows x[i,h] <= y[h] (a stronger relaxation, more rows)"},
    {"ilp.lazy_linking", VMP_PARAM_INT, 0, 2, "1",
     "the root LP starts without the linking rows of VMs with a demand "
     "and adds those its solution breaks until none is broken (the same "
     "LP optimum, a faster root); then 1: every other linking row is added "
     "before the branch and bound, 2: only those added stay, 0: off"},
    {"ilp.lazy_linking_min", VMP_PARAM_INT, 0, 1e9, "4000",
     "ilp.lazy_linking applies to models with at least this many x columns "
     "(smaller roots are fast with every row)"},
    {"ilp.node_cuts_max_columns", VMP_PARAM_INT, 0, 1e9, "4000",
     "on models with a compliance zone or hard host anti-affinity, GLPK's "
     "Gomory cuts and Driebeck-Tomlin branching only below this many "
     "columns; larger ones branch on the most fractional column without "
     "Gomory cuts (both compute a tableau row per fractional column at "
     "every node)"},
    {"ilp.max_columns", VMP_PARAM_INT, 1, 1e8, "2000000",
     "refuse (VMP_ERANGE) models with more columns than this"},
    {"ilp.max_memory_mb", VMP_PARAM_INT, 1, 1e7, "1024",
     "memory budget of the process with the model, estimated before it is "
     "built: over it clique cuts, then cover and MIR cuts, then the linking "
     "rows (A3) are dropped, and a model still over it is refused "
     "(VMP_ERANGE); the search stops when GLPK's memory reaches its share"},
    {"ilp.test_glpk_error", VMP_PARAM_BOOL, 0, 1, "false",
     "tests only: make GLPK fail inside the guard, to check that the "
     "failure becomes VMP_ESOLVER"},
};

/* ---- a growing sparse matrix ---------------------------------------------------- */

typedef struct mat {
  int *ia, *ja;          /* 1-based triplets for glp_load_matrix */
  double *ar;
  size_t nnz, cap;       /* entries are 1..nnz */
  int *rtype;            /* [row] GLP_UP, GLP_FX, ... (1-based) */
  double *rlo, *rhi;
  size_t nrows, rcap;
} mat;

static void mat_free(mat *a) {
  VMP__FREE_ALL(a->ia, a->ja, a->ar, a->rtype, a->rlo, a->rhi);
  memset(a, 0, sizeof *a);
}

/* A new row; returns its number (1-based) or 0 when out of memory. */
static int mat_row(mat *a, int type, double lo, double hi) {
  size_t c1 = a->rcap, c2 = a->rcap;
  if (a->nrows + 2 > (size_t)INT_MAX) return 0;
  if (vmp__grow(&a->rtype, &c1, a->nrows + 2, sizeof *a->rtype) ||
      vmp__grow(&a->rlo, &c2, a->nrows + 2, sizeof *a->rlo) ||
      vmp__grow(&a->rhi, &a->rcap, a->nrows + 2, sizeof *a->rhi))
    return 0;
  a->nrows++;
  a->rtype[a->nrows] = type;
  a->rlo[a->nrows] = lo;
  a->rhi[a->nrows] = hi;
  return (int)a->nrows;
}

static int mat_add(mat *a, int row, int col, double v) {
  size_t c1 = a->cap, c2 = a->cap;
  if (a->nnz + 2 > (size_t)INT_MAX) return vmp__error(VMP_ERANGE, "ilp: more than %d nonzeros", INT_MAX);
  if (vmp__grow(&a->ia, &c1, a->nnz + 2, sizeof *a->ia) ||
      vmp__grow(&a->ja, &c2, a->nnz + 2, sizeof *a->ja) ||
      vmp__grow(&a->ar, &a->cap, a->nnz + 2, sizeof *a->ar))
    return VMP_ENOMEM;
  a->nnz++;
  a->ia[a->nnz] = row;
  a->ja[a->nnz] = col;
  a->ar[a->nnz] = v;
  return 0;
}

/* ---- the model -------------------------------------------------------------------- */

/* Auxiliary columns of the group constraints; what each one means, so
 * that the warm start can be given a value for every column. */
enum {
  AUX_SOFT_ANTI, AUX_SOFT_AFF_DOM, AUX_SOFT_AFF_OUT, AUX_HARD_AFF_DOM,
  /* the rebalancing constraints (g is a spread or dependency index) */
  AUX_SPREAD_DOM,        /* c[s,d]: the group covers domain d */
  AUX_SPREAD_SHORT,      /* q[s]: fewer than min_domains members placed */
  AUX_DEP_DOM            /* w[dep,d]: a VM of the `on` group runs in d */
};

typedef struct aux {
  uint8_t kind;
  uint32_t g;            /* model group */
  uint32_t k;            /* domain id, or item for AUX_SOFT_AFF_OUT */
} aux;

/* Bytes per nonzero and per row or column that the model costs in GLPK
 * with its simplex (its matrix twice, the LU factors, per-row and
 * per-column records and work arrays): the peak of GLPK's own count
 * (glp_mem_usage) through the root LP, 47 MiB estimated 49 at 400 VMs x
 * 100 hosts, 274 MiB estimated 283 at 1,500 x 150 (docs/formulations.md,
 * "Memory"). */
#define MEM_PER_NONZERO 110.0
#define MEM_PER_ROWCOL 340.0
/* The rest of the process: the program, its libraries, the problem and
 * the warm start (vmplace solve -s greedy: 18 MiB at 400 VMs, 24 MiB at
 * 3,000), and our own arrays of the model (22 bytes per nonzero). */
#define MEM_BASE_MB 18.0
#define MEM_PER_VM 2048.0
#define MEM_OURS_PER_NONZERO 24.0
/* GLPK's cut generators, set up at the root node (glp_mem_usage around
 * glp_cfg_init, glp_cov_init and glp_mir_init on five models from 1,200
 * to 880,000 columns, within 5 %): the conflict graph of the clique cuts,
 * 32 bytes per clique member or edge and 48 per column; cover cuts 370
 * per column; MIR cuts 84 per row or column. */
#define MEM_CFG_PER_ENTRY 32.0
#define MEM_CFG_PER_COLUMN 48.0
#define MEM_COVER_PER_COLUMN 370.0
#define MEM_MIR_PER_ROWCOL 84.0
/* Of GLPK's share of the budget, what the search keeps free for the
 * step after the callback looked (a node's LP, a round of cuts): this
 * fraction of the model. */
#define MEM_STEP_RESERVE 0.1
/* Seconds that building the arrays and loading them into GLPK take per
 * nonzero (measured: 3.5 million in 5 s on a busy 2-core machine). */
#define LOAD_SECONDS_PER_NONZERO 2e-6

/* The parts of the memory estimate, in MiB ("MB" in messages). */
typedef struct mem_plan {
  double base;           /* the process without the model */
  double ours;           /* our arrays of the model */
  double model;          /* GLPK's problem and simplex */
  double clique;         /* the conflict graph of the clique cuts */
  double cuts;           /* cover and MIR cut generators */
  double nnz;
} mem_plan;

typedef struct ilp {
  const vmp__model *m;
  vmp__glpk *g;
  glp_prob *lp;
  int names;             /* give rows and columns names (export) */
  int symmetry, linking, host_limit, cover_rows, branch_hosts;
  size_t ncover;         /* rows (A13) and (A14) added */
  double max_columns;
  double max_memory_mb;  /* the budget */
  double memory_mb;      /* the estimate of the process with the model */
  mem_plan mem;          /* its parts */
  double mem_linking;    /* what the linking rows (A3) add to it */
  int cuts;              /* ilp.cuts */
  int no_clique, no_cuts;/* the budget switched clique cuts, or all cuts, off */
  int mem_stopped;       /* the search stopped at GLPK's share of the budget */
  double nnz_est;        /* nonzeros, estimated before building */
  int linking_dropped;   /* the budget dropped the linking rows */
  int lazy;              /* ilp.lazy_linking (0 when exporting) */
  uint32_t *lzx;         /* linking rows (A3) held back: x column index */
  uint8_t *lzin;         /* [nlz] already a row of the GLPK problem */
  size_t nlz, lzcap;
  size_t lz_added;       /* of them, rows the root LP's rounds added */
  size_t lz_rounds;      /* root LP re-solves that added some */
  size_t lz_rows;        /* of them, rows in the GLPK problem */

  /* hosts kept, by class then position in the class */
  uint32_t *kept;
  size_t nkept;
  int32_t *kidx;         /* [nhosts] index in kept or -1 */
  uint32_t *kstart;      /* [nhclasses+1] CSR into kept */
  uint32_t *order;       /* items in the symmetry order */
  uint32_t *opos;        /* [nitems] position in order */

  /* columns: x (CSR per item over kept hosts), y, u, balance, aux */
  size_t *xstart;        /* [nitems+1] */
  uint32_t *xk;          /* kept index of each x */
  uint32_t *xitem;       /* item of each x */
  size_t nx;
  int col_y, col_u, col_b, col_aux, ncols;
  int *ucol;             /* [nitems] 0 when the item is not in the model */
  aux *aux;
  size_t naux, auxcap;
  size_t naux_groups;    /* aux[0..naux_groups) belong to model groups */
  uint32_t *memb;        /* [nitems] memberships in hard spread groups and
                            dependencies, for the memory estimate */
  double *obj, *ub;      /* [ncols+1] */
  uint8_t *ckind;        /* [ncols+1] GLP_BV / GLP_CV */
  mat a;
  double obj_const;
  int int_obj;

  /* the warm start, permuted to satisfy symmetry breaking */
  int32_t *inc;          /* [nitems] */
  double inc_obj;
  double warm_obj;       /* the warm start's objective, for the stats */
  double *xinc;          /* [ncols+1] or NULL when it cannot be injected */

  /* the search (written by the GLPK callback) */
  vmp__ctx *ctx;
  double ext_bound;      /* bounds known before the MIP */
  double tree_bound;     /* best bound of the branch-and-bound tree */
  double root_lp;
  int unreliable;        /* GLPK's root LP failed the dual check: no proof */
  int injected, accepted, proved, stopped;
  int cheap_tree;        /* ilp.node_cuts_max_columns applied */
  int nodes;
  size_t placed;
  int32_t *sol;          /* [nitems] GLPK's placement */

  vmp__glpk_steps steps; /* glp_intopt's steps, timed (on_tree) */
} ilp;

static void ilp_free(ilp *b) {
  VMP__FREE_ALL(b->lzx, b->lzin, b->kept, b->kidx, b->kstart, b->order, b->opos, b->xstart, b->xk,
                b->xitem, b->ucol, b->aux, b->memb, b->obj, b->ub, b->ckind);
  mat_free(&b->a);
  free(b->inc);
  free(b->xinc);
  free(b->sol);
}

static int xcol(size_t k) { return (int)k + 1; }
static int ycol(const ilp *b, size_t kept) { return b->col_y + (int)kept; }

/* Items largest first (relative to the average capacity): the order the
 * symmetry ranks (A11) follow.  Any fixed order is valid; this one puts
 * the items that decide the packing first. */
static int make_order(ilp *b) {
  const vmp__model *m = b->m;
  double avg[VMP__MAX_RESOURCES] = {0};
  vmp__keyed *k = malloc((m->nitems + 1) * sizeof *k);
  b->order = malloc((m->nitems + 1) * sizeof *b->order);
  b->opos = malloc((m->nitems + 1) * sizeof *b->opos);
  if (!k || !b->order || !b->opos) {
    free(k);
    return vmp__enomem();
  }
  for (size_t h = 0; h < m->nhosts; h++)
    for (uint32_t r = 0; r < m->nres; r++) avg[r] += m->cap[h * m->nres + r];
  for (size_t i = 0; i < m->nitems; i++) {
    double s = 0.0;
    for (uint32_t r = 0; r < m->nres; r++)
      if (avg[r] > 0.0) s += m->idem[i * m->nres + r] / avg[r];
    k[i].key = s;
    k[i].i = (uint32_t)i;
  }
  qsort(k, m->nitems, sizeof *k, vmp__keyed_desc);
  for (size_t p = 0; p < m->nitems; p++) {
    b->order[p] = k[p].i;
    b->opos[k[p].i] = (uint32_t)p;
  }
  free(k);
  return 0;
}

static int fits_alone(const vmp__model *m, size_t i, size_t h) {
  for (uint32_t r = 0; r < m->nres; r++)
    if (m->idem[i * m->nres + r] > m->capx[h * m->nres + r]) return 0;
  return 1;
}

/* (A12) Hosts kept per class: usable ones, at most as many as items can
 * use the class, and -- with a warm start of objective z -- at most
 * floor((z - P0) / (w_cost * cost)) when hosts cost something. */
static int plan_hosts(ilp *b) {
  const vmp__model *m = b->m;
  uint32_t nk = m->nhclasses;
  size_t *usable_items = calloc(nk + 1, sizeof *usable_items);
  b->kidx = malloc((m->nhosts + 1) * sizeof *b->kidx);
  b->kstart = calloc(nk + 1, sizeof *b->kstart);
  b->kept = malloc((m->nhosts + 1) * sizeof *b->kept);
  if (!usable_items || !b->kidx || !b->kstart || !b->kept) {
    free(usable_items);
    return vmp__enomem();
  }
  for (size_t h = 0; h < m->nhosts; h++) b->kidx[h] = -1;
  for (uint32_t c = 0; c < nk; c++) {
    size_t h0 = m->hclass_hosts[m->hclass_start[c]];
    if (!m->usable[h0]) continue;
    for (size_t i = 0; i < m->nitems; i++)
      if (!m->item_unplaceable[i] && vmp__model_allowed(m, i, h0) && fits_alone(m, i, h0))
        usable_items[c]++;
  }
  b->nkept = 0;
  for (uint32_t c = 0; c < nk; c++) {
    size_t h0 = m->hclass_hosts[m->hclass_start[c]];
    double lim = (double)(m->hclass_start[c + 1] - m->hclass_start[c]);
    b->kstart[c] = (uint32_t)b->nkept;
    if (!m->usable[h0]) continue;
    if ((double)usable_items[c] < lim) lim = (double)usable_items[c];
    if (b->host_limit && b->inc_obj < HUGE_VAL && m->w.cost > 0.0 && m->cost[h0] > 0.0) {
      double afford = floor((b->inc_obj - b->obj_const) / (m->w.cost * m->cost[h0]) + 1e-9);
      if (afford < lim) lim = afford < 0.0 ? 0.0 : afford;
    }
    for (uint32_t k = 0; k < (uint32_t)lim; k++) {
      uint32_t h = m->hclass_hosts[m->hclass_start[c] + k];
      b->kidx[h] = (int32_t)b->nkept;
      b->kept[b->nkept++] = h;
    }
  }
  b->kstart[nk] = (uint32_t)b->nkept;
  free(usable_items);
  return 0;
}

/* x columns: item i on kept host h when allowed, it fits alone and, with
 * symmetry breaking, h's position in its class is at most i's rank among
 * the items that may use the class (A11). */
static int plan_x(ilp *b) {
  const vmp__model *m = b->m;
  uint32_t *rank = calloc(m->nhclasses + 1, sizeof *rank);
  b->xstart = calloc(m->nitems + 1, sizeof *b->xstart);
  if (!rank || !b->xstart) {
    free(rank);
    return vmp__enomem();
  }
  /* Ranks follow the symmetry order; columns are stored per item.  Pass
   * 0 counts, pass 1 fills. */
  for (int pass = 0; pass < 2; pass++) {
    memset(rank, 0, (m->nhclasses + 1) * sizeof *rank);
    for (size_t p = 0; p < m->nitems; p++) {
      uint32_t i = b->order[p];
      size_t n = 0;
      if (m->item_unplaceable[i]) continue;
      for (uint32_t c = 0; c < m->nhclasses; c++) {
        uint32_t s = b->kstart[c], e = b->kstart[c + 1], pos;
        size_t h0;
        if (s == e) continue;
        h0 = b->kept[s];
        if (!vmp__model_allowed(m, i, h0) || !fits_alone(m, i, h0)) continue;
        for (pos = 0; s + pos < e; pos++) {
          if (b->symmetry && pos > rank[c]) break;
          if (pass == 1) {
            b->xk[b->xstart[i] + n] = s + pos;
            b->xitem[b->xstart[i] + n] = i;
          }
          n++;
        }
        rank[c]++;
      }
      if (pass == 0) b->xstart[i + 1] = n;
    }
    if (pass == 0) {
      for (size_t i = 0; i < m->nitems; i++) b->xstart[i + 1] += b->xstart[i];
      b->nx = b->xstart[m->nitems];
      if ((double)b->nx > b->max_columns) {
        free(rank);
        return vmp__error(VMP_ERANGE,
                          "ilp: the assignment model would have %zu x columns, more "
                          "than ilp.max_columns (%.0f); raise it or use colgen",
                          b->nx, b->max_columns);
      }
      b->xk = malloc((b->nx + 1) * sizeof *b->xk);
      b->xitem = malloc((b->nx + 1) * sizeof *b->xitem);
      if (!b->xk || !b->xitem) {
        free(rank);
        return vmp__enomem();
      }
    }
  }
  free(rank);
  return 0;
}


/* ---- columns and rows ------------------------------------------------------------------ */

enum { COL_BIN = 0, COL_CONT = 1 };

/* A new column after the x block; its number, or 0 when out of memory. */
static int add_col(ilp *b, size_t *cap, int kind, double ub, double obj) {
  size_t c1 = *cap, c2 = *cap;
  int j = b->ncols + 1;
  if (b->ncols + 2 > INT_MAX / 2) return 0;
  if (vmp__grow(&b->obj, &c1, (size_t)j + 1, sizeof *b->obj) ||
      vmp__grow(&b->ub, &c2, (size_t)j + 1, sizeof *b->ub) ||
      vmp__grow(&b->ckind, cap, (size_t)j + 1, sizeof *b->ckind))
    return 0;
  b->obj[j] = obj;
  b->ub[j] = ub;
  b->ckind[j] = (uint8_t)kind;
  b->ncols = j;
  return j;
}

typedef struct entry {
  uint32_t dom;
  uint32_t item;
  uint32_t x;
} entry;

static int cmp_entry(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->dom != y->dom) return x->dom < y->dom ? -1 : 1;
  if (x->item != y->item) return x->item < y->item ? -1 : 1;
  return (x->x > y->x) - (x->x < y->x);
}

/* Scratch for the group rows. */
typedef struct gscratch {
  entry *e;              /* (domain, item, x) of the group's members */
  size_t ne, ecap;
  uint32_t *mult;        /* [nitems] VMs of the group in each item */
  size_t *colcap;
} gscratch;

static int add_aux(ilp *b, gscratch *gs, int kind_col, double ub, double obj,
                   uint8_t kind, uint32_t g, uint32_t k) {
  int j;
  if (vmp__grow(&b->aux, &b->auxcap, b->naux + 1, sizeof *b->aux)) return 0;
  if (!(j = add_col(b, gs->colcap, kind_col, ub, obj))) return 0;
  b->aux[b->naux].kind = kind;
  b->aux[b->naux].g = g;
  b->aux[b->naux].k = k;
  b->naux++;
  return j;
}

#define TRY(x)                                                                 \
  do {                                                                         \
    if ((rc = (x))) return rc;                                                 \
  } while (0)
#define NEWROW(var, type, lo, hi)                                              \
  do {                                                                         \
    if (!((var) = mat_row(&b->a, (type), (lo), (hi)))) return vmp__enomem();   \
  } while (0)

/* End of the run of entries in domain e[a].dom. */
static size_t dom_end(const gscratch *gs, size_t a) {
  size_t z = a;
  while (z < gs->ne && gs->e[z].dom == gs->e[a].dom) z++;
  return z;
}

/* (A4) host scope: sum x <= y_h; (A5) label scope: sum x <= 1;
 * (A7) soft: sum mult x - s_d <= 1. */
static int anti_rows(ilp *b, gscratch *gs, uint32_t gi) {
  const vmp__model *m = b->m;
  const vmp__mgroup *g = &m->groups[gi];
  int rc, row;
  for (size_t a = 0, z; a < gs->ne; a = z) {
    size_t weight = 0;
    z = dom_end(gs, a);
    for (size_t k = a; k < z; k++)
      if (k == a || gs->e[k].item != gs->e[k - 1].item)
        weight += g->hard ? 1 : gs->mult[gs->e[k].item];
    if (weight < 2) continue;
    if (!g->hard) {
      int s = add_aux(b, gs, COL_CONT, HUGE_VAL, g->weight, AUX_SOFT_ANTI, gi, gs->e[a].dom);
      if (!s) return vmp__enomem();
      NEWROW(row, GLP_UP, 0.0, 1.0);
      TRY(mat_add(&b->a, row, s, -1.0));
      for (size_t k = a; k < z; k++)
        TRY(mat_add(&b->a, row, xcol(gs->e[k].x), (double)gs->mult[gs->e[k].item]));
    } else if (m->scopes[g->scope].dom == NULL) {
      NEWROW(row, GLP_UP, 0.0, 0.0);
      TRY(mat_add(&b->a, row, ycol(b, (size_t)b->kidx[gs->e[a].dom]), -1.0));
      for (size_t k = a; k < z; k++) TRY(mat_add(&b->a, row, xcol(gs->e[k].x), 1.0));
    } else {
      NEWROW(row, GLP_UP, 0.0, 1.0);
      for (size_t k = a; k < z; k++) TRY(mat_add(&b->a, row, xcol(gs->e[k].x), 1.0));
    }
  }
  return 0;
}

/* (A6) hard affinity with a label scope: one domain z_d for the whole
 * group (sum z <= 1) and sum_{h in d} x_ih <= z_d for every member. */
static int hard_aff_rows(ilp *b, gscratch *gs, uint32_t gi) {
  int rc, row, sum;
  NEWROW(sum, GLP_UP, 0.0, 1.0);
  for (size_t a = 0, z; a < gs->ne; a = z) {
    int zc = add_aux(b, gs, COL_BIN, 1.0, 0.0, AUX_HARD_AFF_DOM, gi, gs->e[a].dom);
    if (!zc) return vmp__enomem();
    TRY(mat_add(&b->a, sum, zc, 1.0));
    z = dom_end(gs, a);
    for (size_t k = a, l; k < z; k = l) {
      NEWROW(row, GLP_UP, 0.0, 0.0);
      TRY(mat_add(&b->a, row, zc, -1.0));
      for (l = k; l < z && gs->e[l].item == gs->e[k].item; l++)
        TRY(mat_add(&b->a, row, xcol(gs->e[l].x), 1.0));
    }
  }
  return 0;
}

/* (A8) soft affinity: the chosen domain a_d (sum a = 1); t_i, costing
 * weight x mult_i, is 1 when member i is placed outside it:
 *   t_i >= (1 - u_i) - sum_{h in d} x_ih - (1 - a_d)   for every d. */
static int soft_aff_rows(ilp *b, gscratch *gs, uint32_t gi) {
  const vmp__model *m = b->m;
  const vmp__mgroup *g = &m->groups[gi];
  int rc, row, sum, a0, t0 = 0;
  size_t nd = 0;
  NEWROW(sum, GLP_FX, 1.0, 1.0);
  a0 = b->ncols + 1;
  for (size_t a = 0, z; a < gs->ne; a = z, nd++) {
    int ac = add_aux(b, gs, COL_BIN, 1.0, 0.0, AUX_SOFT_AFF_DOM, gi, gs->e[a].dom);
    if (!ac) return vmp__enomem();
    TRY(mat_add(&b->a, sum, ac, 1.0));
    z = dom_end(gs, a);
  }
  for (uint32_t k = 0; k < g->nitems; k++) {
    uint32_t i = g->items[k];
    int t;
    if (!b->ucol[i]) continue;
    t = add_aux(b, gs, COL_CONT, 1.0, g->weight * gs->mult[i], AUX_SOFT_AFF_OUT, gi, i);
    if (!t) return vmp__enomem();
    if (!t0) t0 = t;
  }
  for (size_t a = 0, z, d = 0; a < gs->ne; a = z, d++) {
    int tk = t0;
    z = dom_end(gs, a);
    for (uint32_t k = 0; k < g->nitems; k++) {
      uint32_t i = g->items[k];
      if (!b->ucol[i]) continue;
      NEWROW(row, GLP_UP, -HUGE_VAL, 0.0);
      TRY(mat_add(&b->a, row, b->ucol[i], -1.0));
      TRY(mat_add(&b->a, row, a0 + (int)d, 1.0));
      TRY(mat_add(&b->a, row, tk++, -1.0));
      for (size_t l = a; l < z; l++)
        if (gs->e[l].item == i) TRY(mat_add(&b->a, row, xcol(gs->e[l].x), -1.0));
    }
  }
  return 0;
}

static int group_rows(ilp *b, gscratch *gs, uint32_t gi) {
  const vmp__model *m = b->m;
  const vmp__mgroup *g = &m->groups[gi];
  size_t ndom = 0;
  int rc = 0;
  if (!g->hard && !(g->weight > 0.0)) return 0;
  gs->ne = 0;
  for (uint32_t k = 0; k < g->nitems; k++) {
    uint32_t i = g->items[k];
    if (!b->ucol[i]) continue;
    for (size_t x = b->xstart[i]; x < b->xstart[i + 1]; x++) {
      if (vmp__grow(&gs->e, &gs->ecap, gs->ne + 1, sizeof *gs->e)) return VMP_ENOMEM;
      gs->e[gs->ne].dom = vmp__model_dom(m, g->scope, b->kept[b->xk[x]]);
      gs->e[gs->ne].item = i;
      gs->e[gs->ne].x = (uint32_t)x;
      gs->ne++;
    }
  }
  if (gs->ne > 1) qsort(gs->e, gs->ne, sizeof *gs->e, cmp_entry); /* e is NULL when empty */
  for (size_t a = 0; a < gs->ne; a = dom_end(gs, a)) ndom++;
  for (uint32_t k = 0; k < g->nvms; k++) gs->mult[m->vm_item[g->vms[k]]]++;
  if (g->policy == VMP_ANTI_AFFINITY)
    rc = anti_rows(b, gs, gi);
  else if (ndom > 1 && g->hard)
    rc = hard_aff_rows(b, gs, gi);
  else if (ndom > 1)
    rc = soft_aff_rows(b, gs, gi);
  for (uint32_t k = 0; k < g->nvms; k++) gs->mult[m->vm_item[g->vms[k]]] = 0;
  return rc;
}

/* (A2) capacity, (A3) linking, (A9) balance, per kept host. */
static int host_rows(ilp *b, const size_t *hstart, const uint32_t *hx) {
  const vmp__model *m = b->m;
  int rc, row;
  for (size_t k = 0; k < b->nkept; k++) {
    size_t h = b->kept[k];
    for (uint32_t r = 0; r < m->nres; r++) {
      double cx = m->capx[h * m->nres + r], c = m->cap[h * m->nres + r];
      int any = 0;
      for (size_t j = hstart[k]; j < hstart[k + 1] && !any; j++)
        any = m->idem[(size_t)b->xitem[hx[j]] * m->nres + r] > 0.0;
      if (!any) continue;
      /* (A2) divided by the capacity: demands as fractions of it, so
       * that GLPK's tolerances and its cuts see coefficients near 1
       * whatever the units (capacities near 1e14 made a knapsack cut cut
       * off the optimum). */
      {
        double scale = cx > 0.0 ? cx : 1.0;
        NEWROW(row, GLP_UP, 0.0, 0.0);
        TRY(mat_add(&b->a, row, ycol(b, k), -cx / scale));
        for (size_t j = hstart[k]; j < hstart[k + 1]; j++) {
          double d = m->idem[(size_t)b->xitem[hx[j]] * m->nres + r];
          if (d > 0.0) TRY(mat_add(&b->a, row, xcol(hx[j]), d / scale));
        }
      }
      if (b->col_b && c > 0.0) {
        NEWROW(row, GLP_UP, 0.0, 0.0);
        TRY(mat_add(&b->a, row, b->col_b, -1.0));
        for (size_t j = hstart[k]; j < hstart[k + 1]; j++) {
          double d = m->idem[(size_t)b->xitem[hx[j]] * m->nres + r];
          if (d > 0.0) TRY(mat_add(&b->a, row, xcol(hx[j]), d / c));
        }
      }
    }
    for (size_t j = hstart[k]; j < hstart[k + 1]; j++) {
      uint32_t i = b->xitem[hx[j]];
      int empty = 1;
      for (uint32_t r = 0; r < m->nres && empty; r++) empty = !(m->idem[i * m->nres + r] > 0.0);
      /* Without a demand, only this row charges the host. */
      if (!b->linking && !empty) continue;
      if (b->lazy && !empty) {
        /* held back for the root LP's rounds (root_lp, add_links) */
        if (vmp__grow(&b->lzx, &b->lzcap, b->nlz + 1, sizeof *b->lzx)) return VMP_ENOMEM;
        b->lzx[b->nlz++] = hx[j];
        continue;
      }
      NEWROW(row, GLP_UP, 0.0, 0.0);
      TRY(mat_add(&b->a, row, xcol(hx[j]), 1.0));
      TRY(mat_add(&b->a, row, ycol(b, k), -1.0));
    }
  }
  return 0;
}

/* ---- transient resources, spread minimums, dependencies ------------------------------ */

/* Transient demand of item i on host h: what its members whose current
 * host is not h bring there (the others are already in tbase). */
static double transient_dem(const vmp__model *m, size_t i, size_t h, uint32_t r) {
  double d = 0.0;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    if (m->cur[v] != (int32_t)h) d += m->dem[(size_t)v * m->nres + r];
  }
  return d;
}

/* (T) per kept host and transient resource: what the VMs whose current
 * host is h hold there whatever happens (tbase), plus the transient
 * demand of the items moving in, within the capacity.  A host already
 * over capacity through tbase alone takes no newcomer (no placement can
 * mend it). */
static int transient_rows(ilp *b, const size_t *hstart, const uint32_t *hx) {
  const vmp__model *m = b->m;
  int rc, row;
  if (!m->tbase) return 0;
  for (size_t k = 0; k < b->nkept; k++) {
    size_t h = b->kept[k];
    for (uint32_t r = 0; r < m->nres; r++) {
      double cx = m->capx[h * m->nres + r], scale = cx > 0.0 ? cx : 1.0;
      double room = cx - m->tbase[h * m->nres + r];
      int any = 0;
      if (!((m->transient >> r) & 1u)) continue;
      for (size_t j = hstart[k]; j < hstart[k + 1] && !any; j++)
        any = transient_dem(m, b->xitem[hx[j]], h, r) > 0.0;
      if (!any) continue;
      NEWROW(row, GLP_UP, 0.0, (room > 0.0 ? room : 0.0) / scale);
      for (size_t j = hstart[k]; j < hstart[k + 1]; j++) {
        double d = transient_dem(m, b->xitem[hx[j]], h, r);
        if (d > 0.0) TRY(mat_add(&b->a, row, xcol(hx[j]), d / scale));
      }
    }
  }
  return 0;
}

/* (domain, item, x) of every x column of the items of VMs vms[0..n) in
 * the domains dom, sorted; gs->mult counts the VMs per item (left for the
 * caller to clear). */
static int collect(ilp *b, gscratch *gs, const uint32_t *vms, uint32_t n,
                   const uint32_t *dom) {
  const vmp__model *m = b->m;
  gs->ne = 0;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t i = m->vm_item[vms[k]];
    if (gs->mult[i]++ || !b->ucol[i]) continue;
    for (size_t x = b->xstart[i]; x < b->xstart[i + 1]; x++) {
      if (vmp__grow(&gs->e, &gs->ecap, gs->ne + 1, sizeof *gs->e)) return VMP_ENOMEM;
      gs->e[gs->ne].dom = dom[b->kept[b->xk[x]]];
      gs->e[gs->ne].item = i;
      gs->e[gs->ne].x = (uint32_t)x;
      gs->ne++;
    }
  }
  if (gs->ne > 1) qsort(gs->e, gs->ne, sizeof *gs->e, cmp_entry);
  return 0;
}

static void uncollect(const vmp__model *m, gscratch *gs, const uint32_t *vms, uint32_t n) {
  for (uint32_t k = 0; k < n; k++) gs->mult[m->vm_item[vms[k]]] = 0;
}

/* (S) hard spread over K = min_domains domains, n members: the placed
 * members cover at least min(K, placed) domains.
 *   c_d <= sum_{members' items i, h in d} x_ih      (c_d in [0,1])
 *   sum_d c_d + K q >= K                              (q = 0: cover K)
 *   sum_d c_d - n q + sum_i mult_i u_i >= -U0         (q = 1: cover placed)
 * where U0 counts members that can be placed nowhere.  Exact: with x
 * integral, sum c is at most the number of covered domains. */
static int spread_rows(ilp *b, gscratch *gs, uint32_t si) {
  const vmp__model *m = b->m;
  const vmp__mspread *sp = &m->spreads[si];
  const uint32_t *dom = m->rdoms[sp->doms].dom;
  int rc = 0, row, lo_k, lo_n, q;
  double u0 = 0.0;
  if (!sp->hard || sp->min_domains < 2) return 0;
  if ((rc = collect(b, gs, sp->vms, sp->nvms, dom))) goto out;
  if (!(q = add_aux(b, gs, COL_BIN, 1.0, 0.0, AUX_SPREAD_SHORT, si, 0))) {
    rc = vmp__enomem();
    goto out;
  }
  if (!(lo_k = mat_row(&b->a, GLP_LO, (double)sp->min_domains, 0.0)) ||
      !(lo_n = mat_row(&b->a, GLP_LO, 0.0, 0.0))) {
    rc = vmp__enomem();
    goto out;
  }
  if ((rc = mat_add(&b->a, lo_k, q, (double)sp->min_domains)) ||
      (rc = mat_add(&b->a, lo_n, q, -(double)sp->nvms)))
    goto out;
  /* one entry per item (GLPK refuses duplicates): its members count */
  for (uint32_t k = 0; k < sp->nvms; k++) {
    uint32_t i = m->vm_item[sp->vms[k]];
    if (!b->ucol[i]) {
      u0 += 1.0;
    } else if (gs->mult[i]) {
      if ((rc = mat_add(&b->a, lo_n, b->ucol[i], (double)gs->mult[i]))) goto out;
      gs->mult[i] = 0;
    }
  }
  b->a.rlo[lo_n] = -u0;
  for (size_t a = 0, z; a < gs->ne; a = z) {
    int c = add_aux(b, gs, COL_CONT, 1.0, 0.0, AUX_SPREAD_DOM, si, gs->e[a].dom);
    z = dom_end(gs, a);
    if (!c || !(row = mat_row(&b->a, GLP_UP, 0.0, 0.0))) {
      rc = vmp__enomem();
      goto out;
    }
    if ((rc = mat_add(&b->a, lo_k, c, 1.0)) || (rc = mat_add(&b->a, lo_n, c, 1.0)) ||
        (rc = mat_add(&b->a, row, c, 1.0)))
      goto out;
    for (size_t k = a; k < z; k++)
      if ((rc = mat_add(&b->a, row, xcol(gs->e[k].x), -1.0))) goto out;
  }
out:
  uncollect(m, gs, sp->vms, sp->nvms);
  return rc;
}

/* (D) hard dependency A -> B within a scope: w_d (in [0,1]) says B runs
 * in domain d,
 *   w_d <= sum_{B's items j, h in d} x_jh
 *   sum_{h in d} x_ih <= w_d          for every item i of A and domain d
 * (an item holding a VM of B satisfies itself; in a domain where B has no
 * column, A's columns there are held at 0). */
static int dep_rows(ilp *b, gscratch *gs, uint32_t di) {
  const vmp__model *m = b->m;
  const vmp__mdep *dp = &m->deps[di];
  const uint32_t *dom = m->rdoms[dp->doms].dom;
  entry *ea = NULL;
  int32_t *wcol = NULL;
  uint8_t *inb = NULL;
  size_t na = 0;
  int rc = 0, row;
  if (!dp->hard) return 0;
  wcol = calloc(m->rdoms[dp->doms].ndom + 1, sizeof *wcol);
  inb = calloc(m->nitems + 1, 1);
  if (!wcol || !inb) {
    rc = vmp__enomem();
    goto out;
  }
  /* A's columns, kept aside; then B's in gs */
  if ((rc = collect(b, gs, dp->a, dp->na, dom))) goto out;
  uncollect(m, gs, dp->a, dp->na);
  if (gs->ne && !(ea = malloc(gs->ne * sizeof *ea))) {
    rc = vmp__enomem();
    goto out;
  }
  if (gs->ne) memcpy(ea, gs->e, gs->ne * sizeof *ea);
  na = gs->ne;
  if ((rc = collect(b, gs, dp->b, dp->nb, dom))) goto out;
  for (uint32_t k = 0; k < dp->nb; k++) inb[m->vm_item[dp->b[k]]] = 1;
  uncollect(m, gs, dp->b, dp->nb);
  for (size_t a = 0, z; a < gs->ne; a = z) {
    int w = add_aux(b, gs, COL_CONT, 1.0, 0.0, AUX_DEP_DOM, di, gs->e[a].dom);
    z = dom_end(gs, a);
    if (!w || !(row = mat_row(&b->a, GLP_UP, 0.0, 0.0))) {
      rc = vmp__enomem();
      goto out;
    }
    wcol[gs->e[a].dom] = w;
    if ((rc = mat_add(&b->a, row, w, 1.0))) goto out;
    for (size_t k = a; k < z; k++)
      if ((rc = mat_add(&b->a, row, xcol(gs->e[k].x), -1.0))) goto out;
  }
  /* ea is sorted by (domain, item): one row per run */
  for (size_t a = 0, z; a < na; a = z) {
    for (z = a; z < na && ea[z].dom == ea[a].dom && ea[z].item == ea[a].item; z++) {}
    if (inb[ea[a].item]) continue;
    if (!(row = mat_row(&b->a, GLP_UP, 0.0, 0.0))) {
      rc = vmp__enomem();
      goto out;
    }
    if (wcol[ea[a].dom] && (rc = mat_add(&b->a, row, wcol[ea[a].dom], -1.0))) goto out;
    for (size_t k = a; k < z; k++)
      if ((rc = mat_add(&b->a, row, xcol(ea[k].x), 1.0))) goto out;
  }
out:
  free(ea);
  free(wcol);
  free(inb);
  return rc;
}

/* ---- implied covering rows ----------------------------------------------------------- */

/* Largest number of allowed classes whose hosts get rows (A13). */
#define COVER_MAX_SETS 64

/* (A13) for a set S of kept hosts (inS) and every resource r: the items
 * whose every x column lies in S are placed in S or unplaced, so
 *   sum_{h in S} capx_hr y_h + sum_i d_ir u_i >= sum_i d_ir,
 * the sum of S's capacity rows (A2) with the linking of load to y.  The
 * relaxation already implies it; as a row of integer y's it is what
 * GLPK's MIR, cover and Gomory cuts round (a host is bought whole). */
static int cover_set_rows(ilp *b, const uint8_t *inS, uint8_t *in) {
  const vmp__model *m = b->m;
  int rc, row;
  size_t nin = 0;
  for (size_t i = 0; i < m->nitems; i++) {
    in[i] = 0;
    if (!b->ucol[i] || b->xstart[i] == b->xstart[i + 1]) continue;
    in[i] = 1;
    for (size_t x = b->xstart[i]; x < b->xstart[i + 1] && in[i]; x++) in[i] = inS[b->xk[x]];
    nin += in[i];
  }
  if (!nin) return 0;
  for (uint32_t r = 0; r < m->nres; r++) {
    double dsum = 0.0, scale = 0.0;
    for (size_t i = 0; i < m->nitems; i++)
      if (in[i]) dsum += m->idem[i * m->nres + r];
    for (size_t k = 0; k < b->nkept; k++)
      if (inS[k] && m->capx[(size_t)b->kept[k] * m->nres + r] > scale)
        scale = m->capx[(size_t)b->kept[k] * m->nres + r];
    if (!(dsum > 0.0) || !(scale > 0.0)) continue;
    NEWROW(row, GLP_LO, dsum / scale, 0.0);
    for (size_t k = 0; k < b->nkept; k++) {
      double c = m->capx[(size_t)b->kept[k] * m->nres + r];
      if (inS[k] && c > 0.0) TRY(mat_add(&b->a, row, ycol(b, k), c / scale));
    }
    for (size_t i = 0; i < m->nitems; i++)
      if (in[i] && m->idem[i * m->nres + r] > 0.0)
        TRY(mat_add(&b->a, row, b->ucol[i], m->idem[i * m->nres + r] / scale));
    b->ncover++;
  }
  return 0;
}

/* (A14) a hard host-scope anti-affinity group of n items whose x columns
 * lie on the kept hosts U: n - (unplaced members) distinct hosts of U are
 * used,  sum_{h in U} y_h + sum_i u_i >= n. */
static int anti_count_rows(ilp *b, uint8_t *inU) {
  const vmp__model *m = b->m;
  int rc, row;
  for (uint32_t gi = 0; gi < m->ngroups; gi++) {
    const vmp__mgroup *g = &m->groups[gi];
    uint32_t n = 0;
    size_t nu = 0;
    if (!g->hard || g->policy != VMP_ANTI_AFFINITY || m->scopes[g->scope].dom != NULL) continue;
    memset(inU, 0, b->nkept);
    for (uint32_t k = 0; k < g->nitems; k++) {
      uint32_t i = g->items[k];
      if (!b->ucol[i]) continue;
      n++;
      for (size_t x = b->xstart[i]; x < b->xstart[i + 1]; x++)
        if (!inU[b->xk[x]]) {
          inU[b->xk[x]] = 1;
          nu++;
        }
    }
    if (n < 2 || nu < 2) continue;
    NEWROW(row, GLP_LO, (double)n, 0.0);
    for (size_t k = 0; k < b->nkept; k++)
      if (inU[k]) TRY(mat_add(&b->a, row, ycol(b, k), 1.0));
    for (uint32_t k = 0; k < g->nitems; k++)
      if (b->ucol[g->items[k]]) TRY(mat_add(&b->a, row, b->ucol[g->items[k]], 1.0));
    b->ncover++;
  }
  return 0;
}

/* (A13) over every kept host and over the hosts of each allowed class
 * (when there are few classes), then (A14). */
static int cover_rows(ilp *b) {
  const vmp__model *m = b->m;
  uint8_t *inS = malloc(b->nkept + 1), *in = malloc(m->nitems + 1), *prev = NULL;
  uint32_t nsets = m->naclasses <= COVER_MAX_SETS ? m->naclasses : 0;
  int rc = 0;
  if (!inS || !in || !(prev = calloc((size_t)(nsets + 1) * (b->nkept + 1), 1))) {
    rc = vmp__enomem();
    goto out;
  }
  memset(inS, 1, b->nkept + 1);
  memcpy(prev, inS, b->nkept);
  if ((rc = cover_set_rows(b, inS, in))) goto out;
  for (uint32_t a = 0; a < nsets; a++) {
    int dup = 0;
    for (size_t k = 0; k < b->nkept; k++)
      inS[k] = vmp__hostset_has(&m->aclasses[a].allowed, b->kept[k]) ? 1 : 0;
    /* the same host set as the whole or an earlier class: no new row */
    for (uint32_t p = 0; p <= a && !dup; p++)
      dup = !memcmp(prev + (size_t)p * (b->nkept + 1), inS, b->nkept);
    memcpy(prev + (size_t)(a + 1) * (b->nkept + 1), inS, b->nkept);
    if (!dup && (rc = cover_set_rows(b, inS, in))) goto out;
  }
  rc = anti_count_rows(b, inS);
out:
  free(inS);
  free(in);
  free(prev);
  return rc;
}

/* Every column and row, in arrays: nothing of GLPK is touched yet. */
static int build(ilp *b) {
  const vmp__model *m = b->m;
  size_t colcap = 0, *hstart = NULL;
  uint32_t *hx = NULL, *fill = NULL;
  gscratch gs;
  int rc = 0, row;
  memset(&gs, 0, sizeof gs);
  gs.colcap = &colcap;
  if (b->nx + 16 > (size_t)INT_MAX / 2) return vmp__error(VMP_ERANGE, "ilp: too many columns");
  {
    size_t c1 = 0, c2 = 0;
    if (vmp__grow(&b->obj, &c1, b->nx + 2, sizeof *b->obj) ||
        vmp__grow(&b->ub, &c2, b->nx + 2, sizeof *b->ub) ||
        vmp__grow(&b->ckind, &colcap, b->nx + 2, sizeof *b->ckind))
      return VMP_ENOMEM;
  }
  /* (A0) objective of x: soft rules and migrations */
  for (size_t x = 0; x < b->nx; x++) {
    size_t i = b->xitem[x], h = b->kept[b->xk[x]];
    b->obj[x + 1] = vmp__model_soft(m, i, h) + vmp__model_migcost(m, i, h);
    b->ub[x + 1] = 1.0;
    b->ckind[x + 1] = COL_BIN;
  }
  b->ncols = (int)b->nx;
  b->col_y = b->ncols + 1;
  for (size_t k = 0; k < b->nkept; k++)
    if (!add_col(b, &colcap, COL_BIN, 1.0, m->w.cost * m->cost[b->kept[k]])) return vmp__enomem();
  b->ucol = calloc(m->nitems + 1, sizeof *b->ucol);
  if (!b->ucol) return vmp__enomem();
  b->col_u = b->ncols + 1;
  for (size_t i = 0; i < m->nitems; i++)
    if (!m->item_unplaceable[i] &&
        !(b->ucol[i] = add_col(b, &colcap, COL_BIN, 1.0, m->item_pen[i])))
      return vmp__enomem();
  if (m->w.balance > 0.0 && !(b->col_b = add_col(b, &colcap, COL_CONT, HUGE_VAL, m->w.balance)))
    return vmp__enomem();
  b->col_aux = b->ncols + 1;

  /* (A1) assignment */
  for (size_t i = 0; i < m->nitems; i++) {
    if (!b->ucol[i]) continue;
    NEWROW(row, GLP_FX, 1.0, 1.0);
    TRY(mat_add(&b->a, row, b->ucol[i], 1.0));
    for (size_t x = b->xstart[i]; x < b->xstart[i + 1]; x++) TRY(mat_add(&b->a, row, xcol(x), 1.0));
  }
  /* (A10) used hosts of a class come first */
  if (b->symmetry)
    for (uint32_t c = 0; c < m->nhclasses; c++)
      for (uint32_t k = b->kstart[c] + 1; k < b->kstart[c + 1]; k++) {
        NEWROW(row, GLP_UP, 0.0, 0.0);
        TRY(mat_add(&b->a, row, ycol(b, k), 1.0));
        TRY(mat_add(&b->a, row, ycol(b, k - 1), -1.0));
      }
  hstart = calloc(b->nkept + 1, sizeof *hstart);
  hx = malloc((b->nx + 1) * sizeof *hx);
  fill = calloc(b->nkept + 1, sizeof *fill);
  gs.mult = calloc(m->nitems + 1, sizeof *gs.mult);
  if (!hstart || !hx || !fill || !gs.mult) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t x = 0; x < b->nx; x++) hstart[b->xk[x] + 1]++;
  for (size_t k = 0; k < b->nkept; k++) hstart[k + 1] += hstart[k];
  for (size_t x = 0; x < b->nx; x++) hx[hstart[b->xk[x]] + fill[b->xk[x]]++] = (uint32_t)x;
  if ((rc = host_rows(b, hstart, hx))) goto out;
  for (uint32_t g = 0; g < m->ngroups && !rc; g++) rc = group_rows(b, &gs, g);
  if (rc) goto out;
  if (b->cover_rows && (rc = cover_rows(b))) goto out;
  b->naux_groups = b->naux;
  if ((rc = transient_rows(b, hstart, hx))) goto out;
  for (uint32_t k = 0; k < m->nspreads && !rc; k++) rc = spread_rows(b, &gs, k);
  for (uint32_t k = 0; k < m->ndeps && !rc; k++) rc = dep_rows(b, &gs, k);
  if (rc) goto out;
  /* The objective is integral when every coefficient is (B is the only
   * continuous column whose value is not forced to an integer). */
  b->int_obj = b->obj_const == floor(b->obj_const) && !b->col_b;
  for (int j = 1; j <= b->ncols && b->int_obj; j++)
    if (b->obj[j] != floor(b->obj[j]) || !isfinite(b->obj[j])) b->int_obj = 0;
out:
  VMP__FREE_ALL(hstart, hx, fill, gs.e, gs.mult);
  return rc;
}

/* ---- the warm start as a column vector ----------------------------------------------- */

typedef struct used {
  uint32_t first;        /* smallest symmetry position of its items */
  uint32_t h;
} used;

static int cmp_used(const void *a, const void *b) {
  const used *x = a, *y = b;
  if (x->first != y->first) return x->first < y->first ? -1 : 1;
  return (x->h > y->h) - (x->h < y->h);
}

/* Renames the hosts of each class so that the warm start satisfies (A10)
 * and (A11): used hosts sorted by their first item in the symmetry order
 * take the class's first positions.  Hosts of a class are
 * interchangeable, so the objective does not change.  0 when some used
 * host has no kept position (the warm start then stays out of GLPK). */
static int permute_incumbent(ilp *b) {
  const vmp__model *m = b->m;
  uint32_t *first = malloc((m->nhosts + 1) * sizeof *first);
  int32_t *map = malloc((m->nhosts + 1) * sizeof *map);
  used *u = malloc((m->nhosts + 1) * sizeof *u);
  int ok = 1;
  if (!first || !map || !u) {
    free(first);
    free(map);
    free(u);
    return vmp__enomem();
  }
  for (size_t h = 0; h < m->nhosts; h++) {
    first[h] = UINT32_MAX;
    map[h] = (int32_t)h;
  }
  for (size_t i = 0; i < m->nitems; i++)
    if (b->inc[i] >= 0 && b->opos[i] < first[b->inc[i]]) first[b->inc[i]] = b->opos[i];
  for (uint32_t c = 0; c < m->nhclasses && ok; c++) {
    size_t n = 0;
    for (uint32_t k = m->hclass_start[c]; k < m->hclass_start[c + 1]; k++) {
      uint32_t h = m->hclass_hosts[k];
      if (first[h] == UINT32_MAX) continue;
      u[n].first = first[h];
      u[n++].h = h;
    }
    if (n > (size_t)(b->kstart[c + 1] - b->kstart[c])) {
      ok = 0;
      break;
    }
    /* Without symmetry breaking any order will do; the host limit still
     * keeps only the class's first hosts. */
    if (b->symmetry) qsort(u, n, sizeof *u, cmp_used);
    for (size_t k = 0; k < n; k++) map[u[k].h] = (int32_t)b->kept[b->kstart[c] + k];
  }
  if (ok)
    for (size_t i = 0; i < m->nitems; i++)
      if (b->inc[i] >= 0) b->inc[i] = map[b->inc[i]];
  free(first);
  free(map);
  free(u);
  return ok;
}

/* 1 when a VM of vms[0..n) is placed by the warm start in domain d of
 * dom. */
static int inc_in_dom(const ilp *b, const uint32_t *vms, uint32_t n,
                      const uint32_t *dom, uint32_t d) {
  for (uint32_t k = 0; k < n; k++) {
    int32_t h = b->inc[b->m->vm_item[vms[k]]];
    if (h >= 0 && dom[h] == d) return 1;
  }
  return 0;
}

/* The warm start's value of a spread or dependency column. */
static double reassign_aux_value(const ilp *b, const aux *x) {
  const vmp__model *m = b->m;
  if (x->kind == AUX_DEP_DOM) {
    const vmp__mdep *dp = &m->deps[x->g];
    return inc_in_dom(b, dp->b, dp->nb, m->rdoms[dp->doms].dom, x->k);
  } else {
    const vmp__mspread *sp = &m->spreads[x->g];
    uint32_t placed = 0;
    if (x->kind == AUX_SPREAD_DOM)
      return inc_in_dom(b, sp->vms, sp->nvms, m->rdoms[sp->doms].dom, x->k);
    for (uint32_t k = 0; k < sp->nvms; k++) placed += b->inc[m->vm_item[sp->vms[k]]] >= 0;
    return placed < sp->min_domains ? 1.0 : 0.0;
  }
}

/* Column values of the warm start: x, y, u, the balance and every
 * auxiliary column at the value the constraints force.  0 when it has no
 * column (then it is not injected). */
static int incumbent_columns(ilp *b) {
  const vmp__model *m = b->m;
  double *x, *load = NULL, obj;
  int rc = 1;
  b->xinc = x = calloc((size_t)b->ncols + 1, sizeof *x);
  load = calloc(b->nkept * m->nres + 1, sizeof *load);
  if (!x || !load) {
    free(load);
    return vmp__enomem();
  }
  for (size_t i = 0; i < m->nitems && rc; i++) {
    int32_t h = b->inc[i];
    size_t k;
    if (!b->ucol[i]) continue;
    if (h < 0) {
      x[b->ucol[i]] = 1.0;
      continue;
    }
    for (k = b->xstart[i]; k < b->xstart[i + 1] && b->kept[b->xk[k]] != (uint32_t)h; k++) {}
    if (k == b->xstart[i + 1]) {
      rc = 0;
      break;
    }
    x[xcol(k)] = 1.0;
    x[ycol(b, b->xk[k])] = 1.0;
    for (uint32_t r = 0; r < m->nres; r++)
      load[(size_t)b->xk[k] * m->nres + r] += m->idem[i * m->nres + r];
  }
  if (rc && b->col_b)
    for (size_t k = 0; k < b->nkept; k++)
      for (uint32_t r = 0; r < m->nres; r++) {
        double c = m->cap[(size_t)b->kept[k] * m->nres + r];
        if (c > 0.0 && load[k * m->nres + r] / c > x[b->col_b]) x[b->col_b] = load[k * m->nres + r] / c;
      }
  /* auxiliary columns, group by group (they were created in that order) */
  for (size_t a = 0, z; rc && a < b->naux_groups; a = z) {
    const vmp__mgroup *g = &m->groups[b->aux[a].g];
    uint32_t best_dom = UINT32_MAX;
    double best = -1.0;
    for (z = a; z < b->naux_groups && b->aux[z].g == b->aux[a].g; z++) {}
    /* Members per domain (VM-weighted), for every kind. */
    for (size_t k = a; k < z; k++) {
      double n = 0.0;
      if (b->aux[k].kind == AUX_SOFT_AFF_OUT) continue;
      for (uint32_t v = 0; v < g->nvms; v++) {
        int32_t h = b->inc[m->vm_item[g->vms[v]]];
        if (h >= 0 && vmp__model_dom(m, g->scope, (size_t)h) == b->aux[k].k) n += 1.0;
      }
      switch (b->aux[k].kind) {
        case AUX_SOFT_ANTI: x[b->col_aux + (int)k] = n > 1.0 ? n - 1.0 : 0.0; break;
        case AUX_HARD_AFF_DOM: x[b->col_aux + (int)k] = n > 0.0 ? 1.0 : 0.0; break;
        default:
          if (n > best) {
            best = n;
            best_dom = b->aux[k].k;
          }
      }
    }
    for (size_t k = a; k < z; k++) {
      if (b->aux[k].kind == AUX_SOFT_AFF_DOM) {
        x[b->col_aux + (int)k] = b->aux[k].k == best_dom ? 1.0 : 0.0;
      } else if (b->aux[k].kind == AUX_SOFT_AFF_OUT) {
        int32_t h = b->inc[b->aux[k].k];
        x[b->col_aux + (int)k] =
            h >= 0 && vmp__model_dom(m, g->scope, (size_t)h) != best_dom ? 1.0 : 0.0;
      }
    }
  }
  for (size_t a = b->naux_groups; rc && a < b->naux; a++)
    x[b->col_aux + (int)a] = reassign_aux_value(b, &b->aux[a]);
  if (rc) {
    /* GLPK will believe this objective: it must be the evaluator's. */
    obj = b->obj_const;
    for (int j = 1; j <= b->ncols; j++) obj += b->obj[j] * x[j];
    if (fabs(obj - b->inc_obj) > 1e-6 * (fabs(b->inc_obj) > 1.0 ? fabs(b->inc_obj) : 1.0)) {
      vmp__ctx_log(b->ctx, VMP_LOG_WARN,
                   "ilp: warm start objective %.10g in the model, %.10g evaluated; "
                   "not injected",
                   obj, b->inc_obj);
      rc = 0;
    }
  }
  free(load);
  if (!rc) {
    free(b->xinc);
    b->xinc = NULL;
  }
  return rc;
}

/* ---- GLPK ---------------------------------------------------------------------------------- */

static void set_names(const ilp *b) {
  const vmp__model *m = b->m;
  char nm[64];
  for (size_t x = 0; x < b->nx; x++) {
    snprintf(nm, sizeof nm, "x_%u_%u", (unsigned)b->xitem[x], (unsigned)b->kept[b->xk[x]]);
    glp_set_col_name(b->lp, xcol(x), nm);
  }
  for (size_t k = 0; k < b->nkept; k++) {
    snprintf(nm, sizeof nm, "y_%u", (unsigned)b->kept[k]);
    glp_set_col_name(b->lp, ycol(b, k), nm);
  }
  for (size_t i = 0; i < m->nitems; i++)
    if (b->ucol[i]) {
      snprintf(nm, sizeof nm, "u_%u", (unsigned)i);
      glp_set_col_name(b->lp, b->ucol[i], nm);
    }
  if (b->col_b) glp_set_col_name(b->lp, b->col_b, "balance");
  for (size_t a = 0; a < b->naux; a++) {
    static const char *const pre[] = {"s", "a", "t", "z", "c", "q", "w"};
    snprintf(nm, sizeof nm, "%s_%u_%u", pre[b->aux[a].kind], (unsigned)b->aux[a].g,
             (unsigned)b->aux[a].k);
    glp_set_col_name(b->lp, b->col_aux + (int)a, nm);
  }
  for (size_t r = 1; r <= b->a.nrows; r++) {
    snprintf(nm, sizeof nm, "r%zu", r);
    glp_set_row_name(b->lp, (int)r, nm);
  }
}

/* Loads the arrays into a new GLPK problem (inside the guard). */
static void load(ilp *b) {
  glp_prob *lp = b->lp = glp_create_prob();
  glp_set_prob_name(lp, "vmplace_assignment");
  glp_set_obj_dir(lp, GLP_MIN);
  glp_set_obj_coef(lp, 0, b->obj_const);
  if (b->ncols) glp_add_cols(lp, b->ncols);
  for (int j = 1; j <= b->ncols; j++) {
    if (b->ckind[j] == COL_BIN) {
      glp_set_col_kind(lp, j, GLP_BV);
    } else if (b->ub[j] < HUGE_VAL) {
      glp_set_col_bnds(lp, j, GLP_DB, 0.0, b->ub[j]);
    } else {
      glp_set_col_bnds(lp, j, GLP_LO, 0.0, 0.0);
    }
    glp_set_obj_coef(lp, j, b->obj[j]);
  }
  if (b->a.nrows) glp_add_rows(lp, (int)b->a.nrows);
  for (size_t r = 1; r <= b->a.nrows; r++) {
    int t = b->a.rtype[r];
    double lo = b->a.rlo[r], hi = b->a.rhi[r];
    if (t == GLP_UP) lo = 0.0;
    glp_set_row_bnds(lp, (int)r, t, lo, hi);
  }
  glp_load_matrix(lp, (int)b->a.nnz, b->a.ia, b->a.ja, b->a.ar);
  if (b->names) set_names(b);
}

/* Bound of the tree rounded up when every placement's objective is an
 * integer. */
static double round_bound(const ilp *b, double v) {
  double tol = 1e-7 * (fabs(v) > 1.0 ? fabs(v) : 1.0);
  if (!b->int_obj || !isfinite(v)) return v;
  /* The tolerance absorbs the LP's rounding, never a whole unit. */
  return ceil(v - (tol < 0.25 ? tol : 0.25));
}

/* Branches on a fractional y: which hosts are bought decides the cost,
 * and fixing them first turns what is left into a packing the LP bounds
 * well.  The dearest host among the most fractional goes first; the
 * branch that buys it first (the warm start's hosts are bought).  GLPK's
 * own rule chooses when every y is integral. */
static void branch_hosts(ilp *b, glp_tree *T) {
  glp_prob *P = glp_ios_get_prob(T);
  int best = 0;
  double score = 0.0;
  for (size_t k = 0; k < b->nkept; k++) {
    int j = ycol(b, k);
    double v, f, s;
    if (!glp_ios_can_branch(T, j)) continue;
    v = glp_get_col_prim(P, j);
    f = v - floor(v);
    s = (f < 1.0 - f ? f : 1.0 - f) * (1.0 + b->obj[j]);
    if (s > score) {
      score = s;
      best = j;
    }
  }
  if (best) glp_ios_branch_upon(T, best, GLP_UP_BRNCH);
}

static const char *reason_name(int r) {
  switch (r) {
    case GLP_ISELECT: return "node selection";
    case GLP_IPREPRO: return "preprocessing";
    case GLP_IROWGEN: return "row generation";
    case GLP_IHEUR: return "heuristic";
    case GLP_ICUTGEN: return "cut generation";
    case GLP_IBRANCH: return "branching";
    case GLP_IBINGO: return "new solution";
    default: return "start";
  }
}

/* Times GLPK's steps (vmp__glpk_steps) and keeps the next one from running
 * past the limit; logs the long ones.  1 when the search must stop. */
static int guard_step(ilp *b, glp_tree *T) {
  vmp__glpk_steps *s = &b->steps;
  double before = s->longest[s->reason & 7], step = s->out > 0.0 ? vmp__now() - s->out : 0.0;
  double left = vmp__ctx_remaining(b->ctx);
  int act = vmp__glpk_steps_enter(s, T, left);
  if (step >= 1.0 || (step > before && step >= 0.25))
    vmp__ctx_log(b->ctx, VMP_LOG_DEBUG, "ilp: GLPK took %.2f s from %s to %s, %.2f s left", step,
                 reason_name(s->reason), reason_name(glp_ios_reason(T)), left);
  if (s->rows_guess >= 0.25 &&
      (glp_ios_reason(T) == GLP_ICUTGEN || glp_ios_reason(T) == GLP_IBRANCH))
    vmp__ctx_log(b->ctx, VMP_LOG_DEBUG, "ilp: the node's tableau rows priced at %.2f s before %s",
                 s->rows_guess, reason_name(glp_ios_reason(T)));
  if (act == VMP__GLPK_CUTS_OFF)
    vmp__ctx_log(b->ctx, VMP_LOG_INFO,
                 "ilp: %.2f s left, a round of cuts would take up to %.2f s: no more cuts",
                 left, s->round);
  if (act == VMP__GLPK_STOP)
    vmp__ctx_log(b->ctx, VMP_LOG_INFO,
                 "ilp: %.2f s left, the step after %s took up to %.2f s: search stopped", left,
                 reason_name(glp_ios_reason(T)), s->longest[glp_ios_reason(T) & 7]);
  if (act == VMP__GLPK_CHEAP_BRANCH)
    vmp__ctx_log(b->ctx, VMP_LOG_INFO,
                 "ilp: %.2f s left, GLPK's branching rule would take about %.2f s "
                 "(a tableau row per fractional column): most fractional column instead",
                 left, s->rows_guess);
  return act == VMP__GLPK_STOP;
}

/* The tree grows with the nodes and cuts: the search stops when GLPK's
 * own count (glp_mem_usage) reaches its share of ilp.max_memory_mb (the
 * budget less the rest of the process, less a reserve for the next
 * step). */
static int over_budget(ilp *b) {
  size_t total = 0;
  double share = b->max_memory_mb - b->mem.base - b->mem.ours - MEM_STEP_RESERVE * b->mem.model;
  glp_mem_usage(NULL, NULL, &total, NULL);
  if ((double)total / (1024.0 * 1024.0) <= share) return 0;
  vmp__ctx_log(b->ctx, VMP_LOG_INFO,
               "ilp: GLPK holds %.0f MB, its share of ilp.max_memory_mb (%.0f) is %.0f MB: "
               "search stopped",
               (double)total / (1024.0 * 1024.0), b->max_memory_mb, share);
  return 1;
}

/* GLPK's callback: bounds, the warm start, the proof by a bound, the
 * clock, and the branching on hosts.  Every reason may stop the search. */
static void on_tree(glp_tree *T, void *info) {
  ilp *b = info;
  glp_prob *P = glp_ios_get_prob(T);
  int p = glp_ios_best_node(T), a, t, reason = glp_ios_reason(T);
  double inc = HUGE_VAL, bound;
  int stop = guard_step(b, T);
  if (p && !b->unreliable) {
    double nb = round_bound(b, glp_ios_node_bound(T, p));
    if (nb > b->tree_bound) b->tree_bound = nb;
  }
  if (reason == GLP_IHEUR && b->xinc && !b->injected) {
    b->injected = 1;
    b->accepted = glp_ios_heur_sol(T, b->xinc) == 0;
  }
  if (glp_mip_status(P) == GLP_FEAS || glp_mip_status(P) == GLP_OPT) inc = glp_mip_obj_val(P);
  bound = b->tree_bound > b->ext_bound ? b->tree_bound : b->ext_bound;
  glp_ios_tree_size(T, &a, &b->nodes, &t);
  b->nodes = t;
  if (!b->proved && !b->stopped) {
    if (inc < HUGE_VAL && inc - bound <= 1e-6 * (fabs(inc) > 1.0 ? fabs(inc) : 1.0)) {
      /* The warm start or a solution meets a bound GLPK does not know. */
      b->proved = 1;
    } else if (vmp__ctx_progress(b->ctx, inc, bound, (uint64_t)t, b->placed, 0) || stop) {
      b->stopped = 1;
    } else if (over_budget(b)) {
      b->stopped = b->mem_stopped = 1;
    }
  }
  if (b->proved || b->stopped) {
    glp_ios_terminate(T);
  } else if (reason == GLP_IBRANCH && b->branch_hosts) {
    branch_hosts(b, T);
  }
  vmp__glpk_steps_leave(&b->steps, T);
}

/* Reads GLPK's integer solution into b->sol. */
static void read_solution(ilp *b) {
  const vmp__model *m = b->m;
  for (size_t i = 0; i < m->nitems; i++) b->sol[i] = -1;
  for (size_t x = 0; x < b->nx; x++)
    if (glp_mip_col_val(b->lp, xcol(x)) > 0.5) b->sol[b->xitem[x]] = (int32_t)b->kept[b->xk[x]];
}

static const char *glpk_rc_name(int rc) {
  switch (rc) {
    case 0: return "ok";
    case GLP_EBOUND: return "GLP_EBOUND (invalid bounds)";
    case GLP_EROOT: return "GLP_EROOT (no optimal root LP)";
    case GLP_ENOPFS: return "GLP_ENOPFS (no primal feasible solution)";
    case GLP_ENODFS: return "GLP_ENODFS (no dual feasible solution)";
    case GLP_EFAIL: return "GLP_EFAIL (solver failure)";
    case GLP_EMIPGAP: return "GLP_EMIPGAP";
    case GLP_ETMLIM: return "GLP_ETMLIM";
    case GLP_ESTOP: return "GLP_ESTOP";
    case GLP_EITLIM: return "GLP_EITLIM";
    case GLP_ESING: return "GLP_ESING (singular basis)";
    case GLP_ECOND: return "GLP_ECOND (ill-conditioned basis)";
    default: return "unknown";
  }
}

/* The reserve GLPK's time limit keeps per nonzero (glpk_seconds). */
#define GLPK_SECONDS_PER_NONZERO 3e-7

/* Seconds GLPK may take: the time left, less what one simplex iteration
 * and the way out cost on a model this size (GLPK looks at the clock
 * between iterations; 1.4 s over on 3.5 million nonzeros without it). */
static double glpk_seconds(const ilp *b) {
  return vmp__ctx_remaining(b->ctx) - GLPK_SECONDS_PER_NONZERO * (double)b->a.nnz;
}

/* Seconds a round of cuts is taken to need per nonzero before one is
 * timed, without the root LP's time to go by (measured on 240,000
 * nonzeros at load 6: 1.0 s with MIR cuts, under 0.25 s with cover and
 * clique cuts alone). */
#define CUT_SECONDS_PER_NONZERO 5e-6

/* Above this many columns GLPK's Gomory cuts are off (run_glpk). */
#define GOMORY_MAX_COLUMNS 20000

/* What the run established (mapped from GLPK's codes by run_glpk). */
typedef struct outcome {
  int have_sol;          /* b->sol holds GLPK's placement */
  int optimal;           /* proven optimal (GLPK or a bound) */
  int stop_reason;
} outcome;

/* Adds held-back linking rows (A3) x <= y to the GLPK problem: with
 * all = 0 those the current LP solution breaks, otherwise every one
 * left.  Returns how many.  Any subset is valid: for an item with a
 * demand, (A2) already forces x = 0 on a host with y = 0, so (A3) only
 * tightens the relaxation. */
static size_t add_links(ilp *b, int all) {
  size_t n = 0;
  for (size_t l = 0; l < b->nlz; l++) {
    int ind[3], row;
    double val[3] = {0.0, 1.0, -1.0};
    if (b->lzin[l]) continue;
    ind[1] = xcol(b->lzx[l]);
    ind[2] = ycol(b, b->xk[b->lzx[l]]);
    if (!all && glp_get_col_prim(b->lp, ind[1]) <= glp_get_col_prim(b->lp, ind[2]) + 1e-9)
      continue;
    row = glp_add_rows(b->lp, 1);
    glp_set_row_bnds(b->lp, row, GLP_UP, 0.0, 0.0);
    glp_set_mat_row(b->lp, row, 2, ind, val);
    /* The problem was scaled before the row existed: give it the scale
     * GLPK's geometric mean would (unscaled, a row over columns of very
     * different scales made its dual simplex report a feasible LP
     * infeasible). */
    glp_set_rii(b->lp, row, 1.0 / sqrt(glp_get_sjj(b->lp, ind[1]) * glp_get_sjj(b->lp, ind[2])));
    b->lzin[l] = 1;
    b->lz_rows++;
    n++;
  }
  return n;
}

/* The root LP (dual simplex).  With ilp.lazy_linking it starts without
 * the linking rows of items with a demand (on 200 VMs x 50 hosts, 9,477
 * of them made the root take 28.7 s instead of 1.0 s) and
 * adds those its solution breaks, re-solving from the last basis, until
 * none is broken: that LP's optimum is the whole model's.  With
 * ilp.lazy_linking = 1 the others follow before the branch and bound
 * (the new rows hold at the optimum, so the basis stays optimal).
 * Returns 0 with an optimal root, 1 when the time ran out (stop reason
 * set), or an error. */
static int root_lp(ilp *b, glp_smcp *smcp, outcome *out) {
  vmp__ctx *ctx = b->ctx;
  int rc, st, last = 0, retried = 0;
  if (b->nlz && !(b->lzin = calloc(b->nlz, 1))) return vmp__enomem();
  for (;;) {
    size_t n;
    smcp->tm_lim = vmp__glpk_ms(glpk_seconds(b));
    rc = glp_simplex(b->lp, smcp);
    vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: root LP ended (%s) at %.3f s", glpk_rc_name(rc),
                 vmp__now() - ctx->t_start);
    if (rc == GLP_ETMLIM || rc == GLP_EITLIM) {
      out->stop_reason = vmp__ctx_stop_reason(ctx);
      if (out->stop_reason == VMP_STOP_COMPLETED) out->stop_reason = VMP_STOP_TIME_LIMIT;
      return 1;
    }
    if (rc)
      return vmp__error(VMP_ESOLVER, "ilp: the root LP failed: glp_simplex returned %s",
                        glpk_rc_name(rc));
    st = glp_get_status(b->lp);
    if (st != GLP_OPT && b->lz_rows && !retried) {
      /* Not seen since the rows are scaled; should GLPK stumble on an
       * added row again, the whole model, scaled anew, from the
       * standard basis. */
      vmp__ctx_log(ctx, VMP_LOG_WARN,
                   "ilp: the root LP with %zu linking rows added has status %d; "
                   "solving it again with every row",
                   b->lz_rows, st);
      add_links(b, 1);
      glp_scale_prob(b->lp, GLP_SF_AUTO);
      glp_std_basis(b->lp);
      retried = last = 1;
      continue;
    }
    if (st != GLP_OPT)
      return vmp__error(VMP_EINTERNAL,
                        "ilp: the root LP has status %d; the model always has a "
                        "solution (every VM unplaced), please report this bug",
                        st);
    if (last || !b->nlz) return 0;
    if ((n = add_links(b, 0))) {
      b->lz_added += n;
      b->lz_rounds++;
      vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: root LP %.6g; %zu linking rows broken, added",
                   glp_get_obj_val(b->lp), n);
      continue;
    }
    vmp__ctx_log(ctx, VMP_LOG_DEBUG,
                 "ilp: root LP %.6g with %zu of %zu linking rows after %zu rounds",
                 glp_get_obj_val(b->lp), b->lz_added, b->nlz, b->lz_rounds);
    if (b->lazy != 1 || !add_links(b, 1)) return 0;
    last = 1;
  }
}

/* Inside the guard: load, root LP, branch and bound.  Returns 0 or
 * VMP_ESOLVER / VMP_EINTERNAL with a message; fills *out. */
static int run_glpk(ilp *b, outcome *out) {
  vmp__ctx *ctx = b->ctx;
  glp_smcp smcp;
  glp_iocp iocp;
  int presolve = vmp__param_num(ctx, "ilp.presolve", 0) != 0.0;
  /* rule-laden models (a compliance zone or hard host anti-affinity) are
   * the realistic datacenters where ilp.node_cuts_max_columns was measured;
   * bin packing has neither and keeps GLPK's defaults */
  double node_cuts_max = vmp__exact_rule_laden(b->m)
                             ? vmp__param_num(ctx, "ilp.node_cuts_max_columns", 4000)
                             : HUGE_VAL;
  int rc, st;
  double t_root = 0.0, t0;
  vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: model built at %.3f s", vmp__now() - ctx->t_start);
  load(b);
  if (vmp__param_num(ctx, "ilp.test_glpk_error", 0) != 0.0)
    glp_set_col_bnds(b->lp, b->ncols + 1, GLP_FX, 0.0, 0.0);   /* out of range */
  glp_scale_prob(b->lp, GLP_SF_AUTO);
  vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: loaded in GLPK at %.3f s", vmp__now() - ctx->t_start);
  out->have_sol = out->optimal = 0;
  out->stop_reason = VMP_STOP_COMPLETED;
  if (!presolve) {
    /* Without the presolver GLPK wants an optimal root LP first. */
    glp_init_smcp(&smcp);
    smcp.msg_lev = vmp__glpk_msg_lev(b->g);
    smcp.meth = GLP_DUALP;
    smcp.tm_lim = vmp__glpk_ms(glpk_seconds(b));
    t0 = vmp__now();
    vmp__glpk_steps_start(&b->steps);
    rc = root_lp(b, &smcp, out);
    t_root = vmp__now() - t0;
    if (rc) return rc < 0 ? rc : 0;
    b->root_lp = glp_get_obj_val(b->lp);
    b->tree_bound = round_bound(b, b->root_lp);
    /* GLPK's tolerances are relative: with coefficients that span many
     * orders of magnitude it can call a root LP optimal that is not (an
     * over-full problem with costs near 1e13 read 32 for an optimum of 17).
     * Its duals then bound far less than its value; such a run proves
     * nothing. */
    {
      double safe = vmp__glpk_safe_bound(b->lp), z = b->root_lp;
      if (safe < z - 1e-6 * (fabs(z) > 1.0 ? fabs(z) : 1.0)) {
        vmp__ctx_log(ctx, VMP_LOG_WARN,
                     "ilp: the root LP value %.17g is not backed by its duals (%.17g): "
                     "the model is badly scaled for GLPK; no bound or proof from it",
                     z, safe);
        b->unreliable = 1;
        b->tree_bound = -HUGE_VAL;
      }
    }
  }
  glp_init_iocp(&iocp);
  iocp.msg_lev = vmp__glpk_msg_lev(b->g);
  iocp.presolve = presolve ? GLP_ON : GLP_OFF;
  if (b->cuts && !b->no_cuts) {
    iocp.gmi_cuts = iocp.mir_cuts = iocp.cov_cuts = iocp.clq_cuts = GLP_ON;
    /* ilp.max_memory_mb: the conflict graph first (check_memory) */
    if (b->no_clique) iocp.clq_cuts = GLP_OFF;
    /* GLPK does not look at the clock while it separates Gomory and MIR
     * cuts, which takes a few LP solves: with less time left than two
     * root LPs took they would overrun the limit (seen: 65.8 s on 60 s
     * for 200 VMs x 50 hosts on a loaded machine). */
    if (!presolve && glpk_seconds(b) < 2.0 * t_root) {
      iocp.gmi_cuts = iocp.mir_cuts = GLP_OFF;
      vmp__ctx_log(ctx, VMP_LOG_INFO,
                   "ilp: %.2f s left after a root LP of %.2f s: no Gomory or MIR cuts",
                   glpk_seconds(b), t_root);
    }
    /* Its Gomory separation grows with the columns, and a fast root (lazy
     * linking rows) says nothing of it: on 400 VMs x 100 hosts (37,000
     * columns) it ran 45 s past a 60 s limit, MIR, cover and clique cuts
     * alone kept it. */
    if (b->ncols > GOMORY_MAX_COLUMNS && iocp.gmi_cuts == GLP_ON) {
      iocp.gmi_cuts = GLP_OFF;
      vmp__ctx_log(ctx, VMP_LOG_INFO, "ilp: %d columns: no Gomory cuts (more than %d)",
                   b->ncols, GOMORY_MAX_COLUMNS);
    }
    /* GLPK separates Gomory cuts at every node (up to seven rounds
     * each), one tableau row per fractional column: on 200 VMs x 50
     * hosts (9,500 columns) that took most of the tree's time and left
     * it 50 nodes in 40 s (400 without them, with the branching below). */
    if (b->ncols >= node_cuts_max && iocp.gmi_cuts == GLP_ON) {
      iocp.gmi_cuts = GLP_OFF;
      vmp__ctx_log(ctx, VMP_LOG_INFO, "ilp: %d columns: no Gomory cuts (at least %.0f)",
                   b->ncols, node_cuts_max);
    }
  }
  iocp.mip_gap = vmp__param_num(ctx, "ilp.mip_gap", 0.0);
  /* Driebeck and Tomlin's branching heuristic (GLPK's default) also
   * computes a tableau row per fractional column at every node; on large
   * models the most fractional column is cheaper (the hosts' columns are
   * branched on first anyway, branch_hosts). */
  if (b->ncols >= node_cuts_max) {
    iocp.br_tech = GLP_BR_MFV;
    b->cheap_tree = 1;
  }
  iocp.tm_lim = vmp__glpk_ms(glpk_seconds(b));
  iocp.cb_func = on_tree;
  iocp.cb_info = b;
  b->steps.iocp = &iocp;
  /* Until a round of cuts is timed: with MIR or Gomory cuts as long as the
   * root LP (a round took a third of it on 400 VMs x 100 hosts), else (or
   * when the presolver solved the root) by the nonzeros. */
  b->steps.cut_guess = CUT_SECONDS_PER_NONZERO * (double)b->a.nnz;
  if ((iocp.mir_cuts == GLP_ON || iocp.gmi_cuts == GLP_ON) && t_root > b->steps.cut_guess)
    b->steps.cut_guess = t_root;
  /* Gomory's rounds and GLPK's branching rule take a tableau row per
   * fractional column (glpk_util.h) */
  b->steps.price_rows = 1;
  if (presolve && b->nlz) {
    /* GLPK's presolver solves the root itself: the whole model. */
    if (!(b->lzin = calloc(b->nlz, 1))) return vmp__enomem();
    add_links(b, 1);
  }
  if (presolve) {
    free(b->xinc);   /* GLPK's callback sees the presolved problem */
    b->xinc = NULL;
  }
  rc = glp_intopt(b->lp, &iocp);
  b->steps.iocp = NULL;
  st = glp_mip_status(b->lp);
  if (st == GLP_FEAS || st == GLP_OPT) {
    read_solution(b);
    out->have_sol = 1;
  }
  switch (rc) {
    case 0:
      if (st == GLP_OPT) {
        out->optimal = 1;
      } else if (st == GLP_NOFEAS) {
        return vmp__error(VMP_EINTERNAL,
                          "ilp: GLPK reports the assignment model infeasible; it "
                          "always has a solution (every VM unplaced), please report "
                          "this bug");
      }
      return 0;
    case GLP_EMIPGAP: out->stop_reason = VMP_STOP_GAP_REACHED; return 0;
    case GLP_ETMLIM:
      out->stop_reason = ctx->interrupted ? VMP_STOP_INTERRUPTED : VMP_STOP_TIME_LIMIT;
      return 0;
    case GLP_ESTOP:
      /* Our callback stopped it: a bound proved the incumbent, or the
       * deadline or the progress callback said so. */
      if (b->proved)
        out->optimal = 1;
      else if (b->mem_stopped)
        out->stop_reason = VMP_STOP_GAP_REACHED;
      else
        out->stop_reason = vmp__ctx_stop_reason(ctx);
      if (!b->proved && out->stop_reason == VMP_STOP_COMPLETED)
        out->stop_reason = VMP_STOP_TIME_LIMIT;
      return 0;
    default:
      return vmp__error(VMP_ESOLVER, "ilp: glp_intopt returned %s (MIP status %d)",
                        glpk_rc_name(rc), st);
  }
}

/* ---- the solver --------------------------------------------------------------------------- */

static void read_params(ilp *b, vmp__ctx *ctx) {
  b->symmetry = vmp__param_num(ctx, "ilp.symmetry", 1) != 0.0;
  b->linking = vmp__param_num(ctx, "ilp.linking", 1) != 0.0;
  b->host_limit = vmp__param_num(ctx, "ilp.host_limit", 1) != 0.0;
  b->cover_rows = vmp__param_num(ctx, "ilp.cover_rows", 1) != 0.0;
  b->branch_hosts = vmp__param_num(ctx, "ilp.branch_hosts", 1) != 0.0;
  b->max_columns = vmp__param_num(ctx, "ilp.max_columns", 2e6);
  b->max_memory_mb = vmp__param_num(ctx, "ilp.max_memory_mb", 1024);
  b->cuts = vmp__param_num(ctx, "ilp.cuts", 1) != 0.0;
  b->lazy = (int)vmp__param_num(ctx, "ilp.lazy_linking", 1);
}



static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* What GLPK's conflict graph (clique cuts) takes from the capacity rows
 * (A2), the rows where it finds most of its edges: GLPK reads a row
 * sum_i a_i x_i - y <= 0 (scaled to the capacity) as a knapsack over x
 * and the complement of y, and adds (glpk/intopt/cfg1.c) a clique of the
 * terms whose two largest coefficients already exceed the right-hand side
 * and an edge for each pair of a clique member with a later term that
 * together exceed it.  Counts those members and edges row by row (none
 * when out of memory: the estimate then goes on without them). */
static void capacity_conflicts(const ilp *b, double *members, double *edges) {
  const vmp__model *m = b->m;
  size_t *hstart = calloc(b->nkept + 2, sizeof *hstart), most = 0;
  uint32_t *hx = malloc((b->nx + 1) * sizeof *hx), *fill = calloc(b->nkept + 1, sizeof *fill);
  double *a = NULL;
  *members = *edges = 0.0;
  if (!hstart || !hx || !fill) goto out;
  for (size_t x = 0; x < b->nx; x++) hstart[b->xk[x] + 1]++;
  for (size_t k = 0; k < b->nkept; k++) {
    if (hstart[k + 1] > most) most = hstart[k + 1];
    hstart[k + 1] += hstart[k];
  }
  for (size_t x = 0; x < b->nx; x++) hx[hstart[b->xk[x]] + fill[b->xk[x]]++] = (uint32_t)x;
  if (!(a = malloc((most + 2) * sizeof *a))) goto out;
  for (size_t k = 0; k < b->nkept; k++) {
    size_t h = b->kept[k];
    for (uint32_t r = 0; r < m->nres; r++) {
      double cx = m->capx[h * m->nres + r], rhs = 1.0 + 0.001 * 2.0;
      size_t n = 0, p;
      if (!(cx > 0.0)) continue;
      a[n++] = 1.0;   /* the complement of y */
      for (size_t j = hstart[k]; j < hstart[k + 1]; j++) {
        double d = m->idem[(size_t)b->xitem[hx[j]] * m->nres + r];
        if (d > 0.0) a[n++] = d / cx;
      }
      if (n < 2) continue;
      qsort(a, n, sizeof *a, cmp_desc);
      if (a[n - 1] + a[n - 2] > rhs) {
        *members += (double)n;
        continue;
      }
      if (a[0] + a[1] <= rhs) continue;
      for (p = 1; p + 1 < n && a[p] + a[p + 1] > rhs; p++) {}
      /* a[0..p] is a clique; then the pairs (k <= p, l >= p) above rhs */
      *members += (double)(p + 1);
      for (size_t i = 0; i <= p; i++) {
        size_t lo = p, hi = n;   /* first l >= p with a[i] + a[l] <= rhs */
        while (lo < hi) {
          size_t mid = lo + (hi - lo) / 2;
          if (a[i] + a[mid] > rhs) lo = mid + 1; else hi = mid;
        }
        *edges += (double)(lo - p) - (i >= p && i < lo ? 1.0 : 0.0);
      }
    }
  }
out:
  free(hstart);
  free(hx);
  free(fill);
  free(a);
}

/* The parts of the estimate for the planned columns, before a row is
 * built: assignment, capacity, linking (when on), symmetry and group
 * rows.  conflicts[] is capacity_conflicts' count. */
static void estimate(const ilp *b, int linking, const double conflicts[2], mem_plan *e) {
  const vmp__model *m = b->m;
  double nnz = 0.0, rows = 0.0, cols = (double)b->nx + (double)b->nkept + (double)m->nitems;
  const double mib = 1024.0 * 1024.0;
  for (size_t i = 0; i < m->nitems; i++) {
    double nxi = (double)(b->xstart[i + 1] - b->xstart[i]), nres_used = 0.0;
    double groups = (double)(m->item_groups_start[i + 1] - m->item_groups_start[i]);
    double memb = b->memb ? (double)b->memb[i] : 0.0;
    for (uint32_t r = 0; r < m->nres; r++) {
      nres_used += m->idem[i * m->nres + r] > 0.0;
      if (m->tbase && ((m->transient >> r) & 1u)) nres_used += 1.0;
    }
    /* assignment, capacity (and balance, transient), linking, group rows,
     * spread and dependency rows */
    nnz += nxi * (1.0 + nres_used * (m->w.balance > 0.0 ? 2.0 : 1.0) + (linking ? 2.0 : 0.0) +
                  groups + 2.0 * memb);
    rows += 1.0 + (linking ? nxi : 0.0) + nxi * memb;
  }
  rows += (double)b->nkept * (1.0 + m->nres) + (double)m->ngroups * (double)b->nkept;
  nnz += (double)m->nitems + 2.0 * (double)b->nkept;
  e->nnz = nnz;
  e->base = MEM_BASE_MB + MEM_PER_VM * (double)m->nvms / mib;
  e->ours = MEM_OURS_PER_NONZERO * nnz / mib;
  e->model = (MEM_PER_NONZERO * nnz + MEM_PER_ROWCOL * (rows + cols)) / mib;
  /* the conflict graph: the capacity rows' cliques and edges, a clique per
   * assignment row (A1), an edge per linking row (A3) */
  e->clique = (MEM_CFG_PER_ENTRY * (conflicts[0] + conflicts[1] + (double)b->nx +
                                    (linking ? (double)b->nx : 0.0)) +
               MEM_CFG_PER_COLUMN * cols) / mib;
  e->cuts = (MEM_COVER_PER_COLUMN * cols + MEM_MIR_PER_ROWCOL * (rows + cols)) / mib;
}

static double plan_total(const mem_plan *e, int clique, int cuts) {
  return e->base + e->ours + e->model + (clique ? e->clique : 0.0) + (cuts ? e->cuts : 0.0);
}

/* b->memb: per item, how many hard spread groups and dependencies its VMs
 * take part in (for the memory estimate). */
static int count_memberships(ilp *b) {
  const vmp__model *m = b->m;
  if (!(m->needs & (VMP__NEED_SPREAD | VMP__NEED_DEPEND))) return 0;
  if (!(b->memb = calloc(m->nitems + 1, sizeof *b->memb))) return vmp__enomem();
  for (uint32_t s = 0; s < m->nspreads; s++)
    if (m->spreads[s].hard)
      for (uint32_t k = 0; k < m->spreads[s].nvms; k++) b->memb[m->vm_item[m->spreads[s].vms[k]]]++;
  for (uint32_t d = 0; d < m->ndeps; d++) {
    if (!m->deps[d].hard) continue;
    for (uint32_t k = 0; k < m->deps[d].na; k++) b->memb[m->vm_item[m->deps[d].a[k]]]++;
    for (uint32_t k = 0; k < m->deps[d].nb; k++) b->memb[m->vm_item[m->deps[d].b[k]]]++;
  }
  return 0;
}

/* Keeps the process within ilp.max_memory_mb: what is optional goes
 * first, in the order of what it costs for what it brings: the conflict
 * graph of the clique cuts, then the cover and MIR cut generators, then
 * the linking rows (A3); a model that does not fit even so is refused. */
static int check_memory(ilp *b) {
  static const char *const what[] = {
      "", "without clique cuts", "without clique, cover and MIR cuts",
      "without clique, cover and MIR cuts and the linking rows x <= y"};
  double conf[2], budget = b->max_memory_mb, est[4];
  mem_plan with, without;
  int level, cuts = b->cuts;
  capacity_conflicts(b, &conf[0], &conf[1]);
  estimate(b, b->linking, conf, &with);
  estimate(b, 0, conf, &without);
  est[0] = plan_total(&with, cuts, cuts);
  est[1] = plan_total(&with, 0, cuts);
  est[2] = plan_total(&with, 0, 0);
  est[3] = plan_total(&without, 0, 0);
  for (level = 0; level < 4 && est[level] > budget; level++) {}
  if (level == 4 || (level == 3 && !b->linking))
    return vmp__error(VMP_ERANGE,
                      "ilp: the assignment model (%zu items x %zu hosts, %zu x columns) "
                      "would take about %.0f MB with the process, %s, more than "
                      "ilp.max_memory_mb (%.0f); raise it or use colgen",
                      b->m->nitems, b->nkept, b->nx, b->linking ? est[3] : est[2],
                      b->linking ? what[3] : what[2], budget);
  if (level > 0)
    vmp__ctx_log(b->ctx, VMP_LOG_INFO,
                 "ilp: the model would take about %.0f MB with the process, more than "
                 "ilp.max_memory_mb (%.0f); %s about %.0f MB",
                 est[0], budget, what[level], est[level]);
  b->no_clique = cuts && level >= 1;
  b->no_cuts = cuts && level >= 2;
  if (level == 3) {
    b->linking = 0;
    b->linking_dropped = 1;
  }
  b->mem = level == 3 ? without : with;
  b->mem_linking = b->linking || b->linking_dropped ? est[2] - est[3] : 0.0;
  b->memory_mb = est[level];
  b->nnz_est = b->mem.nnz;
  return 0;
}

/* Warm start, host plan, columns and rows; no GLPK yet.  Sets *done when
 * the warm start is already proven optimal by the bound. */
static int prepare(ilp *b, vmp__ctx *ctx, int export_only, int *done) {
  const vmp__model *m = ctx->m;
  double wbound;
  int rc;
  b->m = m;
  b->ctx = ctx;
  *done = 0;
  read_params(b, ctx);
  if (export_only) b->lazy = 0;   /* the written model is the whole model */
  b->inc = malloc((m->nitems + 1) * sizeof *b->inc);
  b->sol = malloc((m->nitems + 1) * sizeof *b->sol);
  if (!b->inc || !b->sol) return vmp__enomem();
  if ((rc = vmp__warmstart(ctx, b->inc, &b->inc_obj, &wbound))) return rc;
  b->ext_bound = ctx->best_bound > wbound ? ctx->best_bound : wbound;
  b->warm_obj = b->inc_obj;
  b->tree_bound = -HUGE_VAL;
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_unplaceable[i]) b->obj_const += m->item_pen[i];
  for (size_t v = 0; v < m->nvms; v++) b->placed += b->inc[m->vm_item[v]] >= 0;
  /* (No warm start at all when greedy declines a hard constraint and no
   * current placement verifies: inc_obj is then infinite.) */
  if (!export_only && b->inc_obj < HUGE_VAL &&
      b->inc_obj - b->ext_bound <= 1e-6 * (fabs(b->inc_obj) > 1.0 ? fabs(b->inc_obj) : 1.0)) {
    *done = 1;
    return 0;
  }
  if (!export_only) {
    /* No item can be placed anywhere: the warm start (all of them out)
     * is the only placement, so the optimum, whatever the rebalancing
     * terms charge for the empty hosts -- and a MIP without one column
     * is no model GLPK takes ("glp_add_cols: ncs = 0"). */
    size_t placeable = 0;
    for (size_t i = 0; i < m->nitems; i++) placeable += !m->item_unplaceable[i];
    if (!placeable && b->inc_obj < HUGE_VAL) {
      *done = 1;
      return 0;
    }
  }
  if ((rc = make_order(b)) || (rc = plan_hosts(b)) || (rc = plan_x(b)) ||
      (rc = count_memberships(b)) || (rc = check_memory(b)))
    return rc;
  if ((double)b->nx < vmp__param_num(ctx, "ilp.lazy_linking_min", 4000)) b->lazy = 0;
  /* Building and loading cannot be interrupted: not started when the
   * time left would not cover them. */
  if (!export_only && vmp__ctx_remaining(ctx) < LOAD_SECONDS_PER_NONZERO * b->nnz_est) {
    vmp__ctx_log(ctx, VMP_LOG_INFO,
                 "ilp: %.2f s left, too little to build and load about %.0f nonzeros; "
                 "keeping the warm start",
                 vmp__ctx_remaining(ctx), b->nnz_est);
    *done = 2;
    return 0;
  }
  if ((rc = build(b))) return rc;
  if (b->inc_obj < HUGE_VAL && !export_only) {
    rc = permute_incumbent(b);
    if (rc == 1) rc = incumbent_columns(b);
    if (rc < 0) return rc;
  }
  return 0;
}

static void report(const ilp *b, vmp__result *res, double t0) {
  vmp__stats *st = &res->stats;
  vmp__stats_set(st, "ilp.columns", b->ncols);
  vmp__stats_set(st, "ilp.rows", (double)(b->a.nrows + b->lz_rows));
  vmp__stats_set(st, "ilp.linking_lazy", (double)b->lz_added);
  vmp__stats_set(st, "ilp.nonzeros", (double)(b->a.nnz + 2 * b->lz_rows));
  vmp__stats_set(st, "ilp.hosts_kept", (double)b->nkept);
  vmp__stats_set(st, "ilp.cover_rows", (double)b->ncover);
  vmp__stats_set(st, "ilp.memory_estimate_mb", b->memory_mb);
  vmp__stats_set(st, "ilp.linking_dropped", b->linking_dropped);
  vmp__stats_set(st, "ilp.memory_clique_mb", b->cuts ? b->mem.clique : 0.0);
  vmp__stats_set(st, "ilp.memory_cuts_mb", b->cuts ? b->mem.cuts : 0.0);
  vmp__stats_set(st, "ilp.memory_linking_mb", b->mem_linking);
  vmp__stats_set(st, "ilp.clique_cuts_dropped", b->no_clique);
  vmp__stats_set(st, "ilp.cuts_dropped", b->no_cuts);
  vmp__stats_set(st, "ilp.memory_stopped", b->mem_stopped);
  vmp__stats_set(st, "ilp.nodes", b->nodes);
  vmp__stats_set(st, "ilp.cheap_tree", b->cheap_tree);
  vmp__stats_set(st, "ilp.cuts_off_for_time", b->steps.cuts_off);
  vmp__stats_set(st, "ilp.cheap_branching_for_time", b->steps.cheap_branch);
  vmp__stats_set(st, "ilp.longest_step_seconds", vmp__glpk_steps_longest(&b->steps));
  vmp__stats_set(st, "ilp.root_lp", b->root_lp);
  vmp__stats_set(st, "ilp.warm_start_objective", b->warm_obj < HUGE_VAL ? b->warm_obj : -1.0);
  vmp__stats_set(st, "ilp.warm_start_injected", b->accepted);
  vmp__stats_set(st, "ilp.seconds", vmp__now() - t0);
}

static int ilp_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  double t0 = vmp__now();
  ilp *b = calloc(1, sizeof *b);
  outcome out;
  int rc, done;
  if (!b) return vmp__enomem();
  if ((rc = prepare(b, ctx, 0, &done))) goto end;
  memset(&out, 0, sizeof out);
  out.stop_reason = VMP_STOP_COMPLETED;
  if (done == 1) {
    out.optimal = 1;
  } else if (done == 2) {
    out.stop_reason = VMP_STOP_TIME_LIMIT;
  } else if (vmp__ctx_should_stop(ctx)) {
    out.stop_reason = vmp__ctx_stop_reason(ctx);
  } else {
    VMP__GLPK_OPEN_OR_GOTO(b->g, "ilp", ctx->opts, rc, end);
    rc = run_glpk(b, &out);
    vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: GLPK ended at %.3f s", vmp__now() - ctx->t_start);
    vmp__glpk_close(b->g);
    b->g = NULL;
    if (rc) goto end;
  }
  /* GLPK's placement, checked; the warm start when it is not better. */
  memcpy(res->host, b->inc, m->nitems * sizeof *res->host);
  if (out.have_sol) {
    double obj;
    int ok = vmp__verify_items(m, b->sol, &obj);
    if (ok == 0) {
      vmp__ctx_log(ctx, VMP_LOG_WARN, "ilp: GLPK's placement breaks a constraint "
                   "after rounding; repaired");
      if ((rc = vmp__repair_items(m, b->sol, 1))) goto end;
      ok = vmp__verify_items(m, b->sol, &obj);
      out.optimal = 0;
    }
    if (ok < 0) {
      rc = ok;
      goto end;
    }
    if (ok == 1 && obj < b->inc_obj) {
      memcpy(res->host, b->sol, m->nitems * sizeof *res->host);
      b->inc_obj = obj;
    }
  }
  {
    double bound = b->tree_bound > b->ext_bound ? b->tree_bound : b->ext_bound;
    if (b->unreliable) out.optimal = 0;
    /* GLPK's optimum leaves the rebalancing terms out: it proves nothing
     * about them (its bound stays one: the terms are >= 0).  A warm start
     * that meets the model's bound (done == 1) is proven either way. */
    if ((m->needs & VMP__NEED_TERMS) && done != 1) out.optimal = 0;
    if (out.optimal && b->inc_obj < HUGE_VAL) bound = b->inc_obj;
    res->bound = bound;
    res->proven_optimal = out.optimal && b->inc_obj < HUGE_VAL;
  }
  res->stop_reason = out.stop_reason;
  /* `completed` only with a proof (a repaired GLPK placement is none). */
  if (!res->proven_optimal && res->stop_reason == VMP_STOP_COMPLETED)
    res->stop_reason = VMP_STOP_GAP_REACHED;
  if (res->proven_optimal && m->unplaced_auto) {
    /* Automatic unplaced weights outweigh everything else: an optimum
     * that leaves a placeable item out proves they cannot all fit. */
    for (size_t i = 0; i < m->nitems; i++)
      if (!m->item_unplaceable[i] && res->host[i] < 0) res->proven_infeasible = 1;
  }
  report(b, res, t0);
  vmp__ctx_log(ctx, VMP_LOG_DEBUG, "ilp: done at %.3f s", vmp__now() - ctx->t_start);
end:
  ilp_free(b);
  free(b);
  return rc;
}

/* ---- export ------------------------------------------------------------------------------ */

int vmp__ilp_write(vmp__ctx *ctx, const char *path, int format) {
  ilp *b = calloc(1, sizeof *b);
  int rc, done, wrc;
  if (!b) return vmp__enomem();
  b->names = 1;
  if ((rc = prepare(b, ctx, 1, &done))) goto end;
  VMP__GLPK_OPEN_OR_GOTO(b->g, "ilp", ctx->opts, rc, end);
  load(b);
  if (b->obj_const != 0.0) {
    /* Solvers read an objective constant differently from MPS files (or
     * not at all from LP files): a column fixed at 1 carries it. */
    int j = glp_add_cols(b->lp, 1);
    glp_set_obj_coef(b->lp, 0, 0.0);
    glp_set_col_name(b->lp, j, "constant");
    glp_set_col_bnds(b->lp, j, GLP_FX, 1.0, 1.0);
    glp_set_obj_coef(b->lp, j, b->obj_const);
  }
  if (format == VMP_MODEL_LP) {
    wrc = glp_write_lp(b->lp, NULL, path);
  } else {
    glp_mpscp parm;
    glp_init_mpscp(&parm);
    parm.obj_name = "obj";
    wrc = glp_write_mps(b->lp, GLP_MPS_FILE, &parm, path);
  }
  if (wrc) {
    rc = vmp__error(VMP_EIO, "%s: GLPK could not write the model: %s", path,
                    b->g->ntail ? b->g->tail[2] : "no message");
    vmp__glpk_close(b->g);
    b->g = NULL;
    goto end;
  }
  vmp__ctx_log(ctx, VMP_LOG_INFO, "ilp: wrote %s: %d columns, %zu rows, %zu nonzeros", path,
               b->ncols, b->a.nrows, b->a.nnz);
  vmp__glpk_close(b->g);
  b->g = NULL;
end:
  ilp_free(b);
  free(b);
  return rc;
}

const vmp__solver vmp__solver_ilp = {
    "ilp",
    "assignment MIP in GLPK: every constraint and objective, symmetry breaking, "
    "warm start",
    ilp_solve, ilp_params, sizeof ilp_params / sizeof ilp_params[0],
    VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND};
