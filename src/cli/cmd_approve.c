/* `approve --amount N`: make sure the token's allowance to Permit2 covers
 * N base units. Reads the allowance; only when it is short, signs an
 * EIP-1559 approve(Permit2, N) (chain id, nonce and fees from the node),
 * sends it, waits for the receipt, checks its status and reads the
 * allowance again. Integer arithmetic only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opengradient/og_eip712.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_rpc.h"
#include "opengradient/og_secp.h"
#include "opengradient/og_tx.h"
#include "opengradient/og_u256.h"

#define DEFAULT_PAYMENT_RPC "https://mainnet.base.org"
#define DEFAULT_TOKEN "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB"
#define APPROVE_GAS_FALLBACK 100000
#define APPROVE_GAS_LIMIT 100000  /* never sign for more gas than this */
#define BASE_CHAIN_ID 8453

/* What the RPC may not decide: the chain and the fee ceiling. */
typedef struct approve_limits {
  uint64_t chain_id;        /* --chain-id, default Base */
  uint64_t max_fee_wei;     /* --max-fee-gwei in wei */
  const char *max_fee_text; /* as given */
} approve_limits;

/* "G" gwei (up to 9 decimals) in wei; -1 when not such a number or
 * beyond 2^64 wei. */
static int gwei_to_wei(uint64_t *out, const char *s)
{
  uint64_t whole = 0, frac = 0;
  int digits = 0, nfrac = 0;
  const char *p = s;
  for(; *p >= '0' && *p <= '9'; p++, digits++) {
    if(whole > (UINT64_MAX - 9) / 10)
      return -1;
    whole = whole * 10 + (uint64_t)(*p - '0');
  }
  if(*p == '.') {
    for(p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
      if(nfrac >= 9)
        return -1;
      frac = frac * 10 + (uint64_t)(*p - '0');
    }
  }
  if(*p || (!digits && !nfrac))
    return -1;
  for(; nfrac < 9; nfrac++)
    frac *= 10;
  if(whole > (UINT64_MAX - frac) / 1000000000u)
    return -1;
  *out = whole * 1000000000u + frac;
  return 0;
}

/* wei as a decimal gwei text ("0.05", "1000000"). */
static void wei_gwei(char *out, size_t n, uint64_t wei)
{
  uint64_t w = wei / 1000000000u, f = wei % 1000000000u;
  int len;
  if(!f) {
    snprintf(out, n, "%llu", (unsigned long long)w);
    return;
  }
  len = snprintf(out, n, "%llu.%09llu", (unsigned long long)w,
                 (unsigned long long)f);
  while(len > 0 && out[len - 1] == '0')
    out[--len] = 0;
}

static og_result read_allowance(og_rpc *rpc, og_u256 *out,
                                const og_address *token,
                                const og_address *owner, og_err *err)
{
  unsigned char data[68];
  og_buf ret;
  og_result r;
  og_erc20_allowance_calldata(data, owner, &og_permit2_address);
  og_buf_init(&ret, 4096);
  r = og_eth_call(rpc, &ret, token, data, sizeof(data), err);
  if(!r) {
    r = og_erc20_decode_uint(out, ret.data, ret.len);
    if(r) {
      char addr[43];
      og_address_to_checksum(addr, token);
      r = og_fail(err, OG_E_RPC, "allowance(): the token answered %zu "
                  "bytes, not one uint256 (is %s an ERC-20?)", ret.len,
                  addr);
    }
  }
  og_buf_free(&ret);
  return r;
}

static int approve_run(cli *c, og_rpc *rpc, const og_privkey *key,
                       const og_address *token, const og_u256 *amount,
                       const approve_limits *lim)
{
  og_err err;
  og_result r;
  og_address owner;
  og_u256 before, after;
  uint64_t chain_id, nonce, prio = 0, base = 0, gas = 0;
  unsigned char data[68];
  og_tx tx;
  og_buf raw;
  og_bytes32 hash;
  og_eth_receipt rcpt;
  char dec_b[OG_U256_DEC_SIZE], dec_a[OG_U256_DEC_SIZE], hx[67];
  char g1[32], g2[32], g3[32];
  uint64_t max_fee;
  struct timespec t0, t1;

  og_err_clear(&err);
  if(og_privkey_address(&owner, key))
    return cli_error(c, OG_E_CRYPTO, "cannot derive the wallet address");
  /* the RPC must be on the payment network before anything is read */
  r = og_eth_chain_id(rpc, &chain_id, &err);
  if(r)
    return cli_fail(c, r, &err);
  if(chain_id != lim->chain_id)
    return cli_error(c, OG_E_PAYMENT, "the payment RPC reports chain id "
                     "%llu, not the payment network's %llu: nothing was "
                     "signed (use --payment-rpc-url for that network, or "
                     "--chain-id)", (unsigned long long)chain_id,
                     (unsigned long long)lim->chain_id);
  r = read_allowance(rpc, &before, token, &owner, &err);
  if(r)
    return cli_fail(c, r, &err);
  og_u256_to_dec(dec_b, &before);
  if(og_u256_cmp(&before, amount) >= 0) {
    if(c->json)
      return cli_print_json(c, json_pack("{s:s,s:s,s:n}", "allowance_before",
                            dec_b, "allowance_after", dec_b, "tx_hash"));
    fprintf(c->out, "Allowance to Permit2 is already %s (>= the amount); "
            "nothing sent.\n", dec_b);
    return 0;
  }
  r = og_eth_get_transaction_count(rpc, &nonce, &owner, "pending", &err);
  if(!r)
    r = og_eth_base_fee(rpc, &base, &err);
  if(r)
    return cli_fail(c, r, &err);
  if(og_eth_max_priority_fee(rpc, &prio, &err))
    prio = 1000000; /* nodes without the call: a small tip */
  /* the fee: the node's base fee and tip are only advice, capped here.
   * maxFeePerGas = min(2 * base + tip, cap); refused when even
   * base + tip is above the cap (the transaction could not be mined). */
  if(prio > lim->max_fee_wei || base > lim->max_fee_wei - prio) {
    wei_gwei(g1, sizeof(g1), base);
    wei_gwei(g2, sizeof(g2), prio);
    return cli_error(c, OG_E_PAYMENT, "the payment RPC asks for a base fee "
                     "of %s gwei and a tip of %s gwei, above --max-fee-gwei "
                     "%s: nothing was signed", g1, g2, lim->max_fee_text);
  }
  max_fee = base + prio;
  max_fee = base <= lim->max_fee_wei - max_fee ? max_fee + base
                                               : lim->max_fee_wei;
  wei_gwei(g3, sizeof(g3), max_fee);
  og_erc20_approve_calldata(data, &og_permit2_address, amount);
  if(og_eth_estimate_gas(rpc, &gas, &owner, token, data, sizeof(data), NULL,
                         &err)) {
    return cli_error(c, OG_E_PAYMENT, "approve would fail: %s", err.msg);
  }
  if(gas > APPROVE_GAS_LIMIT)
    return cli_error(c, OG_E_PAYMENT, "the payment RPC estimates %llu gas "
                     "for approve, above the limit of %d: nothing was signed",
                     (unsigned long long)gas, APPROVE_GAS_LIMIT);
  gas = gas + gas / 5; /* 20% headroom, as the SDK */
  if(gas < 30000 || gas > APPROVE_GAS_LIMIT)
    gas = APPROVE_GAS_FALLBACK;
  memset(&tx, 0, sizeof(tx));
  tx.type = OG_TX_EIP1559;
  tx.chain_id = chain_id;
  tx.nonce = nonce;
  tx.gas = gas;
  og_u256_from_u64(&tx.max_priority_fee_per_gas, prio);
  og_u256_from_u64(&tx.max_fee_per_gas, max_fee);
  tx.has_to = 1;
  tx.to = *token;
  tx.data = data;
  tx.data_len = sizeof(data);
  og_buf_init(&raw, 4096);
  r = og_tx_sign(&raw, &hash, &tx, key);
  if(r) {
    og_buf_free(&raw);
    return cli_error(c, r, "cannot sign the approve transaction");
  }
  og_u256_to_dec(dec_a, amount);
  cli_verbose(c, "sending approve(Permit2, %s) on chain %llu, nonce %llu, "
              "gas %llu, maxFeePerGas %s gwei", dec_a,
              (unsigned long long)chain_id, (unsigned long long)nonce,
              (unsigned long long)gas, g3);
  r = og_eth_send_raw_transaction(rpc, &hash, raw.data, raw.len, &err);
  og_buf_free(&raw);
  if(r)
    return cli_error(c, OG_E_PAYMENT, "the approve transaction was not "
                     "accepted: %s", err.msg);
  og_bytes32_to_hex(hx, &hash);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for(;;) {
    long ms;
    og_err_clear(&err);
    r = og_eth_get_transaction_receipt(rpc, &rcpt, &hash, &err);
    if(r)
      return cli_error(c, OG_E_PAYMENT, "approve %s sent, but its receipt "
                       "could not be read: %s", hx, err.msg);
    if(rcpt.found)
      break;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if(ms > c->timeout_ms)
      return cli_error(c, OG_E_PAYMENT, "approve %s was not mined within "
                       "%ld s", hx, c->timeout_ms / 1000);
    usleep(200000);
  }
  if(rcpt.status != 1)
    return cli_error(c, OG_E_PAYMENT, "the approve transaction %s reverted "
                     "(block %llu)", hx,
                     (unsigned long long)rcpt.block_number);
  r = read_allowance(rpc, &after, token, &owner, &err);
  if(r)
    return cli_fail(c, r, &err);
  og_u256_to_dec(dec_a, &after);
  if(og_u256_cmp(&after, amount) < 0)
    return cli_error(c, OG_E_PAYMENT, "approve %s was mined but the "
                     "allowance is still %s", hx, dec_a);
  if(c->json)
    return cli_print_json(c, json_pack("{s:s,s:s,s:s}", "allowance_before",
                          dec_b, "allowance_after", dec_a, "tx_hash", hx));
  fprintf(c->out, "Allowance before: %s\nTransaction:      %s (block %llu)\n"
          "Allowance after:  %s\n", dec_b, hx,
          (unsigned long long)rcpt.block_number, dec_a);
  return 0;
}

int cmd_approve(cli *c)
{
  const char *amount_s, *token_s, *url;
  og_u256 amount;
  og_address token;
  og_privkey key;
  og_rpc_opts ro;
  og_rpc *rpc = NULL;
  og_err err;
  og_result r;
  char keyhex[160];
  approve_limits lim;
  int rc;

  og_err_clear(&err);
  memset(&lim, 0, sizeof(lim));
  lim.chain_id = BASE_CHAIN_ID;
  if(cli_has(c, OPT_CHAIN_ID)) {
    const char *s = cli_opt_str(c, OPT_CHAIN_ID, NULL);
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if(*s < '0' || *s > '9' || *end || errno || !v)
      return cli_error(c, OG_E_USAGE, "--chain-id: '%s' is not a chain id "
                       "(a whole number above 0)", s);
    lim.chain_id = v;
  }
  lim.max_fee_text = cli_opt_str(c, OPT_MAX_FEE_GWEI, "50");
  if(gwei_to_wei(&lim.max_fee_wei, lim.max_fee_text) || !lim.max_fee_wei)
    return cli_error(c, OG_E_USAGE, "--max-fee-gwei: '%s' is not a positive "
                     "number of gwei (up to 9 decimals)", lim.max_fee_text);
  if(c->npos)
    return cli_error(c, OG_E_USAGE, "approve takes no arguments");
  if(!cli_has(c, OPT_AMOUNT))
    return cli_error(c, OG_E_USAGE, "--amount is required (base units of "
                     "the token)");
  amount_s = cli_opt_str(c, OPT_AMOUNT, NULL);
  if(og_u256_from_dec(&amount, amount_s, strlen(amount_s)))
    return cli_error(c, OG_E_USAGE, "--amount: '%s' is not a whole number "
                     "of base units", amount_s);
  token_s = cli_opt_str(c, OPT_TOKEN, DEFAULT_TOKEN);
  if(og_address_from_hex(&token, token_s))
    return cli_error(c, OG_E_USAGE, "--token: '%s' is not an address",
                     token_s);
  url = cli_opt_str(c, OPT_PAYMENT_RPC_URL, DEFAULT_PAYMENT_RPC);
  if(og_rpc_check_url(url, cli_has(c, OPT_ALLOW_INSECURE_RPC), &err))
    return cli_error(c, OG_E_USAGE, "--payment-rpc-url: %s%s", err.msg,
                     strstr(err.msg, "plain http://") ?
                     ", or --allow-insecure-rpc" : "");
  rc = cli_load_private_key(c, keyhex, sizeof(keyhex));
  if(rc < 0)
    return og_exit_code(OG_E_USAGE);
  if(rc == 0)
    return cli_error(c, OG_E_USAGE, "approve needs the wallet key: use "
                     "--private-key-file, OG_PRIVATE_KEY or 'opengradient "
                     "config init'");
  r = og_privkey_from_hex(&key, keyhex, strlen(keyhex), &err);
  og_wipe(keyhex, sizeof(keyhex));
  if(r)
    return cli_fail(c, r, &err);
  memset(&ro, 0, sizeof(ro));
  ro.url = url;
  ro.allow_insecure = cli_has(c, OPT_ALLOW_INSECURE_RPC);
  ro.timeout_ms = c->timeout_ms;
  ro.max_time_ms = c->max_time_ms;
  r = og_rpc_new(&rpc, &ro, &err);
  if(r) {
    og_privkey_clear(&key);
    return cli_fail(c, r, &err);
  }
  rc = approve_run(c, rpc, &key, &token, &amount, &lim);
  og_privkey_clear(&key);
  og_rpc_free(rpc);
  return rc;
}
