/*
 * vmplace — usage history: measured usage per VM and resource, a series of
 * (timestamp, value) samples in the problem's units (docs/forecast.md gives
 * the CSV and JSON formats).
 *
 * Thread-safety: as everywhere in vmplace — a history may be read from
 * several threads while nobody adds to it.
 */
#ifndef VMPLACE_HISTORY_H
#define VMPLACE_HISTORY_H

#include "common.h"

VMP_BEGIN_DECLS

/* ==== usage history ======================================================= */

/** Opaque usage history: one time series per (VM, resource). */
typedef struct vmp_history vmp_history;

/** Formats understood by vmp_history_read and vmp_history_parse. */
typedef enum vmp_history_format {
  VMP_HISTORY_AUTO = 0,  /**< JSON when the file ends in .json or the data
                              starts with '{', else CSV */
  VMP_HISTORY_CSV = 1,   /**< lines timestamp,vm,resource,value; an optional
                              header line names the columns */
  VMP_HISTORY_JSON = 2   /**< {"version": 1, "series": [{"vm", "resource",
                              "points": [[timestamp, value], ...]}]} */
} vmp_history_format;

/**
 * Creates an empty history, to be filled with vmp_history_add.
 *
 * @param out  receives the history (caller owns; vmp_history_free); NULL on
 *             failure.
 * @return VMP_OK, VMP_EINVAL (out is NULL), VMP_ENOMEM.
 */
VMP_API int vmp_history_new(vmp_history **out);

/** Frees a history.  Accepts NULL. */
VMP_API void vmp_history_free(vmp_history *h);

/**
 * Reads a usage history from a file.
 *
 * Timestamps are Unix seconds (a fraction is rounded to the nearest second)
 * or ISO 8601 date-times ("2024-05-01T13:00:00Z"; without a zone offset
 * they are UTC).  Values are finite numbers >= 0.  Samples of one series
 * may come in any order and interleave with other series: each series is
 * sorted by time.  A sample that repeats an earlier one exactly (same
 * series, timestamp and value) is dropped; the same timestamp with another
 * value is an error.  Every message names the file, the line (CSV) or the
 * path (JSON) and the field: "usage.csv: line 7: value: expected a finite
 * number >= 0, got \"NaN\"".
 *
 * @param path    the file.
 * @param format  a vmp_history_format.
 * @param out     receives the history (caller owns); NULL on failure.
 * @return VMP_OK; VMP_EIO (cannot read), VMP_EPARSE (malformed, or no
 *         sample at all), VMP_ERANGE (a value or timestamp out of range),
 *         VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_history_read(const char *path, int format, vmp_history **out);

/**
 * Parses a usage history held in memory; as vmp_history_read.
 *
 * @param data    the bytes (need not be NUL-terminated).
 * @param len     their number.
 * @param format  a vmp_history_format.
 * @param origin  names the input in messages; NULL gives "<input>".
 * @param out     receives the history (caller owns); NULL on failure.
 */
VMP_API int vmp_history_parse(const char *data, size_t len, int format,
                              const char *origin, vmp_history **out);

/**
 * Adds one sample.  Samples are kept sorted by time; adding them in time
 * order costs O(1), out of order O(series length).
 *
 * @param vm         non-empty VM name.
 * @param resource   resource name ([A-Za-z_][A-Za-z0-9_]*).
 * @param timestamp  Unix seconds, |timestamp| <= 10^11.
 * @param value      finite, >= 0.
 * @return VMP_OK (also when the sample repeats an existing one exactly);
 *         VMP_EINVAL (bad name or NULL), VMP_ERANGE (value or timestamp),
 *         VMP_EEXIST (the series has another value at that timestamp),
 *         VMP_ENOMEM.
 */
VMP_API int vmp_history_add(vmp_history *h, const char *vm,
                            const char *resource, int64_t timestamp,
                            double value);

/** Number of series, in order of their first sample in the input. */
VMP_API size_t vmp_history_num_series(const vmp_history *h);
/** VM of series k, or NULL when out of range.  Borrowed (lives with h). */
VMP_API const char *vmp_history_series_vm(const vmp_history *h, size_t k);
/** Resource of series k, or NULL.  Borrowed (lives with h). */
VMP_API const char *vmp_history_series_resource(const vmp_history *h,
                                                size_t k);
/** Number of samples of series k (0 when out of range). */
VMP_API size_t vmp_history_series_len(const vmp_history *h, size_t k);
/**
 * The i-th sample of series k, in time order.  Either out-parameter may be
 * NULL.  @return VMP_OK or VMP_EINVAL (out of range).
 */
VMP_API int vmp_history_series_point_at(const vmp_history *h, size_t k,
                                        size_t i, int64_t *timestamp,
                                        double *value);
/**
 * The step of series k: the median time between consecutive samples, in
 * seconds; 0 for a series of fewer than two samples or out of range.
 */
VMP_API int64_t vmp_history_series_step(const vmp_history *h, size_t k);
/** Looks up the series of a VM and resource.
 * @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_history_find(const vmp_history *h, const char *vm,
                             const char *resource, size_t *k);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_history_series_point vmp_history_series_point_at
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_HISTORY_H */
