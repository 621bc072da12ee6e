/*
 * Readers of the benchmark formats (docs/formats.md).  Each parses bytes
 * held in memory into a new problem; `origin` names the input in messages,
 * which read "origin: line 3: expected 2 capacities, got 1".  Dispatch by
 * format lives in dispatch.c (vmp_problem_read / vmp_problem_parse).
 */
#ifndef VMP_READERS_H
#define VMP_READERS_H

#include "problem_impl.h"

/* vmplace problem JSON (json_read.c). */
int vmp__read_json(const char *data, size_t len, const char *origin,
                   vmp_problem **out);
/* VPSolver .vbp: resources d1..dD, one host per item copy (an upper bound
 * on the bins needed) named b1..bN, VMs i<k> or i<k>_<copy>. */
int vmp__read_vbp(const char *data, size_t len, const char *origin,
                  vmp_problem **out);
/* VPSolver .mvp: host types with cost and count (-1 unlimited: as many as
 * item copies), items of one shape. */
int vmp__read_mvp(const char *data, size_t len, const char *origin,
                  vmp_problem **out);
/* BPPLIB .txt: n, capacity, n weights; one resource "size". */
int vmp__read_bpplib(const char *data, size_t len, const char *origin,
                     vmp_problem **out);
/* Timefold cloud balancing JSON. */
int vmp__read_cloud(const char *data, size_t len, const char *origin,
                    vmp_problem **out);
/* ROADEF 2012 model text plus the initial assignment text (may be NULL:
 * VMs then have no current host). */
int vmp__read_roadef(const char *model, size_t model_len,
                     const char *assignment, size_t assignment_len,
                     const char *origin, vmp_problem **out);

/* Tokenizer shared by the text formats: reads whitespace-separated numbers
 * and tracks the line for messages. */
typedef struct vmp__tok {
  const char *p, *end;
  const char *origin;
  size_t line;
} vmp__tok;

void vmp__tok_init(vmp__tok *t, const char *data, size_t len,
                   const char *origin);
/* Next number; VMP_EPARSE naming origin, line and what (e.g. "capacity 2")
 * when missing or malformed, VMP_ERANGE when NaN or infinite. */
int vmp__tok_num(vmp__tok *t, const char *what, double *v);
/* Next integer in [min, max]; VMP_EPARSE / VMP_ERANGE. */
int vmp__tok_int(vmp__tok *t, const char *what, long long min, long long max,
                 long long *v);
/* VMP_OK when only whitespace remains, else VMP_EPARSE ("unexpected text
 * after the last item"). */
int vmp__tok_end(vmp__tok *t);
/* A count of records that take at least `per` numbers each.  Every number
 * needs a digit and a separator, so a count larger than the rest of the
 * input can hold is refused (VMP_ERANGE) before anything is allocated. */
int vmp__tok_count(vmp__tok *t, const char *what, size_t per, long long *n);
/* A size or capacity: a number >= 0 (VMP_ERANGE otherwise). */
int vmp__tok_size(vmp__tok *t, const char *what, double *v);
/* 1 when data holds only whitespace. */
int vmp__blank(const char *data, size_t len);

/* The VPSolver formats (.vbp, .mvp) share item types with copies.  Copies
 * multiply, so the file size does not bound the VMs; a million already
 * take hundreds of megabytes. */
#define VMP__TEXT_MAX_COPIES 1000000
/* Reads the copies of item `item` (0-based) into *copies and adds them to
 * *total; VMP_ERANGE when the total passes VMP__TEXT_MAX_COPIES. */
int vmp__tok_copies(vmp__tok *t, long long item, long long *copies,
                    long long *total);
/* Adds resources d1..dD (messages name line 1, where D stands). */
int vmp__text_add_dims(vmp_problem *p, long long d, const char *origin);
/* Adds the VMs of m item types of d sizes each (size[k * d + r]): one per
 * copy, named i<k> when an item has one copy, else i<k>_<copy>; messages
 * name line[k], where the item stands. */
int vmp__text_add_items(vmp_problem *p, long long m, long long d,
                        const double *size, const long long *copies,
                        const size_t *line, const char *origin);

/* The shape every whitespace-separated text format shares: parse the
 * numbers into a reader-specific state, then build the problem from it.
 * vmp__read_text runs the two with the common checks (empty input, error
 * cleanup) around them. */
typedef struct vmp__text_format {
  size_t state_size;
  int (*parse)(vmp__tok *t, void *state);
  int (*build)(const void *state, const char *origin, vmp_problem *p);
  void (*release)(void *state);
} vmp__text_format;

int vmp__read_text(const vmp__text_format *fmt, const char *data, size_t len,
                   const char *origin, vmp_problem **out);

/* Defines reader function `fn` from a state type and the reader's typed
 * parse(vmp__tok *, type *), build(const type *, origin, p) and
 * release(type *). */
#define VMP__TEXT_READER(fn, type, parse_fn, build_fn, release_fn)          \
  static int fn##_parse(vmp__tok *t, void *state) {                         \
    return parse_fn(t, (type *)state);                                      \
  }                                                                         \
  static int fn##_build(const void *state, const char *origin,              \
                        vmp_problem *p) {                                   \
    return build_fn((const type *)state, origin, p);                        \
  }                                                                         \
  static void fn##_release(void *state) { release_fn((type *)state); }      \
  int fn(const char *data, size_t len, const char *origin,                  \
         vmp_problem **out) {                                               \
    static const vmp__text_format format = {sizeof(type), fn##_parse,       \
                                            fn##_build, fn##_release};      \
    return vmp__read_text(&format, data, len, origin, out);                 \
  }

#endif /* VMP_READERS_H */
