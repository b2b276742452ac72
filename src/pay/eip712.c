/* EIP-712 hashStruct for the fixed x402 types. Each struct is a run of
 * 32-byte words, so hashing is a keccak over the typehash and the words;
 * the type strings are constants checked against the vectors' typehashes. */
#include <string.h>

#include "opengradient/og_eip712.h"
#include "opengradient/og_keccak.h"

const og_address og_permit2_address = {{
  0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0xd4, 0x73, 0x03, 0x0f,
  0x11, 0x6d, 0xde, 0xe9, 0xf6, 0xb4, 0x3a, 0xc7, 0x8b, 0xa3}};
const og_address og_x402_upto_proxy = {{
  0x40, 0x20, 0xa4, 0xf3, 0xb7, 0xb9, 0x0c, 0xca, 0x42, 0x3b,
  0x9f, 0xab, 0xcc, 0x0c, 0xe5, 0x7c, 0x6c, 0x24, 0x00, 0x02}};
const og_address og_x402_exact_proxy = {{
  0x40, 0x20, 0x85, 0xc2, 0x48, 0xee, 0xa2, 0x7d, 0x92, 0xe8,
  0xb3, 0x0b, 0x2c, 0x58, 0xed, 0x07, 0xf9, 0xe2, 0x00, 0x01}};

#define T_DOMAIN_V "EIP712Domain(string name,string version,uint256 " \
  "chainId,address verifyingContract)"
#define T_DOMAIN_NOV "EIP712Domain(string name,uint256 chainId,address " \
  "verifyingContract)"
#define T_TOKEN_PERM "TokenPermissions(address token,uint256 amount)"
#define T_WIT_UPTO "Witness(address to,address facilitator,uint256 " \
  "validAfter)"
#define T_WIT_EXACT "Witness(address to,uint256 validAfter)"
#define T_PERMIT_HEAD "PermitWitnessTransferFrom(TokenPermissions " \
  "permitted,address spender,uint256 nonce,uint256 deadline,Witness " \
  "witness)"
#define T_3009 "TransferWithAuthorization(address from,address to,uint256 " \
  "value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"

static void typehash(og_keccak *k, const char *type)
{
  og_bytes32 h;
  og_keccak256(&h, type, strlen(type));
  og_keccak_init(k);
  og_keccak_update(k, h.b, 32);
}

static void add_word(og_keccak *k, const unsigned char w[32])
{
  og_keccak_update(k, w, 32);
}

static void add_addr(og_keccak *k, const og_address *a)
{
  static const unsigned char zero[12];
  og_keccak_update(k, zero, 12);
  og_keccak_update(k, a->b, 20);
}

static void add_u64(og_keccak *k, uint64_t v)
{
  og_u256 w;
  og_u256_from_u64(&w, v);
  add_word(k, w.b);
}

void og_eip712_digest(og_bytes32 *out, const og_bytes32 *domain,
                      const og_bytes32 *struct_hash)
{
  unsigned char pre[66];
  pre[0] = 0x19;
  pre[1] = 0x01;
  memcpy(pre + 2, domain->b, 32);
  memcpy(pre + 34, struct_hash->b, 32);
  og_keccak256(out, pre, sizeof(pre));
}

void og_eip712_domain(og_bytes32 *out, const char *name, const char *version,
                      uint64_t chain_id, const og_address *verifying_contract)
{
  og_keccak k;
  og_bytes32 h;
  typehash(&k, version ? T_DOMAIN_V : T_DOMAIN_NOV);
  og_keccak256(&h, name, strlen(name));
  add_word(&k, h.b);
  if(version) {
    og_keccak256(&h, version, strlen(version));
    add_word(&k, h.b);
  }
  add_u64(&k, chain_id);
  add_addr(&k, verifying_contract);
  og_keccak_final(&k, out);
}

void og_eip712_permit2_domain(og_bytes32 *out, uint64_t chain_id)
{
  og_eip712_domain(out, "Permit2", NULL, chain_id, &og_permit2_address);
}

void og_permit2_token_permissions_hash(og_bytes32 *out,
                                       const og_permit2_transfer *m)
{
  og_keccak k;
  typehash(&k, T_TOKEN_PERM);
  add_addr(&k, &m->token);
  add_word(&k, m->amount.b);
  og_keccak_final(&k, out);
}

void og_permit2_witness_hash(og_bytes32 *out, const og_permit2_transfer *m,
                             og_permit2_kind kind)
{
  og_keccak k;
  typehash(&k, kind == OG_PERMIT2_UPTO ? T_WIT_UPTO : T_WIT_EXACT);
  add_addr(&k, &m->to);
  if(kind == OG_PERMIT2_UPTO)
    add_addr(&k, &m->facilitator);
  add_word(&k, m->valid_after.b);
  og_keccak_final(&k, out);
}

void og_permit2_struct_hash(og_bytes32 *out, const og_permit2_transfer *m,
                            og_permit2_kind kind)
{
  og_keccak k;
  og_bytes32 h;
  /* referenced types appended in alphabetical order */
  typehash(&k, kind == OG_PERMIT2_UPTO ?
           T_PERMIT_HEAD T_TOKEN_PERM T_WIT_UPTO :
           T_PERMIT_HEAD T_TOKEN_PERM T_WIT_EXACT);
  og_permit2_token_permissions_hash(&h, m);
  add_word(&k, h.b);
  add_addr(&k, &m->spender);
  add_word(&k, m->nonce.b);
  add_word(&k, m->deadline.b);
  og_permit2_witness_hash(&h, m, kind);
  add_word(&k, h.b);
  og_keccak_final(&k, out);
}

void og_permit2_digest(og_bytes32 *out, uint64_t chain_id,
                       const og_permit2_transfer *m, og_permit2_kind kind)
{
  og_bytes32 dom, sh;
  og_eip712_permit2_domain(&dom, chain_id);
  og_permit2_struct_hash(&sh, m, kind);
  og_eip712_digest(out, &dom, &sh);
}

void og_eip3009_struct_hash(og_bytes32 *out, const og_eip3009_transfer *m)
{
  og_keccak k;
  typehash(&k, T_3009);
  add_addr(&k, &m->from);
  add_addr(&k, &m->to);
  add_word(&k, m->value.b);
  add_word(&k, m->valid_after.b);
  add_word(&k, m->valid_before.b);
  add_word(&k, m->nonce.b);
  og_keccak_final(&k, out);
}

void og_eip3009_digest(og_bytes32 *out, const char *name, const char *version,
                       uint64_t chain_id, const og_address *token,
                       const og_eip3009_transfer *m)
{
  og_bytes32 dom, sh;
  og_eip712_domain(&dom, name, version, chain_id, token);
  og_eip3009_struct_hash(&sh, m);
  og_eip712_digest(out, &dom, &sh);
}
