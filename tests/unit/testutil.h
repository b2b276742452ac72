/* Shared helpers for the cmocka unit tests: loading known-answer vectors
 * (tests/vectors/NAME.json) and hex conversion. */
#ifndef OG_TESTUTIL_H
#define OG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

/* Load tests/vectors/<name>; fails the test if it cannot. Caller frees with
 * json_decref. */
json_t *tu_load_vectors(const char *name);

/* Hex (optional 0x) to a malloc'd byte array; *len receives the size.
 * Caller frees with free(). */
unsigned char *tu_hex(const char *hex, size_t *len);

/* A json string member, failing the test when missing. */
const char *tu_str(const json_t *obj, const char *key);

/* Read a whole file; caller frees. */
char *tu_read_file(const char *path, size_t *len);

#endif
