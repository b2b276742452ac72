/*
 * Ethereum transactions for the payment side (the ERC-20 approve of
 * Permit2): RLP, legacy EIP-155 and EIP-1559 (type 2) signing, and the
 * calldata of the three fixed ERC-20 calls the client makes.
 */
#ifndef OPENGRADIENT_OG_TX_H
#define OPENGRADIENT_OG_TX_H

#include "og_buf.h"
#include "og_common.h"
#include "og_secp.h"
#include "og_u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- RLP (appending to out; on failure out is freed, see og_buf) ---- */

/* A byte string item. */
OG_API og_result og_rlp_add_bytes(og_buf *out, const unsigned char *p, size_t n)
  OG_WARN_UNUSED;
/* An unsigned integer given big-endian (leading zeros are dropped; zero
 * is the empty string 0x80). */
OG_API og_result og_rlp_add_uint(og_buf *out, const unsigned char *be, size_t n)
  OG_WARN_UNUSED;
OG_API og_result og_rlp_add_u64(og_buf *out, uint64_t v) OG_WARN_UNUSED;
OG_API og_result og_rlp_add_u256(og_buf *out, const og_u256 *v) OG_WARN_UNUSED;
/* A list whose items are already encoded in payload (n bytes). */
OG_API og_result og_rlp_add_list(og_buf *out, const unsigned char *payload,
                          size_t n) OG_WARN_UNUSED;

/* ---- transactions ---- */

typedef enum og_tx_type {
  OG_TX_LEGACY = 0,   /* EIP-155: v = chainId*2 + 35 + recid */
  OG_TX_EIP1559 = 2   /* 0x02 || rlp([...]), yParity = recid, empty access
                         list */
} og_tx_type;

typedef struct og_tx {
  og_tx_type type;
  uint64_t chain_id;                 /* non-zero */
  uint64_t nonce;
  uint64_t gas;
  og_u256 gas_price;                 /* legacy only */
  og_u256 max_fee_per_gas;           /* EIP-1559 only */
  og_u256 max_priority_fee_per_gas;  /* EIP-1559 only */
  int has_to;                        /* 0: contract creation */
  og_address to;
  og_u256 value;
  const unsigned char *data;         /* may be NULL when data_len is 0 */
  size_t data_len;
} og_tx;

/* The unsigned encoding whose keccak is signed (legacy: rlp with chainId,
 * 0, 0; type 2: 0x02 || rlp). out is reset first. OG_E_USAGE for a
 * chain id of 0 or an unknown type. */
OG_API og_result og_tx_encode_unsigned(og_buf *out, const og_tx *tx)
  OG_WARN_UNUSED;

/* keccak256 of the unsigned encoding. */
OG_API og_result og_tx_signing_hash(og_bytes32 *out, const og_tx *tx)
  OG_WARN_UNUSED;

/* Sign: raw (reset first) receives the signed transaction bytes for
 * eth_sendRawTransaction, tx_hash (may be NULL) its hash. Caller frees
 * raw with og_buf_free. */
OG_API og_result og_tx_sign(og_buf *raw, og_bytes32 *tx_hash, const og_tx *tx,
                     const og_privkey *key) OG_WARN_UNUSED;

/* ---- ERC-20 calldata (a fixed, local ABI encoding of static words) ---- */

#define OG_ERC20_APPROVE_LEN 68
#define OG_ERC20_ALLOWANCE_LEN 68
#define OG_ERC20_BALANCE_OF_LEN 36

/* approve(address spender,uint256 amount): 0x095ea7b3 */
OG_API void og_erc20_approve_calldata(unsigned char out[OG_ERC20_APPROVE_LEN],
                               const og_address *spender,
                               const og_u256 *amount);
/* allowance(address owner,address spender): 0xdd62ed3e */
OG_API void og_erc20_allowance_calldata(unsigned char out[OG_ERC20_ALLOWANCE_LEN],
                                 const og_address *owner,
                                 const og_address *spender);
/* balanceOf(address owner): 0x70a08231 */
OG_API void og_erc20_balance_of_calldata(
  unsigned char out[OG_ERC20_BALANCE_OF_LEN], const og_address *owner);

/* Decode a uint256 return value (allowance, balanceOf): exactly one
 * 32-byte word. OG_E_PARSE otherwise. */
OG_API og_result og_erc20_decode_uint(og_u256 *out, const unsigned char *ret,
                               size_t n);

#ifdef __cplusplus
}
#endif

#endif
