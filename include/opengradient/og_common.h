/*
 * opengradient: common types, the one result enum and the error-detail
 * buffer used by every layer of the library.
 *
 * Conventions (as in libsecp256k1 and curl):
 *  - argument order: context, outputs, in/outs, inputs, flags, err; a
 *    length follows its array.
 *  - every fallible function returns og_result; OG_OK is 0.
 *  - an optional og_err *err (may be NULL) receives a one-line detail; it is
 *    always the last parameter (callbacks get theirs last too). The one
 *    exception is og_fail, which writes into err and takes printf
 *    arguments.
 *  - the caller owns all memory unless a function says "caller frees with X".
 */
#ifndef OPENGRADIENT_OG_COMMON_H
#define OPENGRADIENT_OG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* OG_VERSION_MAJOR, _MINOR, _PATCH, OG_VERSION_NUM and the OG_VERSION
 * string, generated from the build's one version number. */
#include "opengradient/og_version.h"

#if defined(__GNUC__)
#define OG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define OG_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define OG_PRINTF(a, b)
#define OG_WARN_UNUSED
#endif

/* Marks the exported API. The library is built with hidden visibility:
 * only what carries OG_API is visible outside the shared object. */
#if defined(_WIN32)
#define OG_API
#elif defined(__GNUC__)
#define OG_API __attribute__((visibility("default")))
#else
#define OG_API
#endif

/* The one result enum. Each value maps to one CLI exit code
 * (og_exit_code); keep the two in step. */
typedef enum og_result {
  OG_OK = 0,
  OG_E_USAGE,       /* bad argument or bad input (exit 1) */
  OG_E_NOMEM,       /* allocation failed (exit 1) */
  OG_E_TOO_LARGE,   /* a size cap was exceeded (exit 6 from a server) */
  OG_E_PARSE,       /* malformed bytes from outside (exit 6) */
  OG_E_RPC,         /* registry / chain RPC failed or answered badly (2) */
  OG_E_NO_TEE,      /* no usable TEE, or the named one is not active (3) */
  OG_E_TLS,         /* no trusted connection: pin mismatch, handshake (4) */
  OG_E_CONNECT,     /* refused or unreachable (4) */
  OG_E_PAYMENT,     /* payment refused or failed (5) */
  OG_E_SERVER,      /* the server answered with an error (6) */
  OG_E_VERIFY,      /* the answer's signature or hashes do not check (6) */
  OG_E_TIMEOUT,     /* no connection or no data within the timeout (7) */
  OG_E_CRYPTO,      /* a crypto library call failed (1) */
  OG_E_IO,          /* local file or terminal I/O failed (1) */
  OG_E_CANCELLED,   /* the caller cancelled (1) */
  OG_E_INTERNAL,    /* a bug: an invariant did not hold (1) */
  OG_E_LAST
} og_result;

/* A fixed text for each result. Never NULL. */
OG_API const char *og_strerror(og_result r);

/* The CLI exit code for a result (see the CLI contract). */
OG_API int og_exit_code(og_result r);

#define OG_ERR_SIZE 512

/* Error-detail buffer: one line naming what failed. */
typedef struct og_err {
  char msg[OG_ERR_SIZE];
} og_err;

/* Write a detail line into err (if not NULL) and return r, so that
 * callers can write `return og_fail(err, OG_E_PARSE, "...");`. */
OG_API og_result og_fail(og_err *err, og_result r, const char *fmt, ...)
  OG_PRINTF(3, 4);

/* Clear err (if not NULL). */
OG_API void og_err_clear(og_err *err);

/* Fixed-size values. */
typedef struct og_bytes32 {
  unsigned char b[32];
} og_bytes32;

typedef struct og_address {
  unsigned char b[20];
} og_address;

/* Wipe memory that held a secret; never optimised away. */
OG_API void og_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif
