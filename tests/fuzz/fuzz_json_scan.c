/* libFuzzer harness: the pre-parse JSON scan (og_json.h) on arbitrary
 * bytes must neither crash nor read out of bounds, and whatever it lets
 * through and jansson accepts must be within the limits it promises. */
#include <stdint.h>
#include <string.h>

#include "opengradient/og_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* values and depth of a parsed tree, computed the slow way */
static size_t count(json_t *j, size_t depth, size_t *max_depth)
{
  size_t n = 1, i;
  const char *k;
  json_t *v;
  if(json_is_object(j) || json_is_array(j)) {
    if(depth + 1 > *max_depth)
      *max_depth = depth + 1;
  }
  if(json_is_object(j)) {
    json_object_foreach(j, k, v)
      n += count(v, depth + 1, max_depth);
  }
  else if(json_is_array(j)) {
    json_array_foreach(j, i, v)
      n += count(v, depth + 1, max_depth);
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_error_t je;
  og_err err;
  og_result r = og_json_scan((const char *)data, size, &err);
  json_t *j = og_json_loadb((const char *)data, size,
                            JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if(r != OG_OK && r != OG_E_TOO_LARGE)
    __builtin_trap();
  if(r != OG_OK && j)
    __builtin_trap(); /* the loader must honour the scan */
  if(j) {
    size_t depth = 0, n = count(j, 0, &depth);
    if(n > OG_JSON_MAX_VALUES || depth > OG_JSON_MAX_DEPTH)
      __builtin_trap();
    json_decref(j);
  }
  return 0;
}
