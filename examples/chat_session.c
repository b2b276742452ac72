/* chat_session: one og_client, several chats in a row. Shows that one
 * client pays once and then reuses its x402 session (X-Upto-Session), and
 * that a long-lived client follows the registry (it re-reads it every
 * --refresh seconds and moves off a TEE that left the active set).
 *
 *   OG_RPC_URL=... OG_TEE_REGISTRY=... OG_PRIVATE_KEY=0x... \
 *   chat_session [--count K] [--interval SECONDS] [--refresh SECONDS]
 *       [--step] [--stream] [--completion] [--model PROVIDER/MODEL]
 *       [--tee-id ID] [--max-payment N] [--no-verify] [-v]
 *
 * Prints one JSON line per request:
 *   {"i", "ok", "exit_code", "error", "paid", "session_reused", "tee_id",
 *    "endpoint", "failovers", "verified", "text"}
 * --step reads one line from stdin before every request after the first
 * (EOF stops), so that a script can change the world in between.
 * Exit status: 0 when every request succeeded, else the CLI's exit code of
 * the last failure. The key is read from the environment, never printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opengradient/og_client.h"

static int usage(void)
{
  fprintf(stderr, "usage: chat_session [--count K] [--interval SECONDS] "
          "[--refresh SECONDS] [--step] [--stream] [--completion] "
          "[--model PROVIDER/MODEL] [--tee-id ID] [--max-payment N] "
          "[--no-verify] [-v]\n");
  return 1;
}

static void log_line(void *user, const char *line)
{
  (void)user;
  fprintf(stderr, "chat_session: %s\n", line);
}

static void pause_for(double seconds)
{
  struct timespec ts;
  if(seconds <= 0)
    return;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  nanosleep(&ts, NULL);
}

static void print_line(int i, og_result rc, const og_inference *inf,
                       const og_err *err)
{
  json_t *o = json_pack("{s:i,s:b,s:i}", "i", i, "ok", rc == OG_OK,
                        "exit_code", og_exit_code(rc));
  char *s;
  json_object_set_new(o, "error", rc ? json_string(err->msg) : json_null());
  json_object_set_new(o, "paid", json_boolean(inf->paid));
  json_object_set_new(o, "session_reused", json_boolean(inf->session_reused));
  json_object_set_new(o, "tee_id", inf->tee_id[0] ? json_string(inf->tee_id)
                                                  : json_null());
  json_object_set_new(o, "endpoint", inf->endpoint ?
                      json_string(inf->endpoint) : json_null());
  json_object_set_new(o, "failovers", json_integer(inf->failovers));
  json_object_set_new(o, "verified", json_boolean(inf->verified));
  json_object_set_new(o, "text", rc ? json_null() :
                      json_stringn(inf->answer.text, inf->answer.text_len));
  s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if(s) {
    printf("%s\n", s);
    free(s);
  }
  fflush(stdout);
  json_decref(o);
}

int main(int argc, char **argv)
{
  og_client_config cfg;
  og_client *client = NULL;
  og_err err;
  og_result r;
  const char *model = "openai/gpt-4.1";
  double interval = 0;
  int i, count = 3, step = 0, stream = 0, completion = 0, status = 0;
  char prompt[64], line[256];
  json_t *messages;

  memset(&cfg, 0, sizeof(cfg));
  cfg.rpc_url = getenv("OG_RPC_URL");
  cfg.registry = getenv("OG_TEE_REGISTRY");
  cfg.private_key_hex = getenv("OG_PRIVATE_KEY");
  if(cfg.private_key_hex && !*cfg.private_key_hex)
    cfg.private_key_hex = NULL;
  for(i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if(!strcmp(a, "--count") && v) {
      count = atoi(v);
      i++;
    }
    else if(!strcmp(a, "--interval") && v) {
      interval = atof(v);
      i++;
    }
    else if(!strcmp(a, "--refresh") && v) {
      cfg.refresh_seconds = atol(v);
      i++;
    }
    else if(!strcmp(a, "--model") && v) {
      model = v;
      i++;
    }
    else if(!strcmp(a, "--tee-id") && v) {
      cfg.tee_id = v;
      i++;
    }
    else if(!strcmp(a, "--max-payment") && v) {
      cfg.max_payment = v;
      i++;
    }
    else if(!strcmp(a, "--step"))
      step = 1;
    else if(!strcmp(a, "--stream"))
      stream = 1;
    else if(!strcmp(a, "--completion"))
      completion = 1;
    else if(!strcmp(a, "--no-verify"))
      cfg.no_verify = 1;
    else if(!strcmp(a, "-v"))
      cfg.log = log_line;
    else
      return usage();
  }
  if(count < 1)
    return usage();

  og_err_clear(&err);
  r = og_client_new(&client, &cfg, &err);
  if(r) {
    fprintf(stderr, "chat_session: %s\n", err.msg);
    return og_exit_code(r);
  }
  for(i = 0; i < count; i++) {
    og_request req;
    og_inference inf;
    if(i > 0) {
      if(step && !fgets(line, sizeof(line), stdin))
        break;
      pause_for(interval);
    }
    snprintf(prompt, sizeof(prompt), "request %d", i + 1);
    messages = json_pack("[{s:s,s:s}]", "role", "user", "content", prompt);
    og_request_init(&req);
    req.params.model = model;
    if(completion)
      req.params.prompt = prompt;
    else {
      req.params.messages = messages;
      req.params.stream = stream;
    }
    og_err_clear(&err);
    r = completion ? og_completion(client, &inf, &req, &err)
                   : og_chat(client, &inf, &req, &err);
    print_line(i + 1, r, &inf, &err);
    if(r)
      status = og_exit_code(r);
    og_inference_free(&inf);
    json_decref(messages);
  }
  og_client_free(client);
  return status;
}
