/* values (vmplace/values.h): timestamps, durations and decimal numbers
 * through the public API, the way the vmplace program reads and writes
 * them. */
#include <string.h>

#include "testutil.h"

static void test_values__time_round_trip(void **state) {
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

static void test_values__time_errors(void **state) {
  int64_t t = 7;
  (void)state;
  tu_assert_error(vmp_time_parse("1714568400000", &t), VMP_EINVAL,
                  "timestamp \"1714568400000\": too large for Unix seconds (milliseconds?)");
  tu_assert_error(vmp_time_parse("2024-13-01", &t), VMP_EINVAL, "timestamp \"2024-13-01\": ");
  assert_int_equal(t, 7);
  tu_assert_error(vmp_time_parse(NULL, &t), VMP_EINVAL, "text or out is NULL");
}

static void test_values__durations(void **state) {
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

static void test_values__decimals(void **state) {
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
      cmocka_unit_test(test_values__time_round_trip),
      cmocka_unit_test(test_values__time_errors),
      cmocka_unit_test(test_values__durations),
      cmocka_unit_test(test_values__decimals),
  };
  return cmocka_run_group_tests_name("values", tests, NULL, NULL);
}
