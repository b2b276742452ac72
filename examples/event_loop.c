/* Many requests at once from the caller's own event loop: the client's
 * transport exposes its sockets (og_http_fdset) and its next deadline
 * (og_http_timeout); og_http_step does whatever is ready. Streams are
 * delivered chunk by chunk to a callback.
 *
 *   example_event_loop RPC_URL REGISTRY N */
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>

#include "opengradient/og_client.h"

typedef struct progress {
  int done;
  int failed;
  size_t chunks;
} progress;

static int on_chunk(void *user, const og_llm_chunk *chunk)
{
  progress *p = user;
  (void)chunk;
  p->chunks++;
  return 0; /* nonzero would cancel this stream */
}

static void on_done(void *user, og_result rc, og_inference *out,
                    const og_err *err)
{
  progress *p = user;
  p->done++;
  if(rc) {
    p->failed++;
    fprintf(stderr, "request failed: %s\n", err->msg);
  }
  else
    printf("TEE %s: %.*s (verified: %s)\n", out->tee_id,
           (int)out->answer.text_len, out->answer.text,
           out->verified ? "yes" : "no");
  og_inference_free(out); /* the answer is ours to free */
}

int main(int argc, char **argv)
{
  og_client_config cfg = {0};
  og_client *client;
  og_request req;
  og_err err;
  progress prog = {0, 0, 0};
  json_t *messages;
  int i, n;

  if(argc != 4) {
    fprintf(stderr, "usage: %s RPC_URL REGISTRY N\n", argv[0]);
    return 1;
  }
  cfg.rpc_url = argv[1];
  cfg.registry = argv[2];
  n = atoi(argv[3]);
  if(og_client_new(&client, &cfg, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  messages = json_pack("[{s:s,s:s}]", "role", "user", "content", "Hello");
  og_request_init(&req);
  req.params.model = "openai/gpt-5";
  req.params.messages = messages;
  req.params.stream = 1;
  req.on_chunk = on_chunk;
  req.user = &prog;
  for(i = 0; i < n; i++)
    if(og_call_start(client, NULL, &req, 0, on_done, &prog, &err))
      fprintf(stderr, "cannot start: %s\n", err.msg);

  /* the caller's loop: select() on the transport's sockets */
  while(prog.done < n) {
    fd_set rd, wr, ex;
    int maxfd = -1;
    long ms;
    struct timeval tv;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    if(og_http_fdset(og_client_http(client), &rd, &wr, &ex, &maxfd))
      break;
    ms = og_http_timeout(og_client_http(client));
    if(ms < 0 || ms > 100)
      ms = 100;
    tv.tv_sec = 0;
    tv.tv_usec = ms * 1000;
    select(maxfd + 1, &rd, &wr, &ex, &tv);
    if(og_http_step(og_client_http(client), NULL))
      break;
  }
  printf("%d requests, %d failed, %zu chunks\n", n, prog.failed, prog.chunks);
  json_decref(messages);
  og_client_free(client);
  return prog.failed ? 1 : 0;
}
