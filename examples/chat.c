/* The smallest use of the library: one verified chat answer from a TEE
 * chosen in the on-chain registry.
 *
 *   example_chat [RPC_URL REGISTRY] "question"
 *
 * With OG_PRIVATE_KEY set, a server that asks for x402 payment is paid
 * (within the default cap of 1e17 base units). */
#include <stdio.h>
#include <stdlib.h>

#include "opengradient/og_client.h"

int main(int argc, char **argv)
{
  og_client_config cfg = {0};
  og_client *client;
  og_request req;
  og_inference answer;
  og_err err;
  json_t *messages;
  og_result r;

  if(argc != 2 && argc != 4) {
    fprintf(stderr, "usage: %s [RPC_URL REGISTRY] \"question\"\n", argv[0]);
    return 1;
  }
  if(argc == 4) {
    cfg.rpc_url = argv[1];
    cfg.registry = argv[2];
  }
  cfg.private_key_hex = getenv("OG_PRIVATE_KEY"); /* NULL: no payments */

  /* reads the registry and picks a usable active TEE */
  r = og_client_new(&client, &cfg, &err);
  if(r) {
    fprintf(stderr, "%s: %s\n", og_strerror(r), err.msg);
    return og_exit_code(r);
  }

  messages = json_pack("[{s:s,s:s}]", "role", "user", "content",
                       argv[argc - 1]);
  og_request_init(&req);
  req.params.model = "openai/gpt-5";
  req.params.messages = messages;

  /* pinned TLS, payment if asked, signature verified before returning */
  r = og_chat(client, &answer, &req, &err);
  if(r)
    fprintf(stderr, "%s: %s\n", og_strerror(r), err.msg);
  else
    printf("%.*s\n-- answered by TEE %s at %s (verified: %s)\n",
           (int)answer.answer.text_len, answer.answer.text, answer.tee_id,
           answer.endpoint, answer.verified ? "yes" : "no");

  og_inference_free(&answer);
  json_decref(messages);
  og_client_free(client);
  return og_exit_code(r);
}
