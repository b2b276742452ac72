/* Calldata for the three fixed ERC-20 calls of the payment side. These
 * are static words only (selector, left-padded addresses, uint256), so a
 * few lines here replace a general ABI encoder; this file is the one
 * place that encodes them. */
#include <string.h>

#include "opengradient/og_tx.h"

static unsigned char *put_selector(unsigned char *p, uint32_t sel)
{
  p[0] = (unsigned char)(sel >> 24);
  p[1] = (unsigned char)(sel >> 16);
  p[2] = (unsigned char)(sel >> 8);
  p[3] = (unsigned char)sel;
  return p + 4;
}

static unsigned char *put_address(unsigned char *p, const og_address *a)
{
  memset(p, 0, 12);
  memcpy(p + 12, a->b, 20);
  return p + 32;
}

void og_erc20_approve_calldata(unsigned char out[OG_ERC20_APPROVE_LEN],
                               const og_address *spender,
                               const og_u256 *amount)
{
  unsigned char *p = put_selector(out, 0x095ea7b3u);
  p = put_address(p, spender);
  memcpy(p, amount->b, 32);
}

void og_erc20_allowance_calldata(unsigned char out[OG_ERC20_ALLOWANCE_LEN],
                                 const og_address *owner,
                                 const og_address *spender)
{
  unsigned char *p = put_selector(out, 0xdd62ed3eu);
  p = put_address(p, owner);
  put_address(p, spender);
}

void og_erc20_balance_of_calldata(
  unsigned char out[OG_ERC20_BALANCE_OF_LEN], const og_address *owner)
{
  put_address(put_selector(out, 0x70a08231u), owner);
}

og_result og_erc20_decode_uint(og_u256 *out, const unsigned char *ret,
                               size_t n)
{
  if(n != 32)
    return OG_E_PARSE;
  memcpy(out->b, ret, 32);
  return OG_OK;
}
