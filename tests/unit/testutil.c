#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hex.h"

json_t *tu_load_vectors(const char *name)
{
  char path[1024];
  json_error_t e;
  json_t *j;
  snprintf(path, sizeof(path), "%s/%s", OG_VECTORS_DIR, name);
  j = json_load_file(path, JSON_DECODE_INT_AS_REAL * 0, &e);
  if(!j)
    fail_msg("cannot load %s: %s", path, e.text);
  return j;
}

unsigned char *tu_hex(const char *hex, size_t *len)
{
  size_t n = strlen(hex);
  unsigned char *out = malloc(n / 2 + 1);
  assert_non_null(out);
  assert_int_equal(og_hex_decode(out, n / 2 + 1, len, hex, n), OG_OK);
  return out;
}

const char *tu_str(const json_t *obj, const char *key)
{
  const char *s = json_string_value(json_object_get(obj, key));
  if(!s)
    fail_msg("vector member '%s' missing", key);
  return s;
}

char *tu_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if(!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if(buf) {
    buf[n] = 0;
    if(len)
      *len = (size_t)n;
  }
  return buf;
}
