/*
 * String -> uint32 hash map with open addressing and linear probing.  Keys
 * are borrowed (they live in a problem's string pool).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void vmp__strmap_init(vmp__strmap *m) { memset(m, 0, sizeof *m); }

void vmp__strmap_free(vmp__strmap *m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

int vmp__strmap_get(const vmp__strmap *m, const char *key, uint32_t *val) {
  size_t mask, k;
  if (!m->cap) return 0;
  mask = m->cap - 1;
  for (k = (size_t)vmp__hash_str(key) & mask; m->keys[k]; k = (k + 1) & mask) {
    if (strcmp(m->keys[k], key) == 0) {
      if (val) *val = m->vals[k];
      return 1;
    }
  }
  return 0;
}

static int rehash(vmp__strmap *m, size_t ncap) {
  const char **keys = calloc(ncap, sizeof *keys);
  uint32_t *vals = calloc(ncap, sizeof *vals);
  size_t mask = ncap - 1;
  if (!keys || !vals) {
    free(keys);
    free(vals);
    return vmp__enomem();
  }
  for (size_t j = 0; j < m->cap; j++) {
    size_t k;
    if (!m->keys[j]) continue;
    k = (size_t)vmp__hash_str(m->keys[j]) & mask;
    while (keys[k]) k = (k + 1) & mask;
    keys[k] = m->keys[j];
    vals[k] = m->vals[j];
  }
  free(m->keys);
  free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->cap = ncap;
  return 0;
}

int vmp__strmap_put(vmp__strmap *m, const char *key, uint32_t val) {
  size_t mask, k;
  if ((m->len + 1) * 2 > m->cap) {
    int rc = rehash(m, m->cap ? m->cap * 2 : 16);
    if (rc) return rc;
  }
  mask = m->cap - 1;
  for (k = (size_t)vmp__hash_str(key) & mask; m->keys[k]; k = (k + 1) & mask) {
    if (strcmp(m->keys[k], key) == 0) {
      m->vals[k] = val;
      return 0;
    }
  }
  m->keys[k] = key;
  m->vals[k] = val;
  m->len++;
  return 0;
}
