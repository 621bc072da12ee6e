/*
 * Versioned option structs.
 *
 * Every public option struct starts with `uint32_t version` and only ever
 * grows at the end.  A caller compiled against version v of a struct owns
 * exactly the bytes that version had, so the library never reads or writes
 * past them: vmp__opts_init() writes the defaults of the first v versions,
 * vmp__opts_load() copies the caller's v versions over the library's
 * defaults.  Each struct has one vmp__opts_abi that lists the size of every
 * version (VMP__OPTS_END of its last field).
 */
#ifndef VMP_OPTS_H
#define VMP_OPTS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes from the start of type up to the end of field. */
#define VMP__OPTS_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* With VMPLACE_TEST_NEXT_OPTS (include/vmplace/common.h) every struct has
 * one more version, whose last field is vmp__next_field. */
#ifdef VMPLACE_TEST_NEXT_OPTS
#  define VMP__OPTS_NEXT(type) , VMP__OPTS_END(type, vmp__next_field)
#else
#  define VMP__OPTS_NEXT(type)
#endif

typedef struct vmp__opts_abi {
  const char *what;      /* in messages: "solve options" */
  const char *init;      /* the init function to name: "vmp_solve_opts_init" */
  uint32_t latest;       /* the version this library was built with */
  const size_t *size;    /* size[v - 1]: the bytes of version v */
  const void *defaults;  /* a struct of the latest version at its defaults */
} vmp__opts_abi;

/* Defines `name`, the vmp__opts_abi of `type`: `defaults_init` is its
 * INIT macro, and the variable arguments are the sizes of its versions in
 * order, each VMP__OPTS_END(type, last field of that version). */
#define VMP__OPTS_ABI(name, type, latest_version, defaults_init, what_, init_, ...)   \
  static const type name##_defaults = defaults_init;                                  \
  static const size_t name##_size[] = {__VA_ARGS__ VMP__OPTS_NEXT(type)};             \
  _Static_assert(sizeof name##_size / sizeof name##_size[0] == (latest_version),      \
                 #type ": one size per version");                                     \
  static const vmp__opts_abi name = {what_, init_, (latest_version), name##_size,     \
                                     &name##_defaults}

/* 0 when version is one this library knows (1..abi->latest); otherwise
 * VMP_EINVAL with "<what>: version N is unknown; this library knows
 * versions 1..L (initialise with <init>)". */
int vmp__opts_check_version(const vmp__opts_abi *abi, uint32_t version);

/* Returns from the calling function when opts (a pointer to a versioned
 * struct, or NULL) has a version this library does not know. */
#define VMP__OPTS_CHECK(abi, opts)                                          \
  do {                                                                      \
    if (opts) {                                                             \
      int vmp__opts_rc_ = vmp__opts_check_version((abi), (opts)->version);  \
      if (vmp__opts_rc_) return vmp__opts_rc_;                              \
    }                                                                       \
  } while (0)

/* The public *_opts_init(opts, version): writes the defaults of the first
 * `version` versions into opts (and nothing past them), with opts->version
 * = version.  VMP_EINVAL for an unknown version or NULL opts (opts is then
 * not touched). */
int vmp__opts_init(const vmp__opts_abi *abi, void *opts, uint32_t version);

/* dst (a struct of the latest version) receives the library's defaults,
 * then the fields of the caller's struct src as far as src's version goes;
 * dst's version is the latest.  src NULL: defaults only.  VMP_EINVAL for an
 * unknown version (dst then holds the defaults). */
int vmp__opts_load(const vmp__opts_abi *abi, void *dst, const void *src);

#endif /* VMP_OPTS_H */
