/*
 * Ethereum Keccak-256 (pad byte 0x01; not SHA3-256), on nettle's
 * Keccak-f[1600] permutation.
 */
#ifndef OPENGRADIENT_OG_KECCAK_H
#define OPENGRADIENT_OG_KECCAK_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_keccak {
  uint64_t a[25];
  unsigned char block[136];
  size_t fill;
} og_keccak;

OG_API void og_keccak_init(og_keccak *k);
OG_API void og_keccak_update(og_keccak *k, const void *data, size_t n);
OG_API void og_keccak_final(og_keccak *k, og_bytes32 *out);

/* One-shot keccak256(data). */
OG_API void og_keccak256(og_bytes32 *out, const void *data, size_t n);

#ifdef __cplusplus
}
#endif

#endif
