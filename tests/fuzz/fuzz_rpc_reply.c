/* libFuzzer harness: the JSON-RPC reply parser and the revert describer
 * on arbitrary bytes must neither crash nor leak. */
#include <stdint.h>
#include <string.h>

#include "opengradient/og_rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *res = NULL;
  og_rpc_error e;
  og_err err;
  char out[192];
  og_result r;
  if(size > OG_RPC_DEFAULT_MAX_REPLY)
    return 0;
  r = og_rpc_parse_reply(&res, &e, data, size, 1, &err);
  if(r == OG_OK && !res)
    __builtin_trap(); /* success must give a result */
  if(r != OG_OK && res)
    __builtin_trap();
  json_decref(res);
  if(r != OG_OK && e.kind == OG_RPC_FAIL_NONE)
    __builtin_trap();
  if(e.data_len > sizeof(e.data))
    __builtin_trap();
  og_rpc_describe_revert(out, sizeof(out), data, size);
  if(!memchr(out, '\0', sizeof(out)))
    __builtin_trap();
  return 0;
}
