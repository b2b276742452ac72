/* Known answers for the core layer: buffers, hex, quantities, base64,
 * Keccak-256 and EIP-55. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_buf.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"
#include "core/og_random.h"

static void test_keccak_vectors(void **state)
{
  json_t *v = tu_load_vectors("keccak256.json");
  json_t *cases = json_object_get(v, "hash"), *c;
  size_t i;
  (void)state;
  assert_true(json_array_size(cases) >= 5);
  json_array_foreach(cases, i, c) {
    size_t n;
    unsigned char *in = tu_hex(tu_str(c, "input_hex"), &n);
    og_bytes32 h, h2;
    char hex[67];
    og_keccak k;
    size_t off;
    assert_int_equal(n, (size_t)json_integer_value(json_object_get(c, "input_len")));
    og_keccak256(&h, in, n);
    og_bytes32_to_hex(hex, &h);
    assert_string_equal(hex, tu_str(c, "keccak256"));
    /* the same through odd-sized updates */
    og_keccak_init(&k);
    for(off = 0; off < n; off += 7)
      og_keccak_update(&k, in + off, n - off < 7 ? n - off : 7);
    og_keccak_final(&k, &h2);
    assert_memory_equal(h.b, h2.b, 32);
    free(in);
  }
  json_decref(v);
}

static void test_selectors(void **state)
{
  json_t *v = tu_load_vectors("keccak256.json");
  const char *groups[] = {"function_selectors", "error_selectors"};
  size_t g, i;
  json_t *c;
  (void)state;
  for(g = 0; g < 2; g++) {
    json_array_foreach(json_object_get(v, groups[g]), i, c) {
      const char *sig = tu_str(c, "signature");
      og_bytes32 h;
      char hex[67];
      og_keccak256(&h, sig, strlen(sig));
      og_bytes32_to_hex(hex, &h);
      hex[10] = 0;
      assert_string_equal(hex, tu_str(c, "selector"));
    }
  }
  json_array_foreach(json_object_get(v, "eip712_type_hashes"), i, c) {
    const char *s = tu_str(c, "type_string");
    og_bytes32 h;
    char hex[67];
    og_keccak256(&h, s, strlen(s));
    og_bytes32_to_hex(hex, &h);
    assert_string_equal(hex, tu_str(c, "keccak256"));
  }
  json_decref(v);
}

static void test_eip55(void **state)
{
  json_t *v = tu_load_vectors("keccak256.json");
  size_t i;
  json_t *c;
  og_address a;
  char cs[43];
  (void)state;
  json_array_foreach(json_object_get(v, "eip55_checksum"), i, c) {
    assert_int_equal(og_address_from_hex(&a, tu_str(c, "lower")), OG_OK);
    og_address_to_checksum(cs, &a);
    assert_string_equal(cs, tu_str(c, "checksummed"));
    assert_int_equal(og_address_from_hex(&a, tu_str(c, "checksummed")), OG_OK);
  }
  /* a broken checksum is refused */
  assert_int_equal(og_address_from_hex(&a,
    "0xFbC2051AE2265686a469421b2C5A2D5462FbF5EB"), OG_E_PARSE);
  assert_int_equal(og_address_from_hex(&a, "0x1234"), OG_E_PARSE);
  json_decref(v);
}

static void test_hex_and_quantity(void **state)
{
  unsigned char out[4];
  size_t n;
  uint64_t q;
  char qs[19];
  (void)state;
  assert_int_equal(og_hex_decode(out, 4, &n, "0xDEADbeef", 10), OG_OK);
  assert_int_equal(n, 4);
  assert_int_equal(out[0], 0xde);
  assert_int_equal(og_hex_decode(out, 4, &n, "0xabc", 5), OG_E_PARSE);
  assert_int_equal(og_hex_decode(out, 4, &n, "zz", 2), OG_E_PARSE);
  assert_int_equal(og_hex_decode(out, 2, &n, "001122", 6), OG_E_TOO_LARGE);
  /* one prefix only: a doubled one must not leave out[3] unwritten */
  assert_int_equal(og_hex_decode_exact(out, 4, "0x0x112233", 10), OG_E_PARSE);
  assert_int_equal(og_hex_decode_exact(out, 4, "0x00112233", 10), OG_OK);
  assert_int_equal(out[3], 0x33);
  assert_int_equal(og_hex_decode_exact(out, 4, "0011223", 7), OG_E_PARSE);
  assert_int_equal(og_quantity_to_u64(&q, "0x0"), OG_OK);
  assert_int_equal(q, 0);
  assert_int_equal(og_quantity_to_u64(&q, "0x7a69"), OG_OK);
  assert_int_equal(q, 31337);
  assert_int_equal(og_quantity_to_u64(&q, "0xffffffffffffffff"), OG_OK);
  assert_true(q == UINT64_MAX);
  assert_int_equal(og_quantity_to_u64(&q, "0x10000000000000000"), OG_E_PARSE);
  assert_int_equal(og_quantity_to_u64(&q, "0x"), OG_E_PARSE);
  assert_int_equal(og_quantity_to_u64(&q, "12"), OG_E_PARSE);
  og_u64_to_quantity(qs, 0);
  assert_string_equal(qs, "0x0");
  og_u64_to_quantity(qs, 8453);
  assert_string_equal(qs, "0x2105");
}

static void test_base64(void **state)
{
  const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                       "Zm9vYmFy"};
  size_t i, n;
  char out[16];
  unsigned char dec[16];
  (void)state;
  for(i = 0; i < 7; i++) {
    og_base64_encode(out, (const unsigned char *)plain[i], strlen(plain[i]));
    assert_string_equal(out, enc[i]);
    assert_int_equal(og_base64_decode(dec, sizeof(dec), &n, enc[i],
                                      strlen(enc[i])), OG_OK);
    assert_int_equal(n, strlen(plain[i]));
    assert_memory_equal(dec, plain[i], n);
  }
  assert_int_equal(og_base64_decode(dec, 16, &n, "Zm9", 3), OG_E_PARSE);
  assert_int_equal(og_base64_decode(dec, 16, &n, "Zm 9", 4), OG_E_PARSE);
  assert_int_equal(og_base64_decode(dec, 16, &n, "Z=9v", 4), OG_E_PARSE);
  assert_int_equal(og_base64_decode(dec, 2, &n, "Zm9v", 4), OG_E_TOO_LARGE);
}

static void test_buf_cap(void **state)
{
  og_buf b;
  (void)state;
  og_buf_init(&b, 8);
  assert_int_equal(og_buf_addstr(&b, "abcd"), OG_OK);
  assert_int_equal(og_buf_printf(&b, "%d", 123), OG_OK);
  assert_string_equal(og_buf_str(&b), "abcd123");
  og_buf_consume(&b, 2);
  assert_string_equal(og_buf_str(&b), "cd123");
  assert_int_equal(og_buf_addstr(&b, "xyzw"), OG_E_TOO_LARGE);
  assert_int_equal(b.len, 0);
  /* sticky until reset, with the first failure's reason */
  assert_int_equal(og_buf_addc(&b, 'a'), OG_E_TOO_LARGE);
  og_buf_reset(&b);
  assert_int_equal(og_buf_addc(&b, 'a'), OG_OK);
  assert_string_equal(og_buf_str(&b), "a");
  og_buf_free(&b);
  assert_string_equal(og_buf_str(&b), "");
}

/* The one random source fills what it is asked for. */
static void test_random_bytes(void **state)
{
  unsigned char a[64], b[64];
  (void)state;
  memset(a, 0, sizeof(a));
  memset(b, 0, sizeof(b));
  assert_int_equal(og_random_bytes(a, sizeof(a)), OG_OK);
  assert_int_equal(og_random_bytes(b, sizeof(b)), OG_OK);
  assert_memory_not_equal(a, b, sizeof(a));
  assert_int_equal(og_random_bytes(a, 0), OG_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keccak_vectors),
    cmocka_unit_test(test_selectors),
    cmocka_unit_test(test_eip55),
    cmocka_unit_test(test_hex_and_quantity),
    cmocka_unit_test(test_base64),
    cmocka_unit_test(test_buf_cap),
    cmocka_unit_test(test_random_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
