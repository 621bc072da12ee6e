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

#endif /* VMPLACE_COMMON_H */
