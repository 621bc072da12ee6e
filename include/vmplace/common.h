/*
 * vmplace — common definitions shared by every public header.
 *
 * Only standard headers are included from here on, so that the public API
 * compiles as C99 and as C++ without any of vmplace's dependencies.
 */
#ifndef VMPLACE_COMMON_H
#define VMPLACE_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* VMP_API marks every exported symbol.  The library is built with
 * -fvisibility=hidden, so anything without it stays internal. */
#if defined(_WIN32) && defined(VMPLACE_SHARED_BUILD)
#  define VMP_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(VMPLACE_STATIC)
#  define VMP_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define VMP_API __attribute__((visibility("default")))
#else
#  define VMP_API
#endif

#ifdef __cplusplus
#  define VMP_BEGIN_DECLS extern "C" {
#  define VMP_END_DECLS }
#else
#  define VMP_BEGIN_DECLS
#  define VMP_END_DECLS
#endif

/** An index that refers to nothing: "no host", "not found".  Every index in
 * the API is a size_t; this is its largest value. */
#define VMP_NONE ((size_t)-1)

/* Versioned structs.  Every option struct starts with `uint32_t version`
 * and only grows at the end; fill it with its INIT macro or with
 * vmp_<object>_opts_init(&opts, VMP_<OBJECT>_OPTS_VERSION), which tells the
 * library the version the caller was compiled against, so that it reads and
 * writes only the fields that version had.  Structs the library hands to
 * callbacks (vmp_progress, vmp_apply_event) carry the version the library
 * was built with; fields beyond a caller's VMP_*_VERSION are new to it.
 *
 * VMPLACE_TEST_NEXT_OPTS is for tests/test_opts_version.c only: it builds
 * the library as if every versioned struct had grown by one field
 * (VMP__NEXT_FIELD, version + VMP__NEXT_VERSION).  Programs never define it. */
#ifdef VMPLACE_TEST_NEXT_OPTS
#  define VMP__NEXT_VERSION 1
#  define VMP__NEXT_FIELD uint64_t vmp__next_field;
#else
#  define VMP__NEXT_VERSION 0
#  define VMP__NEXT_FIELD
#endif

/* The one-argument vmp_<object>_opts_init(&opts) of 0.1, deprecated: it goes
 * in 0.3.  Each header's "names of 0.1" block defines its init functions as
 * macros over VMP__OPTS_INIT_COMPAT, which gives a one-argument call the
 * header's current VMP_<OBJECT>_OPTS_VERSION, i.e. exactly
 * vmp_<object>_opts_init(&opts, VMP_<OBJECT>_OPTS_VERSION), and passes any
 * other call on unchanged (so a wrong number of arguments is still a compile
 * error).  Macros only: the exported functions and the ABI are those of the
 * two-argument form.  VMP__EXPAND keeps preprocessors that pass __VA_ARGS__
 * on as one argument (MSVC's traditional one) picking the right call. */
#define VMP__EXPAND(x) x
#define VMP__OPTS_INIT_PICK(a1, a2, a3, a4, a5, a6, a7, a8, call, ...) call
#define VMP__OPTS_INIT_COMPAT(fn, version, ...)                               \
  VMP__EXPAND(VMP__OPTS_INIT_PICK(__VA_ARGS__, fn(__VA_ARGS__),              \
                                  fn(__VA_ARGS__), fn(__VA_ARGS__),          \
                                  fn(__VA_ARGS__), fn(__VA_ARGS__),          \
                                  fn(__VA_ARGS__), fn(__VA_ARGS__),          \
                                  fn(__VA_ARGS__, version), unused))

#endif /* VMPLACE_COMMON_H */
