/* x402_sign: answer a PAYMENT-REQUIRED header with a PAYMENT-SIGNATURE
 * value, offline. Used by the node oracle test and as an API example.
 *
 *   OG_PRIVATE_KEY=0x... x402_sign [--now N] [--valid-after-zero]
 *       [--max N] [--networks LIST] [--assets LIST] [--json] HEADER_VALUE
 *
 * Prints the header value (or, with --json, the payload JSON) on stdout
 * and a summary of what was signed on stderr. The key is read from the
 * environment and never printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_x402.h"

static int usage(void)
{
  fprintf(stderr, "usage: OG_PRIVATE_KEY=... x402_sign [--now N] "
          "[--valid-after-zero] [--max N] [--networks LIST] [--assets LIST] [--json] "
          "HEADER_VALUE\n");
  return 1;
}

int main(int argc, char **argv)
{
  const char *header = NULL, *key_env = getenv("OG_PRIVATE_KEY");
  og_x402_policy policy;
  og_x402_sign_opts opts;
  og_x402_payment_info info;
  og_x402_required *req = NULL;
  og_privkey key;
  og_buf out, json, summary;
  og_err err;
  og_result rc;
  size_t idx;
  unsigned warn = 0;
  int i, want_json = 0;

  og_x402_policy_init(&policy);
  memset(&opts, 0, sizeof(opts));
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--now") && i + 1 < argc)
      opts.now = strtoull(argv[++i], NULL, 10);
    else if(!strcmp(argv[i], "--valid-after-zero"))
      opts.valid_after_zero = 1;
    else if(!strcmp(argv[i], "--json"))
      want_json = 1;
    else if(!strcmp(argv[i], "--max") && i + 1 < argc) {
      if(og_x402_policy_set_max(&policy, argv[++i], &err)) {
        fprintf(stderr, "x402_sign: %s\n", err.msg);
        return 1;
      }
    }
    else if(!strcmp(argv[i], "--networks") && i + 1 < argc) {
      if(og_x402_policy_set_networks(&policy, argv[++i], &err)) {
        fprintf(stderr, "x402_sign: %s\n", err.msg);
        return 1;
      }
    }
    else if(!strcmp(argv[i], "--assets") && i + 1 < argc) {
      if(og_x402_policy_set_assets(&policy, argv[++i], &err)) {
        fprintf(stderr, "x402_sign: %s\n", err.msg);
        return 1;
      }
    }
    else if(argv[i][0] != '-' && !header)
      header = argv[i];
    else
      return usage();
  }
  if(!header || !key_env)
    return usage();
  rc = og_privkey_from_hex(&key, key_env, strlen(key_env), &err);
  if(rc) {
    fprintf(stderr, "x402_sign: %s\n", err.msg);
    return og_exit_code(rc);
  }
  rc = og_x402_decode_header(&req, header, strlen(header), &err);
  if(!rc)
    rc = og_x402_select(&idx, &warn, req, &policy, &err);
  og_buf_init(&out, OG_X402_MAX_PAYMENT);
  og_buf_init(&json, OG_X402_MAX_PAYMENT);
  og_buf_init(&summary, 4096);
  if(!rc)
    rc = og_x402_build_payment(&out, &json, &info, req, idx, &key, &opts,
                               &err);
  og_privkey_clear(&key);
  if(rc) {
    fprintf(stderr, "x402_sign: %s\n", err.msg);
  }
  else {
    if(og_x402_describe(&summary, &info) == OG_OK)
      fprintf(stderr, "%s\n", og_buf_str(&summary));
    if(warn & OG_X402_WARN_PAYEE)
      fprintf(stderr, "warning: payTo differs from the payee\n");
    printf("%s\n", want_json ? og_buf_str(&json) : og_buf_str(&out));
  }
  og_buf_free(&out);
  og_buf_free(&json);
  og_buf_free(&summary);
  og_x402_required_free(req);
  return rc ? og_exit_code(rc) : 0;
}
