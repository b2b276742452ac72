/*
 * EIP-712 hashing for the fixed x402 message types (no generic typed-data
 * engine): Permit2 PermitWitnessTransferFrom with the "upto" witness
 * (to, facilitator, validAfter) or the "exact" witness (to, validAfter),
 * and EIP-3009 TransferWithAuthorization.
 */
#ifndef OPENGRADIENT_OG_EIP712_H
#define OPENGRADIENT_OG_EIP712_H

#include "og_common.h"
#include "og_u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Canonical Permit2 (same address on every chain) and the x402 proxies. */
extern OG_API const og_address og_permit2_address;     /* 0x0000…22D4…8BA3 */
extern OG_API const og_address og_x402_upto_proxy;      /* 0x4020A4f3…0002 */
extern OG_API const og_address og_x402_exact_proxy;     /* 0x402085c2…0001 */

/* keccak256(0x19 0x01 || domain || struct_hash). */
OG_API void og_eip712_digest(og_bytes32 *out, const og_bytes32 *domain,
                      const og_bytes32 *struct_hash);

/* Domain separator for EIP712Domain(string name,string version,uint256
 * chainId,address verifyingContract); with version NULL the domain type
 * has no version field (as Permit2's). */
OG_API void og_eip712_domain(og_bytes32 *out, const char *name, const char *version,
                      uint64_t chain_id, const og_address *verifying_contract);

/* The Permit2 domain: name "Permit2", no version, the canonical address. */
OG_API void og_eip712_permit2_domain(og_bytes32 *out, uint64_t chain_id);

typedef enum og_permit2_kind {
  OG_PERMIT2_UPTO,  /* Witness(address to,address facilitator,uint256
                       validAfter) */
  OG_PERMIT2_EXACT  /* Witness(address to,uint256 validAfter) */
} og_permit2_kind;

/* A PermitWitnessTransferFrom message. facilitator is ignored for
 * OG_PERMIT2_EXACT. */
typedef struct og_permit2_transfer {
  og_address token;
  og_u256 amount;
  og_address spender;
  og_u256 nonce;
  og_u256 deadline;
  og_address to;
  og_address facilitator;
  og_u256 valid_after;
} og_permit2_transfer;

/* hashStruct(TokenPermissions{token, amount}). */
OG_API void og_permit2_token_permissions_hash(og_bytes32 *out,
                                       const og_permit2_transfer *m);
/* hashStruct(Witness) of the kind's witness type. */
OG_API void og_permit2_witness_hash(og_bytes32 *out, const og_permit2_transfer *m,
                             og_permit2_kind kind);
/* hashStruct(PermitWitnessTransferFrom). */
OG_API void og_permit2_struct_hash(og_bytes32 *out, const og_permit2_transfer *m,
                            og_permit2_kind kind);
/* The digest to sign on chain chain_id. */
OG_API void og_permit2_digest(og_bytes32 *out, uint64_t chain_id,
                       const og_permit2_transfer *m, og_permit2_kind kind);

/* EIP-3009 TransferWithAuthorization. */
typedef struct og_eip3009_transfer {
  og_address from;
  og_address to;
  og_u256 value;
  og_u256 valid_after;
  og_u256 valid_before;
  og_bytes32 nonce;
} og_eip3009_transfer;

OG_API void og_eip3009_struct_hash(og_bytes32 *out, const og_eip3009_transfer *m);

/* The digest under domain {name, version, chain_id, token}. */
OG_API void og_eip3009_digest(og_bytes32 *out, const char *name, const char *version,
                       uint64_t chain_id, const og_address *token,
                       const og_eip3009_transfer *m);

#ifdef __cplusplus
}
#endif

#endif
