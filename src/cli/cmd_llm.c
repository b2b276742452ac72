/* `completion` and `chat`: every option is checked before any network
 * access; then one request through the client (registry → pinned TEE →
 * payment → verified answer), printed in the Python CLI's layout or as
 * JSON / NDJSON. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_files.h"
#include "cli_llm.h"
#include "cli_upstream.h"
#include "opengradient/og_client.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_models.h"
#include "opengradient/og_registry_client.h"
#include "opengradient/og_secp.h"

#define USER_JSON_MAX (8u * 1024 * 1024)

typedef struct llm_run {
  cli *c;
  og_client *client;
  og_request req;
  json_t *messages;
  json_t *tools;
  int completion;
  int stream;
  /* stream output */
  int header_done;
  size_t chunks;
  size_t chars;
  json_t *final_chunk;     /* held until verification is done */
  json_t *images_saved;    /* paths of the generated images written */
  json_t *after_final;     /* NDJSON lines that came after it */
  /* NDJSON of plain content chunks, written without building objects */
  json_t *nd_str;          /* reused to encode one string */
  og_buf nd_tail;          /* ,"role":R...,"model":M,"is_final":false}\n */
  og_buf nd_key;           /* role and model the tail was made for */
  og_buf nd_line;          /* the line being written */
  int nd_have_tail;
  int wrote;               /* output since the last flush */
  /* spinner */
  int spinner;
  int spin_shown;
  unsigned spin_i;
  /* async completion */
  int done;
  og_result rc;
  og_err err;
  og_inference out;
  /* owned inputs */
  cli_upstream up;         /* what the client configuration points at */
  og_buf msgbuf, toolbuf;
  const char *stop[CLI_MAX_MULTI];
} llm_run;

void cli_client_log(void *user, const char *line)
{
  cli *c = user;
  /* the library's warnings (e.g. a payTo that is not the registry's) are
   * shown without -v too */
  if(!strncmp(line, "warning: ", 9) && strstr(line, "payTo differs"))
    cli_warn(c, "%s (use --strict-payee to refuse)", line + 9);
  else if(!strncmp(line, "warning: ", 9))
    cli_warn(c, "%s", line + 9);
  else
    cli_verbose(c, "%s", line);
}

/* ---------------- errors: option names and hints ---------------- */

/* The library names request fields and values, never options: report its
 * detail with the option that gave the value, once, and the hint that
 * goes with it. */
static int llm_fail(cli *c, og_result r, const og_err *err)
{
  static const struct {
    const char *prefix;   /* the library's words at the start */
    cli_opt_id opt, file_opt;
    int keep;             /* keep the prefix after the option name */
  } fields[] = {
    {"model: ", OPT_MODEL, OPT_COUNT, 0},
    {"max_tokens: ", OPT_MAX_TOKENS, OPT_COUNT, 0},
    {"temperature: ", OPT_TEMPERATURE, OPT_COUNT, 0},
    {"stop: ", OPT_STOP_SEQUENCE, OPT_COUNT, 0},
    {"messages: ", OPT_MESSAGES, OPT_MESSAGES_FILE, 0},
    {"messages", OPT_MESSAGES, OPT_MESSAGES_FILE, 1},
    {"tools: ", OPT_TOOLS, OPT_TOOLS_FILE, 0},
    {"tools", OPT_TOOLS, OPT_TOOLS_FILE, 1},
    {"settlement mode ", OPT_SETTLEMENT_MODE, OPT_COUNT, 1},
    {"tool_choice: ", OPT_TOOL_CHOICE, OPT_COUNT, 0},
    {"prompt: ", OPT_PROMPT, OPT_COUNT, 0},
    {"server URL ", OPT_LLM_SERVER_URL, OPT_COUNT, 1},
    {"the pinned TLS certificate", OPT_TLS_CERT, OPT_COUNT, 1},
    {"a pinned TLS certificate", OPT_TLS_CERT, OPT_COUNT, 1},
  };
  const char *msg = err && err->msg[0] ? err->msg : og_strerror(r);
  const char *hint = "";
  size_t i;
  if(strstr(msg, OG_X402_ASSET_REFUSAL))
    hint = "; to pay in it, add --payment-asset NETWORK:ADDRESS";
  else if(strstr(msg, OG_CLIENT_NO_KEY))
    hint = ": use --private-key-file, OG_PRIVATE_KEY or 'opengradient "
           "config init'";
  else if(strstr(msg, OG_CLIENT_UNSIGNED))
    hint = "; use --no-verify to accept it unchecked";
  else if(!strcmp(msg, "tool_choice: needs tools"))
    hint = " (--tools or --tools-file)";
  else if(strstr(msg, "more than the maximum age"))
    hint = " (--max-age)";
  for(i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    size_t n = strlen(fields[i].prefix);
    cli_opt_id o = fields[i].opt;
    if(strncmp(msg, fields[i].prefix, n))
      continue;
    if(fields[i].file_opt != OPT_COUNT && cli_has(c, fields[i].file_opt))
      o = fields[i].file_opt;
    return cli_error(c, r, "--%s: %s%s", cli_opt_name(o),
                     fields[i].keep ? msg : msg + n, hint);
  }
  return cli_error(c, r, "%s%s", msg, hint);
}

/* ---------------- option checks (before any network) ---------------- */

/* --max-payment, --networks and --payment-asset, checked with the
 * library's own parsers so that a bad value is exit 1 naming the option.
 * The repeated --payment-asset values are joined into run->assets. */
static int payment_options(cli *c, cli_upstream *run, og_client_config *cfg)
{
  const cli_value *v = &c->opt[OPT_PAYMENT_ASSET];
  og_x402_policy pol;
  og_err err;
  og_x402_policy_init(&pol);
  og_err_clear(&err);
  if(og_x402_policy_set_max(&pol, cfg->max_payment ? cfg->max_payment :
                            OG_X402_DEFAULT_MAX, &err))
    return cli_error(c, OG_E_USAGE, "--max-payment: %s", err.msg);
  if(cfg->networks && og_x402_policy_set_networks(&pol, cfg->networks, &err))
    return cli_error(c, OG_E_USAGE, "--networks: %s", err.msg);
  if(v->set) {
    size_t i, n = 0;
    if(v->nmulti) {
      for(i = 0; i < (size_t)v->nmulti; i++)
        n += strlen(v->multi[i]) + 1;
      run->assets = calloc(1, n + 1);
      if(!run->assets)
        return cli_error(c, OG_E_NOMEM, "out of memory");
      for(i = 0; i < (size_t)v->nmulti; i++) {
        if(i)
          strcat(run->assets, ",");
        strcat(run->assets, v->multi[i]);
      }
    }
    else if(v->value) {
      run->assets = strdup(v->value);
      if(!run->assets)
        return cli_error(c, OG_E_NOMEM, "out of memory");
    }
    if(run->assets &&
       og_x402_policy_set_assets(&pol, run->assets, &err))
      return cli_error(c, OG_E_USAGE, "%s: %s",
                       v->from_env ? "OG_PAYMENT_ASSETS" : "--payment-asset",
                       err.msg);
    cfg->payment_assets = run->assets;
  }
  return 0;
}

static int parse_int_opt(cli *c, cli_opt_id id, const char *name,
                         int64_t *out)
{
  const char *s = cli_opt_str(c, id, NULL);
  char *end;
  long long v;
  errno = 0;
  v = strtoll(s, &end, 10);
  if(!*s || *end || errno || v < 0)
    return cli_error(c, OG_E_USAGE, "%s: '%s' is not a whole number >= 0",
                     name, s);
  *out = v;
  return 0;
}

static int user_json(llm_run *run, cli_opt_id text_opt, cli_opt_id file_opt,
                     const char *what, og_buf *holder, json_t **out)
{
  cli *c = run->c;
  og_err err;
  og_result r;
  const char *text;
  size_t len;
  int rc;
  og_err_clear(&err);
  if(cli_has(c, file_opt)) {
    char opt[40];
    snprintf(opt, sizeof(opt), "--%s-file", what);
    rc = cli_read_file(c, opt, cli_opt_str(c, file_opt, NULL), holder,
                       USER_JSON_MAX);
    if(rc)
      return rc;
    text = og_buf_str(holder);
    len = holder->len;
  }
  else {
    text = cli_opt_str(c, text_opt, NULL);
    len = strlen(text);
  }
  r = og_llm_parse_user_json(out, what, text, len, &err);
  if(r)
    return llm_fail(c, r, &err);
  if(!json_is_array(*out))
    return cli_error(c, OG_E_USAGE, "--%s must be a JSON array", what);
  return 0;
}

/* Confidential mode (--relay-url, OG_RELAY_URL or login's relay_url):
 * chat only; the relay and its token into run->up. shown_relay is the
 * URL as given, for --json's "relay". */
static const char *shown_relay;
static int relay_options(llm_run *run)
{
  cli *c = run->c;
  int explicit_url = cli_has(c, OPT_RELAY_URL) &&
                     *cli_opt_str(c, OPT_RELAY_URL, "");
  int rc;
  if(run->completion) {
    if(explicit_url && !c->opt[OPT_RELAY_URL].from_env)
      return cli_error(c, OG_E_USAGE, "--relay-url: confidential mode is "
                       "for chat only");
    return 0;
  }
  if(cli_has(c, OPT_LLM_SERVER_URL)) {
    if(explicit_url)
      return cli_error(c, OG_E_USAGE, "--relay-url takes the TEE and its "
                       "OHTTP key from the registry; it does not go with "
                       "--llm-server-url");
    return 0; /* a stored relay_url does not apply to a direct server */
  }
  rc = cli_load_relay(c, run->up.relay_url, sizeof(run->up.relay_url),
                      run->up.relay_token, sizeof(run->up.relay_token));
  if(rc)
    return rc;
  if(run->up.relay_url[0] && cli_has(c, OPT_ATTEST))
    return cli_error(c, OG_E_USAGE, "--attest does not combine with "
                     "--relay-url for now (turn one off; --relay-url '' "
                     "turns confidential mode off)");
  if(run->up.relay_url[0]) {
    shown_relay = run->up.relay_url;
    cli_verbose(c, "confidential mode: sealed requests go through the "
                "relay %s", run->up.relay_url);
  }
  return 0;
}

static int check_options(llm_run *run, og_client_config *cfg)
{
  cli *c = run->c;
  og_request *rq = &run->req;
  og_err err;
  og_result r;
  const char *name;
  double t;
  char *end;
  int i, rc;

  og_err_clear(&err);
  og_request_init(rq);
  /* plain content chunks come without a jansson object: the text is
   * written as it is, NDJSON lines by nd_content_line; every other chunk
   * still has its json */
  rq->no_chunk_json = 1;
  if(!cli_has(c, OPT_MODEL))
    return cli_error(c, OG_E_USAGE, "--model is required (PROVIDER/MODEL, "
                     "e.g. openai/gpt-5)");
  rq->params.model = cli_opt_str(c, OPT_MODEL, NULL);
  r = og_llm_model_name(&name, rq->params.model, &err);
  if(r)
    return llm_fail(c, r, &err);
  if(!og_model_find(rq->params.model))
    cli_verbose(c, "warning: model '%s' is not in the known model table "
                "(see 'opengradient models'); sending it anyway",
                rq->params.model);
  if(run->completion) {
    if(!cli_has(c, OPT_PROMPT))
      return cli_error(c, OG_E_USAGE, "--prompt is required");
    rq->params.prompt = cli_opt_str(c, OPT_PROMPT, NULL);
  }
  else {
    if(cli_has(c, OPT_MESSAGES) == cli_has(c, OPT_MESSAGES_FILE))
      return cli_error(c, OG_E_USAGE, cli_has(c, OPT_MESSAGES) ?
                       "give only one of --messages and --messages-file" :
                       "give --messages JSON or --messages-file FILE");
    rc = user_json(run, OPT_MESSAGES, OPT_MESSAGES_FILE, "messages",
                   &run->msgbuf, &run->messages);
    if(rc)
      return rc;
    if(json_array_size(run->messages) == 0)
      return cli_error(c, OG_E_USAGE, "--messages: the array is empty");
    rq->params.messages = run->messages;
    if(cli_has(c, OPT_TOOLS) && cli_has(c, OPT_TOOLS_FILE))
      return cli_error(c, OG_E_USAGE, "give only one of --tools and "
                       "--tools-file");
    if(cli_has(c, OPT_TOOLS) || cli_has(c, OPT_TOOLS_FILE)) {
      rc = user_json(run, OPT_TOOLS, OPT_TOOLS_FILE, "tools", &run->toolbuf,
                     &run->tools);
      if(rc)
        return rc;
      rq->params.tools = run->tools;
    }
    if(cli_has(c, OPT_TOOL_CHOICE))
      rq->params.tool_choice = cli_opt_str(c, OPT_TOOL_CHOICE, NULL);
    rq->params.stream = run->stream;
    rc = cli_image_dir_check(c);
    if(rc)
      return rc;
    rq->stream_tools_fallback = cli_has(c, OPT_STREAM_TOOLS_FALLBACK);
  }
  if(cli_has(c, OPT_MAX_TOKENS)) {
    rc = parse_int_opt(c, OPT_MAX_TOKENS, "--max-tokens",
                       &rq->params.max_tokens);
    if(rc)
      return rc;
  }
  if(cli_has(c, OPT_TEMPERATURE)) {
    const char *s = cli_opt_str(c, OPT_TEMPERATURE, NULL);
    t = strtod(s, &end);
    if(!*s || *end || !isfinite(t) || t < 0 || t > 2)
      return cli_error(c, OG_E_USAGE, "--temperature: '%s' is not a number "
                       "from 0 to 2", s);
    rq->params.temperature = t;
  }
  rq->params.web_search = cli_has(c, OPT_WEB_SEARCH);
  for(i = 0; i < c->opt[OPT_STOP_SEQUENCE].nmulti; i++)
    run->stop[i] = c->opt[OPT_STOP_SEQUENCE].multi[i];
  rq->params.stop = run->stop;
  rq->params.n_stop = (size_t)c->opt[OPT_STOP_SEQUENCE].nmulti;
  r = og_settlement_parse(&rq->settlement,
                          cli_opt_str(c, OPT_SETTLEMENT_MODE, NULL), &err);
  if(r)
    return llm_fail(c, r, &err);
  /* the request body itself, to catch bad parameters now */
  {
    og_buf body;
    json_t *j = NULL;
    og_buf_init(&body, OG_LLM_MAX_REQUEST);
    r = run->completion ? og_llm_build_completion(&body, &j, &rq->params,
                                                  &err)
                        : og_llm_build_chat(&body, &j, &rq->params, &err);
    og_buf_free(&body);
    json_decref(j);
    if(r)
      return llm_fail(c, r, &err);
  }

  rc = relay_options(run);
  if(rc)
    return rc;
  return cli_client_config(c, &run->up, cfg);
}

/* The upstream client's configuration from the global options (shared
 * with serve). Returns 0, or the exit code after reporting the error. */
int cli_client_config(cli *c, cli_upstream *u, og_client_config *cfg)
{
  int rc;
  memset(cfg, 0, sizeof(*cfg));
  cfg->timeout_ms = c->timeout_ms;
  cfg->max_time_ms = c->max_time_ms;
  rc = cli_attest_options(c, cfg);
  if(rc)
    return rc;
  cfg->no_verify = cli_has(c, OPT_NO_VERIFY);
  cfg->strict_payee = cli_has(c, OPT_STRICT_PAYEE);
  cfg->max_payment = cli_opt_str(c, OPT_MAX_PAYMENT, NULL);
  cfg->networks = cli_opt_str(c, OPT_NETWORKS, NULL);
  rc = payment_options(c, u, cfg);
  if(rc)
    return rc;
  cfg->log = cli_client_log;
  cfg->log_user = c;
  if(cli_has(c, OPT_MAX_AGE)) {
    int64_t v = 0;
    rc = parse_int_opt(c, OPT_MAX_AGE, "--max-age", &v);
    if(rc)
      return rc;
    cfg->max_age_seconds = (long)v;
  }
  if(cli_has(c, OPT_SIGNING_KEY)) {
    rc = cli_load_spki(c, "--signing-key",
                       cli_opt_str(c, OPT_SIGNING_KEY, NULL), &u->spki);
    if(rc)
      return rc;
    cfg->signing_key_der = u->spki.data;
    cfg->signing_key_der_len = u->spki.len;
  }
  if(cli_has(c, OPT_LLM_SERVER_URL)) {
    cfg->llm_server_url = cli_opt_str(c, OPT_LLM_SERVER_URL, NULL);
    if(cli_has(c, OPT_TLS_CERT)) {
      rc = cli_load_cert(c, "--tls-cert", cli_opt_str(c, OPT_TLS_CERT, NULL),
                         &u->cert);
      if(rc)
        return rc;
      cfg->tls_cert_der = u->cert.data;
      cfg->tls_cert_der_len = u->cert.len;
    }
  }
  else {
    cli_registry reg;
    if(u->relay_url[0]) {
      /* confidential mode: --tls-cert pins the relay */
      cfg->relay_url = u->relay_url;
      cfg->relay_token = u->relay_token[0] ? u->relay_token : NULL;
      if(cli_has(c, OPT_TLS_CERT)) {
        rc = cli_load_cert(c, "--tls-cert",
                           cli_opt_str(c, OPT_TLS_CERT, NULL), &u->cert);
        if(rc)
          return rc;
        cfg->tls_cert_der = u->cert.data;
        cfg->tls_cert_der_len = u->cert.len;
      }
    }
    else if(cli_has(c, OPT_TLS_CERT))
      return cli_error(c, OG_E_USAGE, "--tls-cert goes with "
                       "--llm-server-url (registry TEEs are pinned to their "
                       "registered certificate)");
    rc = cli_registry_check(c, &reg);
    if(rc)
      return rc;
    cfg->rpc_url = cli_opt_str(c, OPT_RPC_URL, NULL);
    rc = cli_rpc_urls(c, &cfg->rpc_urls, &cfg->n_rpc_urls, &cfg->rpc_quorum);
    if(rc)
      return rc;
    memcpy(u->registry, reg.address_text, sizeof(u->registry));
    cfg->registry = u->registry;
    cfg->tee_type = reg.tee_type;
    cfg->tee_id = cli_has(c, OPT_TEE_ID) ? cli_opt_str(c, OPT_TEE_ID, NULL)
                                         : NULL;
    memcpy(u->pcr, reg.pcr_allow, reg.n_pcr_allow * sizeof(og_bytes32));
    cfg->pcr_allow = u->pcr;
    cfg->pcr_allow_len = reg.n_pcr_allow;
    cfg->allow_insecure_rpc = cli_has(c, OPT_ALLOW_INSECURE_RPC);
    if(cfg->tee_id) {
      og_bytes32 tmp;
      og_err e2;
      og_err_clear(&e2);
      if(og_tee_id_parse(&tmp, cfg->tee_id, &e2))
        return cli_error(c, OG_E_USAGE, "--tee-id: %s", e2.msg);
    }
  }
  rc = cli_load_private_key(c, u->key, sizeof(u->key));
  if(rc < 0)
    return og_exit_code(OG_E_USAGE);
  if(rc == 1)
    cfg->private_key_hex = u->key;
  return 0;
}

/* ------------------------------ output ------------------------------ */

static void print_header(llm_run *run, const char *title, const char *model)
{
  cli *c = run->c;
  fprintf(c->out, "%s%s%s\n", cli_color(c, 1, CLR_GREEN_BOLD), title,
          cli_color(c, 1, CLR_RESET));
  cli_rule(c);
  fprintf(c->out, "Model: %s%s%s\n", cli_color(c, 1, CLR_CYAN_BOLD), model,
          cli_color(c, 1, CLR_RESET));
  fprintf(c->out, "Source: %sOpenGradient TEE%s\n",
          cli_color(c, 1, CLR_CYAN_BOLD), cli_color(c, 1, CLR_RESET));
}

static void print_label(cli *c, const char *label)
{
  fprintf(c->out, "%s%s%s\n", cli_color(c, 1, CLR_YELLOW_BOLD), label,
          cli_color(c, 1, CLR_RESET));
}

static void print_verified(cli *c, const og_inference *inf)
{
  /* with --llm-server-url the key is --signing-key, not the registry's */
  fprintf(c->out, "Verified: %s\n", !inf->verified ? "no (not checked)" :
          cli_has(c, OPT_LLM_SERVER_URL) ?
          "yes (enclave signature checked against --signing-key)" :
          "yes (enclave signature checked against the registry key)");
}

static void print_tool_calls(cli *c, const og_llm_result *a)
{
  size_t i;
  if(!a->n_tool_calls)
    return;
  print_label(c, "Tool Calls:");
  for(i = 0; i < a->n_tool_calls; i++) {
    fputs("  Function: ", c->out);
    cli_put_field(c, c->out, a->tool_calls[i].name);
    fputs("\n  Arguments: ", c->out);
    if(a->tool_calls[i].arguments)
      cli_put_text(c, c->out, a->tool_calls[i].arguments,
                   a->tool_calls[i].arguments_len);
    fputc('\n', c->out);
  }
}

static void print_tee(cli *c, const og_inference *inf)
{
  cli_print_tee_block(c, inf->endpoint, inf->tee_id, inf->payment_address);
}

static json_t *tee_object(const og_inference *inf)
{
  return json_pack("{s:s?,s:s?,s:s?}",
                   "id", inf->tee_id[0] ? inf->tee_id : NULL,
                   "endpoint", inf->endpoint,
                   "payment_address",
                   inf->payment_address[0] ? inf->payment_address : NULL);
}

/* Fields every result line carries (non-stream object, final NDJSON). */
static void add_result_fields(json_t *o, const og_inference *inf)
{
  const og_llm_result *a = &inf->answer;
  if(inf->confidential) {
    json_object_set_new(o, "confidential", json_true());
    json_object_set_new(o, "relay", json_string(shown_relay ? shown_relay
                                                            : ""));
  }
  json_object_set_new(o, "tee", tee_object(inf));
  json_object_set_new(o, "tee_signature", a->tee_signature ?
                      json_string(a->tee_signature) : json_null());
  json_object_set_new(o, "tee_timestamp", a->has_tee_timestamp ?
                      json_integer(a->tee_timestamp) : json_null());
  json_object_set_new(o, "tee_request_hash", a->tee_request_hash ?
                      json_string(a->tee_request_hash) : json_null());
  json_object_set_new(o, "tee_output_hash", a->tee_output_hash ?
                      json_string(a->tee_output_hash) : json_null());
  json_object_set_new(o, "verified", inf->verified ? json_true() :
                      json_null());
  json_object_set(o, "request", inf->request);
  if(inf->paid) {
    char amount[OG_U256_DEC_SIZE], to[43], asset[43];
    og_u256_to_dec(amount, &inf->payment.amount);
    og_address_to_checksum(to, &inf->payment.pay_to);
    og_address_to_checksum(asset, &inf->payment.asset);
    json_object_set_new(o, "payment", json_pack("{s:s,s:s,s:s,s:s,s:s}",
                        "scheme", inf->payment.scheme, "network",
                        inf->payment.network, "asset", asset, "amount",
                        amount, "pay_to", to));
  }
  if(inf->settlement)
    json_object_set(o, "settlement", inf->settlement);
}

static int print_result(llm_run *run)
{
  cli *c = run->c;
  og_inference *inf = &run->out;
  const og_llm_result *a = &inf->answer;
  if(c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "model", a->model ? json_string(a->model)
                                             : json_string(
                                               run->req.params.model));
    json_object_set_new(o, "finish_reason", a->finish_reason ?
                        json_string(a->finish_reason) : json_null());
    if(run->completion)
      json_object_set_new(o, "completion_output",
                          json_stringn(a->text, a->text_len));
    else
      json_object_set_new(o, "chat_output", og_llm_result_message_json(a));
    json_object_set_new(o, "usage", og_llm_result_usage_json(a));
    add_result_fields(o, inf);
    if(!run->completion) {
      int rc = cli_save_images(c, a->images, &run->images_saved);
      if(rc) {
        json_decref(o);
        return rc;
      }
    }
    cli_llm_extras_json(o, a, run->images_saved);
    return cli_print_json(c, o);
  }
  if(run->completion) {
    print_header(run, "\xe2\x9c\x85 LLM completion Successful",
                 run->req.params.model);
    print_verified(c, inf);
    print_tee(c, inf);
    cli_rule(c);
    print_label(c, "LLM Output:");
    fputc('\n', c->out);
    cli_put_answer(c, a->text, a->text_len);
    fputs("\n\n", c->out);
    cli_print_citations(c, a->citations);
    cli_print_cost(c, &a->cost);
    return 0;
  }
  print_header(run, "\xe2\x9c\x85 LLM Chat Successful", run->req.params.model);
  print_verified(c, inf);
  print_tee(c, inf);
  cli_rule(c);
  print_label(c, "Finish Reason: ");
  fputc('\n', c->out);
  cli_put_field(c, c->out, a->finish_reason);
  fputs("\n\n", c->out);
  print_label(c, "Chat Output:");
  fputc('\n', c->out);
  if(a->text_len) {
    cli_put_answer(c, a->text, a->text_len);
    fputc('\n', c->out);
  }
  print_tool_calls(c, a);
  fputc('\n', c->out);
  cli_print_citations(c, a->citations);
  if(cli_save_images(c, a->images, &run->images_saved))
    return og_exit_code(OG_E_IO);
  cli_print_cost(c, &a->cost);
  return 0;
}

/* ------------------------------ streaming ---------------------------- */

static void spinner_clear(llm_run *run)
{
  if(run->spin_shown) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    run->spin_shown = 0;
  }
  run->spinner = 0;
}

static void spinner_tick(llm_run *run)
{
  static const char *const frames[] = {"|", "/", "-", "\\"};
  if(!run->spinner)
    return;
  fprintf(stderr, "\r%s waiting for the TEE...", frames[run->spin_i++ % 4]);
  fflush(stderr);
  run->spin_shown = 1;
}

static void stream_header(llm_run *run)
{
  cli *c = run->c;
  if(run->header_done || c->json)
    return;
  run->header_done = 1;
  print_header(run, "\xf0\x9f\x8c\x8a Streaming LLM Chat",
               run->req.params.model);
  cli_rule(c);
  print_label(c, "Response:");
  fputc('\n', c->out);
}

/* One NDJSON line as the chunk came (no float rounding); 1 when out of
 * memory. */
static int ndjson_line(cli *c, const json_t *line)
{
  char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER |
                       cli_json_flags(c));
  if(!s)
    return 1;
  fprintf(c->out, "%s\n", s);
  free(s);
  fflush(c->out);
  return 0;
}

#define ADD_LIT(b, lit) og_buf_add((b), (lit), sizeof(lit) - 1)

/* Whether jansson would escape anything in s: '"', '\\' or a control
 * character (the UTF-8 is already checked; without JSON_ENSURE_ASCII or
 * JSON_ESCAPE_SLASH nothing else is escaped). */
static int needs_escape(const cli *c, const char *s, size_t n)
{
  size_t i;
  /* on a terminal, non-ASCII is written as \uXXXX too (cli_json_flags) */
  for(i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if(ch < 0x20 || ch == '"' || ch == '\\' || (ch >= 0x80 && c->tty_out))
      return 1;
  }
  return 0;
}

/* Append s (n bytes; NULL = null) encoded as jansson's compact dump would
 * encode it: jansson does the escaping, so the line is the same as the one
 * the whole chunk object would give. */
static int nd_string(llm_run *run, og_buf *out, const char *s, size_t n)
{
  char small[1024], *big = NULL;
  size_t k;
  int rc;
  if(!s)
    return og_buf_add(out, "null", 4) ? 1 : 0;
  if(!needs_escape(run->c, s, n))
    return og_buf_add(out, "\"", 1) || og_buf_add(out, s, n) ||
           og_buf_add(out, "\"", 1) ? 1 : 0;
  if(!run->nd_str)
    run->nd_str = json_stringn_nocheck("", 0);
  /* the library checked the UTF-8 with jansson's rules */
  if(!run->nd_str || json_string_setn_nocheck(run->nd_str, s, n))
    return 1;
  k = json_dumpb(run->nd_str, small, sizeof(small),
                 JSON_ENCODE_ANY | cli_json_flags(run->c));
  if(!k)
    return 1;
  if(k > sizeof(small)) {
    big = malloc(k);
    if(!big || json_dumpb(run->nd_str, big, k,
                               JSON_ENCODE_ANY | cli_json_flags(run->c)) != k) {
      free(big);
      return 1;
    }
  }
  rc = og_buf_add(out, big ? big : small, k) ? 1 : 0;
  free(big);
  return rc;
}

/* The NDJSON line of a plain content chunk (one the library decoded
 * without jansson: its json is NULL). Its shape is fixed,
 * {"choices": [{"delta": {"content": C, "role": R}, "index": 0,
 * "finish_reason": null}], "model": M}, so the line is written straight
 * out: the same bytes as json_dumps of the object plus "is_final": false,
 * without building it. The tail after C changes only with R or M. */
static int nd_content_line(llm_run *run, const og_llm_chunk *ch)
{
  static const char head[] = "{\"choices\":[{\"delta\":{\"content\":";
  FILE *f = run->c->out;
  og_buf *line;
  unsigned char tag[2];
  int rc;
  tag[0] = ch->role ? 1 : 0;
  tag[1] = ch->model ? 1 : 0;
  /* key: tag, role_len, role, model (the tail is made for exactly these) */
  if(!run->nd_have_tail ||
     run->nd_key.len != 2 + sizeof(size_t) + ch->role_len + ch->model_len ||
     memcmp(run->nd_key.data, tag, 2) ||
     memcmp(run->nd_key.data + 2, &ch->role_len, sizeof(size_t)) ||
     (ch->role_len && memcmp(run->nd_key.data + 2 + sizeof(size_t), ch->role,
                             ch->role_len)) ||
     (ch->model_len &&
      memcmp(run->nd_key.data + 2 + sizeof(size_t) + ch->role_len,
             ch->model, ch->model_len))) {
    og_buf_reset(&run->nd_key);
    og_buf_reset(&run->nd_tail);
    if(og_buf_add(&run->nd_key, tag, 2) ||
       og_buf_add(&run->nd_key, &ch->role_len, sizeof(size_t)) ||
       og_buf_add(&run->nd_key, ch->role ? ch->role : "", ch->role_len) ||
       og_buf_add(&run->nd_key, ch->model ? ch->model : "", ch->model_len) ||
       ADD_LIT(&run->nd_tail, ",\"role\":") ||
       nd_string(run, &run->nd_tail, ch->role, ch->role_len) ||
       ADD_LIT(&run->nd_tail,
               "},\"index\":0,\"finish_reason\":null}],\"model\":") ||
       nd_string(run, &run->nd_tail, ch->model, ch->model_len) ||
       ADD_LIT(&run->nd_tail, ",\"is_final\":false}\n")) {
      run->nd_have_tail = 0;
      return 1;
    }
    run->nd_have_tail = 1;
  }
  run->wrote = 1;
  if(ch->content && !needs_escape(run->c, ch->content, ch->content_len)) {
    /* the common case: one write into stdio's buffer */
    char buf[2048];
    size_t hl = sizeof(head) - 1, n = hl + ch->content_len + 2 +
                                       run->nd_tail.len;
    if(n <= sizeof(buf)) {
      memcpy(buf, head, hl);
      buf[hl] = '"';
      memcpy(buf + hl + 1, ch->content, ch->content_len);
      buf[hl + 1 + ch->content_len] = '"';
      memcpy(buf + hl + 2 + ch->content_len, run->nd_tail.data,
             run->nd_tail.len);
      fwrite_unlocked(buf, 1, n, f);
    }
    else {
      fwrite_unlocked(head, 1, hl, f);
      putc_unlocked('"', f);
      fwrite_unlocked(ch->content, 1, ch->content_len, f);
      putc_unlocked('"', f);
      fwrite_unlocked(run->nd_tail.data, 1, run->nd_tail.len, f);
    }
    return 0;
  }
  line = &run->nd_line; /* kept between chunks: no allocation per line */
  og_buf_reset(line);
  rc = ADD_LIT(line, head) ||
       nd_string(run, line, ch->content, ch->content_len) ||
       og_buf_add(line, run->nd_tail.data, run->nd_tail.len);
  if(!rc)
    fwrite(line->data, 1, line->len, f);
  return rc;
}

/* The same chunk as an object, for the rare lines that are held back. */
static json_t *nd_content_json(const og_llm_chunk *ch)
{
  json_t *j = json_pack("{s:[{s:{s:o,s:o},s:i,s:n}],s:o}", "choices", "delta",
                        "content", ch->content ?
                          json_stringn_nocheck(ch->content, ch->content_len) :
                          json_null(),
                        "role", ch->role ?
                          json_stringn_nocheck(ch->role, ch->role_len) :
                          json_null(),
                        "index", 0, "finish_reason", "model", ch->model ?
                          json_stringn_nocheck(ch->model, ch->model_len) :
                          json_null());
  return j;
}

static int on_chunk(void *user, const og_llm_chunk *ch)
{
  llm_run *run = user;
  cli *c = run->c;
  spinner_clear(run);
  run->chunks++;
  if(ch->web_search_status || ch->web_search_query)
    cli_web_search_status(c, ch->web_search_status, ch->web_search_query);
  if(c->json) {
    json_t *line;
    if(!ch->json && !ch->is_final && !run->final_chunk)
      return nd_content_line(run, ch);
    line = ch->json ? json_deep_copy(ch->json) : nd_content_json(ch);
    if(!line)
      return 1;
    json_object_set_new(line, "is_final", json_boolean(ch->is_final));
    if(ch->is_final)
      run->final_chunk = line;
    else if(run->final_chunk) {
      if(!run->after_final)
        run->after_final = json_array();
      if(json_array_append_new(run->after_final, line))
        return 1;
    }
    else {
      int rc = ndjson_line(c, line);
      json_decref(line);
      return rc;
    }
    return 0;
  }
  stream_header(run);
  if(ch->content && ch->content_len) {
    cli_put_answer(c, ch->content, ch->content_len);
    run->wrote = 1; /* flushed once per read batch (cmd_llm's loop) */
  }
  return 0;
}

static size_t utf8_chars(const char *s, size_t n)
{
  size_t i, k = 0;
  for(i = 0; i < n; i++)
    if(((unsigned char)s[i] & 0xc0) != 0x80)
      k++;
  return k;
}

static int print_stream_end(llm_run *run)
{
  cli *c = run->c;
  og_inference *inf = &run->out;
  const og_llm_result *a = &inf->answer;
  if(c->json) {
    json_t *line = run->final_chunk ? run->final_chunk : json_object();
    size_t i;
    json_t *v;
    int rc;
    run->final_chunk = NULL;
    json_object_set_new(line, "is_final", json_true());
    add_result_fields(line, inf);
    json_object_set_new(line, "chat_output", og_llm_result_message_json(a));
    if(!json_object_get(line, "usage"))
      json_object_set_new(line, "usage", og_llm_result_usage_json(a));
    rc = cli_save_images(c, a->images, &run->images_saved);
    if(rc) {
      json_decref(line);
      return rc;
    }
    cli_llm_extras_json(line, a, run->images_saved);
    rc = cli_print_json(c, line);
    if(rc)
      return rc;
    json_array_foreach(run->after_final, i, v)
      if(ndjson_line(c, v))
        return cli_error(c, OG_E_NOMEM, "out of memory writing NDJSON");
    return 0;
  }
  stream_header(run);
  if(a->n_tool_calls) {
    fputc('\n', c->out);
    print_tool_calls(c, a);
  }
  fputs("\n\n", c->out);
  cli_rule(c);
  if(a->usage.present) {
    fprintf(c->out, "%sToken Usage:%s\n", cli_color(c, 1, CLR_CYAN),
            cli_color(c, 1, CLR_RESET));
    fprintf(c->out, "  Prompt tokens: %lld\n",
            (long long)a->usage.prompt_tokens);
    fprintf(c->out, "  Completion tokens: %lld\n",
            (long long)a->usage.completion_tokens);
    fprintf(c->out, "  Total tokens: %lld\n\n",
            (long long)a->usage.total_tokens);
  }
  if(a->finish_reason)
  {
    fprintf(c->out, "Finish reason: %s", cli_color(c, 1, CLR_GREEN));
    cli_put_field(c, c->out, a->finish_reason);
    fprintf(c->out, "%s\n", cli_color(c, 1, CLR_RESET));
  }
  print_verified(c, inf);
  print_tee(c, inf);
  cli_print_citations(c, a->citations);
  if(cli_save_images(c, a->images, &run->images_saved))
    return og_exit_code(OG_E_IO);
  cli_print_cost(c, &a->cost);
  cli_rule(c);
  fprintf(c->out, "Chunks received: %zu\n", run->chunks);
  fprintf(c->out, "Content length: %zu characters\n\n",
          utf8_chars(a->text, a->text_len));
  return 0;
}

/* ------------------------------ driver ------------------------------ */

static void call_done(void *user, og_result rc, og_inference *out,
                      const og_err *err)
{
  llm_run *run = user;
  run->done = 1;
  run->rc = rc;
  if(err)
    run->err = *err;
  run->out = *out;
}

static void run_free(llm_run *run)
{
  og_client_free(run->client);
  og_inference_free(&run->out);
  json_decref(run->messages);
  json_decref(run->tools);
  json_decref(run->final_chunk);
  json_decref(run->after_final);
  json_decref(run->images_saved);
  json_decref(run->nd_str);
  og_buf_free(&run->nd_tail);
  og_buf_free(&run->nd_key);
  og_buf_free(&run->nd_line);
  cli_upstream_free(&run->up);
  og_buf_free(&run->msgbuf);
  og_buf_free(&run->toolbuf);
}

int cmd_llm(cli *c)
{
  llm_run run;
  og_client_config cfg;
  og_err err;
  og_result r;
  og_call *call;
  int rc;

  memset(&run, 0, sizeof(run));
  run.c = c;
  run.completion = c->cmd == CMD_COMPLETION;
  run.stream = cli_has(c, OPT_STREAM);
  cli_upstream_init(&run.up);
  og_buf_init(&run.msgbuf, 1);
  og_buf_init(&run.toolbuf, 1);
  og_buf_init(&run.nd_tail, 8 * OG_LLM_MAX_RESPONSE);
  og_buf_init(&run.nd_key, 8 * OG_LLM_MAX_RESPONSE);
  og_buf_init(&run.nd_line, 8 * OG_LLM_MAX_RESPONSE);
  og_err_clear(&err);
  if(c->npos) {
    rc = cli_error(c, OG_E_USAGE, "'%s' takes no arguments (got '%s')",
                   c->cmd_name, c->pos[0]);
    run_free(&run);
    return rc;
  }
  rc = check_options(&run, &cfg);
  if(rc) {
    run_free(&run);
    return rc;
  }
  run.req.on_chunk = on_chunk;
  run.req.user = &run;
  r = og_client_new(&run.client, &cfg, &err);
  og_wipe(run.up.key, sizeof(run.up.key)); /* the client holds its own copy */
  if(r) {
    rc = llm_fail(c, r, &err);
    run_free(&run);
    return rc;
  }
  r = og_call_start(run.client, &call, &run.req, run.completion, call_done,
                    &run, &err);
  if(r) {
    rc = llm_fail(c, r, &err);
    run_free(&run);
    return rc;
  }
  run.spinner = isatty(STDERR_FILENO) && !c->verbose;
  while(!run.done) {
    r = og_http_wait(og_client_http(run.client), 120, NULL);
    if(run.wrote) { /* once per read batch, not per chunk */
      fflush(c->out);
      run.wrote = 0;
    }
    if(r && !run.done) {
      spinner_clear(&run);
      og_call_cancel(call);
      rc = cli_error(c, r, "transport failed: %s", og_strerror(r));
      run_free(&run);
      return rc;
    }
    spinner_tick(&run);
  }
  spinner_clear(&run);
  if(run.rc) {
    if(run.stream && run.header_done && !c->json)
      fputc('\n', c->out);
    fflush(c->out);
    rc = llm_fail(c, run.rc, &run.err);
  }
  else
    rc = run.stream ? print_stream_end(&run) : print_result(&run);
  run_free(&run);
  return rc;
}

void cli_upstream_init(cli_upstream *u)
{
  memset(u, 0, sizeof(*u));
  og_buf_init(&u->cert, 1);
  og_buf_init(&u->spki, 1);
}

void cli_upstream_free(cli_upstream *u)
{
  og_buf_free(&u->cert);
  og_buf_free(&u->spki);
  og_wipe(u->key, sizeof(u->key));
  og_wipe(u->relay_token, sizeof(u->relay_token));
  free(u->assets);
  u->assets = NULL;
}
