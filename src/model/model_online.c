/*
 * Growing a compiled model after compile, for the online placer
 * (src/engine/place.c), which places VMs that were not in the problem it
 * compiled: one spare item whose demand and allowed class are rewritten
 * for each such VM, allowed classes added for the combinations of labels
 * the rules tell apart, and hosts going into or out of maintenance.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Grows a CSR start array of nitems + 1 entries by one, repeating the end. */
static int csr_grow(uint32_t **start, size_t nitems) {
  uint32_t *s = realloc(*start, (nitems + 2) * sizeof *s);
  if (!s) return vmp__enomem();
  s[nitems + 1] = s[nitems];
  *start = s;
  return 0;
}

#define GROW(arr, n)                                              \
  do {                                                            \
    void *tmp_ = realloc((arr), (n) * sizeof *(arr));             \
    if (!tmp_) return vmp__enomem();                              \
    (arr) = tmp_;                                                 \
  } while (0)

int vmp__model_add_spare_item(vmp__model *m, size_t *out) {
  size_t i = m->nitems, R = m->nres;
  GROW(m->idem, (i + 1) * R + 1);
  GROW(m->item_aclass, i + 1);
  GROW(m->item_pen, i + 1);
  GROW(m->item_cur, i + 1);
  GROW(m->item_mig, i + 1);
  GROW(m->item_unplaceable, i + 1);
  if (csr_grow(&m->item_start, i) || csr_grow(&m->item_groups_start, i) ||
      csr_grow(&m->item_sgroups_start, i))
    return vmp__enomem();
  memset(m->idem + i * R, 0, R * sizeof *m->idem);
  m->item_aclass[i] = 0;
  m->item_pen[i] = 0.0;
  m->item_cur[i] = -1;
  m->item_mig[i] = 0.0;
  /* Unplaceable until a VM borrows it: nothing that sums over items
   * (weights, bounds) counts it. */
  m->item_unplaceable[i] = VMP__NO_ALLOWED_HOST;
  m->nitems = i + 1;
  *out = i;
  return 0;
}

static uint32_t count_allowed(const vmp__model *m, const vmp__hostset *s) {
  uint32_t n = 0;
  for (size_t h = 0; h < m->nhosts; h++) n += m->usable[h] && vmp__hostset_has(s, h);
  return n;
}

int vmp__model_add_aclass(vmp__model *m, size_t *cap, uint64_t *bits, double *soft,
                          uint32_t *id) {
  vmp__aclass *a;
  if (*cap < m->naclasses) *cap = m->naclasses; /* compile's own slack is unknown */
  if (vmp__grow(&m->aclasses, cap, (size_t)m->naclasses + 1, sizeof *m->aclasses)) {
    free(bits);
    free(soft);
    return vmp__enomem();
  }
  a = &m->aclasses[m->naclasses];
  a->allowed.bits = bits;
  a->soft = soft;
  a->allowed.count = count_allowed(m, &a->allowed);
  *id = m->naclasses++;
  return 0;
}

void vmp__model_set_usable(vmp__model *m, size_t h, int usable) {
  usable = usable != 0;
  if (m->usable[h] == usable) return;
  m->usable[h] = (uint8_t)usable;
  for (uint32_t a = 0; a < m->naclasses; a++) {
    vmp__hostset *s = &m->aclasses[a].allowed;
    if (!vmp__hostset_has(s, h)) continue;
    if (usable)
      s->count++;
    else if (s->count)
      s->count--;
  }
}
