/*
 * Incremental placement state for solvers (state.h).
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"

int vmp__state_init(vmp__state *s, const vmp__model *m) {
  memset(s, 0, sizeof *s);
  s->m = m;
  s->host = malloc((m->nitems ? m->nitems : 1) * sizeof *s->host);
  s->load = calloc(m->nhosts * m->nres + 1, sizeof *s->load);
  s->count = calloc(m->nhosts + 1, sizeof *s->count);
  if (!s->host || !s->load || !s->count) {
    vmp__state_free(s);
    return vmp__enomem();
  }
  for (size_t i = 0; i < m->nitems; i++) s->host[i] = -1;
  return 0;
}

void vmp__state_free(vmp__state *s) {
  free(s->host);
  free(s->load);
  free(s->count);
  memset(s, 0, sizeof *s);
}

void vmp__state_clear(vmp__state *s) {
  const vmp__model *m = s->m;
  for (size_t i = 0; i < m->nitems; i++) s->host[i] = -1;
  memset(s->load, 0, m->nhosts * m->nres * sizeof *s->load);
  memset(s->count, 0, m->nhosts * sizeof *s->count);
  s->placed = s->used = 0;
  s->cost = 0.0;
}

void vmp__state_copy(vmp__state *dst, const vmp__state *src) {
  const vmp__model *m = src->m;
  memcpy(dst->host, src->host, m->nitems * sizeof *dst->host);
  memcpy(dst->load, src->load, m->nhosts * m->nres * sizeof *dst->load);
  memcpy(dst->count, src->count, m->nhosts * sizeof *dst->count);
  dst->placed = src->placed;
  dst->used = src->used;
  dst->cost = src->cost;
}

size_t vmp__state_load(vmp__state *s, const int32_t *host) {
  size_t left = 0;
  vmp__state_clear(s);
  for (size_t i = 0; i < s->m->nitems; i++) {
    if (host[i] < 0) continue;
    if (s->m->item_unplaceable[i] || !vmp__state_fits(s, i, (size_t)host[i])) {
      left++;
      continue;
    }
    vmp__state_place(s, i, (size_t)host[i]);
  }
  return left;
}

int vmp__state_groups_ok(const vmp__state *s, size_t i, size_t h) {
  const vmp__model *m = s->m;
  for (uint32_t k = m->item_groups_start[i]; k < m->item_groups_start[i + 1]; k++) {
    const vmp__mgroup *g = &m->groups[m->item_groups[k]];
    uint32_t d = vmp__model_dom(m, g->scope, h);
    for (uint32_t j = 0; j < g->nitems; j++) {
      uint32_t o = g->items[j];
      int32_t oh;
      if (o == i || (oh = s->host[o]) < 0) continue;
      if (g->policy == VMP_ANTI_AFFINITY) {
        if (vmp__model_dom(m, g->scope, (size_t)oh) == d) return 0;
      } else if (vmp__model_dom(m, g->scope, (size_t)oh) != d) {
        return 0;
      }
    }
  }
  return 1;
}

void vmp__state_place(vmp__state *s, size_t i, size_t h) {
  const vmp__model *m = s->m;
  double *l = s->load + h * m->nres;
  const double *d = m->idem + i * m->nres;
  for (uint32_t r = 0; r < m->nres; r++) l[r] += d[r];
  if (s->count[h]++ == 0) {
    s->used++;
    s->cost += m->cost[h];
  }
  s->host[i] = (int32_t)h;
  s->placed++;
}

void vmp__state_unplace(vmp__state *s, size_t i) {
  const vmp__model *m = s->m;
  int32_t h = s->host[i];
  double *l;
  const double *d = m->idem + i * m->nres;
  if (h < 0) return;
  l = s->load + (size_t)h * m->nres;
  for (uint32_t r = 0; r < m->nres; r++) {
    l[r] -= d[r];
    if (l[r] < 0.0) l[r] = 0.0; /* rounding: an empty host is exactly 0 */
  }
  if (--s->count[h] == 0) {
    s->used--;
    s->cost -= m->cost[h];
    memset(l, 0, m->nres * sizeof *l);
  }
  s->host[i] = -1;
  s->placed--;
}

void vmp__state_add_load(vmp__state *s, size_t h, const double *dem) {
  const vmp__model *m = s->m;
  double *l = s->load + h * m->nres;
  for (uint32_t r = 0; r < m->nres; r++) l[r] += dem[r];
  if (s->count[h]++ == 0) {
    s->used++;
    s->cost += m->cost[h];
  }
}

void vmp__state_sub_load(vmp__state *s, size_t h, const double *dem) {
  const vmp__model *m = s->m;
  double *l = s->load + h * m->nres;
  for (uint32_t r = 0; r < m->nres; r++) {
    l[r] -= dem[r];
    if (l[r] < 0.0) l[r] = 0.0;
  }
  if (--s->count[h] == 0) {
    s->used--;
    s->cost -= m->cost[h];
    memset(l, 0, m->nres * sizeof *l);
  }
}

void vmp__state_place_part(vmp__state *s, size_t i, size_t h, const double *dem) {
  vmp__state_add_load(s, h, dem);
  if (s->host[i] < 0) {
    s->host[i] = (int32_t)h;
    s->placed++;
  }
}

void vmp__state_unplace_part(vmp__state *s, size_t i, size_t h, const double *dem,
                             int last) {
  vmp__state_sub_load(s, h, dem);
  if (last && s->host[i] >= 0) {
    s->host[i] = -1;
    s->placed--;
  }
}

void vmp__items_to_vms(const vmp__model *m, const int32_t *item_host,
                       int32_t *vm_host) {
  for (size_t v = 0; v < m->nvms; v++) vm_host[v] = item_host[m->vm_item[v]];
}
