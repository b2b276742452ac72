/* The result enum's texts, exit codes and the error-detail buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opengradient/og_common.h"

static const struct {
  const char *text;
  int exit_code;
} result_table[OG_E_LAST] = {
  [OG_OK] = {"no error", 0},
  [OG_E_USAGE] = {"bad usage or bad input", 1},
  [OG_E_NOMEM] = {"out of memory", 1},
  [OG_E_TOO_LARGE] = {"data exceeds a size limit", 6},
  [OG_E_PARSE] = {"malformed data", 6},
  [OG_E_RPC] = {"the registry could not be read", 2},
  [OG_E_NO_TEE] = {"no usable TEE", 3},
  [OG_E_TLS] = {"no trusted connection to the TEE", 4},
  [OG_E_CONNECT] = {"could not connect to the TEE", 4},
  [OG_E_PAYMENT] = {"payment refused or failed", 5},
  [OG_E_SERVER] = {"the server answered with an error", 6},
  [OG_E_VERIFY] = {"the answer failed verification", 6},
  [OG_E_TIMEOUT] = {"the TEE stopped answering", 7},
  [OG_E_CRYPTO] = {"a cryptographic operation failed", 1},
  [OG_E_IO] = {"local input/output failed", 1},
  [OG_E_CANCELLED] = {"cancelled", 1},
  [OG_E_INTERNAL] = {"internal error", 1},
};

const char *og_strerror(og_result r)
{
  if((int)r < 0 || r >= OG_E_LAST)
    return "unknown error";
  return result_table[r].text;
}

int og_exit_code(og_result r)
{
  if((int)r < 0 || r >= OG_E_LAST)
    return 1;
  return result_table[r].exit_code;
}

og_result og_fail(og_err *err, og_result r, const char *fmt, ...)
{
  if(err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
  }
  return r;
}

void og_err_clear(og_err *err)
{
  if(err)
    err->msg[0] = '\0';
}

void og_wipe(void *p, size_t n)
{
  if(p && n)
    explicit_bzero(p, n);
}
