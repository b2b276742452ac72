/*
 * canon: print the canonical form of JSON documents, one per input line.
 *
 *   example_canon [MODE] < lines.jsonl
 *
 * MODE is one of
 *   canon                  json.dumps(v, sort_keys=True)   (default)
 *   pystr                  Python str(v)
 *   chat-2026-04 | chat-newer | completion-2026-04 | completion-newer
 *                          the gateway's canonical request bytes
 *
 * Each output line is the result as lowercase hex (so any byte survives),
 * or "ERR <reason>" when the document is refused. Used by the Python
 * oracle test (tests/integration/test_canon_oracle.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opengradient/og_canon.h>
#include <opengradient/og_hex.h>

static const char *code_name(og_result r)
{
  switch(r) {
  case OG_E_USAGE: return "usage";
  case OG_E_PARSE: return "parse";
  case OG_E_VERIFY: return "verify";
  case OG_E_TOO_LARGE: return "too_large";
  default: return og_strerror(r);
  }
}

int main(int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "canon";
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int request = 0;
  og_endpoint kind = OG_ENDPOINT_CHAT;
  og_canon_rules rules = OG_RULES_NEWER;

  if(!strcmp(mode, "chat-2026-04") || !strcmp(mode, "chat-newer") ||
     !strcmp(mode, "completion-2026-04") ||
     !strcmp(mode, "completion-newer")) {
    request = 1;
    kind = mode[1] == 'h' ? OG_ENDPOINT_CHAT : OG_ENDPOINT_COMPLETION;
    rules = strstr(mode, "2026-04") ? OG_RULES_2026_04 : OG_RULES_NEWER;
  }
  else if(strcmp(mode, "canon") && strcmp(mode, "pystr")) {
    fprintf(stderr, "usage: %s [canon|pystr|chat-2026-04|chat-newer|"
            "completion-2026-04|completion-newer] < lines\n", argv[0]);
    return 1;
  }

  while((n = getline(&line, &cap, stdin)) >= 0) {
    json_t *v;
    og_buf out;
    og_err err;
    og_result r;
    if(n && line[n - 1] == '\n')
      n--;
    og_buf_init(&out, OG_CANON_MAX_BYTES);
    r = og_json_parse(&v, line, (size_t)n, OG_CANON_MAX_BYTES, &err);
    if(!r) {
      if(request)
        r = og_canon_request_bytes(&out, v, kind, rules, &err);
      else if(!strcmp(mode, "pystr"))
        r = og_canon_pystr(&out, v, &err);
      else
        r = og_canon_write(&out, v, &err);
      json_decref(v);
    }
    if(r)
      printf("ERR %s\n", code_name(r));
    else {
      char *hex = malloc(out.len * 2 + 1);
      if(!hex)
        return 1;
      og_hex_encode(hex, out.data ? out.data : (const unsigned char *)"",
                    out.len);
      printf("%s\n", hex);
      free(hex);
    }
    og_buf_free(&out);
  }
  free(line);
  return 0;
}
