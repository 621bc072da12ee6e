/*
 * The hard rebalancing constraints kept incrementally for the heuristic
 * solvers (hardcons.h).
 */
#include "hardcons.h"

#include <stdlib.h>
#include <string.h>

enum { REF_SPREAD = 0, REF_DEP_A = 1, REF_DEP_B = 2 };

static int spread_tracked(const vmp__mspread *s) { return s->hard && s->min_domains >= 2; }

int vmp__hardcons_init(vmp__hardcons *hd, const vmp__model *m) {
  size_t nref = 0;
  uint32_t *fill = NULL;
  memset(hd, 0, sizeof *hd);
  hd->m = m;
  hd->on = (m->needs & VMP__NEED_HARD) != 0;
  if (!hd->on) return 0;
  if (m->tbase) {
    hd->tload = calloc(m->nhosts * m->nres + 1, sizeof *hd->tload);
    hd->tover = calloc(m->nhosts * m->nres + 1, 1);
    if (!hd->tload || !hd->tover) goto oom;
  }
  hd->scnt = calloc(m->nspreads + 1, sizeof *hd->scnt);
  hd->scover = calloc(m->nspreads + 1, sizeof *hd->scover);
  hd->splaced = calloc(m->nspreads + 1, sizeof *hd->splaced);
  hd->sviol = calloc(m->nspreads + 1, 1);
  hd->da = calloc(m->ndeps + 1, sizeof *hd->da);
  hd->db = calloc(m->ndeps + 1, sizeof *hd->db);
  hd->vm_start = calloc(m->nvms + 2, sizeof *hd->vm_start);
  if (!hd->scnt || !hd->scover || !hd->splaced || !hd->sviol || !hd->da || !hd->db ||
      !hd->vm_start)
    goto oom;
  for (uint32_t s = 0; s < m->nspreads; s++) {
    if (!spread_tracked(&m->spreads[s])) continue;
    if (!(hd->scnt[s] = calloc(m->rdoms[m->spreads[s].doms].ndom + 1, sizeof **hd->scnt)))
      goto oom;
    for (uint32_t k = 0; k < m->spreads[s].nvms; k++) hd->vm_start[m->spreads[s].vms[k] + 1]++;
  }
  for (uint32_t d = 0; d < m->ndeps; d++) {
    const vmp__mdep *dp = &m->deps[d];
    uint32_t nd = m->rdoms[dp->doms].ndom;
    if (!dp->hard) continue;
    if (!(hd->da[d] = calloc(nd + 1, sizeof **hd->da)) ||
        !(hd->db[d] = calloc(nd + 1, sizeof **hd->db)))
      goto oom;
    for (uint32_t k = 0; k < dp->na; k++) hd->vm_start[dp->a[k] + 1]++;
    for (uint32_t k = 0; k < dp->nb; k++) hd->vm_start[dp->b[k] + 1]++;
  }
  for (size_t v = 0; v < m->nvms; v++) hd->vm_start[v + 1] += hd->vm_start[v];
  nref = hd->vm_start[m->nvms];
  hd->vm_refs = malloc((nref + 1) * sizeof *hd->vm_refs);
  fill = calloc(m->nvms + 1, sizeof *fill);
  if (!hd->vm_refs || !fill) goto oom;
#define ADD_REF(v, ref) hd->vm_refs[hd->vm_start[v] + fill[v]++] = (ref)
  for (uint32_t s = 0; s < m->nspreads; s++)
    if (spread_tracked(&m->spreads[s]))
      for (uint32_t k = 0; k < m->spreads[s].nvms; k++)
        ADD_REF(m->spreads[s].vms[k], s << 2 | REF_SPREAD);
  for (uint32_t d = 0; d < m->ndeps; d++) {
    if (!m->deps[d].hard) continue;
    for (uint32_t k = 0; k < m->deps[d].na; k++) ADD_REF(m->deps[d].a[k], d << 2 | REF_DEP_A);
    for (uint32_t k = 0; k < m->deps[d].nb; k++) ADD_REF(m->deps[d].b[k], d << 2 | REF_DEP_B);
  }
#undef ADD_REF
  free(fill);
  vmp__hardcons_clear(hd);
  return 0;
oom:
  free(fill);
  vmp__hardcons_free(hd);
  return vmp__enomem();
}

void vmp__hardcons_free(vmp__hardcons *hd) {
  const vmp__model *m = hd->m;
  if (m && hd->scnt)
    for (uint32_t s = 0; s < m->nspreads; s++) free(hd->scnt[s]);
  if (m && hd->da)
    for (uint32_t d = 0; d < m->ndeps; d++) free(hd->da[d]);
  if (m && hd->db)
    for (uint32_t d = 0; d < m->ndeps; d++) free(hd->db[d]);
  VMP__FREE_ALL(hd->tload, hd->tover, hd->scnt, hd->scover, hd->splaced, hd->sviol, hd->da, hd->db,
                hd->vm_start, hd->vm_refs);
  memset(hd, 0, sizeof *hd);
}

/* Re-derives the transient flags of host h; adjusts nviol. */
static void transient_flags(vmp__hardcons *hd, size_t h) {
  const vmp__model *m = hd->m;
  for (uint32_t r = 0; r < m->nres; r++) {
    size_t x = h * m->nres + r;
    uint8_t over;
    if (!((m->transient >> r) & 1u)) continue;
    over = m->tbase[x] + hd->tload[x] > m->capx[x];
    if (over != hd->tover[x]) {
      if (over) hd->nviol++;
      else hd->nviol--;
      hd->tover[x] = over;
    }
  }
}

void vmp__hardcons_clear(vmp__hardcons *hd) {
  const vmp__model *m = hd->m;
  if (!hd->on) return;
  hd->nviol = 0;
  if (hd->tload) {
    memset(hd->tload, 0, m->nhosts * m->nres * sizeof *hd->tload);
    memset(hd->tover, 0, m->nhosts * m->nres);
    for (size_t h = 0; h < m->nhosts; h++) transient_flags(hd, h);
  }
  for (uint32_t s = 0; s < m->nspreads; s++) {
    hd->scover[s] = hd->splaced[s] = 0;
    hd->sviol[s] = 0;
    if (hd->scnt[s])
      memset(hd->scnt[s], 0, m->rdoms[m->spreads[s].doms].ndom * sizeof **hd->scnt);
  }
  for (uint32_t d = 0; d < m->ndeps; d++)
    if (hd->da[d]) {
      uint32_t nd = m->rdoms[m->deps[d].doms].ndom;
      memset(hd->da[d], 0, nd * sizeof **hd->da);
      memset(hd->db[d], 0, nd * sizeof **hd->db);
    }
}

static void spread_flag(vmp__hardcons *hd, uint32_t s) {
  uint32_t k = hd->m->spreads[s].min_domains, need = hd->splaced[s] < k ? hd->splaced[s] : k;
  uint8_t v = hd->scover[s] < need;
  if (v != hd->sviol[s]) {
    if (v) hd->nviol++;
    else hd->nviol--;
    hd->sviol[s] = v;
  }
}

/* Member VM v arrives on (delta +1) or leaves (-1) host h. */
static void vm_delta(vmp__hardcons *hd, uint32_t v, size_t h, int delta) {
  const vmp__model *m = hd->m;
  for (uint32_t k = hd->vm_start[v]; k < hd->vm_start[v + 1]; k++) {
    uint32_t ref = hd->vm_refs[k], idx = ref >> 2, kind = ref & 3u;
    if (kind == REF_SPREAD) {
      uint32_t d = m->rdoms[m->spreads[idx].doms].dom[h];
      if (delta > 0) {
        if (hd->scnt[idx][d]++ == 0) hd->scover[idx]++;
        hd->splaced[idx]++;
      } else {
        if (--hd->scnt[idx][d] == 0) hd->scover[idx]--;
        hd->splaced[idx]--;
      }
      spread_flag(hd, idx);
    } else {
      /* every VM of A in a domain without B counts */
      uint32_t d = m->rdoms[m->deps[idx].doms].dom[h];
      size_t before = hd->db[idx][d] ? 0 : hd->da[idx][d], after;
      uint32_t *c = kind == REF_DEP_A ? &hd->da[idx][d] : &hd->db[idx][d];
      if (delta > 0) (*c)++;
      else (*c)--;
      after = hd->db[idx][d] ? 0 : hd->da[idx][d];
      hd->nviol = hd->nviol + after - before;
    }
  }
}

static void item_delta(vmp__hardcons *hd, size_t i, size_t h, int delta) {
  const vmp__model *m = hd->m;
  int tr = 0;
  if (!hd->on) return;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    if (hd->tload && m->cur[v] != (int32_t)h)
      for (uint32_t r = 0; r < m->nres; r++)
        if ((m->transient >> r) & 1u) {
          double d = m->dem[(size_t)v * m->nres + r];
          if (d != 0.0) {
            hd->tload[h * m->nres + r] += delta > 0 ? d : -d;
            tr = 1;
          }
        }
    vm_delta(hd, v, h, delta);
  }
  if (tr) transient_flags(hd, h);
}

void vmp__hardcons_place(vmp__hardcons *hd, size_t i, size_t h) { item_delta(hd, i, h, +1); }

void vmp__hardcons_unplace(vmp__hardcons *hd, size_t i, size_t h) { item_delta(hd, i, h, -1); }

void vmp__hardcons_vm_place(vmp__hardcons *hd, size_t v, size_t h) {
  if (hd->on) vm_delta(hd, (uint32_t)v, h, +1);
}

void vmp__hardcons_vm_unplace(vmp__hardcons *hd, size_t v, size_t h) {
  if (hd->on) vm_delta(hd, (uint32_t)v, h, -1);
}

int vmp__hardcons_try_place(vmp__state *st, vmp__hardcons *hd, size_t i, size_t h) {
  size_t before = hd->nviol;
  if (!vmp__state_fits(st, i, h)) return 0;
  vmp__state_place(st, i, h);
  vmp__hardcons_place(hd, i, h);
  if (hd->nviol <= before) return 1;
  vmp__hardcons_unplace(hd, i, h);
  vmp__state_unplace(st, i);
  return 0;
}

int vmp__hardcons_repair(vmp__state *st, vmp__hardcons *hd, int32_t *host, size_t *violations,
                         vmp__ctx *ctx) {
  const vmp__model *m = st->m;
  uint32_t *pend = malloc((m->nitems + 1) * sizeof *pend);
  size_t np = 0;
  int progress = 1, stop = 0;
  if (!pend) return vmp__enomem();
  vmp__state_clear(st);
  vmp__hardcons_clear(hd);
  /* Everything where it is meant to go at once (capacity, allowed hosts and
   * groups permitting; items staying on their current host first), then
   * off again, one at a time, what breaks a hard rebalancing constraint:
   * VMs that only satisfy one another together (a dependency cycle, a
   * spread group) stay. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < m->nitems; i++) {
      int32_t h = host[i];
      int stays = h >= 0 && m->item_cur[i] == h;
      if (h < 0 || m->item_unplaceable[i] || stays != (pass == 0)) continue;
      if (vmp__state_fits(st, i, (size_t)h)) {
        vmp__state_place(st, i, (size_t)h);
        vmp__hardcons_place(hd, i, (size_t)h);
      }
    }
  vmp__hardcons_shed(st, hd);
  for (size_t i = 0; i < m->nitems; i++)
    if (host[i] >= 0 && !m->item_unplaceable[i] && st->host[i] < 0) pend[np++] = (uint32_t)i;
  /* Left-out items again, while that places more: first only where they
   * were meant to go or run now, until that places no more (a VM another
   * one waits for must not wander off to a domain of its own), then
   * anywhere.  Out of time, the rest stays out. */
  while (progress && np && !stop) {
    int anywhere;
    progress = 0;
    for (anywhere = 0; anywhere < 2 && !progress && !stop; anywhere++) {
      int more = 1;
      while (more && np && !stop) {
        size_t k = 0;
        more = 0;
        for (size_t j = 0; j < np && !stop; j++) {
          uint32_t i = pend[j];
          int32_t c = m->item_cur[i];
          int ok;
          if (ctx && (j & 15) == 0 && vmp__ctx_should_stop(ctx)) {
            stop = 1;
            break;
          }
          ok = host[i] >= 0 && vmp__hardcons_try_place(st, hd, i, (size_t)host[i]);
          if (!ok && c >= 0 && c != host[i]) ok = vmp__hardcons_try_place(st, hd, i, (size_t)c);
          for (size_t h = 0; anywhere && h < m->nhosts && !ok; h++)
            ok = vmp__hardcons_try_place(st, hd, i, h);
          if (ok) more = progress = 1;
          else pend[k++] = i;
        }
        np = k;
        /* anywhere: one pass, then the preferred hosts again */
        if (anywhere) break;
      }
    }
  }
  free(pend);
  vmp__hardcons_shed(st, hd);
  memcpy(host, st->host, m->nitems * sizeof *host);
  if (violations) *violations = hd->nviol;
  return 0;
}

/* A spread group short of domains with more members placed than domains
 * covered: takes members off shared domains until placed <= covered. */
static int shed_spread(vmp__state *st, vmp__hardcons *hd, uint32_t s) {
  const vmp__model *m = st->m;
  const vmp__mspread *sp = &m->spreads[s];
  int any = 0;
  for (uint32_t k = 0; k < sp->nvms && hd->sviol[s]; k++) {
    uint32_t i = m->vm_item[sp->vms[k]];
    int32_t h = st->host[i];
    if (h < 0 || hd->scnt[s][m->rdoms[sp->doms].dom[h]] < 2) continue;
    vmp__hardcons_unplace(hd, i, (size_t)h);
    vmp__state_unplace(st, i);
    any = 1;
  }
  return any;
}

/* A host over a transient capacity: takes off the items that moved onto
 * it, one at a time, until it is not. */
static int shed_transient(vmp__state *st, vmp__hardcons *hd, size_t h) {
  const vmp__model *m = st->m;
  int any = 0;
  for (size_t i = 0; i < m->nitems; i++) {
    int over = 0;
    for (uint32_t r = 0; r < m->nres && !over; r++) over = hd->tover[h * m->nres + r];
    if (!over) break;
    if (st->host[i] != (int32_t)h || m->item_cur[i] == (int32_t)h) continue;
    vmp__hardcons_unplace(hd, i, h);
    vmp__state_unplace(st, i);
    any = 1;
  }
  return any;
}

/* Whether item i, on host h, has a VM of A of a hard dependency in a
 * domain without a VM of B: one the dependency counts. */
static int item_dep_violator(const vmp__hardcons *hd, size_t i, size_t h) {
  const vmp__model *m = hd->m;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    for (uint32_t x = hd->vm_start[v]; x < hd->vm_start[v + 1]; x++) {
      uint32_t ref = hd->vm_refs[x], idx = ref >> 2;
      if ((ref & 3u) == REF_DEP_A && !hd->db[idx][m->rdoms[m->deps[idx].doms].dom[h]])
        return 1;
    }
  }
  return 0;
}

void vmp__hardcons_shed(vmp__state *st, vmp__hardcons *hd) {
  const vmp__model *m = st->m;
  int progress = 1;
  while (hd->on && hd->nviol && progress) {
    progress = 0;
    for (size_t h = 0; hd->tover && h < m->nhosts && hd->nviol; h++) {
      int over = 0;
      for (uint32_t r = 0; r < m->nres && !over; r++) over = hd->tover[h * m->nres + r];
      if (over && shed_transient(st, hd, h)) progress = 1;
    }
    for (uint32_t s = 0; s < m->nspreads && hd->nviol; s++)
      if (hd->sviol[s] && shed_spread(st, hd, s)) progress = 1;
    for (size_t i = 0; i < m->nitems && hd->nviol; i++) {
      int32_t h = st->host[i];
      size_t before = hd->nviol;
      if (h < 0) continue;
      vmp__hardcons_unplace(hd, i, (size_t)h);
      if (hd->nviol < before) {
        vmp__state_unplace(st, i);
        progress = 1;
      } else {
        vmp__hardcons_place(hd, i, (size_t)h);
      }
    }
    /* Stuck: no single item comes off with fewer violations, as in a
     * chain of dependencies where the VM of A that breaks one is the VM
     * of B another one needs (v2 needs v6 on its host, v3 needs v2 in its
     * zone, v6 is out: taking v2 off mends one and breaks the other).
     * Take off a VM that breaks a dependency anyway: every such step
     * places one item fewer, so this ends, at worst with the dependent
     * items out, and never with a hard violation left. */
    if (!progress && hd->nviol)
      for (size_t i = 0; i < m->nitems; i++) {
        int32_t h = st->host[i];
        if (h < 0 || !item_dep_violator(hd, i, (size_t)h)) continue;
        vmp__hardcons_unplace(hd, i, (size_t)h);
        vmp__state_unplace(st, i);
        progress = 1;
        break;
      }
  }
}

/* Whether a VM of item i is a member of a tracked spread group or
 * dependency. */
static int item_tracked(const vmp__hardcons *hd, size_t i) {
  const vmp__model *m = hd->m;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    if (hd->vm_start[v] < hd->vm_start[v + 1]) return 1;
  }
  return 0;
}

static void move_in(vmp__state *st, vmp__hardcons *hd, size_t i, size_t h) {
  vmp__state_place(st, i, h);
  vmp__hardcons_place(hd, i, h);
}

static void move_out(vmp__state *st, vmp__hardcons *hd, size_t i) {
  vmp__hardcons_unplace(hd, i, (size_t)st->host[i]);
  vmp__state_unplace(st, i);
}

/* Exchanges everything on hosts a and b (items[0..na) on a, the rest of
 * items[0..n) on b) when every item fits in its new place; 1 when done,
 * else everything is back. */
static int swap_hosts(vmp__state *st, vmp__hardcons *hd, const uint32_t *items, size_t na,
                      size_t n, size_t a, size_t b) {
  size_t k, placed = 0;
  for (k = 0; k < n; k++) move_out(st, hd, items[k]);
  for (k = 0; k < n; k++) {
    size_t to = k < na ? b : a;
    if (!vmp__state_fits(st, items[k], to)) break;
    move_in(st, hd, items[k], to);
    placed++;
  }
  if (placed == n) return 1;
  for (k = 0; k < placed; k++) move_out(st, hd, items[k]);
  for (k = 0; k < n; k++) move_in(st, hd, items[k], k < na ? a : b);
  return 0;
}

/* Whether item i is a member counted in a violated instance, roughly: a
 * member of a spread group short of domains, or of a dependency. */
static int item_in_trouble(const vmp__hardcons *hd, size_t i) {
  const vmp__model *m = hd->m;
  for (uint32_t k = m->item_start[i]; k < m->item_start[i + 1]; k++) {
    uint32_t v = m->item_vms[k];
    for (uint32_t x = hd->vm_start[v]; x < hd->vm_start[v + 1]; x++) {
      uint32_t ref = hd->vm_refs[x];
      if ((ref & 3u) == REF_SPREAD ? hd->sviol[ref >> 2] != 0 : 1) return 1;
    }
  }
  return 0;
}

void vmp__hardcons_swap(vmp__state *st, vmp__hardcons *hd, int32_t *host, uint64_t budget) {
  const vmp__model *m = st->m;
  uint32_t *items = malloc((m->nitems + 1) * sizeof *items);
  int improved = 1;
  vmp__state_load(st, host);
  vmp__hardcons_clear(hd);
  for (size_t i = 0; i < m->nitems; i++)
    if (st->host[i] >= 0) vmp__hardcons_place(hd, i, (size_t)st->host[i]);
  for (int pass = 0; pass < 3 && improved && hd->on && hd->nviol && budget; pass++) {
    improved = 0;
    for (size_t i = 0; i < m->nitems && hd->nviol && budget; i++) {
      int done = 0;
      if (st->host[i] < 0 || !item_tracked(hd, i) || !item_in_trouble(hd, i)) continue;
      /* one item for another */
      for (size_t j = 0; j < m->nitems && budget && !done; j++) {
        int32_t hi = st->host[i], hj = st->host[j];
        size_t before = hd->nviol;
        int in_i = 0, in_j = 0;
        if (j == i || hj < 0 || hj == hi) continue;
        budget--;
        move_out(st, hd, i);
        move_out(st, hd, j);
        if (vmp__state_fits(st, i, (size_t)hj)) {
          move_in(st, hd, i, (size_t)hj);
          in_i = 1;
          if (vmp__state_fits(st, j, (size_t)hi)) {
            move_in(st, hd, j, (size_t)hi);
            in_j = 1;
          }
        }
        if (in_j && hd->nviol < before) {
          done = improved = 1;
          break;
        }
        if (in_j) move_out(st, hd, j);
        if (in_i) move_out(st, hd, i);
        move_in(st, hd, i, (size_t)hi);
        move_in(st, hd, j, (size_t)hj);
      }
      /* the whole host for another whole host (one in another domain
       * holding what fits in the other's room) */
      for (size_t h = 0; h < m->nhosts && budget && !done && items; h++) {
        size_t hi = (size_t)st->host[i], n = 0, na, before = hd->nviol;
        if (h == hi) continue;
        for (size_t k = 0; k < m->nitems; k++)
          if (st->host[k] == (int32_t)hi) items[n++] = (uint32_t)k;
        na = n;
        for (size_t k = 0; k < m->nitems; k++)
          if (st->host[k] == (int32_t)h) items[n++] = (uint32_t)k;
        budget -= budget < n + 1 ? budget : n + 1;
        if (!swap_hosts(st, hd, items, na, n, hi, h)) continue;
        if (hd->nviol < before) {
          done = improved = 1;
          break;
        }
        /* no better: everything back where it was */
        for (size_t k = 0; k < n; k++) move_out(st, hd, items[k]);
        for (size_t k = 0; k < n; k++) move_in(st, hd, items[k], k < na ? hi : h);
      }
    }
  }
  free(items);
  memcpy(host, st->host, m->nitems * sizeof *host);
}
