/* Legacy (EIP-155) and EIP-1559 transaction encoding and signing. */
#include <string.h>

#include "opengradient/og_keccak.h"
#include "opengradient/og_tx.h"

/* Transactions here carry short calldata; a generous cap still bounds
 * a caller's mistake. */
#define TX_MAX (1024 * 1024)

static og_result add_fields(og_buf *b, const og_tx *tx)
{
  og_result r = OG_OK;
  if(tx->type == OG_TX_EIP1559) {
    r = og_rlp_add_u64(b, tx->chain_id);
    if(!r)
      r = og_rlp_add_u64(b, tx->nonce);
    if(!r)
      r = og_rlp_add_u256(b, &tx->max_priority_fee_per_gas);
    if(!r)
      r = og_rlp_add_u256(b, &tx->max_fee_per_gas);
  }
  else {
    r = og_rlp_add_u64(b, tx->nonce);
    if(!r)
      r = og_rlp_add_u256(b, &tx->gas_price);
  }
  if(!r)
    r = og_rlp_add_u64(b, tx->gas);
  if(!r)
    r = og_rlp_add_bytes(b, tx->to.b, tx->has_to ? 20 : 0);
  if(!r)
    r = og_rlp_add_u256(b, &tx->value);
  if(!r)
    r = og_rlp_add_bytes(b, tx->data, tx->data_len);
  if(!r && tx->type == OG_TX_EIP1559)
    r = og_rlp_add_list(b, NULL, 0); /* empty access list */
  return r;
}

static og_result check(const og_tx *tx)
{
  if(tx->type != OG_TX_LEGACY && tx->type != OG_TX_EIP1559)
    return OG_E_USAGE;
  if(!tx->chain_id || (tx->data_len && !tx->data))
    return OG_E_USAGE;
  /* v = chainId*2 + 36 must fit in 64 bits */
  if(tx->type == OG_TX_LEGACY && tx->chain_id > (UINT64_MAX - 36) / 2)
    return OG_E_USAGE;
  return OG_OK;
}

/* Wrap the list payload: [0x02] || list header || payload. */
static og_result finish(og_buf *out, const og_tx *tx, og_buf *items)
{
  og_result r = OG_OK;
  og_buf_reset(out);
  if(tx->type == OG_TX_EIP1559)
    r = og_buf_addc(out, 0x02);
  if(!r)
    r = og_rlp_add_list(out, items->data, items->len);
  return r;
}

og_result og_tx_encode_unsigned(og_buf *out, const og_tx *tx)
{
  og_buf items;
  og_result r = check(tx);
  if(r)
    return r;
  og_buf_init(&items, TX_MAX);
  r = add_fields(&items, tx);
  if(!r && tx->type == OG_TX_LEGACY) {
    r = og_rlp_add_u64(&items, tx->chain_id);
    if(!r)
      r = og_rlp_add_u64(&items, 0);
    if(!r)
      r = og_rlp_add_u64(&items, 0);
  }
  if(!r)
    r = finish(out, tx, &items);
  og_buf_free(&items);
  return r;
}

og_result og_tx_signing_hash(og_bytes32 *out, const og_tx *tx)
{
  og_buf b;
  og_result r;
  og_buf_init(&b, TX_MAX);
  r = og_tx_encode_unsigned(&b, tx);
  if(!r)
    og_keccak256(out, b.data, b.len);
  og_buf_free(&b);
  return r;
}

og_result og_tx_sign(og_buf *raw, og_bytes32 *tx_hash, const og_tx *tx,
                     const og_privkey *key)
{
  og_bytes32 h;
  unsigned char rs[64];
  int recid = 0;
  og_buf items;
  og_result r;
  og_buf_reset(raw);
  r = og_tx_signing_hash(&h, tx);
  if(r)
    return r;
  r = og_secp_sign_recoverable(rs, &recid, &h, key);
  if(r)
    return r;
  og_buf_init(&items, TX_MAX);
  r = add_fields(&items, tx);
  if(!r)
    r = og_rlp_add_u64(&items, tx->type == OG_TX_EIP1559 ?
                       (uint64_t)recid :
                       tx->chain_id * 2 + 35 + (uint64_t)recid);
  if(!r)
    r = og_rlp_add_uint(&items, rs, 32);
  if(!r)
    r = og_rlp_add_uint(&items, rs + 32, 32);
  if(!r)
    r = finish(raw, tx, &items);
  og_buf_free(&items);
  if(r)
    return r;
  if(tx_hash)
    og_keccak256(tx_hash, raw->data, raw->len);
  return OG_OK;
}
