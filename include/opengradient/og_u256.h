/*
 * Unsigned 256-bit integers as 32 big-endian bytes (the ABI / EIP-712 word
 * layout), with a strict decimal parser and printer. Token amounts, Permit2
 * nonces and deadlines use this; no floating point anywhere.
 */
#ifndef OPENGRADIENT_OG_U256_H
#define OPENGRADIENT_OG_U256_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_u256 {
  unsigned char b[32]; /* big-endian */
} og_u256;

/* 2^256-1 has 78 decimal digits; with the NUL, 79 bytes. */
#define OG_U256_DEC_SIZE 79

/* Parse a decimal string of len bytes: digits only, no sign, no
 * whitespace, no leading zero except "0" itself. OG_E_PARSE when
 * malformed, OG_E_TOO_LARGE when the value is 2^256 or more. */
OG_API og_result og_u256_from_dec(og_u256 *out, const char *s, size_t len);

/* Shortest decimal text and a NUL (at most OG_U256_DEC_SIZE bytes). */
OG_API void og_u256_to_dec(char out[OG_U256_DEC_SIZE], const og_u256 *v);

OG_API void og_u256_from_u64(og_u256 *out, uint64_t v);

/* 1 and *out set when v fits in 64 bits, else 0. */
OG_API int og_u256_to_u64(uint64_t *out, const og_u256 *v);

/* -1, 0 or 1 as a <, ==, > b. */
OG_API int og_u256_cmp(const og_u256 *a, const og_u256 *b);

/* 1 when v is zero. */
OG_API int og_u256_is_zero(const og_u256 *v);

/* *out = a + b; returns 0 on overflow (out then holds the wrapped sum). */
OG_API int og_u256_add(og_u256 *out, const og_u256 *a, const og_u256 *b);

#ifdef __cplusplus
}
#endif

#endif
