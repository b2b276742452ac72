/* Known answers for the pre-parse JSON scan (og_json.h): value and depth
 * limits exactly at and one past the edge, keys not counted, strings with
 * escaped quotes and brackets, and the loader honouring the scan. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_json.h"

static char *repeat(const char *unit, size_t n, const char *head,
                    const char *tail, size_t *len)
{
  size_t u = strlen(unit), h = strlen(head), t = strlen(tail), i;
  char *s = malloc(h + u * n + t + 1);
  assert_non_null(s);
  memcpy(s, head, h);
  for(i = 0; i < n; i++)
    memcpy(s + h + i * u, unit, u);
  memcpy(s + h + n * u, tail, t + 1);
  *len = h + u * n + t;
  return s;
}

static void test_depth(void **state)
{
  char buf[2 * OG_JSON_MAX_DEPTH + 8];
  og_err err;
  json_error_t je;
  json_t *j;
  size_t d;
  (void)state;
  for(d = OG_JSON_MAX_DEPTH; d <= OG_JSON_MAX_DEPTH + 1; d++) {
    memset(buf, '[', d);
    memset(buf + d, ']', d);
    buf[2 * d] = 0;
    j = og_json_loadb(buf, 2 * d, 0, &je);
    if(d == OG_JSON_MAX_DEPTH) {
      assert_int_equal(og_json_scan(buf, 2 * d, &err), OG_OK);
      assert_non_null(j);
      json_decref(j);
    }
    else {
      assert_int_equal(og_json_scan(buf, 2 * d, &err), OG_E_TOO_LARGE);
      assert_string_equal(err.msg, "JSON nested deeper than 128 levels");
      assert_null(j);
      assert_string_equal(je.text, "JSON nested deeper than 128 levels");
    }
  }
  /* objects count as levels too; brackets inside strings do not */
  assert_int_equal(og_json_scan("{\"a\":{\"b\":[\"[[[{{{\\\"]]\"]}}", 26,
                                &err), OG_OK);
}

static void test_values(void **state)
{
  size_t len;
  char *s;
  og_err err;
  json_error_t je;
  (void)state;
  /* [] plus N-1 empty objects: exactly the limit */
  s = repeat("{},", OG_JSON_MAX_VALUES - 2, "[", "{}]", &len);
  assert_int_equal(og_json_scan(s, len, &err), OG_OK);
  free(s);
  s = repeat("{},", OG_JSON_MAX_VALUES - 1, "[", "{}]", &len);
  assert_int_equal(og_json_scan(s, len, &err), OG_E_TOO_LARGE);
  assert_string_equal(err.msg, "JSON with more than 500000 values");
  assert_null(og_json_loadb(s, len, 0, &je));
  assert_int_equal(je.line, -1);
  free(s);
  /* keys are not values: {"k":1,...} has one value per member + 1 */
  s = repeat("\"k\\\"\":1,", OG_JSON_MAX_VALUES - 2, "{", "\"z\":2}", &len);
  assert_int_equal(og_json_scan(s, len, &err), OG_OK);
  free(s);
  /* scalars and strings count */
  s = repeat("1,", OG_JSON_MAX_VALUES, "[", "1]", &len);
  assert_int_equal(og_json_scan(s, len, &err), OG_E_TOO_LARGE);
  free(s);
  s = repeat("\"a\",", OG_JSON_MAX_VALUES, "[", "\"b\"]", &len);
  assert_int_equal(og_json_scan(s, len, &err), OG_E_TOO_LARGE);
  free(s);
  /* malformed text is left to the parser; no crash on cut input, NUL or
   * a lone backslash at the end */
  assert_int_equal(og_json_scan("\"abc\\", 5, &err), OG_OK);
  assert_int_equal(og_json_scan("[1,\0,2]", 7, &err), OG_OK);
  assert_int_equal(og_json_scan("]]]]}}", 6, &err), OG_OK);
  assert_int_equal(og_json_scan("", 0, &err), OG_OK);
  assert_null(og_json_loadb("[1,", 3, 0, &je));
  assert_true(je.line > 0); /* jansson's own error */
  assert_null(og_json_loadb("[1,", 3, 0, NULL));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_depth),
    cmocka_unit_test(test_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
