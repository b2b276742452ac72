/* EIP-712 hashes for Permit2 (upto and exact witnesses) and EIP-3009, and
 * the uint256 decimal codec. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_eip712.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

static void assert_hash(const og_bytes32 *h, const char *want)
{
  char hex[67];
  og_bytes32_to_hex(hex, h);
  assert_string_equal(hex, want);
}

static void u256(og_u256 *v, const char *s)
{
  assert_int_equal(og_u256_from_dec(v, s, strlen(s)), OG_OK);
}

static void addr(og_address *a, const char *s)
{
  assert_int_equal(og_address_from_hex(a, s), OG_OK);
}

static void load_permit(og_permit2_transfer *m, const json_t *msg)
{
  json_t *p = json_object_get(msg, "permitted");
  json_t *w = json_object_get(msg, "witness");
  memset(m, 0, sizeof(*m));
  addr(&m->token, tu_str(p, "token"));
  u256(&m->amount, tu_str(p, "amount"));
  addr(&m->spender, tu_str(msg, "spender"));
  u256(&m->nonce, tu_str(msg, "nonce"));
  u256(&m->deadline, tu_str(msg, "deadline"));
  addr(&m->to, tu_str(w, "to"));
  addr(&m->facilitator, tu_str(w, "facilitator"));
  u256(&m->valid_after, tu_str(w, "validAfter"));
}

static void check_upto(const json_t *root, const char *name)
{
  json_t *v = json_object_get(root, name);
  json_t *sh = json_object_get(v, "struct_hashes");
  og_permit2_transfer m;
  og_bytes32 h;
  load_permit(&m, json_object_get(v, "message"));
  og_permit2_token_permissions_hash(&h, &m);
  assert_hash(&h, tu_str(sh, "TokenPermissions"));
  og_permit2_witness_hash(&h, &m, OG_PERMIT2_UPTO);
  assert_hash(&h, tu_str(sh, "Witness"));
  og_permit2_struct_hash(&h, &m, OG_PERMIT2_UPTO);
  assert_hash(&h, tu_str(sh, "PermitWitnessTransferFrom"));
  og_permit2_digest(&h, 8453, &m, OG_PERMIT2_UPTO);
  assert_hash(&h, tu_str(v, "digest"));
}

static void test_permit2_upto(void **state)
{
  json_t *root = tu_load_vectors("permit2_upto.json");
  json_t *th = json_object_get(root, "typehashes");
  json_t *ts = json_object_get(root, "type_strings");
  og_bytes32 h;
  const char *s;
  og_address a;
  (void)state;
  og_eip712_permit2_domain(&h, 8453);
  assert_hash(&h, tu_str(root, "domain_separator"));
  /* our constants are the vector's type strings */
  s = tu_str(ts, "PermitWitnessTransferFrom");
  og_keccak256(&h, s, strlen(s));
  assert_hash(&h, tu_str(th, "PermitWitnessTransferFrom"));
  s = tu_str(root, "domain_type_string");
  og_keccak256(&h, s, strlen(s));
  assert_hash(&h, tu_str(root, "domain_typehash"));
  check_upto(root, "vector_a");
  check_upto(root, "vector_b_reference_client");
  /* the constants */
  addr(&a, tu_str(json_object_get(root, "domain"), "verifyingContract"));
  assert_memory_equal(a.b, og_permit2_address.b, 20);
  addr(&a, "0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002");
  assert_memory_equal(a.b, og_x402_upto_proxy.b, 20);
  addr(&a, "0x402085c248EeA27D92E8b30b2C58ed07f9E20001");
  assert_memory_equal(a.b, og_x402_exact_proxy.b, 20);
  /* another chain gives another domain */
  og_eip712_permit2_domain(&h, 84532);
  assert_true(strcmp(tu_str(root, "domain_separator"), "") != 0);
  {
    char hex[67];
    og_bytes32_to_hex(hex, &h);
    assert_string_not_equal(hex, tu_str(root, "domain_separator"));
  }
  json_decref(root);
}

static void test_permit2_exact_typehashes(void **state)
{
  /* x402 reference: Witness(address to,uint256 validAfter) and the full
   * primary type string. Check through a message with known words. */
  og_permit2_transfer m;
  og_bytes32 h, h2;
  og_keccak k;
  static const char *wit = "Witness(address to,uint256 validAfter)";
  static const char *prim = "PermitWitnessTransferFrom(TokenPermissions "
    "permitted,address spender,uint256 nonce,uint256 deadline,Witness "
    "witness)TokenPermissions(address token,uint256 amount)Witness(address "
    "to,uint256 validAfter)";
  unsigned char words[3 * 32];
  (void)state;
  og_keccak256(&h, wit, strlen(wit));
  assert_hash(&h, "0xd97b3239a7f32295517bd14cb074edfdd188dfe5eb42f802bb26d4fd1eb12c37");
  og_keccak256(&h, prim, strlen(prim));
  assert_hash(&h, "0xebc156cd23678a74c94df13d772ef5478420637f0c94bd10d509e1dc98f521c7");
  memset(&m, 0, sizeof(m));
  memset(m.to.b, 0x22, 20);
  memset(m.facilitator.b, 0x11, 20); /* ignored for exact */
  og_u256_from_u64(&m.valid_after, 7);
  og_permit2_witness_hash(&h, &m, OG_PERMIT2_EXACT);
  og_keccak256((og_bytes32 *)words, wit, strlen(wit));
  memset(words + 32, 0, 12);
  memset(words + 44, 0x22, 20);
  memcpy(words + 64, m.valid_after.b, 32);
  og_keccak_init(&k);
  og_keccak_update(&k, words, sizeof(words));
  og_keccak_final(&k, &h2);
  assert_memory_equal(h.b, h2.b, 32);
  /* and the exact witness differs from the upto one */
  og_permit2_witness_hash(&h2, &m, OG_PERMIT2_UPTO);
  assert_memory_not_equal(h.b, h2.b, 32);
}

static void test_eip3009(void **state)
{
  json_t *v = tu_load_vectors("eip712_transfer_with_authorization.json");
  json_t *dom = json_object_get(v, "domain");
  json_t *msg = json_object_get(v, "message");
  og_eip3009_transfer m;
  og_address token;
  og_bytes32 h;
  (void)state;
  addr(&m.from, tu_str(msg, "from"));
  addr(&m.to, tu_str(msg, "to"));
  u256(&m.value, tu_str(msg, "value"));
  u256(&m.valid_after, tu_str(msg, "validAfter"));
  u256(&m.valid_before, tu_str(msg, "validBefore"));
  assert_int_equal(og_bytes32_from_hex(&m.nonce, tu_str(msg, "nonce")),
                   OG_OK);
  addr(&token, tu_str(dom, "verifyingContract"));
  og_eip712_domain(&h, tu_str(dom, "name"), tu_str(dom, "version"),
                   (uint64_t)json_integer_value(json_object_get(dom,
                                                                "chainId")),
                   &token);
  assert_hash(&h, tu_str(v, "domain_separator"));
  og_eip3009_struct_hash(&h, &m);
  assert_hash(&h, tu_str(v, "struct_hash"));
  og_eip3009_digest(&h, "USD Coin", "2", 8453, &token, &m);
  assert_hash(&h, tu_str(v, "digest"));
  json_decref(v);
}

static void roundtrip(const char *s)
{
  og_u256 v;
  char out[OG_U256_DEC_SIZE];
  assert_int_equal(og_u256_from_dec(&v, s, strlen(s)), OG_OK);
  og_u256_to_dec(out, &v);
  assert_string_equal(out, s);
}

static void test_u256(void **state)
{
  og_u256 a, b;
  uint64_t x;
  char out[OG_U256_DEC_SIZE];
  const char *max = "1157920892373161954235709850086879078532"
                    "69984665640564039457584007913129639935";
  const char *over = "1157920892373161954235709850086879078532"
                     "69984665640564039457584007913129639936";
  (void)state;
  roundtrip("0");
  roundtrip("1");
  roundtrip("100000000000000000");
  roundtrip("18446744073709551615");
  roundtrip("18446744073709551616");
  roundtrip("98765432109876543210987654321098765432109876543210987654321098765432");
  roundtrip(max);
  assert_int_equal(og_u256_from_dec(&a, over, strlen(over)), OG_E_TOO_LARGE);
  assert_int_equal(og_u256_from_dec(&a, "1000000000000000000000000000000000000000000000000000000000000000000000000000000", 79), OG_E_TOO_LARGE);
  assert_int_equal(og_u256_from_dec(&a, "", 0), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, "01", 2), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, "-1", 2), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, "1.0", 3), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, "1e18", 4), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, " 1", 2), OG_E_PARSE);
  assert_int_equal(og_u256_from_dec(&a, "0x10", 4), OG_E_PARSE);
  /* 2^64 exactly: bytes */
  assert_int_equal(og_u256_from_dec(&a, "18446744073709551616", 20), OG_OK);
  assert_int_equal(a.b[23], 1);
  assert_int_equal(og_u256_to_u64(&x, &a), 0);
  og_u256_from_u64(&b, UINT64_MAX);
  assert_int_equal(og_u256_to_u64(&x, &b), 1);
  assert_true(x == UINT64_MAX);
  assert_int_equal(og_u256_cmp(&a, &b), 1);
  assert_int_equal(og_u256_cmp(&b, &a), -1);
  assert_int_equal(og_u256_cmp(&a, &a), 0);
  og_u256_from_u64(&b, 1);
  assert_int_equal(og_u256_add(&b, &b, &a), 1);
  og_u256_to_dec(out, &b);
  assert_string_equal(out, "18446744073709551617");
  assert_int_equal(og_u256_from_dec(&a, max, strlen(max)), OG_OK);
  og_u256_from_u64(&b, 1);
  assert_int_equal(og_u256_add(&b, &a, &b), 0);
  assert_true(og_u256_is_zero(&b));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_permit2_upto),
    cmocka_unit_test(test_permit2_exact_typehashes),
    cmocka_unit_test(test_eip3009),
    cmocka_unit_test(test_u256),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
