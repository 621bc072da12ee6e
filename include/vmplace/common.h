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

#endif /* VMPLACE_COMMON_H */
