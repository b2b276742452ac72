/* secp256k1 keys, signing and recovery: known answers from the EIP-712
 * vectors (RFC 6979 makes signatures comparable), key loading rules, and
 * wiping. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_secp.h"

static void load_digest(og_bytes32 *d, const char *hex)
{
  assert_int_equal(og_bytes32_from_hex(d, hex), OG_OK);
}

static void check_vector(const json_t *v, const char *key_hex,
                         const char *digest_hex, const char *sig_hex,
                         const char *addr_hex)
{
  og_privkey k;
  og_address a, want, rec;
  og_bytes32 d;
  og_signature sig, wsig;
  (void)v;
  assert_int_equal(og_privkey_from_hex(&k, key_hex, strlen(key_hex), NULL),
                   OG_OK);
  assert_int_equal(og_privkey_address(&a, &k), OG_OK);
  assert_int_equal(og_address_from_hex(&want, addr_hex), OG_OK);
  assert_memory_equal(a.b, want.b, 20);
  load_digest(&d, digest_hex);
  assert_int_equal(og_secp_sign(&sig, &d, &k), OG_OK);
  assert_int_equal(og_hex_decode_exact(wsig.b, 65, sig_hex, strlen(sig_hex)),
                   OG_OK);
  assert_memory_equal(sig.b, wsig.b, 65);
  assert_int_equal(og_secp_recover(&rec, &d, &sig), OG_OK);
  assert_memory_equal(rec.b, want.b, 20);
  og_privkey_clear(&k);
}

static void test_vectors(void **state)
{
  json_t *p = tu_load_vectors("permit2_upto.json");
  json_t *e = tu_load_vectors("eip712_transfer_with_authorization.json");
  json_t *va = json_object_get(p, "vector_a");
  json_t *vb = json_object_get(p, "vector_b_reference_client");
  (void)state;
  check_vector(p, tu_str(p, "private_key"), tu_str(va, "digest"),
               tu_str(va, "signature"), tu_str(p, "signer_address"));
  check_vector(p, tu_str(p, "private_key"), tu_str(vb, "digest"),
               tu_str(vb, "signature"), tu_str(p, "signer_address"));
  check_vector(e, tu_str(e, "private_key"), tu_str(e, "digest"),
               tu_str(e, "signature"), tu_str(e, "signer_address"));
  json_decref(p);
  json_decref(e);
}

static void test_eip155_example_key(void **state)
{
  const char *key = "4646464646464646464646464646464646464646464646464646464646464646";
  og_privkey k;
  og_address a, want;
  (void)state;
  assert_int_equal(og_privkey_from_hex(&k, key, strlen(key), NULL), OG_OK);
  assert_int_equal(og_privkey_address(&a, &k), OG_OK);
  assert_int_equal(og_address_from_hex(&want,
                   "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"), OG_OK);
  assert_memory_equal(a.b, want.b, 20);
  og_privkey_clear(&k);
}

static void test_key_loading(void **state)
{
  const char *good = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  const char *secret_tail = "cbed5efcae784d7bf4f2ff80";
  char buf[200];
  og_privkey k, k2;
  og_err err;
  static const unsigned char zero[32];
  (void)state;
  /* with and without 0x, upper case, surrounding whitespace */
  assert_int_equal(og_privkey_from_hex(&k, good, strlen(good), NULL), OG_OK);
  assert_int_equal(og_privkey_from_hex(&k2, good + 2, 64, NULL), OG_OK);
  assert_memory_equal(k.b, k2.b, 32);
  snprintf(buf, sizeof(buf), "  0XAC0974BEC39A17E36BA4A6B4D238FF944BACB478CBED5EFCAE784D7BF4F2FF80\n");
  assert_int_equal(og_privkey_from_hex(&k2, buf, strlen(buf), NULL), OG_OK);
  assert_memory_equal(k.b, k2.b, 32);

  /* wrong length, bad digit: error text never echoes the key */
  assert_int_equal(og_privkey_from_hex(&k2, good, 60, &err), OG_E_USAGE);
  assert_null(strstr(err.msg, "ac0974"));
  snprintf(buf, sizeof(buf), "%s", good);
  buf[40] = 'g';
  assert_int_equal(og_privkey_from_hex(&k2, buf, strlen(buf), &err),
                   OG_E_USAGE);
  assert_null(strstr(err.msg, secret_tail));
  assert_null(strstr(err.msg, "ac0974"));
  assert_memory_equal(k2.b, zero, 32);

  /* zero and the group order are not valid secret keys */
  memset(buf, '0', 64);
  assert_int_equal(og_privkey_from_hex(&k2, buf, 64, &err), OG_E_USAGE);
  snprintf(buf, sizeof(buf), "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
  assert_int_equal(og_privkey_from_hex(&k2, buf, 64, &err), OG_E_USAGE);
  assert_memory_equal(k2.b, zero, 32);
  /* order - 1 is valid */
  buf[63] = '0';
  assert_int_equal(og_privkey_from_hex(&k2, buf, 64, &err), OG_OK);

  /* clearing wipes every byte */
  og_privkey_clear(&k);
  assert_memory_equal(k.b, zero, 32);
  og_privkey_clear(&k2);
  assert_memory_equal(k2.b, zero, 32);
}

static void test_recover_rejects(void **state)
{
  json_t *p = tu_load_vectors("permit2_upto.json");
  json_t *va = json_object_get(p, "vector_a");
  og_signature sig;
  og_bytes32 d;
  og_address a, want;
  const char *sh = tu_str(va, "signature");
  (void)state;
  load_digest(&d, tu_str(va, "digest"));
  assert_int_equal(og_address_from_hex(&want, tu_str(p, "signer_address")),
                   OG_OK);
  assert_int_equal(og_hex_decode_exact(sig.b, 65, sh, strlen(sh)), OG_OK);
  /* v as 0/1 works too */
  sig.b[64] -= 27;
  assert_int_equal(og_secp_recover(&a, &d, &sig), OG_OK);
  assert_memory_equal(a.b, want.b, 20);
  /* bad v */
  sig.b[64] = 29;
  assert_int_equal(og_secp_recover(&a, &d, &sig), OG_E_CRYPTO);
  sig.b[64] = 28;
  /* a different digest recovers a different address */
  d.b[0] ^= 1;
  if(og_secp_recover(&a, &d, &sig) == OG_OK)
    assert_memory_not_equal(a.b, want.b, 20);
  d.b[0] ^= 1;
  /* high-s (n - s) is refused */
  {
    static const unsigned char n[32] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
      0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int i, borrow = 0;
    for(i = 31; i >= 0; i--) {
      int t = n[i] - sig.b[32 + i] - borrow;
      borrow = t < 0;
      sig.b[32 + i] = (unsigned char)(t & 0xff);
    }
    sig.b[64] = 27; /* flipped parity */
    assert_int_equal(og_secp_recover(&a, &d, &sig), OG_E_CRYPTO);
  }
  json_decref(p);
}

static void test_sign_roundtrip(void **state)
{
  og_privkey k;
  og_address a, rec;
  og_bytes32 d;
  og_signature s1, s2;
  unsigned char raw[32];
  int i;
  (void)state;
  for(i = 0; i < 32; i++)
    raw[i] = (unsigned char)(i + 1);
  assert_int_equal(og_privkey_from_bytes(&k, raw, NULL), OG_OK);
  assert_int_equal(og_privkey_address(&a, &k), OG_OK);
  for(i = 0; i < 8; i++) {
    memset(d.b, i * 37 + 1, 32);
    assert_int_equal(og_secp_sign(&s1, &d, &k), OG_OK);
    assert_int_equal(og_secp_sign(&s2, &d, &k), OG_OK);
    assert_memory_equal(s1.b, s2.b, 65); /* RFC 6979: deterministic */
    assert_true(s1.b[64] == 27 || s1.b[64] == 28);
    assert_true(s1.b[32] < 0x80); /* low-s: s <= n/2 < 2^255 */
    assert_int_equal(og_secp_recover(&rec, &d, &s1), OG_OK);
    assert_memory_equal(rec.b, a.b, 20);
  }
  og_privkey_clear(&k);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors),
    cmocka_unit_test(test_eip155_example_key),
    cmocka_unit_test(test_key_loading),
    cmocka_unit_test(test_recover_rejects),
    cmocka_unit_test(test_sign_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
