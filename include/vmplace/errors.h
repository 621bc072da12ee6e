/*
 * vmplace — error codes.
 *
 * Every fallible call returns an int: 0 (VMP_OK) on success or one of the
 * negative codes below.  The values never change between releases; new codes
 * are only appended.  A code says what kind of failure happened; the
 * per-thread detail message (vmp_last_error) says exactly what and where,
 * e.g. "hosts[3].capacity.cpu: expected a number >= 0".
 *
 * "Infeasible" is not an error: vmp_solve returns VMP_OK and reports it in
 * the solution's status.  Errors are for bad input, exhausted memory,
 * missing components and backend failures.
 */
#ifndef VMPLACE_ERRORS_H
#define VMPLACE_ERRORS_H

#include "common.h"

VMP_BEGIN_DECLS

/* XX(name, value, message): the single table behind the enum,
 * vmp_strerror() and vmp_err_name(). */
#define VMP_ERRNO_MAP(XX)                                                    \
  XX(EINVAL,    -1, "invalid argument")                                      \
  XX(ENOMEM,    -2, "out of memory")                                         \
  XX(EPARSE,    -3, "malformed input")                                       \
  XX(EIO,       -4, "input/output error")                                    \
  XX(ENOTFOUND, -5, "no such name")                                          \
  XX(EEXIST,    -6, "name already in use")                                   \
  XX(ERANGE,    -7, "value out of range")                                    \
  XX(ENOTSUP,   -8, "not supported by this build")                           \
  XX(ESOLVER,   -9, "solver backend failure")                                \
  XX(EVIRT,    -10, "libvirt failure")                                       \
  XX(ESTATE,   -11, "object is in the wrong state for this call")            \
  XX(ECANCELED,-12, "operation canceled")                                    \
  XX(EINTERNAL,-13, "internal error")

/** Result codes.  VMP_OK is 0; every error is negative. */
typedef enum vmp_error {
  VMP_OK = 0,
#define VMP__ERRNO_ENUM(name, value, msg) VMP_##name = (value),
  VMP_ERRNO_MAP(VMP__ERRNO_ENUM)
#undef VMP__ERRNO_ENUM
  VMP__ERRNO_LAST = -14
} vmp_error;

/**
 * A short English description of an error code ("out of memory").
 *
 * @param code  any int; unknown codes give "unknown error".
 * @return a static string, never NULL.
 */
VMP_API const char *vmp_strerror(int code);

/**
 * The symbolic name of an error code ("VMP_ENOMEM"; "VMP_OK" for 0).
 *
 * @param code  any int; unknown codes give "VMP_UNKNOWN".
 * @return a static string, never NULL.
 */
VMP_API const char *vmp_err_name(int code);

/**
 * The detail message of the last error raised on the calling thread.
 *
 * Every call that fails sets it; successful calls leave it untouched.  It
 * names the offending input where there is one, e.g.
 * "example.json: hosts[3].capacity.cpu: expected a number >= 0".
 *
 * @return a thread-local string, never NULL ("" when no error happened yet).
 *         Borrowed: valid until the next vmplace call on the same thread.
 */
VMP_API const char *vmp_last_error(void);

/** Clears the calling thread's detail message. */
VMP_API void vmp_clear_error(void);

/**
 * Frees memory that vmplace allocated and handed to the caller
 * (strings from vmp_problem_to_json, vmp_solution_to_json, ...).
 * Accepts NULL.
 */
VMP_API void vmp_free(void *ptr);

VMP_END_DECLS

#endif /* VMPLACE_ERRORS_H */
