/* Keccak-256 on nettle's Keccak-f[1600] permutation (rate 136 bytes,
 * pad byte 0x01: Ethereum's Keccak, not SHA3-256). */
#include <string.h>

#include <nettle/sha3.h>

#include "opengradient/og_keccak.h"

#define KECCAK_RATE 136

/* XOR one 136-byte block into the state as 17 little-endian lanes and
 * permute. The state is kept in nettle's own struct, so no copies. */
static void keccak_absorb(og_keccak *k, const unsigned char *blk)
{
  size_t i;
  for(i = 0; i < KECCAK_RATE / 8; i++) {
    uint64_t lane;
    memcpy(&lane, blk + 8 * i, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    lane = __builtin_bswap64(lane);
#endif
    k->a[i] ^= lane;
  }
  nettle_sha3_permute((struct sha3_state *)(void *)k->a);
}

void og_keccak_init(og_keccak *k)
{
  memset(k, 0, sizeof(*k));
}

void og_keccak_update(og_keccak *k, const void *data, size_t n)
{
  const unsigned char *p = data;
  /* whole blocks straight from the input when nothing is buffered */
  while(!k->fill && n >= KECCAK_RATE) {
    keccak_absorb(k, p);
    p += KECCAK_RATE;
    n -= KECCAK_RATE;
  }
  while(n) {
    size_t take = KECCAK_RATE - k->fill;
    if(take > n)
      take = n;
    memcpy(k->block + k->fill, p, take);
    k->fill += take;
    p += take;
    n -= take;
    if(k->fill == KECCAK_RATE) {
      keccak_absorb(k, k->block);
      k->fill = 0;
    }
  }
}

void og_keccak_final(og_keccak *k, og_bytes32 *out)
{
  size_t i;
  memset(k->block + k->fill, 0, KECCAK_RATE - k->fill);
  k->block[k->fill] ^= 0x01;
  k->block[KECCAK_RATE - 1] ^= 0x80;
  keccak_absorb(k, k->block);
  for(i = 0; i < 32; i++)
    out->b[i] = (unsigned char)(k->a[i / 8] >> (8 * (i % 8)));
  og_wipe(k, sizeof(*k));
}

void og_keccak256(og_bytes32 *out, const void *data, size_t n)
{
  og_keccak k;
  og_keccak_init(&k);
  og_keccak_update(&k, data, n);
  og_keccak_final(&k, out);
}
