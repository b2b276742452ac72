/* Fuzz: JSON text -> jansson -> canonical writer, Python str(), and the
 * canonical request builder (both endpoints, both rule sets), plus the
 * output-hash path. Must never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *v;
  og_buf b;
  og_err err;
  og_bytes32 h;
  int k;
  if(og_json_parse(&v, (const char *)data, size, 1 << 20, &err))
    return 0;
  og_buf_init(&b, 1 << 22);
  (void)og_canon_write(&b, v, &err);
  og_buf_free(&b);
  (void)og_canon_pystr(&b, v, &err);
  og_buf_free(&b);
  for(k = 0; k < OG_RULES_COUNT; k++) {
    (void)og_canon_request_hash(&h, v, OG_ENDPOINT_CHAT, (og_canon_rules)k,
                                &err);
    (void)og_canon_request_hash(&h, v, OG_ENDPOINT_COMPLETION,
                                (og_canon_rules)k, &err);
  }
  /* the raw bytes as tool-call strings (may be invalid UTF-8) */
  {
    char *s = malloc(size + 1);
    og_tool_call tc;
    if(s) {
      memcpy(s, data, size);
      s[size] = 0;
      tc.id = s;
      tc.type = "function";
      tc.name = size & 1 ? NULL : s;
      tc.arguments = s;
      (void)og_canon_output_hash(&h, NULL, 0, &tc, 1, &err);
      free(s);
    }
  }
  json_decref(v);
  return 0;
}
