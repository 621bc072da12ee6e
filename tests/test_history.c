/* Usage histories: the CSV and JSON readers, their messages for every kind
 * of bad input, the builder API, timestamps and durations (internal and
 * through vmplace/values.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "timestamp.h"

static vmp_history *parse(const char *text, int format) {
  vmp_history *h = NULL;
  int rc = vmp_history_parse(text, strlen(text), format, "usage.csv", &h);
  if (rc) fail_msg("parse failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return h;
}

static void bad(const char *text, int format, int code, const char *needle) {
  vmp_history *h = (vmp_history *)1;
  int rc = vmp_history_parse(text, strlen(text), format, "usage.csv", &h);
  tu_assert_error(rc, code, needle);
  assert_null(h);
}

static void point(const vmp_history *h, size_t k, size_t i, int64_t t, double v) {
  int64_t tt;
  double vv;
  assert_int_equal(vmp_history_series_point_at(h, k, i, &tt, &vv), VMP_OK);
  assert_int_equal(tt, t);
  assert_true(vv == v);
}

static void test_history__csv_header_formats_and_order(void **state) {
  /* a header in another column order, CRLF, comments, blank lines, quoted
   * names, ISO and Unix timestamps, unsorted and interleaved series */
  const char *text =
      "\xEF\xBB\xBF# exported by hand\r\n"
      "vm,Timestamp,resource,value\r\n"
      "web-1,2024-05-01T01:00:00Z,cpu,2.5\r\n"
      "\r\n"
      "\"db,primary\",1714521600,memory_mib,4096\r\n"
      "web-1,1714521600,cpu,1.5\n"
      "  web-1 , 2024-05-01T04:00:00+02:00 , cpu , 3 \n"
      "\"say \"\"hi\"\"\",2024-05-01,cpu,0\n";
  vmp_history *h = parse(text, VMP_HISTORY_AUTO);
  size_t k;
  (void)state;
  assert_int_equal(vmp_history_num_series(h), 3);
  assert_string_equal(vmp_history_series_vm(h, 0), "web-1");
  assert_string_equal(vmp_history_series_resource(h, 0), "cpu");
  assert_string_equal(vmp_history_series_vm(h, 1), "db,primary");
  assert_string_equal(vmp_history_series_vm(h, 2), "say \"hi\"");
  assert_int_equal(vmp_history_series_len(h, 0), 3);
  /* sorted: 00:00Z (Unix), 01:00Z, 04:00+02:00 = 02:00Z */
  point(h, 0, 0, 1714521600, 1.5);
  point(h, 0, 1, 1714525200, 2.5);
  point(h, 0, 2, 1714528800, 3.0);
  point(h, 2, 0, 1714521600, 0.0);
  assert_int_equal(vmp_history_series_step(h, 0), 3600);
  assert_int_equal(vmp_history_series_step(h, 1), 0);
  assert_int_equal(vmp_history_find(h, "db,primary", "memory_mib", &k), VMP_OK);
  assert_int_equal(k, 1);
  tu_assert_error(vmp_history_find(h, "db", "cpu", &k), VMP_ENOTFOUND, "\"db\"");
  vmp_history_free(h);
}

static void test_history__duplicates(void **state) {
  /* an exact repeat (overlapping exports) is dropped */
  vmp_history *h = parse("1714521600,a,cpu,1\n1714525200,a,cpu,2\n1714521600,a,cpu,1\n",
                         VMP_HISTORY_CSV);
  (void)state;
  assert_int_equal(vmp_history_series_len(h, 0), 2);
  vmp_history_free(h);
  /* the same time with another value names both lines */
  bad("timestamp,vm,resource,value\n1714521600,a,cpu,1\n1714525200,a,cpu,2\n"
      "2024-05-01T00:00:00Z,a,cpu,3\n",
      VMP_HISTORY_CSV, VMP_EPARSE,
      "usage.csv: line 4: a/cpu: timestamp 2024-05-01T00:00:00Z repeats line 2 with "
      "another value (3, was 1)");
}

static void test_history__bad_csv_names_line_and_field(void **state) {
  (void)state;
  bad("", VMP_HISTORY_CSV, VMP_EPARSE, "usage.csv: empty input");
  bad("timestamp,vm,resource,value\n# nothing\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "usage.csv: no samples");
  bad("1714521600,a,cpu,1\n1714525200,a,cpu,NaN\n", VMP_HISTORY_CSV, VMP_ERANGE,
      "usage.csv: line 2: value: expected a finite number >= 0, got \"NaN\"");
  bad("1714521600,a,cpu,inf\n", VMP_HISTORY_CSV, VMP_ERANGE, "line 1: value");
  bad("1714521600,a,cpu,-1\n", VMP_HISTORY_CSV, VMP_ERANGE,
      "line 1: value: expected a finite number >= 0, got \"-1\"");
  bad("1714521600,a,cpu,\n", VMP_HISTORY_CSV, VMP_EPARSE, "line 1: value");
  bad("1714521600,a,cpu,1,2\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: expected 4 fields (timestamp,vm,resource,value), got 5");
  bad("1714521600,a,cpu\n", VMP_HISTORY_CSV, VMP_EPARSE, "got 3");
  bad("\n\nyesterday,a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "usage.csv: line 3: timestamp: expected Unix seconds or an ISO 8601 date-time, "
      "got \"yesterday\"");
  bad("1714521600000,a,cpu,1\n", VMP_HISTORY_CSV, VMP_ERANGE,
      "timestamp: too large for Unix seconds (milliseconds?)");
  bad("2024-13-01T00:00:00Z,a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE, "month out of range");
  bad("2023-02-29,a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE, "day out of range");
  bad("2024-05-01T24:00:00Z,a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE, "hour out of range");
  bad("2024-05-01T10:00:00 UTC,a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "unexpected text after the date-time");
  bad("1714521600,,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: vm: expected a name, got nothing");
  bad("1714521600,a,cpu load,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: resource: \"cpu load\" is not a resource name");
  bad("1714521600,\"a,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: field 2: unterminated quoted field");
  bad("1714521600,\"a\"x,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "field 2: unexpected text after a closing quote");
  bad("timestamp,vm,metric,value\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: header: unknown column \"metric\"");
  bad("timestamp,vm,vm,value\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "header: column \"vm\" appears twice");
  bad("timestamp,vm,resource\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "header: expected the 4 columns");
  bad("1714521600,caf\xe9,cpu,1\n", VMP_HISTORY_CSV, VMP_EPARSE,
      "line 1: vm: name is not valid UTF-8");
  {
    static const char nul[] = "1714521600,a\0b,cpu,1\n";
    vmp_history *h = NULL;
    tu_assert_error(vmp_history_parse(nul, sizeof nul - 1, VMP_HISTORY_CSV, "x.csv", &h),
                    VMP_EPARSE, "x.csv: line 1: vm: name contains a NUL byte");
  }
}

static void test_history__json(void **state) {
  const char *text =
      "{\"version\": 1, \"series\": ["
      " {\"vm\": \"a\", \"resource\": \"cpu\", \"points\": ["
      "   [1714525200, 2], [\"2024-05-01T00:00:00Z\", 1.5],"
      "   {\"timestamp\": 1714528800.4, \"value\": 3}]},"
      " {\"vm\": \"b\", \"resource\": \"cpu\", \"points\": [[0, 0]]}]}";
  vmp_history *h = parse(text, VMP_HISTORY_AUTO);
  (void)state;
  assert_int_equal(vmp_history_num_series(h), 2);
  point(h, 0, 0, 1714521600, 1.5);
  point(h, 0, 1, 1714525200, 2.0);
  point(h, 0, 2, 1714528800, 3.0);
  vmp_history_free(h);
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": [[1, -2]]}]}",
      VMP_HISTORY_JSON, VMP_ERANGE,
      "usage.csv: series[0].points[0][1]: expected a finite number >= 0, got -2");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": []}]}",
      VMP_HISTORY_JSON, VMP_EPARSE, "series[0].points: expected at least one point");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": [[1, 1]]},"
      "{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": [[2, 1]]}]}",
      VMP_HISTORY_JSON, VMP_EPARSE,
      "series[1]: a second series for a/cpu (the first is series[0])");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": [[1, 1]],"
      "\"unit\": \"cores\"}]}",
      VMP_HISTORY_JSON, VMP_EPARSE, "series[0]: unknown key \"unit\"");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": "
      "[[1, 1], [\"1970-01-01T00:00:01Z\", 2]]}]}",
      VMP_HISTORY_JSON, VMP_EPARSE,
      "series[0].points[1]: a/cpu: timestamp 1970-01-01T00:00:01Z repeats "
      "series[0].points[0]");
  bad("{\"series\": [{\"vm\": 3, \"resource\": \"cpu\", \"points\": [[1, 1]]}]}",
      VMP_HISTORY_JSON, VMP_EPARSE, "series[0].vm: expected a string, got a number");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": [[1, 1, 1]]}]}",
      VMP_HISTORY_JSON, VMP_EPARSE, "series[0].points[0]: expected [timestamp, value]");
  bad("{\"series\": [{\"vm\": \"a\", \"resource\": \"cpu\", \"points\": "
      "[[1714521600000, 1]]}]}",
      VMP_HISTORY_JSON, VMP_ERANGE, "(milliseconds?)");
  bad("{\"version\": 2, \"series\": []}", VMP_HISTORY_JSON, VMP_EPARSE,
      "version: expected 1");
  bad("{\"series\": []}", VMP_HISTORY_JSON, VMP_EPARSE, "usage.csv: no samples");
  bad("{\"series\": [", VMP_HISTORY_JSON, VMP_EPARSE, "usage.csv: line 1");
  bad("[1, 2]", VMP_HISTORY_JSON, VMP_EPARSE, "(root): expected an object");
}

static void test_history__api(void **state) {
  vmp_history *h = NULL;
  (void)state;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  assert_int_equal(vmp_history_add(h, "a", "cpu", 300, 3), VMP_OK);
  assert_int_equal(vmp_history_add(h, "a", "cpu", 0, 1), VMP_OK);
  assert_int_equal(vmp_history_add(h, "a", "cpu", 900, 4), VMP_OK);
  assert_int_equal(vmp_history_add(h, "a", "cpu", 600, 2), VMP_OK);
  assert_int_equal(vmp_history_add(h, "a", "cpu", 600, 2), VMP_OK); /* a repeat */
  tu_assert_error(vmp_history_add(h, "a", "cpu", 600, 5), VMP_EEXIST,
                  "a/cpu: timestamp 1970-01-01T00:10:00Z already has the value 2, not 5");
  assert_int_equal(vmp_history_series_len(h, 0), 4);
  point(h, 0, 0, 0, 1);
  point(h, 0, 1, 300, 3);
  point(h, 0, 2, 600, 2);
  point(h, 0, 3, 900, 4);
  assert_int_equal(vmp_history_series_step(h, 0), 300);
  tu_assert_error(vmp_history_add(h, "", "cpu", 0, 1), VMP_EINVAL, "vm: expected a name");
  tu_assert_error(vmp_history_add(h, "a", "9cpu", 0, 1), VMP_EINVAL,
                  "resource: \"9cpu\" is not a resource name");
  tu_assert_error(vmp_history_add(h, "a", "cpu", 0, NAN), VMP_ERANGE, "value");
  tu_assert_error(vmp_history_add(h, "a", "cpu", 0, -1), VMP_ERANGE, "value");
  tu_assert_error(vmp_history_add(h, "a", "cpu", INT64_MAX, 1), VMP_ERANGE, "timestamp");
  tu_assert_error(vmp_history_series_point_at(h, 0, 4, NULL, NULL), VMP_EINVAL, "range");
  assert_null(vmp_history_series_vm(h, 1));
  assert_int_equal(vmp_history_series_len(h, 1), 0);
  vmp_history_free(h);
  vmp_history_free(NULL);
  /* the median step ignores a gap */
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (int64_t t = 0; t < 6000; t += 600)
    if (t != 1800 && t != 2400) assert_int_equal(vmp_history_add(h, "a", "cpu", t, 1), 0);
  assert_int_equal(vmp_history_series_step(h, 0), 600);
  vmp_history_free(h);
  tu_assert_error(vmp_history_read(tu_data("no-such-history.csv"), 0, &h), VMP_EIO,
                  "no-such-history.csv");
}

static int64_t ts(const char *s) {
  int64_t t;
  const char *why = NULL;
  if (vmp__time_parse(s, strlen(s), &t, &why)) fail_msg("%s: %s", s, why);
  return t;
}

static void test_history__timestamps_and_durations(void **state) {
  char buf[32];
  double d;
  (void)state;
  assert_int_equal(ts("2024-05-01T00:00:00Z"), 1714521600);
  assert_int_equal(ts("2024-05-01"), 1714521600);
  assert_int_equal(ts("2024-05-01 02:00+02:00"), 1714521600);
  assert_int_equal(ts("2024-04-30T19:30:00-0430"), 1714521600);
  assert_int_equal(ts("2024-05-01T00:00:00.5Z"), 1714521601);
  assert_int_equal(ts("2024-02-29T12:00:00Z"), 1709208000);
  assert_int_equal(ts("1970-01-01T00:00:00Z"), 0);
  assert_int_equal(ts("1969-12-31T23:59:59Z"), -1);
  assert_int_equal(ts("1714521600.6"), 1714521601);
  assert_string_equal(vmp__time_format(buf, 1709208000), "2024-02-29T12:00:00Z");
  assert_string_equal(vmp__time_format(buf, -1), "1969-12-31T23:59:59Z");
  for (int64_t t = -86400 * 800; t < 86400LL * 365 * 60; t += 86400 * 37 + 3601)
    assert_int_equal(ts(vmp__time_format(buf, t)), t);
  assert_int_equal(vmp__duration_parse("24h", &d), 0);
  assert_true(d == 86400);
  assert_int_equal(vmp__duration_parse("1h30m", &d), 0);
  assert_true(d == 5400);
  assert_int_equal(vmp__duration_parse("1.5d", &d), 0);
  assert_true(d == 129600);
  assert_int_equal(vmp__duration_parse("2w", &d), 0);
  assert_true(d == 1209600);
  assert_int_equal(vmp__duration_parse("90", &d), 0);
  assert_true(d == 90);
  assert_int_equal(vmp__duration_parse("1h30", &d), -1);
  assert_int_equal(vmp__duration_parse("-5m", &d), -1);
  assert_int_equal(vmp__duration_parse("0s", &d), -1);
  assert_int_equal(vmp__duration_parse("5x", &d), -1);
  assert_int_equal(vmp__duration_parse("", &d), -1);
  assert_string_equal(vmp__duration_format(buf, 5400), "1h30m");
  assert_string_equal(vmp__duration_format(buf, 86400), "1d");
  assert_string_equal(vmp__duration_format(buf, 0), "0s");
}

/* The same through the public API (vmplace/values.h), as the vmplace
 * program uses them: exact values, and VMP_EINVAL with a message. */
static void test_history__values_time_round_trip(void **state) {
  char buf[VMP_VALUE_BUFSIZE];
  int64_t t = 0;
  (void)state;
  assert_int_equal(vmp_time_parse("2024-05-01T13:00:00Z", &t), VMP_OK);
  assert_int_equal(t, 1714568400);
  assert_string_equal(vmp_time_format(buf, t), "2024-05-01T13:00:00Z");
  /* An offset moves the instant; a bare number is Unix seconds. */
  assert_int_equal(vmp_time_parse("2024-05-01T15:00:00+02:00", &t), VMP_OK);
  assert_int_equal(t, 1714568400);
  assert_int_equal(vmp_time_parse("86400", &t), VMP_OK);
  assert_int_equal(t, 86400);
  assert_string_equal(vmp_time_format(buf, -1), "1969-12-31T23:59:59Z");
}

static void test_history__values_time_errors(void **state) {
  int64_t t = 7;
  (void)state;
  tu_assert_error(vmp_time_parse("1714568400000", &t), VMP_EINVAL,
                  "timestamp \"1714568400000\": too large for Unix seconds (milliseconds?)");
  tu_assert_error(vmp_time_parse("2024-13-01", &t), VMP_EINVAL, "timestamp \"2024-13-01\": ");
  assert_int_equal(t, 7);
  tu_assert_error(vmp_time_parse(NULL, &t), VMP_EINVAL, "text or out is NULL");
}

static void test_history__values_durations(void **state) {
  char buf[VMP_VALUE_BUFSIZE];
  double s = 0;
  (void)state;
  assert_int_equal(vmp_duration_parse("1h30m", &s), VMP_OK);
  assert_true(s == 5400.0);
  assert_string_equal(vmp_duration_format(buf, s), "1h30m");
  assert_int_equal(vmp_duration_parse("90", &s), VMP_OK);
  assert_true(s == 90.0);
  assert_string_equal(vmp_duration_format(buf, 8 * 86400.0), "1w1d");
  assert_string_equal(vmp_duration_format(buf, 0.0), "0s");
  s = 3;
  tu_assert_error(vmp_duration_parse("1h30", &s), VMP_EINVAL,
                  "expected a duration such as 90s, 15m, 24h, 7d or 1h30m, got \"1h30\"");
  tu_assert_error(vmp_duration_parse("0s", &s), VMP_EINVAL, "got \"0s\"");
  assert_true(s == 3.0);
}

static void test_history__values_decimals(void **state) {
  double v = 0;
  (void)state;
  assert_int_equal(vmp_decimal_parse("-1.5e3", &v), VMP_OK);
  assert_true(v == -1500.0);
  assert_int_equal(vmp_decimal_parse("0.25", &v), VMP_OK);
  assert_true(v == 0.25);
  tu_assert_error(vmp_decimal_parse("0x10", &v), VMP_EINVAL,
                  "expected a decimal number, got \"0x10\"");
  tu_assert_error(vmp_decimal_parse("nan", &v), VMP_EINVAL, "got \"nan\"");
  tu_assert_error(vmp_decimal_parse("", &v), VMP_EINVAL, "got \"\"");
  assert_true(v == 0.25);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_history__csv_header_formats_and_order),
      cmocka_unit_test(test_history__duplicates),
      cmocka_unit_test(test_history__bad_csv_names_line_and_field),
      cmocka_unit_test(test_history__json),
      cmocka_unit_test(test_history__api),
      cmocka_unit_test(test_history__timestamps_and_durations),
      cmocka_unit_test(test_history__values_time_round_trip),
      cmocka_unit_test(test_history__values_time_errors),
      cmocka_unit_test(test_history__values_durations),
      cmocka_unit_test(test_history__values_decimals),
  };
  return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
