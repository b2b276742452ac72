/*
 * secp256k1 keys and recoverable ECDSA signatures (Ethereum style), on
 * libsecp256k1. Signatures are RFC 6979 (deterministic) and low-s.
 *
 * A private key lives only in an og_privkey; wipe it with og_privkey_clear
 * as soon as it is no longer needed. No function here prints or returns
 * key material in an error message.
 */
#ifndef OPENGRADIENT_OG_SECP_H
#define OPENGRADIENT_OG_SECP_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_privkey {
  unsigned char b[32];
} og_privkey;

/* r(32) || s(32) || v(1), v = 27 + recovery id: the EIP-712 / x402 form. */
typedef struct og_signature {
  unsigned char b[65];
} og_signature;

/* Load a key from hex text of len bytes: optional "0x"/"0X", exactly 64
 * hex digits; leading and trailing ASCII whitespace (a key file's newline)
 * is ignored. The scalar must be a valid secp256k1 secret key. OG_E_USAGE
 * on any problem; the detail never contains the input. */
OG_API og_result og_privkey_from_hex(og_privkey *out, const char *hex, size_t len,
                              og_err *err);

/* Load a key from 32 raw bytes (validated). OG_E_USAGE when invalid. */
OG_API og_result og_privkey_from_bytes(og_privkey *out, const unsigned char in[32],
                                og_err *err);

/* Wipe the key (all 32 bytes become zero). */
OG_API void og_privkey_clear(og_privkey *k);

/* The Ethereum address of the key: last 20 bytes of keccak256 of the
 * uncompressed public key without its 0x04 prefix. */
OG_API og_result og_privkey_address(og_address *out, const og_privkey *k);

/* Sign a 32-byte digest (no further hashing). rs receives r || s and
 * *recid the recovery id (0 or 1). */
OG_API og_result og_secp_sign_recoverable(unsigned char rs[64], int *recid,
                                   const og_bytes32 *digest,
                                   const og_privkey *k) OG_WARN_UNUSED;

/* Sign a digest into r || s || v with v = 27 + recid. */
OG_API og_result og_secp_sign(og_signature *sig, const og_bytes32 *digest,
                       const og_privkey *k) OG_WARN_UNUSED;

/* Recover the signer's address from a digest and a 65-byte signature whose
 * v is 27/28 (or 0/1). OG_E_CRYPTO when the signature is invalid or
 * high-s. */
OG_API og_result og_secp_recover(og_address *out, const og_bytes32 *digest,
                          const og_signature *sig);

#ifdef __cplusplus
}
#endif

#endif
