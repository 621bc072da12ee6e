/*
 * Internal helpers shared by every module: errors, allocation, clocks,
 * string buffers.  Nothing here is exported.
 */
#ifndef VMP_INTERNAL_H
#define VMP_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "vmplace/vmplace.h"

#if defined(__GNUC__)
#  define VMP__PRINTF(a, b) __attribute__((format(printf, a, b)))
#  define VMP__LIKELY(x) __builtin_expect(!!(x), 1)
#  define VMP__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define VMP__PRINTF(a, b)
#  define VMP__LIKELY(x) (x)
#  define VMP__UNLIKELY(x) (x)
#endif

#define VMP__MAX_RESOURCES 64
#define VMP__MAX_NAME 4096

/* ---- errors (src/util/error.c) -------------------------------------------- */

/* Sets the calling thread's detail message and returns code, so that
 * `return vmp__error(VMP_EINVAL, "...")` reads naturally. */
int vmp__error(int code, const char *fmt, ...) VMP__PRINTF(2, 3);
/* Prefixes the current detail message: "prefix: old message".  Returns
 * code.  Used by readers to add the file and field to a setter's message. */
int vmp__error_prefix(int code, const char *fmt, ...) VMP__PRINTF(2, 3);
/* Out of memory: sets a fixed message, returns VMP_ENOMEM. */
int vmp__enomem(void);

/* ---- allocation ----------------------------------------------------------- */

/* Overflow-checked n * size; returns 0 on overflow (callers treat as
 * ENOMEM). */
size_t vmp__mul(size_t n, size_t size);
void *vmp__malloc(size_t size);
void *vmp__calloc(size_t n, size_t size);
void *vmp__realloc(void *p, size_t size);
/* Grows *arr (element size elem) so that it holds at least need elements;
 * *cap is the current capacity.  0 or VMP_ENOMEM. */
int vmp__grow(void *arr, size_t *cap, size_t need, size_t elem);
char *vmp__strdup(const char *s);
/* Frees the n pointers of ptrs (any may be NULL). */
void vmp__free_n(void *const *ptrs, size_t n);
/* VMP__FREE_ALL(a, b, ...) frees each argument, for the release functions
 * of structs that own many arrays. */
#define VMP__FREE_ALL(...)                                                    \
  vmp__free_n((void *const[]){__VA_ARGS__},                                   \
              sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

/* ---- time ----------------------------------------------------------------- */

/* Monotonic seconds. */
double vmp__now(void);

/* ---- string buffer ---------------------------------------------------------- */

typedef struct vmp__buf {
  char *data;
  size_t len;
  size_t cap;
  int oom;          /* an append failed: the content is truncated */
} vmp__buf;

void vmp__buf_init(vmp__buf *b);
void vmp__buf_free(vmp__buf *b);
void vmp__buf_add(vmp__buf *b, const char *s, size_t n);
void vmp__buf_puts(vmp__buf *b, const char *s);
void vmp__buf_printf(vmp__buf *b, const char *fmt, ...) VMP__PRINTF(2, 3);
void vmp__buf_vprintf(vmp__buf *b, const char *fmt, va_list ap);
/* Hands the NUL-terminated content to the caller (free()) and resets b.
 * NULL when an append failed. */
char *vmp__buf_take(vmp__buf *b);
/* A new string formatted from fmt and ap (the caller frees it); NULL when
 * out of memory. */
char *vmp__vstrfmt(const char *fmt, va_list ap);

/* Copies at most max bytes of s[0..n) into out (which holds max + 4
 * bytes) for quoting input in messages: bytes outside printable ASCII
 * become '?', and "..." marks a cut, so hostile input cannot flood a
 * message.  Returns out. */
const char *vmp__snip(char *out, size_t max, const char *s, size_t n);

/* ---- files (src/util/file.c) ------------------------------------------------ */

/* Reads a whole file into memory (NUL-terminated; *len excludes the NUL).
 * VMP_EIO with "path: <strerror>" on failure. */
int vmp__read_file(const char *path, char **data, size_t *len);
/* Writes text and a final newline to path.  VMP_EIO naming the path. */
int vmp__write_text_file(const char *path, const char *text);

/* Formats a number as briefly as it can be read back exactly ("8192",
 * "0.25", "1e+30").  buf must hold 32 bytes. */
const char *vmp__fmt_num(char buf[32], double v);
/* A user string (a label value) fit for a one-line message: s itself when
 * every byte is printable and neither '"' nor '\\', else s double-quoted
 * with \" \\ \n \t and \xNN escapes, in buf (truncated to n bytes). */
const char *vmp__printable(char *buf, size_t n, const char *s);

/* ---- string -> index map (src/util/strmap.c) -------------------------------- */

/* Open-addressing hash map from NUL-terminated strings to uint32_t.  Keys
 * are not copied: they must outlive the map (they live in a vmp__pool). */
typedef struct vmp__strmap {
  const char **keys;
  uint32_t *vals;
  size_t cap;       /* power of two, or 0 */
  size_t len;
} vmp__strmap;

void vmp__strmap_init(vmp__strmap *m);
void vmp__strmap_free(vmp__strmap *m);
/* Returns 1 and sets *val when found, 0 otherwise. */
int vmp__strmap_get(const vmp__strmap *m, const char *key, uint32_t *val);
/* Inserts or replaces.  0 or VMP_ENOMEM. */
int vmp__strmap_put(vmp__strmap *m, const char *key, uint32_t val);
uint64_t vmp__hash_str(const char *s);
uint64_t vmp__hash_bytes(const void *data, size_t n, uint64_t seed);

/* ---- string pool with interning (src/util/strpool.c) ------------------------- */

/* Every string of a problem lives here once; id 0 is "" and means
 * "absent".  Pointers are stable for the pool's life. */
typedef struct vmp__pool {
  char **chunks;
  size_t nchunks, chunks_cap;
  size_t used;          /* bytes used in the last chunk */
  size_t chunk_size;
  const char **strs;    /* id -> string */
  size_t nstrs, strs_cap;
  vmp__strmap ids;      /* string -> id */
} vmp__pool;

int vmp__pool_init(vmp__pool *pool);
void vmp__pool_free(vmp__pool *pool);
/* Interns s; sets *id.  0 or VMP_ENOMEM. */
int vmp__pool_intern(vmp__pool *pool, const char *s, uint32_t *id);
/* The id of s if interned, else 0. */
uint32_t vmp__pool_find(const vmp__pool *pool, const char *s);
static inline const char *vmp__pool_str(const vmp__pool *pool, uint32_t id) {
  return pool->strs[id];
}

/* ---- random numbers (src/util/util.c) ----------------------------------------- */

/* xoshiro256** seeded through splitmix64: fast, good, reproducible. */
typedef struct vmp__rng { uint64_t s[4]; } vmp__rng;
void vmp__rng_seed(vmp__rng *r, uint64_t seed);
uint64_t vmp__rng_next(vmp__rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t vmp__rng_below(vmp__rng *r, uint64_t n);
/* Uniform in [0, 1). */
double vmp__rng_unit(vmp__rng *r);

/* ---- sorting indices by a key ------------------------------------------------ */

/* An index (of an item, a host, ...) with the key it is sorted by.  The
 * comparators break ties by the index, so qsort gives the same order on
 * every platform and solver results stay reproducible. */
typedef struct vmp__keyed {
  double key;
  uint32_t i;
} vmp__keyed;
/* qsort comparators for vmp__keyed: key ascending / descending, then
 * index ascending. */
int vmp__keyed_asc(const void *a, const void *b);
int vmp__keyed_desc(const void *a, const void *b);

#endif /* VMP_INTERNAL_H */
