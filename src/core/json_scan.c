/* The pre-parse scan of outside JSON (see og_json.h). One pass, no
 * allocation: a bit per open container says whether it is an object, so
 * that keys are told from values. */
#include <stdio.h>
#include <string.h>

#include "opengradient/og_json.h"

static int is_delim(unsigned char c)
{
  return c == ',' || c == ':' || c == '{' || c == '}' || c == '[' ||
         c == ']' || c == '"' || c == ' ' || c == '\t' || c == '\r' ||
         c == '\n';
}

og_result og_json_scan(const char *text, size_t len, og_err *err)
{
  unsigned char is_obj[OG_JSON_MAX_DEPTH / 8 + 1];
  size_t i = 0, values = 0, depth = 0;
  int expect_key = 0;
  memset(is_obj, 0, sizeof(is_obj));
  while(i < len) {
    unsigned char ch = (unsigned char)text[i];
    switch(ch) {
    case '{':
    case '[':
      if(++values > OG_JSON_MAX_VALUES)
        goto too_many;
      if(depth == OG_JSON_MAX_DEPTH)
        return og_fail(err, OG_E_TOO_LARGE, "JSON nested deeper than %d "
                       "levels", OG_JSON_MAX_DEPTH);
      if(ch == '{')
        is_obj[depth / 8] |= (unsigned char)(1u << (depth % 8));
      else
        is_obj[depth / 8] &= (unsigned char)~(1u << (depth % 8));
      depth++;
      expect_key = ch == '{';
      i++;
      break;
    case '}':
    case ']':
      if(depth)
        depth--;
      expect_key = 0;
      i++;
      break;
    case ',':
      expect_key = depth &&
                   (is_obj[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
      i++;
      break;
    case ':':
      expect_key = 0;
      i++;
      break;
    case ' ':
    case '\t':
    case '\r':
    case '\n':
      i++;
      break;
    case '"':
      if(!expect_key && ++values > OG_JSON_MAX_VALUES)
        goto too_many;
      expect_key = 0;
      for(i++; i < len; i++) {
        if(text[i] == '\\')
          i++;
        else if(text[i] == '"')
          break;
      }
      i++;
      break;
    default:
      /* a number, true, false, null (or junk for the parser to refuse):
       * one value up to the next delimiter */
      if(++values > OG_JSON_MAX_VALUES)
        goto too_many;
      expect_key = 0;
      for(i++; i < len && !is_delim((unsigned char)text[i]); i++)
        ;
      break;
    }
  }
  return OG_OK;
too_many:
  return og_fail(err, OG_E_TOO_LARGE, "JSON with more than %d values",
                 OG_JSON_MAX_VALUES);
}

json_t *og_json_loadb(const char *text, size_t len, size_t flags,
                      json_error_t *je)
{
  og_err e;
  if(og_json_scan(text, len, &e)) {
    if(!je)
      return NULL;
    memset(je, 0, sizeof(*je));
    je->line = -1;
    je->column = -1;
    je->position = -1;
    snprintf(je->text, sizeof(je->text), "%.100s", e.msg);
    snprintf(je->source, sizeof(je->source), "<scan>");
    return NULL;
  }
  return json_loadb(text, len, flags, je);
}
