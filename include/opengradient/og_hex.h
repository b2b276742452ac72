/*
 * Hex and JSON-RPC quantity codecs, base64, and EIP-55 text for addresses.
 */
#ifndef OPENGRADIENT_OG_HEX_H
#define OPENGRADIENT_OG_HEX_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode hex (optional "0x"/"0X", either case, even length) into out.
 * Fails with OG_E_PARSE on a bad digit or odd length, OG_E_TOO_LARGE when
 * the result would not fit in outcap. */
OG_API og_result og_hex_decode(unsigned char *out, size_t outcap, size_t *outlen,
                        const char *hex, size_t hexlen);

/* Decode hex that must give exactly n bytes. */
OG_API og_result og_hex_decode_exact(unsigned char *out, size_t n, const char *hex,
                              size_t hexlen);

/* Write 2n lowercase hex digits and a NUL into out (size >= 2n+1). */
OG_API void og_hex_encode(char *out, const unsigned char *in, size_t n);

/* "0x" + 64 lowercase hex + NUL (67 bytes). */
OG_API void og_bytes32_to_hex(char out[67], const og_bytes32 *v);

/* Parse a 32-byte value: optional 0x, exactly 64 hex digits, any case. */
OG_API og_result og_bytes32_from_hex(og_bytes32 *out, const char *hex);

/* JSON-RPC quantity ("0x0", "0x1a", no leading zeros required on input
 * beyond "0x0") to uint64; OG_E_PARSE when malformed or over 64 bits. */
OG_API og_result og_quantity_to_u64(uint64_t *out, const char *q);

/* uint64 to a quantity ("0x0", "0x1a"); out must hold 19 bytes. */
OG_API void og_u64_to_quantity(char out[19], uint64_t v);

/* Parse a 20-byte address (optional 0x, 40 hex digits, any case). A
 * mixed-case input must carry a valid EIP-55 checksum. */
OG_API og_result og_address_from_hex(og_address *out, const char *hex);

/* EIP-55 checksummed "0x..." + NUL (43 bytes). */
OG_API void og_address_to_checksum(char out[43], const og_address *a);

/* Standard base64 with padding. og_base64_encode writes a NUL; out must
 * hold 4*ceil(n/3)+1 bytes. */
OG_API void og_base64_encode(char *out, const unsigned char *in, size_t n);

/* Strict standard base64 decode: length a multiple of 4, padding only at
 * the end, no whitespace. *outlen is the exact decoded length. */
OG_API og_result og_base64_decode(unsigned char *out, size_t outcap, size_t *outlen,
                           const char *in, size_t inlen);

#ifdef __cplusplus
}
#endif

#endif
