/*
 * A placement under construction, for solvers: item -> host, loads per
 * host and resource, and the hard-constraint check "does item i fit on host
 * h now" (allowed set, capacity, hard groups).  Kept incrementally so that a
 * placement or removal costs O(nres + group sizes).
 */
#ifndef VMP_STATE_H
#define VMP_STATE_H

#include "model.h"

typedef struct vmp__state {
  const vmp__model *m;
  int32_t *host;          /* [nitems] host or -1 */
  double *load;           /* [h*nres+r] */
  uint32_t *count;        /* [h] items on the host */
  size_t placed;          /* items placed */
  size_t used;            /* hosts with at least one item */
  double cost;            /* raw cost of used hosts */
} vmp__state;

int vmp__state_init(vmp__state *s, const vmp__model *m);
void vmp__state_free(vmp__state *s);
/* Everything unplaced. */
void vmp__state_clear(vmp__state *s);
/* dst (initialised on the same model) becomes a copy of src. */
void vmp__state_copy(vmp__state *dst, const vmp__state *src);
/* Loads a placement (host[i] or -1); items that do not fit are left
 * unplaced.  Returns the number left out. */
size_t vmp__state_load(vmp__state *s, const int32_t *host);

/* Capacity only. */
static inline int vmp__state_fits_capacity(const vmp__state *s, size_t i,
                                           size_t h) {
  const vmp__model *m = s->m;
  const double *l = s->load + h * m->nres;
  const double *c = m->capx + h * m->nres;
  const double *d = m->idem + i * m->nres;
  for (uint32_t r = 0; r < m->nres; r++)
    if (l[r] + d[r] > c[r]) return 0;
  return 1;
}

/* Hard groups (anti-affinity, label-scoped affinity) of item i on host h,
 * given where the other members are now. */
int vmp__state_groups_ok(const vmp__state *s, size_t i, size_t h);

/* Allowed, capacity and groups. */
static inline int vmp__state_fits(const vmp__state *s, size_t i, size_t h) {
  const vmp__model *m = s->m;
  if (!vmp__model_allowed(m, i, h) || !vmp__state_fits_capacity(s, i, h))
    return 0;
  return m->item_groups_start[i] == m->item_groups_start[i + 1] ||
         vmp__state_groups_ok(s, i, h);
}

void vmp__state_place(vmp__state *s, size_t i, size_t h);
void vmp__state_unplace(vmp__state *s, size_t i);

/* Parts of items, for online placement, where the VMs of a hard
 * host-affinity unit arrive one at a time: adds demand dem of one part of
 * item i to host h (the item counts as placed on the host of its first
 * part; count[h] counts parts); and takes it off again (`last`: no part of
 * the item remains placed).  For a single-VM item the same as place and
 * unplace. */
void vmp__state_place_part(vmp__state *s, size_t i, size_t h, const double *dem);
void vmp__state_unplace_part(vmp__state *s, size_t i, size_t h, const double *dem,
                             int last);

/* The load half of the part calls: demand dem on host h, counted as one
 * more (one fewer) occupant, with no item recorded.  The online placer
 * places VMs the model has no item for with these. */
void vmp__state_add_load(vmp__state *s, size_t h, const double *dem);
void vmp__state_sub_load(vmp__state *s, size_t h, const double *dem);

/* Expands an item placement to one host per VM (-1 unplaced). */
void vmp__items_to_vms(const vmp__model *m, const int32_t *item_host,
                       int32_t *vm_host);

#endif /* VMP_STATE_H */
