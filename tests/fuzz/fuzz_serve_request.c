/* libFuzzer harness: what serve reads from its clients. Byte 0 picks the
 * route (chat or completion) or the Authorization header check; the rest
 * is the request body (or the header value). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const unsigned char key[] = "sk-fuzz-key";
  og_serve_req r;
  og_err err;
  og_result rc;
  if(size < 1)
    return 0;
  err.msg[0] = 0;
  if((data[0] & 3) == 2) {
    /* the header value as MHD gives it: NUL-terminated */
    char *h = malloc(size);
    int ok;
    if(!h)
      return 0;
    memcpy(h, data + 1, size - 1);
    h[size - 1] = 0;
    ok = og_serve_auth_ok(h, key, sizeof(key) - 1);
    /* only "Bearer" + spaces + exactly the key passes */
    if(ok && !strstr(h, "sk-fuzz-key"))
      abort();
    free(h);
    return 0;
  }
  rc = og_serve_parse_request(&r, data[0] & 1, (const char *)data + 1,
                              size - 1, &err);
  if(rc == OG_OK) {
    /* what will be sent is complete and has a provider/model */
    if(!r.params.model || !strchr(r.params.model, '/'))
      abort();
    if(!(data[0] & 1) && !r.params.messages)
      abort();
    if((data[0] & 1) && !r.params.prompt)
      abort();
    og_serve_req_free(&r);
  }
  else if(strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg) || !err.msg[0])
    abort(); /* a failure always says why */
  return 0;
}
