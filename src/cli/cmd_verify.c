/* `verify RESULT.json`: re-check a saved --json answer offline (with
 * --signing-key) or against the registry's key for its TEE, so that a
 * third party can audit an answer later. No freshness window. */
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_json.h"
#include "cli.h"
#include "cli_common.h"
#include "cli_files.h"
#include "opengradient/og_canon.h"
#include "opengradient/og_llm.h"
#include "opengradient/og_registry_client.h"
#include "opengradient/og_verify.h"

#define RESULT_MAX (64u * 1024 * 1024)

/* The result object: the whole file, or the is_final line of NDJSON. */
static json_t *load_result(const og_buf *b)
{
  /* answers may carry U+0000 (\u0000), which jansson refuses by default */
  json_t *j = og_json_loadb((const char *)b->data, b->len, JSON_ALLOW_NUL,
                            NULL);
  const char *p, *end;
  if(j && json_is_object(j))
    return j;
  json_decref(j);
  if(!b->len)
    return NULL; /* an empty file has no data pointer to walk */
  p = (const char *)b->data;
  end = p + b->len;
  while(p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    j = og_json_loadb(p, n, JSON_ALLOW_NUL, NULL);
    if(j && json_is_true(json_object_get(j, "is_final")))
      return j;
    json_decref(j);
    p += n + 1;
  }
  return NULL;
}

static const char *str_or_null(json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

static int print_report(cli *c, const og_verify_report *rep, int ok)
{
  if(c->json) {
    json_t *o = json_pack("{s:b,s:{s:b,s:b,s:b,s:b}}", "verified", ok,
                          "checks", "request_hash", rep->request_hash_ok,
                          "output_hash", rep->output_hash_ok, "tee_id",
                          rep->tee_id_ok, "signature", rep->signature_ok);
    return cli_print_json(c, o);
  }
  else {
    const char *y = cli_color(c, 1, CLR_GREEN), *n = cli_color(c, 1,
                                                              CLR_RED_BOLD);
    const char *z = cli_color(c, 1, CLR_RESET);
#define CHECK_LINE(label, v) \
    fprintf(c->out, "%-14s %s%s%s\n", label, (v) ? y : n, \
            (v) ? "ok" : "FAILED", z)
    CHECK_LINE("request_hash", rep->request_hash_ok);
    CHECK_LINE("output_hash", rep->output_hash_ok);
    CHECK_LINE("tee_id", rep->tee_id_ok);
    CHECK_LINE("signature", rep->signature_ok);
#undef CHECK_LINE
    fprintf(c->out, "Verified: %s\n", ok ? "yes" : "no");
  }
  return 0;
}

int cmd_verify(cli *c)
{
  og_buf file, spki;
  json_t *res = NULL, *req, *tee, *chat, *tcs;
  og_tool_call calls[OG_LLM_MAX_TOOL_CALLS];
  og_answer ans;
  og_verify_report rep;
  og_endpoint kind;
  char ts[32];
  og_err err;
  og_result r;
  int rc;
  size_t i;

  og_err_clear(&err);
  og_buf_init(&spki, 1);
  if(c->npos != 1)
    return cli_error(c, OG_E_USAGE, "verify: give exactly one RESULT.json");
  rc = cli_read_file(c, "verify", c->pos[0], &file, RESULT_MAX);
  if(rc)
    return rc;
  res = load_result(&file);
  og_buf_free(&file);
  if(!res)
    return cli_error(c, OG_E_USAGE, "verify: '%s' is not a saved --json "
                     "result (a JSON object, or NDJSON with an is_final line)",
                     c->pos[0]);
  req = json_object_get(res, "request");
  tee = json_object_get(res, "tee");
  if(!json_is_object(req) || !json_is_object(tee)) {
    json_decref(res);
    return cli_error(c, OG_E_USAGE, "verify: '%s' lacks the \"request\" and "
                     "\"tee\" objects of a --json result", c->pos[0]);
  }
  memset(&ans, 0, sizeof(ans));
  chat = json_object_get(res, "chat_output");
  if(json_is_object(chat)) {
    json_t *content = json_object_get(chat, "content");
    kind = OG_ENDPOINT_CHAT;
    ans.text = json_string_value(content);
    ans.text_len = ans.text ? json_string_length(content) : 0;
    tcs = json_object_get(chat, "tool_calls");
    if(json_array_size(tcs) > OG_LLM_MAX_TOOL_CALLS) {
      json_decref(res);
      return cli_error(c, OG_E_USAGE, "verify: too many tool calls");
    }
    for(i = 0; i < json_array_size(tcs); i++) {
      json_t *t = json_array_get(tcs, i), *f = json_object_get(t, "function");
      calls[i].id = str_or_null(t, "id");
      calls[i].type = str_or_null(t, "type");
      calls[i].name = str_or_null(f, "name");
      calls[i].arguments = str_or_null(f, "arguments");
    }
    ans.tool_calls = json_array_size(tcs) ? calls : NULL;
    ans.ntool_calls = json_array_size(tcs);
  }
  else if(json_is_string(json_object_get(res, "completion_output"))) {
    json_t *t = json_object_get(res, "completion_output");
    kind = OG_ENDPOINT_COMPLETION;
    ans.text = json_string_value(t);
    ans.text_len = json_string_length(t);
  }
  else {
    json_decref(res);
    return cli_error(c, OG_E_USAGE, "verify: '%s' has neither chat_output "
                     "nor completion_output", c->pos[0]);
  }
  ans.sig.tee_signature = str_or_null(res, "tee_signature");
  if(json_is_integer(json_object_get(res, "tee_timestamp"))) {
    snprintf(ts, sizeof(ts), "%lld", (long long)json_integer_value(
             json_object_get(res, "tee_timestamp")));
    ans.sig.tee_timestamp = ts;
  }
  else
    ans.sig.tee_timestamp = str_or_null(res, "tee_timestamp");
  ans.sig.tee_request_hash = str_or_null(res, "tee_request_hash");
  ans.sig.tee_output_hash = str_or_null(res, "tee_output_hash");
  ans.sig.tee_id = str_or_null(tee, "id");

  if(cli_has(c, OPT_SIGNING_KEY)) {
    rc = cli_load_spki(c, "--signing-key", cli_opt_str(c, OPT_SIGNING_KEY,
                       NULL), &spki);
    if(rc) {
      json_decref(res);
      return rc;
    }
  }
  else {
    cli_registry reg;
    og_bytes32 id;
    og_tee_list list = {0};
    if(!ans.sig.tee_id || og_tee_id_parse(&id, ans.sig.tee_id, &err)) {
      json_decref(res);
      return cli_error(c, OG_E_USAGE, "verify: the result names no TEE id "
                       "(tee.id); give --signing-key FILE");
    }
    rc = cli_registry_open(c, &reg);
    if(rc) {
      json_decref(res);
      return rc;
    }
    r = og_registry_get_tee(reg.rpc, &list, &reg.address, &id, &err);
    cli_registry_close(&reg);
    if(r) {
      og_tee_list_free(&list);
      json_decref(res);
      return cli_fail(c, r, &err);
    }
    og_buf_init(&spki, OG_TEE_MAX_PUBKEY);
    rc = og_buf_add(&spki, list.items[0].public_key,
                    list.items[0].public_key_len) ? -1 : 0;
    og_tee_list_free(&list);
    if(rc) {
      json_decref(res);
      return cli_error(c, OG_E_NOMEM, "out of memory");
    }
  }
  og_err_clear(&err);
  memset(&rep, 0, sizeof(rep));
  r = og_verify_answer_json(&rep, spki.data, spki.len, req, kind, &ans, &err);
  og_buf_free(&spki);
  json_decref(res);
  if(r != OG_OK && r != OG_E_VERIFY)
    return cli_fail(c, r, &err);
  rc = print_report(c, &rep, r == OG_OK);
  if(r == OG_OK)
    return rc;
  /* the report is the JSON answer; the reason goes to stderr */
  fputs("opengradient: error: ", c->errf);
  cli_put_field(c, c->errf, err.msg[0] ? err.msg :
                "the answer failed verification");
  fputc('\n', c->errf);
  return og_exit_code(OG_E_VERIFY);
}
