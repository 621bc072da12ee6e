/*
 * Do the items of a pure vector bin packing model fit in k bins?  A
 * depth-first search by bin completion (docs/formulations.md, *Bin
 * completion*): bins are filled one at a time, each opened with the
 * largest item left and completed by a maximal set of the others, the
 * completions that waste least first; a branch ends when the space the
 * closed bins leave empty, summed per resource, exceeds what k bins have
 * to spare, or, given column generation's duals scaled so that no bin
 * weighs more than 1 (B1), when the weight they leave unused exceeds k
 * minus the total.  It proves what the pattern master's bound, rounded
 * up, leaves one short, and on the way it may find the packing in k
 * bins instead.  Deterministic: it stops after a budget of nodes (or at
 * the clock, polled every few nodes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solvers.h"

/* Models with more items are left to the other methods (the search
 * sorts by insertion). */
#define BINPROOF_MAX_ITEMS 1000
/* Weight a bin may exceed 1 by without ending a branch (rounding). */
#define BINPROOF_WEIGHT_TOL 1e-7
/* Nodes the search for the heaviest bin may take (scaling the duals). */
#define BINPROOF_SCALE_NODES 20000000u
/* Completions (and their positions) the search may hold at once. */
#define BINPROOF_MAX_STORED 20000000u
/* Nodes between two looks at the clock. */
#define BINPROOF_CLOCK_EVERY 1024u

/* A completion listed for a bin: where its positions are, and its key. */
typedef struct binproof_comp {
  size_t at;           /* into cpos: the count, then the positions */
  double key;          /* the waste it leaves */
} binproof_comp;

typedef struct bp {
  vmp__ctx *ctx;
  uint32_t d;          /* resources */
  size_t n;            /* items */
  uint32_t k;          /* bins */
  uint32_t *item;      /* [n] position (sorted) -> model item */
  double *dem;         /* [n*d] demands, sorted by decreasing size */
  uint8_t *twin;       /* [n] 1 when position t has the demands of t-1 */
  uint8_t *used;       /* [n] in a closed bin or the one being filled */
  uint32_t *bin;       /* [n] the bin of each position */
  double *cap;         /* [d] a bin's capacity, with the fit tolerance */
  double *slack;       /* [d] empty space the bins may still leave */
  double *load;        /* [(n+1)*d] the bin being filled, one per depth */
  double *w;           /* [n] dual weights, no bin above 1 (NULL: none) */
  double *wsum;        /* [n+1] the bin being filled, one per depth */
  double wslack;       /* weight the bins may still leave unused */
  uint32_t *inbin;     /* [n+1] the positions in the bin, one per depth */
  double *tmp;         /* [d] */
  uint32_t *cpos;      /* completions listed, for every bin on the path */
  size_t npos, cappos;
  binproof_comp *cs;
  size_t ncs, capcs;
  uint64_t nodes, budget;
  int stop;            /* 1: budget or clock ran out */
} bp;

static int fits(const bp *b, const double *load, size_t t) {
  const double *q = b->dem + t * b->d;
  for (uint32_t r = 0; r < b->d; r++)
    if (load[r] + q[r] > b->cap[r]) return 0;
  return 1;
}

static int count_node(bp *b) {
  if (++b->nodes > b->budget) b->stop = 1;
  if (!(b->nodes % BINPROOF_CLOCK_EVERY) && vmp__ctx_should_stop(b->ctx)) b->stop = 1;
  return b->stop;
}

/* Items that pairwise cannot share a bin (each above half a bin in one
 * resource) need a bin each: more of them left than bins left ends the
 * branch. */
static int too_many_big(const bp *b, uint32_t bins_left) {
  for (uint32_t r = 0; r < b->d; r++) {
    uint32_t big = 0;
    for (size_t t = 0; t < b->n; t++)
      if (!b->used[t] && 2.0 * b->dem[t * b->d + r] > b->cap[r] && ++big > bins_left) return 1;
  }
  return 0;
}

/* The empty space bin j leaves when it holds load (per resource), and the
 * dual weight it leaves unused: 0 when that exceeds what the bins may
 * still leave, else 1. */
static int within_slack(const bp *b, const double *load, double wsum) {
  for (uint32_t r = 0; r < b->d; r++)
    if (b->cap[r] - load[r] > b->slack[r] + 1e-9 * b->cap[r]) return 0;
  return !b->w || 1.0 - wsum <= b->wslack + BINPROOF_WEIGHT_TOL;
}

/* Keeps the completion in inbin[first+1..depth] (the opening item at
 * `first` is implied), with the waste it leaves as its key. */
static int keep(bp *b, size_t first, size_t depth) {
  const double *load = b->load + depth * b->d;
  size_t len = depth - first;
  double key = 0.0;
  if (b->npos + len + 1 > BINPROOF_MAX_STORED || b->ncs + 1 > BINPROOF_MAX_STORED) {
    b->stop = 1;
    return 0;
  }
  if (b->npos + len + 1 > b->cappos) {
    size_t cap = 2 * (b->npos + len + 1);
    uint32_t *q = realloc(b->cpos, cap * sizeof *q);
    if (!q) return vmp__enomem();
    b->cpos = q;
    b->cappos = cap;
  }
  if (b->ncs + 1 > b->capcs) {
    size_t cap = 2 * (b->ncs + 1);
    binproof_comp *q = realloc(b->cs, cap * sizeof *q);
    if (!q) return vmp__enomem();
    b->cs = q;
    b->capcs = cap;
  }
  if (b->w) {
    key = 1.0 - b->wsum[depth];
  } else {
    for (uint32_t r = 0; r < b->d; r++) key += (b->cap[r] - load[r]) / b->cap[r];
  }
  b->cs[b->ncs].at = b->npos;
  b->cs[b->ncs++].key = key;
  b->cpos[b->npos++] = (uint32_t)len;
  for (size_t x = first + 1; x <= depth; x++) b->cpos[b->npos++] = b->inbin[x];
  return 0;
}

/* Lists the completions of the bin being filled, from position t on:
 * each item left either joins (when it fits) or not; an item left out
 * takes its twins with it, so that every set is listed once.  Kept are
 * the maximal ones (no item left fits in what they leave) within the
 * slack.  0, or VMP_ENOMEM. */
static int collect(bp *b, size_t t, size_t first, size_t depth) {
  const double *load = b->load + depth * b->d;
  int rc;
  for (; t < b->n; t++) {
    if (b->used[t] || !fits(b, load, t)) continue;
    if (count_node(b)) return 0;
    double *next = b->load + (depth + 1) * b->d;
    for (uint32_t r = 0; r < b->d; r++) next[r] = load[r] + b->dem[t * b->d + r];
    if (b->w) b->wsum[depth + 1] = b->wsum[depth] + b->w[t];
    b->used[t] = 1;
    b->inbin[depth + 1] = (uint32_t)t;
    rc = collect(b, t + 1, first, depth + 1);
    b->used[t] = 0;
    if (rc || b->stop) return rc;
    while (t + 1 < b->n && b->twin[t + 1]) t++;
  }
  for (size_t u = 0; u < b->n; u++)
    if (!b->used[u] && fits(b, load, u)) return 0;
  if (!within_slack(b, load, b->w ? b->wsum[depth] : 0.0)) return 0;
  return keep(b, first, depth);
}

static int by_key(const void *pa, const void *pb) {
  const binproof_comp *a = pa, *c = pb;
  if (a->key != c->key) return a->key < c->key ? -1 : 1;
  return a->at < c->at ? -1 : a->at > c->at;
}

/* Bin j takes completion c (set = 1) or gives it back (set = 0), with
 * the waste it leaves against the slack. */
static void take(bp *b, uint32_t j, size_t f, size_t c, int set) {
  const uint32_t *q = b->cpos + b->cs[c].at;
  double sign = set ? -1.0 : 1.0, wsum = b->w ? b->w[f] : 0.0;
  double *load = b->tmp;
  memcpy(load, b->dem + f * b->d, b->d * sizeof *load);
  for (uint32_t x = 1; x <= q[0]; x++) {
    b->used[q[x]] = (uint8_t)set;
    b->bin[q[x]] = j;
    for (uint32_t r = 0; r < b->d; r++) load[r] += b->dem[(size_t)q[x] * b->d + r];
    if (b->w) wsum += b->w[q[x]];
  }
  for (uint32_t r = 0; r < b->d; r++) b->slack[r] += sign * (b->cap[r] - load[r]);
  if (b->w) b->wslack += sign * (1.0 - wsum);
}

/* Opens bin j with the first item left and tries its completions, the
 * least waste first (the least unused dual weight when there are duals):
 * 1 when every item is then in a bin, 0 when none fits or the search
 * stopped, VMP_ENOMEM. */
static int fill_bin(bp *b, uint32_t j, size_t depth) {
  size_t f = 0, base_cs = b->ncs, base_pos = b->npos, end_cs;
  int found = 0;
  while (f < b->n && b->used[f]) f++;
  if (f == b->n) return 1;
  if (j >= b->k || too_many_big(b, b->k - j)) return 0;
  b->used[f] = 1;
  b->bin[f] = j;
  b->inbin[depth] = (uint32_t)f;
  memcpy(b->load + depth * b->d, b->dem + f * b->d, b->d * sizeof *b->load);
  if (b->w) b->wsum[depth] = b->w[f];
  found = collect(b, f + 1, depth, depth);
  end_cs = b->ncs;
  /* b->cs is still NULL when no completion was ever collected: no
   * pointer arithmetic on it then. */
  if (!found && !b->stop && end_cs > base_cs)
    qsort(b->cs + base_cs, end_cs - base_cs, sizeof *b->cs, by_key);
  for (size_t c = base_cs; !found && !b->stop && c < end_cs; c++) {
    take(b, j, f, c, 1);
    /* The load stack above depth is free again: the next bin starts
     * there. */
    found = fill_bin(b, j + 1, depth + 1);
    if (found == 1) break;
    take(b, j, f, c, 0);
  }
  b->ncs = base_cs;
  b->npos = base_pos;
  if (found != 1) b->used[f] = 0;
  return found;
}

/* Size of model item i: the sum of its shares of the capacity. */
static double size_of(const bp *b, const vmp__model *m, uint32_t i) {
  double s = 0.0;
  for (uint32_t r = 0; r < b->d; r++) s += m->idem[(size_t)i * b->d + r] / b->cap[r];
  return s;
}

/* Whether model item a goes before c: larger first, equal demands next
 * to each other (then by index, so the order is total). */
static int before(const bp *b, const vmp__model *m, const double *size, uint32_t a, uint32_t c) {
  if (size[a] != size[c]) return size[a] > size[c];
  for (uint32_t r = 0; r < b->d; r++) {
    double x = m->idem[(size_t)a * b->d + r], y = m->idem[(size_t)c * b->d + r];
    if (x != y) return x > y;
  }
  return a < c;
}

/* Fills the sorted arrays (insertion sort: the models it takes are small). */
static void sort_items(bp *b, const vmp__model *m, const double *size) {
  for (size_t t = 0; t < b->n; t++) {
    uint32_t i = (uint32_t)t;
    size_t u = t;
    for (; u > 0 && before(b, m, size, i, b->item[u - 1]); u--) b->item[u] = b->item[u - 1];
    b->item[u] = i;
  }
  for (size_t t = 0; t < b->n; t++) {
    memcpy(b->dem + t * b->d, m->idem + (size_t)b->item[t] * b->d, b->d * sizeof *b->dem);
    b->twin[t] = t > 0 && !memcmp(b->dem + t * b->d, b->dem + (t - 1) * b->d,
                                  b->d * sizeof *b->dem);
  }
}

/* The search for the heaviest bin at weights w: items by decreasing
 * weight, bounded by the weights of the next items that could still join
 * (at most `most` in a bin). */
typedef struct heavy {
  const bp *b;
  uint32_t *ord;       /* [n] positions by decreasing weight */
  double *pre;         /* [n+1] prefix sums of the weights in that order */
  double *load;        /* [(n+1)*d] one per depth */
  size_t most;
  double best;
  uint64_t nodes;
} heavy;

static void heaviest(heavy *h, size_t s, size_t count, double sum) {
  const bp *b = h->b;
  const double *load = h->load + count * b->d;
  if (sum > h->best) h->best = sum;
  for (; s < b->n && count < h->most; s++) {
    size_t e = s + (h->most - count) < b->n ? s + (h->most - count) : b->n;
    size_t t = h->ord[s];
    /* Exact (no tolerance): the scale must be the heaviest bin's. */
    if (sum + h->pre[e] - h->pre[s] <= h->best) return;
    if (!fits(b, load, t)) continue;
    if (++h->nodes > BINPROOF_SCALE_NODES) return;
    double *next = h->load + (count + 1) * b->d;
    for (uint32_t r = 0; r < b->d; r++) next[r] = load[r] + b->dem[t * b->d + r];
    heaviest(h, s + 1, count + 1, sum + b->w[t]);
    if (h->nodes > BINPROOF_SCALE_NODES) return;
    while (s + 1 < b->n && h->ord[s + 1] == t + 1 && b->twin[t + 1]) {
      s++;
      t++;
    }
  }
}

/* The most items a bin holds: in each resource, the smallest demands
 * taken until they no longer fit; the fewest over the resources. */
static size_t most_items(const bp *b, double *scratch) {
  size_t most = b->n;
  for (uint32_t r = 0; r < b->d; r++) {
    double sum = 0.0;
    size_t c = 0;
    for (size_t t = 0; t < b->n; t++) {
      double x = b->dem[t * b->d + r];
      size_t u = t;
      for (; u > 0 && scratch[u - 1] > x; u--) scratch[u] = scratch[u - 1];
      scratch[u] = x;
    }
    while (c < b->n && sum + scratch[c] <= b->cap[r]) sum += scratch[c++];
    if (c < most) most = c;
  }
  return most;
}

/* Takes the duals pi ([nitems], model order) as weights, scaled so that
 * the heaviest bin weighs 1: then no bin can hold more, whatever pricing's
 * tolerance, and the weight the bins leave unused is bounded by k minus
 * the total.  0, 1 (no use: the search gave up, or no weight), or
 * VMP_ENOMEM. */
static int take_weights(bp *b, const double *pi) {
  heavy h = {0};
  double total = 0.0;
  int rc = 1;
  h.b = b;
  h.ord = malloc(b->n * sizeof *h.ord);
  h.pre = malloc((b->n + 1) * sizeof *h.pre);
  h.load = calloc((b->n + 1) * b->d, sizeof *h.load);
  if (!h.ord || !h.pre || !h.load) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t t = 0; t < b->n; t++) b->w[t] = pi[b->item[t]] > 0.0 ? pi[b->item[t]] : 0.0;
  for (size_t t = 0; t < b->n; t++) {
    size_t u = t;
    for (; u > 0 && b->w[h.ord[u - 1]] < b->w[t]; u--) h.ord[u] = h.ord[u - 1];
    h.ord[u] = (uint32_t)t;
  }
  h.pre[0] = 0.0;
  for (size_t s = 0; s < b->n; s++) h.pre[s + 1] = h.pre[s] + b->w[h.ord[s]];
  h.most = most_items(b, h.load);
  memset(h.load, 0, (b->n + 1) * b->d * sizeof *h.load);
  heaviest(&h, 0, 0, 0.0);
  if (h.nodes > BINPROOF_SCALE_NODES || h.best <= 0.0) goto out;
  for (size_t t = 0; t < b->n; t++) {
    b->w[t] /= h.best;
    total += b->w[t];
  }
  b->wslack = (double)b->k - total;
  rc = 0;
out:
  free(h.ord);
  free(h.pre);
  free(h.load);
  return rc;
}

int vmp__binproof_applies(const vmp__model *m) {
  size_t h0;
  if (m->needs || m->nhclasses != 1 || m->naclasses != 1 || m->ngroups || m->nitems == 0 ||
      m->nitems > BINPROOF_MAX_ITEMS || m->has_soft_rules || m->has_soft_groups ||
      m->w.cost <= 0.0 || m->w.balance > 0.0 || m->aclasses[0].allowed.bits)
    return 0;
  h0 = m->hclass_hosts[0];
  for (size_t h = 0; h < m->nhosts; h++)
    if (!m->usable[h] || m->cost[h] != m->cost[h0]) return 0;
  for (size_t i = 0; i < m->nitems; i++) {
    /* Leaving an item out must never pay for a host it saves. */
    if (m->item_cur[i] != -1 || m->item_unplaceable[i] ||
        m->item_pen[i] < m->w.cost * m->cost[h0])
      return 0;
    for (uint32_t r = 0; r < m->nres; r++)
      if (m->idem[i * m->nres + r] > m->capx[h0 * m->nres + r]) return 0;
  }
  return 1;
}

int vmp__binproof(vmp__ctx *ctx, uint32_t k, const double *pi, uint64_t budget, int32_t *host,
                  uint64_t *nodes) {
  const vmp__model *m = ctx->m;
  size_t n = m->nitems, h0 = m->hclass_hosts[0];
  uint32_t d = m->nres;
  bp b = {0};
  double *size;
  int found, rc = 0;
  *nodes = 0;
  if (k > m->nhosts) k = (uint32_t)m->nhosts;
  b.ctx = ctx;
  b.d = d;
  b.n = n;
  b.k = k;
  b.budget = budget;
  b.item = malloc(n * sizeof *b.item);
  b.dem = malloc(n * d * sizeof *b.dem);
  b.twin = malloc(n);
  b.used = calloc(n, 1);
  b.bin = malloc(n * sizeof *b.bin);
  b.cap = malloc(d * sizeof *b.cap);
  b.slack = malloc(d * sizeof *b.slack);
  b.load = malloc((n + 1) * d * sizeof *b.load);
  b.inbin = malloc((n + 1) * sizeof *b.inbin);
  b.tmp = malloc(d * sizeof *b.tmp);
  size = malloc(n * sizeof *size);
  if (!b.item || !b.dem || !b.twin || !b.used || !b.bin || !b.cap || !b.slack || !b.load ||
      !b.inbin || !b.tmp || !size) {
    rc = vmp__enomem();
    goto out;
  }
  for (uint32_t r = 0; r < d; r++) {
    b.cap[r] = m->capx[h0 * d + r];
    b.slack[r] = (double)k * b.cap[r];
    for (size_t i = 0; i < n; i++) b.slack[r] -= m->idem[i * d + r];
  }
  for (size_t i = 0; i < n; i++) size[i] = size_of(&b, m, (uint32_t)i);
  sort_items(&b, m, size);
  if (pi) {
    b.w = malloc(n * sizeof *b.w);
    b.wsum = malloc((n + 1) * sizeof *b.wsum);
    if (!b.w || !b.wsum) {
      rc = vmp__enomem();
      goto out;
    }
    if ((rc = take_weights(&b, pi)) < 0) goto out;
    if (rc) {
      free(b.w);
      b.w = NULL;
    }
  }
  found = !b.w || b.wslack >= -BINPROOF_WEIGHT_TOL;
  for (uint32_t r = 0; r < d; r++)
    if (b.slack[r] < 0.0) found = 0;
  if (found) found = fill_bin(&b, 0, 0);
  if (found < 0) {
    rc = found;
    goto out;
  }
  *nodes = b.nodes;
  if (found) {
    for (size_t t = 0; t < n; t++) host[b.item[t]] = (int32_t)m->hclass_hosts[b.bin[t]];
    rc = 1;
  } else {
    rc = b.stop ? 2 : 0;
  }
out:
  free(b.item);
  free(b.dem);
  free(b.twin);
  free(b.used);
  free(b.bin);
  free(b.cap);
  free(b.slack);
  free(b.load);
  free(b.w);
  free(b.wsum);
  free(b.inbin);
  free(b.tmp);
  free(b.cpos);
  free(b.cs);
  free(size);
  return rc;
}
