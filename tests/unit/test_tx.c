/* RLP known answers, the approve transactions of x402_payment.json (legacy
 * EIP-155 and EIP-1559) byte for byte, and ERC-20 calldata. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"
#include "opengradient/og_eip712.h"
#include "opengradient/og_tx.h"

static void assert_buf_hex(const og_buf *b, const char *want)
{
  char *hex = malloc(2 * b->len + 3);
  assert_non_null(hex);
  hex[0] = '0';
  hex[1] = 'x';
  og_hex_encode(hex + 2, b->data ? b->data : (const unsigned char *)"",
                b->len);
  assert_string_equal(hex, want);
  free(hex);
}

static void test_rlp(void **state)
{
  og_buf b, l;
  static const char lorem[] =
    "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  unsigned char big[1024];
  (void)state;
  og_buf_init(&b, 1 << 16);
  og_buf_init(&l, 1 << 16);
  assert_int_equal(og_rlp_add_bytes(&b, (const unsigned char *)"dog", 3),
                   OG_OK);
  assert_buf_hex(&b, "0x83646f67");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_bytes(&b, NULL, 0), OG_OK);
  assert_buf_hex(&b, "0x80");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_bytes(&b, (const unsigned char *)"\x00", 1),
                   OG_OK);
  assert_buf_hex(&b, "0x00");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_bytes(&b, (const unsigned char *)"\x80", 1),
                   OG_OK);
  assert_buf_hex(&b, "0x8180");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_u64(&b, 0), OG_OK);
  assert_int_equal(og_rlp_add_u64(&b, 15), OG_OK);
  assert_int_equal(og_rlp_add_u64(&b, 1024), OG_OK);
  assert_int_equal(og_rlp_add_u64(&b, UINT64_MAX), OG_OK);
  assert_buf_hex(&b, "0x800f82040088ffffffffffffffff");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_bytes(&b, (const unsigned char *)lorem,
                                    strlen(lorem)), OG_OK);
  assert_int_equal(b.len, 58);
  assert_int_equal(b.data[0], 0xb8);
  assert_int_equal(b.data[1], 0x38);
  og_buf_reset(&b);
  memset(big, 0xaa, sizeof(big));
  assert_int_equal(og_rlp_add_bytes(&b, big, sizeof(big)), OG_OK);
  assert_int_equal(b.len, 1027);
  assert_int_equal(b.data[0], 0xb9);
  assert_int_equal(b.data[1], 0x04);
  assert_int_equal(b.data[2], 0x00);
  /* ["cat", "dog"] and [] and [[], [[]], [[], [[]]]] */
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_bytes(&l, (const unsigned char *)"cat", 3),
                   OG_OK);
  assert_int_equal(og_rlp_add_bytes(&l, (const unsigned char *)"dog", 3),
                   OG_OK);
  assert_int_equal(og_rlp_add_list(&b, l.data, l.len), OG_OK);
  assert_buf_hex(&b, "0xc88363617483646f67");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_list(&b, NULL, 0), OG_OK);
  assert_buf_hex(&b, "0xc0");
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_list(&b, (const unsigned char *)
                   "\xc0\xc1\xc0\xc3\xc0\xc1\xc0", 7), OG_OK);
  assert_buf_hex(&b, "0xc7c0c1c0c3c0c1c0");
  /* a long list: header 0xf8 len */
  og_buf_reset(&b);
  assert_int_equal(og_rlp_add_list(&b, big, 60), OG_OK);
  assert_int_equal(b.data[0], 0xf8);
  assert_int_equal(b.data[1], 60);
  og_buf_free(&b);
  og_buf_free(&l);
}

static void fill_common(og_tx *tx, const json_t *c, unsigned char **data)
{
  size_t n;
  memset(tx, 0, sizeof(*tx));
  tx->chain_id = (uint64_t)json_integer_value(json_object_get(c, "chainId"));
  tx->nonce = (uint64_t)json_integer_value(json_object_get(c, "nonce"));
  tx->gas = (uint64_t)json_integer_value(json_object_get(c, "gas"));
  tx->has_to = 1;
  assert_int_equal(og_address_from_hex(&tx->to, tu_str(c, "to")), OG_OK);
  og_u256_from_u64(&tx->value,
                   (uint64_t)json_integer_value(json_object_get(c, "value")));
  *data = tu_hex(tu_str(c, "data"), &n);
  tx->data = *data;
  tx->data_len = n;
}

static void check_tx(og_tx *tx, const json_t *v, const char *unsigned_key)
{
  og_buf b;
  og_bytes32 h, th;
  og_privkey k;
  char hex[67];
  const char *key =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  og_buf_init(&b, 1 << 16);
  assert_int_equal(og_tx_encode_unsigned(&b, tx), OG_OK);
  assert_buf_hex(&b, tu_str(v, unsigned_key));
  assert_int_equal(og_tx_signing_hash(&h, tx), OG_OK);
  og_bytes32_to_hex(hex, &h);
  assert_string_equal(hex, tu_str(v, "signing_hash"));
  assert_int_equal(og_privkey_from_hex(&k, key, strlen(key), NULL), OG_OK);
  assert_int_equal(og_tx_sign(&b, &th, tx, &k), OG_OK);
  assert_buf_hex(&b, tu_str(v, "raw"));
  og_bytes32_to_hex(hex, &th);
  assert_string_equal(hex, tu_str(v, "tx_hash"));
  og_privkey_clear(&k);
  og_buf_free(&b);
}

static void test_approve_vectors(void **state)
{
  json_t *root = tu_load_vectors("x402_payment.json");
  json_t *at = json_object_get(root, "approve_transactions");
  json_t *c = json_object_get(at, "common");
  json_t *leg = json_object_get(at, "legacy_eip155");
  json_t *dyn = json_object_get(at, "eip1559");
  unsigned char *data;
  og_tx tx;
  (void)state;
  fill_common(&tx, c, &data);
  tx.type = OG_TX_LEGACY;
  og_u256_from_u64(&tx.gas_price, (uint64_t)json_integer_value(
                     json_object_get(leg, "gasPrice")));
  check_tx(&tx, leg, "unsigned_rlp_for_signing");
  /* the vector's v: chainId*2 + 35 + 1 */
  assert_int_equal(json_integer_value(json_object_get(leg, "v")),
                   8453 * 2 + 36);
  free(data);

  fill_common(&tx, c, &data);
  tx.type = OG_TX_EIP1559;
  og_u256_from_u64(&tx.max_fee_per_gas, (uint64_t)json_integer_value(
                     json_object_get(dyn, "maxFeePerGas")));
  og_u256_from_u64(&tx.max_priority_fee_per_gas,
                   (uint64_t)json_integer_value(
                     json_object_get(dyn, "maxPriorityFeePerGas")));
  check_tx(&tx, dyn, "unsigned_for_signing");

  /* bad input */
  {
    og_buf b;
    og_bytes32 h;
    og_buf_init(&b, 1 << 16);
    tx.chain_id = 0;
    assert_int_equal(og_tx_encode_unsigned(&b, &tx), OG_E_USAGE);
    assert_int_equal(og_tx_signing_hash(&h, &tx), OG_E_USAGE);
    tx.chain_id = 8453;
    tx.type = (og_tx_type)1;
    assert_int_equal(og_tx_encode_unsigned(&b, &tx), OG_E_USAGE);
    tx.type = OG_TX_LEGACY;
    tx.chain_id = UINT64_MAX;
    assert_int_equal(og_tx_encode_unsigned(&b, &tx), OG_E_USAGE);
    og_buf_free(&b);
  }
  free(data);
  json_decref(root);
}

static void test_erc20_calldata(void **state)
{
  json_t *root = tu_load_vectors("x402_payment.json");
  json_t *e = json_object_get(root, "erc20_calls");
  json_t *at = json_object_get(json_object_get(root, "approve_transactions"),
                               "common");
  unsigned char ap[OG_ERC20_APPROVE_LEN], al[OG_ERC20_ALLOWANCE_LEN];
  unsigned char bo[OG_ERC20_BALANCE_OF_LEN];
  char hex[2 + 2 * 68 + 1];
  og_address owner;
  og_u256 amount, got;
  og_bytes32 h;
  (void)state;
  assert_int_equal(og_address_from_hex(&owner,
                   "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), OG_OK);
  assert_int_equal(og_u256_from_dec(&amount, "100000000000000000", 18),
                   OG_OK);
  og_erc20_approve_calldata(ap, &og_permit2_address, &amount);
  hex[0] = '0';
  hex[1] = 'x';
  og_hex_encode(hex + 2, ap, sizeof(ap));
  assert_string_equal(hex, tu_str(e, "approve_permit2_0_1_opg_calldata"));
  assert_string_equal(hex, tu_str(at, "data"));
  og_erc20_allowance_calldata(al, &owner, &og_permit2_address);
  og_hex_encode(hex + 2, al, sizeof(al));
  assert_string_equal(hex, tu_str(e, "allowance_owner_permit2_calldata"));
  og_erc20_balance_of_calldata(bo, &owner);
  og_hex_encode(hex + 2, bo, sizeof(bo));
  assert_string_equal(hex, tu_str(e, "balanceOf_owner_calldata"));
  /* the selectors are the keccak of the signatures */
  og_keccak256(&h, "approve(address,uint256)", 24);
  assert_memory_equal(h.b, ap, 4);
  og_keccak256(&h, "allowance(address,address)", 26);
  assert_memory_equal(h.b, al, 4);
  og_keccak256(&h, "balanceOf(address)", 18);
  assert_memory_equal(h.b, bo, 4);
  /* return word */
  assert_int_equal(og_erc20_decode_uint(&got, ap + 36, 32), OG_OK);
  assert_int_equal(og_u256_cmp(&got, &amount), 0);
  assert_int_equal(og_erc20_decode_uint(&got, ap, 31), OG_E_PARSE);
  assert_int_equal(og_erc20_decode_uint(&got, ap, 64), OG_E_PARSE);
  json_decref(root);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rlp),
    cmocka_unit_test(test_approve_vectors),
    cmocka_unit_test(test_erc20_calldata),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
