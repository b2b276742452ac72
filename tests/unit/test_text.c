/* Known answers for the one sanitiser of untrusted text (og_text.h). */
#include "testutil.h"

#include <string.h>

#include "opengradient/og_text.h"

static void vis(char *out, size_t outsz, const char *s, size_t n,
                unsigned flags)
{
  size_t used = og_text_visible(out, outsz, s, n, flags);
  assert_int_equal(used, n);
}

static void test_controls(void **state)
{
  char out[256];
  (void)state;
  vis(out, sizeof(out), "a\x1b]0;pwned\x07z", 12, 0);
  assert_string_equal(out, "a\\x1b]0;pwned\\x07z");
  vis(out, sizeof(out), "l1\nl2\tx\r", 8, OG_TEXT_KEEP_NEWLINES);
  assert_string_equal(out, "l1\nl2\tx\\x0d");
  vis(out, sizeof(out), "l1\nl2\t", 6, 0);
  assert_string_equal(out, "l1\\x0al2\\x09");
  vis(out, sizeof(out), "a\0b\x7f", 4, 0);
  assert_string_equal(out, "a\\x00b\\x7f");
  assert_int_equal(og_text_needs_escape("plain \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80", 16, 0), 0);
  assert_int_equal(og_text_needs_escape("a\nb", 3, OG_TEXT_KEEP_NEWLINES), 0);
  assert_int_equal(og_text_needs_escape("a\nb", 3, 0), 1);
}

static void test_c1_bidi_invalid(void **state)
{
  char out[256];
  (void)state;
  /* U+009B (C1 CSI) and U+0085 as UTF-8 */
  vis(out, sizeof(out), "x\xc2\x9b" "31mA\xc2\x85", 9, 0);
  assert_string_equal(out, "x\\u009b31mA\\u0085");
  /* U+00A0 is fine */
  vis(out, sizeof(out), "\xc2\xa0", 2, 0);
  assert_string_equal(out, "\xc2\xa0");
  /* bidi: U+202A..U+202E and U+2066..U+2069; U+2029 and U+2065 pass */
  vis(out, sizeof(out), "\xe2\x80\xae" "abc\xe2\x81\xa6\xe2\x81\xa9"
      "\xe2\x80\xaa\xe2\x80\xa9\xe2\x81\xa5", 21, 0);
  assert_string_equal(out, "\\u202eabc\\u2066\\u2069\\u202a"
                      "\xe2\x80\xa9\xe2\x81\xa5");
  /* the marks LRM, RLM, ALM; U+200D (ZWJ, in emoji) and U+061B pass */
  vis(out, sizeof(out), "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"
      "\xe2\x80\x8d\xd8\x9b", 13, 0);
  assert_string_equal(out, "\\u200e\\u200f\\u061c\xe2\x80\x8d\xd8\x9b");
  /* not UTF-8: a lone continuation, a raw C1 byte, an overlong ESC, a
   * surrogate, a cut sequence, above U+10FFFF */
  vis(out, sizeof(out), "\x80\x9b\xc0\x9b\xed\xa0\x80\xe2\x80", 9, 0);
  assert_string_equal(out, "\\x80\\x9b\\xc0\\x9b\\xed\\xa0\\x80\\xe2\\x80");
  vis(out, sizeof(out), "\xf4\x90\x80\x80", 4, 0);
  assert_string_equal(out, "\\xf4\\x90\\x80\\x80");
}

static void test_cut(void **state)
{
  char out[8];
  size_t used;
  (void)state;
  /* an escape that does not fit is left out whole */
  used = og_text_visible(out, sizeof(out), "abcd\x1b", 5, 0);
  assert_int_equal(used, 4);
  assert_string_equal(out, "abcd");
  /* so is a character */
  used = og_text_visible(out, 6, "abcd\xc3\xa9", 6, 0);
  assert_int_equal(used, 4);
  assert_string_equal(out, "abcd");
  /* a whole character at the cut is kept */
  used = og_text_visible(out, sizeof(out), "abcde\xc3\xa9x", 8, 0);
  assert_int_equal(used, 7);
  assert_string_equal(out, "abcde\xc3\xa9");
  used = og_text_visible(out, 1, "abc", 3, 0);
  assert_int_equal(used, 0);
  assert_string_equal(out, "");
  assert_int_equal(og_text_visible(out, 0, "abc", 3, 0), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_controls),
    cmocka_unit_test(test_c1_bidi_invalid),
    cmocka_unit_test(test_cut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
