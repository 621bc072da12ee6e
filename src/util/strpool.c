/*
 * Interned strings of a problem.  Strings are copied into large chunks so
 * that a million names cost a few allocations and pointers stay stable.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define POOL_CHUNK (64 * 1024)

int vmp__pool_init(vmp__pool *pool) {
  memset(pool, 0, sizeof *pool);
  vmp__strmap_init(&pool->ids);
  pool->chunk_size = POOL_CHUNK;
  if (vmp__grow(&pool->strs, &pool->strs_cap, 1, sizeof *pool->strs))
    return VMP_ENOMEM;
  pool->strs[0] = "";
  pool->nstrs = 1;
  return 0;
}

void vmp__pool_free(vmp__pool *pool) {
  for (size_t k = 0; k < pool->nchunks; k++) free(pool->chunks[k]);
  free(pool->chunks);
  free(pool->strs);
  vmp__strmap_free(&pool->ids);
  memset(pool, 0, sizeof *pool);
}

static char *pool_alloc(vmp__pool *pool, size_t n) {
  char *chunk;
  if (pool->nchunks && pool->used + n <= pool->chunk_size)
    return pool->chunks[pool->nchunks - 1] + (pool->used += n) - n;
  if (vmp__grow(&pool->chunks, &pool->chunks_cap, pool->nchunks + 1,
                sizeof *pool->chunks))
    return NULL;
  if (n > POOL_CHUNK) {
    /* An oversized string gets a chunk of its own, inserted before the
     * current one so that the current one keeps filling. */
    chunk = malloc(n);
    if (!chunk) return NULL;
    if (pool->nchunks) {
      pool->chunks[pool->nchunks] = pool->chunks[pool->nchunks - 1];
      pool->chunks[pool->nchunks - 1] = chunk;
    } else {
      pool->chunks[0] = chunk;
      pool->used = pool->chunk_size; /* full: the next string starts anew */
    }
    pool->nchunks++;
    return chunk;
  }
  chunk = malloc(POOL_CHUNK);
  if (!chunk) return NULL;
  pool->chunks[pool->nchunks++] = chunk;
  pool->chunk_size = POOL_CHUNK;
  pool->used = n;
  return chunk;
}

int vmp__pool_intern(vmp__pool *pool, const char *s, uint32_t *id) {
  uint32_t found;
  size_t n;
  char *copy;
  if (!s[0]) {
    *id = 0;
    return 0;
  }
  if (vmp__strmap_get(&pool->ids, s, &found)) {
    *id = found;
    return 0;
  }
  if (pool->nstrs >= UINT32_MAX - 1) return vmp__enomem();
  if (vmp__grow(&pool->strs, &pool->strs_cap, pool->nstrs + 1,
                sizeof *pool->strs))
    return VMP_ENOMEM;
  n = strlen(s) + 1;
  copy = pool_alloc(pool, n);
  if (!copy) return vmp__enomem();
  memcpy(copy, s, n);
  if (vmp__strmap_put(&pool->ids, copy, (uint32_t)pool->nstrs))
    return VMP_ENOMEM;
  pool->strs[pool->nstrs] = copy;
  *id = (uint32_t)pool->nstrs++;
  return 0;
}

uint32_t vmp__pool_find(const vmp__pool *pool, const char *s) {
  uint32_t id = 0;
  if (!s[0]) return 0;
  return vmp__strmap_get(&pool->ids, s, &id) ? id : 0;
}
