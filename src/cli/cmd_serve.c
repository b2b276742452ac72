/* `serve`: a local OpenAI-compatible endpoint in front of verified TEEs.
 *
 * One thread, one epoll loop. libmicrohttpd runs in external-epoll mode
 * (its epoll fd sits in our set; MHD_run when it is readable or its timer
 * is due) and the upstream og_client's transport is in socket mode (curl's
 * sockets sit in the same set; og_http_socket_action on activity). A
 * request that waits for the upstream is suspended in MHD and resumed by
 * the upstream's callbacks: non-streamed answers once verified, streamed
 * chunks as they arrive (the content reader suspends when it has nothing
 * to send, the chunk callback resumes it). A client that does not read
 * cannot make us hold more than SERVE_MAX_PENDING bytes: its upstream
 * call is cancelled. Nothing a client sends (prompts) or receives
 * (answers), and no key, is ever logged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"
#include "cli_files.h"
#include "cli_upstream.h"
#include "opengradient/og_canon.h"
#include "opengradient/og_client.h"
#include "opengradient/og_text.h"
#include "opengradient/og_models.h"
#include "opengradient/og_u256.h"
#include "serve/serve.h"

#define SERVE_MAX_PENDING ((size_t)8 << 20) /* unsent bytes per stream */
#define SERVE_PAUSE_AT ((size_t)1 << 20)    /* pause the upstream above */
#define SERVE_RESUME_AT ((size_t)256 << 10) /* and resume it below */
#define SERVE_BLOCK ((size_t)16 << 10) /* MHD buffer per stream */

enum { R_CHAT, R_COMPL, R_MODELS, R_HEALTH, R_METRICS, R_OTHER, R_COUNT };
static const char *const route_name[R_COUNT] = {
  "/v1/chat/completions", "/v1/completions", "/v1/models", "/healthz",
  "/metrics", "other"};
static const int status_list[] = {200, 400, 401, 402, 404, 413, 429, 431,
                                  500, 502, 503, 504};
#define NSTATUS (sizeof(status_list) / sizeof(status_list[0]))
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                 1, 2.5, 5, 10, 30, 60};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

typedef struct srv srv;

typedef struct sreq {
  srv *s;
  struct sreq *next, *prev;
  struct MHD_Connection *conn;
  int route;
  char method[8];
  int started;            /* the final handler call was made */
  int llm;                /* counted in inflight */
  og_buf body;
  int too_large;
  int status;             /* what went on the wire */
  uint64_t t0;
  /* upstream */
  og_call *call;
  og_serve_req pr;
  int done;               /* the upstream call ended */
  int refused_drain;      /* a new signature was refused: draining */
  int suspended;
  int failed_rc;          /* og_result of a failed call, for the log */
  char tee_id[67];
  char paid[80];          /* amount signed for this request, "" if none */
  /* non-streamed answer waiting for the resumed handler */
  struct MHD_Response *ready;
  int ready_status;
  /* streaming */
  int streaming;
  og_buf out;             /* SSE bytes not yet sent */
  size_t out_off;
  int finished;           /* nothing more will be added to out */
  int paused;             /* the upstream is paused (back-pressure) */
  json_t *final_chunk;    /* held until the answer is verified */
  json_t *after;          /* chunks after it (usage-only) */
  char id[48];
  long long created;
} sreq;

struct srv {
  cli *c;
  og_client *client;
  og_http *http;
  struct MHD_Daemon *d;
  int ep, mhd_ep, sig_fd;
  long long og_timer_due;   /* ms, -1 = none */
  int need_run;             /* a connection was resumed */
  int draining;
  long long drain_deadline;
  unsigned max_concurrent;
  unsigned inflight;
  unsigned active;          /* sreq objects alive */
  sreq *reqs;
  unsigned char key[256];
  size_t keylen;
  int have_key;
  long drain_timeout_s;
  og_settlement settlement;
  int tools_fallback;
  long max_time_ms;
  unsigned long long id_counter;
  /* money */
  og_u256 budget, spent;
  /* metrics */
  unsigned long long req_count[R_COUNT][NSTATUS];
  unsigned long long hist[NBUCKETS + 1];
  double dur_sum;
  unsigned long long dur_count;
  unsigned long long payments, verify_failures, failovers;
};

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ------------------------------ responses ------------------------------ */

static const char *error_type(int status)
{
  switch(status) {
  case 400: case 404: case 413: case 431:
    return "invalid_request_error";
  case 401:
    return "authentication_error";
  case 402:
    return "payment_required";
  case 429:
    return "rate_limit_exceeded";
  case 503:
    return "service_unavailable";
  case 504:
    return "timeout";
  default:
    return "upstream_error";
  }
}

static const char *error_code(int status)
{
  switch(status) {
  case 400: return "invalid_request";
  case 401: return "invalid_api_key";
  case 402: return "payment_refused";
  case 404: return "not_found";
  case 413: return "request_too_large";
  case 429: return "too_many_requests";
  case 431: return "headers_too_large";
  case 503: return "shutting_down";
  case 504: return "upstream_timeout";
  default: return "upstream_failed";
  }
}

/* {"error": {"message", "type", "code"}} */
static json_t *error_json(int status, const char *msg)
{
  return json_pack("{s:{s:s,s:s,s:s}}", "error", "message", msg,
                   "type", error_type(status), "code", error_code(status));
}

static void common_headers(srv *s, struct MHD_Response *r, const char *ct)
{
  MHD_add_response_header(r, "Content-Type", ct);
  if(s->draining)
    MHD_add_response_header(r, "Connection", "close");
}

static struct MHD_Response *json_response(srv *s, json_t *j)
{
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  struct MHD_Response *r;
  json_decref(j);
  if(!text)
    text = strdup("{\"error\":{\"message\":\"out of memory\",\"type\":"
                  "\"server_error\",\"code\":\"internal\"}}");
  if(!text)
    return NULL;
  r = MHD_create_response_from_buffer(strlen(text), text,
                                      MHD_RESPMEM_MUST_FREE);
  if(!r) {
    free(text);
    return NULL;
  }
  common_headers(s, r, "application/json");
  return r;
}

static enum MHD_Result queue(sreq *q, int status, struct MHD_Response *r)
{
  enum MHD_Result ok;
  if(!r)
    return MHD_NO;
  q->status = status;
  ok = MHD_queue_response(q->conn, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result send_error(sreq *q, int status, const char *msg)
{
  return queue(q, status, json_response(q->s, error_json(status, msg)));
}

/* --------------------------------- money -------------------------------- */

/* og_client pay_check: reserve the authorisation's amount in the budget
 * before it is signed; refuse every new signature while draining. */
static og_result pay_check(void *user, void *call_user,
                           const og_x402_requirement *rq, og_err *err)
{
  srv *s = user;
  sreq *q = call_user;
  og_u256 total;
  char amount[OG_U256_DEC_SIZE];
  og_u256_to_dec(amount, &rq->amount);
  if(s->draining) {
    if(q)
      q->refused_drain = 1;
    return og_fail(err, OG_E_PAYMENT, "the server is shutting down and "
                   "signs no new payment");
  }
  if(!og_u256_add(&total, &s->spent, &rq->amount) ||
     og_u256_cmp(&total, &s->budget) > 0) {
    char spent[OG_U256_DEC_SIZE], budget[OG_U256_DEC_SIZE];
    og_u256_to_dec(spent, &s->spent);
    og_u256_to_dec(budget, &s->budget);
    return og_fail(err, OG_E_PAYMENT, "a payment of %s base units would go "
                   "over the budget (%s of %s spent); nothing was signed",
                   amount, spent, budget);
  }
  s->spent = total;
  s->payments++;
  if(q)
    snprintf(q->paid, sizeof(q->paid), "%s", amount);
  return OG_OK;
}

/* ------------------------------ streaming ------------------------------ */

static void wake(sreq *q)
{
  if(q->suspended) {
    q->suspended = 0;
    MHD_resume_connection(q->conn);
    q->s->need_run = 1;
  }
}

static int out_add(sreq *q, const char *p, size_t n)
{
  if(og_buf_add(&q->out, p, n))
    return -1;
  wake(q);
  return 0;
}

/* one "data: <json>\n\n" event; steals j */
static int out_event(sreq *q, json_t *j)
{
  char *text;
  int rc;
  if(!j)
    return -1;
  text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if(!text)
    return -1;
  rc = out_add(q, "data: ", 6) || out_add(q, text, strlen(text)) ||
       out_add(q, "\n\n", 2) ? -1 : 0;
  free(text);
  return rc;
}

static void fill_ids(sreq *q, json_t *o, const char *object)
{
  if(!json_is_string(json_object_get(o, "id")))
    json_object_set_new(o, "id", json_string(q->id));
  if(!json_is_string(json_object_get(o, "object")))
    json_object_set_new(o, "object", json_string(object));
  if(!json_is_integer(json_object_get(o, "created")))
    json_object_set_new(o, "created", json_integer(q->created));
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
  sreq *q = cls;
  size_t avail;
  (void)pos;
  if(q->out.failed || q->out.len < q->out_off)
    return MHD_CONTENT_READER_END_WITH_ERROR; /* out of memory */
  avail = q->out.len - q->out_off;
  if(avail) {
    size_t n = avail < max ? avail : max;
    memcpy(buf, q->out.data + q->out_off, n);
    q->out_off += n;
    if(q->out_off == q->out.len) {
      og_buf_reset(&q->out);
      q->out_off = 0;
    }
    else if(q->out_off >= SERVE_RESUME_AT && q->out_off >= q->out.len / 2) {
      /* drop what was sent, so that a stream that never quite drains
       * does not grow the buffer */
      og_buf_consume(&q->out, q->out_off);
      q->out_off = 0;
    }
    if(q->paused && q->call && q->out.len - q->out_off < SERVE_RESUME_AT) {
      q->paused = 0; /* may deliver chunks right here */
      (void)!og_call_pause(q->call, 0);
    }
    return (ssize_t)n;
  }
  if(q->finished)
    return MHD_CONTENT_READER_END_OF_STREAM;
  /* nothing yet: wait for the upstream to wake us */
  q->suspended = 1;
  MHD_suspend_connection(q->conn);
  return 0;
}

static int on_chunk(void *user, const og_llm_chunk *ch)
{
  sreq *q = user;
  json_t *o;
  if(q->out.len - q->out_off > SERVE_MAX_PENDING)
    return 1; /* the client is not reading: let go of the upstream */
  if(!ch->json && !q->final_chunk) {
    /* a plain content chunk of the gateway's fixed shape, decoded without
     * jansson: its event is written straight out */
    og_err e;
    char tail[128];
    og_buf *b = &q->out;
    og_err_clear(&e);
    snprintf(tail, sizeof(tail), ",\"id\":\"%s\",\"object\":"
             "\"chat.completion.chunk\",\"created\":%lld}\n\n", q->id,
             q->created);
    if(og_buf_addstr(b, "data: {\"choices\":[{\"delta\":{\"content\":") ||
       (ch->content ? og_canon_write_string(b, ch->content, ch->content_len,
                                            &e)
                    : og_buf_addstr(b, "null")) ||
       og_buf_addstr(b, ",\"role\":") ||
       (ch->role ? og_canon_write_string(b, ch->role, ch->role_len, &e)
                 : og_buf_addstr(b, "null")) ||
       og_buf_addstr(b, "},\"index\":0,\"finish_reason\":null}],"
                     "\"model\":") ||
       (ch->model ? og_canon_write_string(b, ch->model, ch->model_len, &e)
                  : og_buf_addstr(b, "null")) ||
       og_buf_addstr(b, tail))
      return 1;
    wake(q);
    goto pressure;
  }
  if(!ch->json)
    return 0;
  o = json_copy((json_t *)ch->json);
  if(!o)
    return 1;
  fill_ids(q, o, "chat.completion.chunk");
  if(ch->is_final || q->final_chunk) {
    /* held until the whole answer is verified */
    if(!q->final_chunk)
      q->final_chunk = o;
    else {
      if(!q->after)
        q->after = json_array();
      json_array_append_new(q->after, o);
    }
    return 0;
  }
  if(out_event(q, o))
    return 1;
pressure:
  /* back-pressure: stop reading the upstream until the client catches
   * up (the reader resumes it) */
  if(!q->paused && q->call && q->out.len - q->out_off > SERVE_PAUSE_AT) {
    if(og_call_pause(q->call, 1) == OG_OK)
      q->paused = 1;
  }
  return 0;
}

static json_t *tee_json(const og_inference *inf)
{
  return json_pack("{s:s,s:s?,s:s?}", "id", inf->tee_id,
                   "endpoint", inf->endpoint,
                   "payment_address", inf->payment_address[0] ?
                   inf->payment_address : NULL);
}

/* ------------------------------ upstream done --------------------------- */

static int status_for(sreq *q, og_result rc)
{
  if(q->refused_drain)
    return 503;
  switch(rc) {
  case OG_E_PAYMENT: return 402;
  case OG_E_TIMEOUT: return 504;
  case OG_E_USAGE: return 400;
  default: return 502;
  }
}

static void count_upstream(srv *s, og_result rc, const og_inference *out)
{
  if(rc == OG_E_VERIFY)
    s->verify_failures++;
  if(out)
    s->failovers += (unsigned long long)(out->failovers > 0 ?
                                         out->failovers : 0);
}

/* A completion delivered as one SSE chunk (the gateway never streams
 * them): the verified answer's text, then [DONE]. */
static json_t *completion_chunk(sreq *q, og_inference *out)
{
  const og_llm_result *a = &out->answer;
  json_t *o = json_object(), *choice;
  static const char *const tee_fields[] = {"tee_signature", "tee_timestamp",
    "tee_request_hash", "tee_output_hash", "tee_id"};
  size_t i;
  if(!o)
    return NULL;
  fill_ids(q, o, "text_completion");
  json_object_set_new(o, "model", json_string(a->model ? a->model :
                                              q->pr.model));
  choice = json_pack("{s:i,s:s%,s:n}", "index", 0, "text", a->text,
                     a->text_len, "logprobs");
  if(choice)
    json_object_set_new(choice, "finish_reason", a->finish_reason ?
                        json_string(a->finish_reason) : json_null());
  json_object_set_new(o, "choices", json_pack("[o]", choice));
  json_object_set_new(o, "usage", og_llm_result_usage_json(a));
  for(i = 0; a->json && i < sizeof(tee_fields) / sizeof(tee_fields[0]); i++) {
    json_t *v = json_object_get(a->json, tee_fields[i]);
    if(v)
      json_object_set(o, tee_fields[i], v);
  }
  return o;
}

static void call_done(void *user, og_result rc, og_inference *out,
                      const og_err *err)
{
  sreq *q = user;
  srv *s = q->s;
  q->call = NULL;
  q->done = 1;
  count_upstream(s, rc, out);
  if(out->tee_id[0])
    memcpy(q->tee_id, out->tee_id, sizeof(q->tee_id));
  if(rc) {
    int st = status_for(q, rc);
    const char *msg = err && err->msg[0] ? err->msg : og_strerror(rc);
    q->failed_rc = rc;
    if(s->c->verbose)
      fprintf(stderr, "upstream failed: %s\n", og_strerror(rc));
    if(q->streaming) {
      /* one error event, no [DONE] */
      out_event(q, error_json(st, msg));
      q->finished = 1;
      wake(q);
    }
    else {
      q->ready = json_response(s, error_json(st, msg));
      q->ready_status = st;
      wake(q);
    }
    og_inference_free(out);
    return;
  }
  if(q->streaming) {
    json_t *fin = q->pr.completion ? completion_chunk(q, out)
                                   : json_incref(q->final_chunk);
    if(fin) {
      json_object_set_new(fin, "tee", tee_json(out));
      json_object_set_new(fin, "verified", out->verified ? json_true()
                                                         : json_null());
      out_event(q, fin);
    }
    if(q->after) {
      size_t i;
      json_t *v;
      json_array_foreach(q->after, i, v)
        out_event(q, json_incref(v));
    }
    out_add(q, "data: [DONE]\n\n", 14);
    q->finished = 1;
    wake(q);
  }
  else {
    json_t *o = out->answer.json ? json_incref(out->answer.json)
                                 : json_object();
    struct MHD_Response *r;
    fill_ids(q, o, q->pr.completion ? "text_completion" : "chat.completion");
    json_object_set_new(o, "tee", tee_json(out));
    json_object_set_new(o, "verified", out->verified ? json_true()
                                                     : json_null());
    r = json_response(s, o);
    if(r) {
      MHD_add_response_header(r, "X-OpenGradient-TEE-Id", out->tee_id);
      MHD_add_response_header(r, "X-OpenGradient-Verified",
                              out->verified ? "true" : "false");
    }
    q->ready = r;
    q->ready_status = 200;
    wake(q);
  }
  og_inference_free(out);
}

/* ------------------------------ routes ---------------------------------- */

static struct MHD_Response *models_response(srv *s)
{
  size_t n = 0, i;
  const og_model_info *m = og_models(&n);
  json_t *data = json_array();
  for(i = 0; m && i < n; i++)
    json_array_append_new(data, json_pack("{s:s,s:s,s:i,s:s,s:s}",
                                          "id", m[i].id, "object", "model",
                                          "created", 0, "owned_by",
                                          m[i].provider, "kind",
                                          m[i].kind));
  return json_response(s, json_pack("{s:s,s:o}", "object", "list",
                                     "data", data));
}

static struct MHD_Response *metrics_response(srv *s)
{
  og_buf b;
  size_t r, k;
  unsigned long long cum = 0;
  char paid[OG_U256_DEC_SIZE];
  struct MHD_Response *resp;
  og_buf_init(&b, 1 << 20);
  (void)!og_buf_addstr(&b,
    "# HELP opengradient_requests_total Requests answered, by route and "
    "HTTP status.\n# TYPE opengradient_requests_total counter\n");
  for(r = 0; r < R_COUNT; r++)
    for(k = 0; k < NSTATUS; k++)
      if(s->req_count[r][k])
        (void)!og_buf_printf(&b, "opengradient_requests_total{route=\"%s\","
                             "status=\"%d\"} %llu\n", route_name[r],
                             status_list[k], s->req_count[r][k]);
  (void)!og_buf_addstr(&b,
    "# HELP opengradient_request_duration_seconds Time from the request's "
    "first byte to its last answer byte.\n"
    "# TYPE opengradient_request_duration_seconds histogram\n");
  for(k = 0; k < NBUCKETS; k++) {
    cum += s->hist[k];
    (void)!og_buf_printf(&b, "opengradient_request_duration_seconds_bucket"
                         "{le=\"%g\"} %llu\n", buckets[k], cum);
  }
  cum += s->hist[NBUCKETS];
  og_u256_to_dec(paid, &s->spent);
  (void)!og_buf_printf(&b,
    "opengradient_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
    "opengradient_request_duration_seconds_sum %.6f\n"
    "opengradient_request_duration_seconds_count %llu\n"
    "# HELP opengradient_inflight_requests LLM requests being answered.\n"
    "# TYPE opengradient_inflight_requests gauge\n"
    "opengradient_inflight_requests %u\n"
    "# HELP opengradient_payments_total x402 authorisations signed.\n"
    "# TYPE opengradient_payments_total counter\n"
    "opengradient_payments_total %llu\n"
    "# HELP opengradient_paid_base_units_total Sum of the amounts of the "
    "authorisations signed (base units of the asset).\n"
    "# TYPE opengradient_paid_base_units_total counter\n"
    "opengradient_paid_base_units_total %s\n"
    "# HELP opengradient_verification_failures_total Answers whose enclave "
    "signature did not verify.\n"
    "# TYPE opengradient_verification_failures_total counter\n"
    "opengradient_verification_failures_total %llu\n"
    "# HELP opengradient_failovers_total TEEs abandoned for another before "
    "any byte or payment.\n"
    "# TYPE opengradient_failovers_total counter\n"
    "opengradient_failovers_total %llu\n",
    cum, s->dur_sum, s->dur_count, s->inflight, s->payments, paid,
    s->verify_failures, s->failovers);
  if(b.failed) {
    og_buf_free(&b);
    return NULL;
  }
  resp = MHD_create_response_from_buffer(b.len, b.data,
                                         MHD_RESPMEM_MUST_COPY);
  og_buf_free(&b);
  if(resp)
    common_headers(s, resp, "text/plain; version=0.0.4");
  return resp;
}

static int route_of(const char *url)
{
  size_t i;
  for(i = 0; i < R_OTHER; i++)
    if(!strcmp(url, route_name[i]))
      return (int)i;
  return R_OTHER;
}

typedef struct hdr_sum {
  size_t bytes;
} hdr_sum;

static enum MHD_Result add_header_len(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
  hdr_sum *h = cls;
  (void)kind;
  h->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
  return MHD_YES;
}

/* The final call for an LLM route: parse, then start the upstream. */
static enum MHD_Result start_llm(sreq *q)
{
  srv *s = q->s;
  og_err err;
  og_result r;
  og_request req;
  og_err_clear(&err);
  if(q->too_large)
    return send_error(q, 413, "the request body is over 4194304 bytes");
  r = og_serve_parse_request(&q->pr, q->route == R_COMPL,
                             (const char *)q->body.data, q->body.len, &err);
  og_buf_free(&q->body);
  if(r)
    return send_error(q, r == OG_E_TOO_LARGE ? 413 : r == OG_E_NOMEM ? 500 :
                      400, err.msg[0] ? err.msg : og_strerror(r));
  snprintf(q->id, sizeof(q->id), "%s-og%llx%llx",
           q->pr.completion ? "cmpl" : "chatcmpl",
           (unsigned long long)time(NULL), ++s->id_counter);
  q->created = (long long)time(NULL);
  og_request_init(&req);
  req.params = q->pr.params;
  req.settlement = s->settlement;
  req.stream_tools_fallback = s->tools_fallback;
  req.max_time_ms = s->max_time_ms;
  q->streaming = q->pr.stream;
  if(q->streaming && !q->pr.completion) {
    req.on_chunk = on_chunk;
    req.user = q;
    req.no_chunk_json = 1; /* content chunks are written without jansson */
  }
  /* completions are never streamed upstream: serve streams the verified
   * answer itself */
  req.params.stream = q->streaming && !q->pr.completion;
  r = og_call_start(s->client, &q->call, &req, q->pr.completion, call_done,
                    q, &err);
  if(r) {
    q->call = NULL;
    q->failed_rc = r;
    return send_error(q, status_for(q, r), err.msg[0] ? err.msg :
                      og_strerror(r));
  }
  if(q->streaming) {
    struct MHD_Response *resp;
    og_buf_init(&q->out, SERVE_MAX_PENDING + 2 * OG_LLM_MAX_RESPONSE);
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SERVE_BLOCK,
                                             reader, q, NULL);
    if(!resp)
      return MHD_NO;
    common_headers(s, resp, "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    return queue(q, 200, resp);
  }
  q->suspended = 1;
  MHD_suspend_connection(q->conn);
  return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
  srv *s = cls;
  sreq *q = *con_cls;
  (void)version;
  if(!q) {
    hdr_sum h = {0};
    const char *cl;
    q = calloc(1, sizeof(*q));
    if(!q)
      return MHD_NO;
    q->s = s;
    q->conn = conn;
    q->t0 = now_us();
    q->route = route_of(url);
    snprintf(q->method, sizeof(q->method), "%s",
             strlen(method) < sizeof(q->method) ? method : "OTHER");
    og_buf_init(&q->body, OG_SERVE_MAX_BODY);
    q->next = s->reqs;
    if(s->reqs)
      s->reqs->prev = q;
    s->reqs = q;
    s->active++;
    *con_cls = q;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_len, &h);
    if(h.bytes > OG_SERVE_MAX_HEADERS)
      return send_error(q, 431, "the request headers are over 16384 bytes");
    if(s->have_key && !(q->route == R_HEALTH && !strcmp(method, "GET")) &&
       !og_serve_auth_ok(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Authorization"),
                         s->key, s->keylen))
      return send_error(q, 401, "missing or wrong API key (send "
                        "'Authorization: Bearer <key>')");
    if(q->route == R_CHAT || q->route == R_COMPL) {
      if(strcmp(method, "POST"))
        return send_error(q, 404, "this route takes POST");
      cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                       "Content-Length");
      if(cl && strtoull(cl, NULL, 10) > OG_SERVE_MAX_BODY)
        return send_error(q, 413, "the request body is over 4194304 bytes");
      if(s->inflight >= s->max_concurrent)
        return send_error(q, 429, "too many requests in flight; try again");
      q->llm = 1;
      s->inflight++;
      return MHD_YES; /* the body comes next */
    }
    if(strcmp(method, "GET"))
      return send_error(q, 404, "no such route");
    return MHD_YES;
  }
  if(q->status) {
    *upload_size = 0; /* already answered (e.g. 413): discard the rest */
    return MHD_YES;
  }
  if(*upload_size) {
    if(!q->too_large && og_buf_add(&q->body, upload, *upload_size))
      q->too_large = 1;
    *upload_size = 0;
    return MHD_YES;
  }
  if(q->ready) {
    struct MHD_Response *r = q->ready;
    q->ready = NULL;
    return queue(q, q->ready_status, r);
  }
  if(q->started)
    return MHD_YES; /* resumed before the answer (should not happen) */
  q->started = 1;
  switch(q->route) {
  case R_CHAT:
  case R_COMPL:
    return start_llm(q);
  case R_MODELS:
    return queue(q, 200, models_response(s));
  case R_HEALTH:
    return queue(q, 200, json_response(s, json_pack(
      "{s:s,s:I}", "status", "ok",
      "tees", (json_int_t)og_client_tee_count(s->client))));
  case R_METRICS:
    return queue(q, 200, metrics_response(s));
  default:
    return send_error(q, 404, "no such route");
  }
}

/* The access log: one line per request, no prompt, answer or key. */
static void access_log(sreq *q, struct MHD_Connection *conn, double secs,
                       enum MHD_RequestTerminationCode toe)
{
  const union MHD_ConnectionInfo *ci =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char addr[INET6_ADDRSTRLEN] = "-", method[64];
  /* the method is the client's bytes: stderr is always made safe */
  (void)og_text_visible(method, sizeof(method), q->method, strlen(q->method),
                        0);
  if(ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if(sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr,
                sizeof(addr));
    else if(sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                addr, sizeof(addr));
  }
  fprintf(stderr, "%s \"%s %s\" %d %.1fms%s%s%s%s%s%s%s\n", addr,
          method, route_name[q->route], q->status, secs * 1000.0,
          q->streaming ? " stream" : "",
          q->tee_id[0] ? " tee=" : "", q->tee_id[0] ? q->tee_id : "",
          q->paid[0] ? " paid=" : "", q->paid,
          q->failed_rc ? " error=" : "",
          q->failed_rc ? og_strerror((og_result)q->failed_rc) :
          toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
  srv *s = cls;
  sreq *q = *con_cls;
  double secs;
  size_t k;
  if(!q)
    return;
  *con_cls = NULL;
  secs = (double)(now_us() - q->t0) / 1e6;
  if(q->call) {
    og_call_cancel(q->call); /* the client left: free the upstream */
    q->call = NULL;
  }
  if(q->status) {
    for(k = 0; k < NSTATUS; k++)
      if(status_list[k] == q->status)
        s->req_count[q->route][k]++;
    for(k = 0; k < NBUCKETS && secs > buckets[k]; k++)
      ;
    s->hist[k]++;
    s->dur_sum += secs;
    s->dur_count++;
  }
  access_log(q, conn, secs, toe);
  if(q->llm)
    s->inflight--;
  if(q->next)
    q->next->prev = q->prev;
  if(q->prev)
    q->prev->next = q->next;
  else
    s->reqs = q->next;
  s->active--;
  if(q->ready)
    MHD_destroy_response(q->ready);
  og_buf_free(&q->body);
  og_buf_free(&q->out);
  og_serve_req_free(&q->pr);
  json_decref(q->final_chunk);
  json_decref(q->after);
  free(q);
}

/* ------------------------------ the loop -------------------------------- */

static void on_socket(void *user, int fd, int what)
{
  srv *s = user;
  struct epoll_event ev;
  if(what & OG_HTTP_POLL_REMOVE) {
    epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
    return;
  }
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = fd;
  if(what & OG_HTTP_POLL_IN)
    ev.events |= EPOLLIN;
  if(what & OG_HTTP_POLL_OUT)
    ev.events |= EPOLLOUT;
  if(epoll_ctl(s->ep, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT)
    epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void on_timer(void *user, long timeout_ms)
{
  srv *s = user;
  s->og_timer_due = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

static void raise_nofile(void)
{
  struct rlimit rl;
  if(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* Stop accepting; requests in flight go on. */
static void start_drain(srv *s)
{
  MHD_socket ls;
  if(s->draining)
    return;
  s->draining = 1;
  s->drain_deadline = now_ms() + s->drain_timeout_s * 1000;
  ls = MHD_quiesce_daemon(s->d);
  if(ls != MHD_INVALID_SOCKET)
    close(ls);
  fprintf(stderr, "draining: %u request(s) in flight\n", s->active);
}

/* The drain time is up: end what is left. */
static void abort_all(srv *s)
{
  sreq *q;
  for(q = s->reqs; q; q = q->next) {
    if(q->call) {
      og_call_cancel(q->call);
      q->call = NULL;
      q->failed_rc = OG_E_CANCELLED;
      if(q->streaming) {
        out_event(q, error_json(503, "the server is shutting down"));
        q->finished = 1;
      }
      else if(!q->ready) {
        q->ready = json_response(s, error_json(503, "the server is shutting "
                                               "down"));
        q->ready_status = 503;
      }
    }
    if(q->streaming)
      q->finished = 1;
    wake(q);
  }
}

static int loop(srv *s)
{
  int aborted = 0;
  for(;;) {
    struct epoll_event evs[256];
    int k, j, wait = -1;
    long long now = now_ms();
    MHD_UNSIGNED_LONG_LONG mt;
    if(s->draining && s->active == 0)
      return 0;
    if(s->draining && !aborted && now >= s->drain_deadline) {
      fprintf(stderr, "drain timeout: ending %u request(s)\n", s->active);
      abort_all(s);
      aborted = 1;
      s->drain_deadline = now + 2000; /* let the ends go out */
    }
    else if(aborted && now >= s->drain_deadline)
      return 0;
    if(s->og_timer_due >= 0) {
      long long left = s->og_timer_due - now;
      wait = left > 0 ? (int)left : 0;
    }
    if(MHD_get_timeout(s->d, &mt) == MHD_YES &&
       (wait < 0 || mt < (MHD_UNSIGNED_LONG_LONG)wait))
      wait = (int)(mt > 60000 ? 60000 : mt);
    if(s->draining) {
      long long left = s->drain_deadline - now;
      if(wait < 0 || left < wait)
        wait = left > 0 ? (int)left : 0;
    }
    if(s->need_run)
      wait = 0;
    k = epoll_wait(s->ep, evs, 256, wait);
    if(k < 0 && errno != EINTR) {
      fprintf(stderr, "epoll_wait failed: %s\n", strerror(errno));
      return 1;
    }
    for(j = 0; j < k; j++) {
      int fd = evs[j].data.fd, e = 0;
      if(fd == s->mhd_ep) {
        s->need_run = 1;
        continue;
      }
      if(fd == s->sig_fd) {
        struct signalfd_siginfo si;
        while(read(s->sig_fd, &si, sizeof(si)) == sizeof(si))
          ;
        start_drain(s);
        continue;
      }
      if(evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        e |= OG_HTTP_POLL_IN;
      if(evs[j].events & (EPOLLOUT | EPOLLERR))
        e |= OG_HTTP_POLL_OUT;
      (void)!og_http_socket_action(s->http, fd, e, NULL);
    }
    if(s->og_timer_due >= 0 && now_ms() >= s->og_timer_due) {
      s->og_timer_due = -1;
      (void)!og_http_socket_action(s->http, OG_HTTP_SOCKET_TIMEOUT, 0, NULL);
    }
    /* MHD: its sockets, its timeouts and the resumed connections */
    s->need_run = 0;
    MHD_run(s->d);
  }
}

/* ------------------------------ options --------------------------------- */

/* HOST:PORT (HOST an IPv4 address, [IPv6] or localhost) */
static int parse_listen(cli *c, const char *v, struct sockaddr_storage *ss,
                        socklen_t *sl, int *loopback, char *host,
                        size_t hostlen)
{
  const char *colon = strrchr(v, ':');
  char h[INET6_ADDRSTRLEN + 2];
  char *end;
  unsigned long port;
  size_t n;
  memset(ss, 0, sizeof(*ss));
  if(!colon)
    return cli_error(c, OG_E_USAGE, "--listen: '%s' is not HOST:PORT", v);
  n = (size_t)(colon - v);
  if(n >= sizeof(h))
    return cli_error(c, OG_E_USAGE, "--listen: host too long");
  memcpy(h, v, n);
  h[n] = 0;
  port = strtoul(colon + 1, &end, 10);
  if(!colon[1] || *end || port > 65535)
    return cli_error(c, OG_E_USAGE, "--listen: '%s' is not a port",
                     colon + 1);
  if(!strcmp(h, "localhost"))
    strcpy(h, "127.0.0.1");
  if(h[0] == '[' && n > 2 && h[n - 1] == ']') {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    h[n - 1] = 0;
    if(inet_pton(AF_INET6, h + 1, &a->sin6_addr) != 1)
      return cli_error(c, OG_E_USAGE, "--listen: '%s' is not an IPv6 "
                       "address", h + 1);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    *sl = sizeof(*a);
    *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    snprintf(host, hostlen, "[%s]", h + 1);
  }
  else {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    if(inet_pton(AF_INET, h, &a->sin_addr) != 1)
      return cli_error(c, OG_E_USAGE, "--listen: '%s' is not an IP address "
                       "(or localhost)", h);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *sl = sizeof(*a);
    *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    snprintf(host, hostlen, "%s", h);
  }
  return 0;
}

static int read_key(cli *c, srv *s, const char *path)
{
  og_buf b;
  struct stat st;
  size_t n;
  int rc;
  if(stat(path, &st) == 0 &&
     cli_secret_mode_check(c, "--api-key-file:", path, st.st_mode))
    return og_exit_code(OG_E_USAGE);
  rc = cli_read_file(c, "--api-key-file", path, &b, 4096);
  if(rc)
    return rc;
  for(n = 0; n < b.len && b.data[n] != '\n' && b.data[n] != '\r'; n++)
    ;
  while(n && (b.data[n - 1] == ' ' || b.data[n - 1] == '\t'))
    n--;
  if(n == 0 || n > sizeof(s->key)) {
    og_buf_wipe_free(&b);
    return cli_error(c, OG_E_USAGE, "--api-key-file: the first line of '%s' "
                     "must hold the key (1 to %zu bytes)", path,
                     sizeof(s->key));
  }
  memcpy(s->key, b.data, n);
  s->keylen = n;
  s->have_key = 1;
  og_buf_wipe_free(&b);
  return 0;
}

static int parse_uint(cli *c, cli_opt_id id, const char *dflt,
                      unsigned long max, unsigned long *out)
{
  const char *v = cli_opt_str(c, id, dflt);
  char *end;
  unsigned long x;
  errno = 0;
  x = strtoul(v, &end, 10);
  if(!*v || *end || errno || x < 1 || x > max || v[0] == '-')
    return cli_error(c, OG_E_USAGE, "--%s: '%s' is not a whole number from "
                     "1 to %lu", cli_opt_name(id), v, max);
  *out = x;
  return 0;
}

static int parse_money(cli *c, srv *s)
{
  og_u256 max;
  const char *mp = cli_opt_str(c, OPT_MAX_PAYMENT, NULL);
  if(og_u256_from_dec(&max, mp, strlen(mp)))
    return cli_error(c, OG_E_USAGE, "--max-payment: '%s' is not a whole "
                     "number of base units", mp);
  if(cli_has(c, OPT_BUDGET)) {
    const char *b = cli_opt_str(c, OPT_BUDGET, NULL);
    if(og_u256_from_dec(&s->budget, b, strlen(b)))
      return cli_error(c, OG_E_USAGE, "--budget: '%s' is not a whole number "
                       "of base units", b);
  }
  else {
    int i;
    memset(&s->budget, 0, sizeof(s->budget));
    for(i = 0; i < 100; i++)
      if(!og_u256_add(&s->budget, &s->budget, &max))
        return cli_error(c, OG_E_USAGE, "--max-payment: too large");
  }
  return 0;
}

int cmd_serve(cli *c)
{
  srv s;
  cli_upstream up;
  og_client_config cfg;
  og_err err;
  og_result r;
  struct sockaddr_storage ss;
  socklen_t sl = 0;
  int loopback = 0, rc = 1;
  char host[INET6_ADDRSTRLEN + 4];
  unsigned long v;
  const union MHD_DaemonInfo *di;
  struct epoll_event ev;
  sigset_t sigs;

  memset(&s, 0, sizeof(s));
  s.c = c;
  s.ep = s.mhd_ep = s.sig_fd = -1;
  s.og_timer_due = -1;
  og_err_clear(&err);
  cli_upstream_init(&up);
  if(c->npos) {
    rc = cli_error(c, OG_E_USAGE, "'serve' takes no arguments (got '%s')",
                   c->pos[0]);
    goto out;
  }
  if((rc = parse_listen(c, cli_opt_str(c, OPT_LISTEN, NULL), &ss, &sl,
                        &loopback, host, sizeof(host))))
    goto out;
  if(cli_has(c, OPT_API_KEY_FILE) &&
     (rc = read_key(c, &s, cli_opt_str(c, OPT_API_KEY_FILE, NULL))))
    goto out;
  if(!loopback && !s.have_key) {
    rc = cli_error(c, OG_E_USAGE, "--listen: a non-loopback address needs "
                   "--api-key-file");
    goto out;
  }
  if((rc = parse_uint(c, OPT_MAX_CONCURRENT, NULL, 1000000, &v)))
    goto out;
  s.max_concurrent = (unsigned)v;
  if((rc = parse_uint(c, OPT_DRAIN_TIMEOUT, NULL, 86400, &v)))
    goto out;
  s.drain_timeout_s = (long)v;
  if((rc = parse_money(c, &s)))
    goto out;
  r = og_settlement_parse(&s.settlement,
                          cli_opt_str(c, OPT_SETTLEMENT_MODE, NULL), &err);
  if(r) {
    rc = cli_error(c, OG_E_USAGE, "--x402-settlement-mode: %s", err.msg);
    goto out;
  }
  s.tools_fallback = cli_has(c, OPT_STREAM_TOOLS_FALLBACK);
  if((rc = cli_client_config(c, &up, &cfg)))
    goto out;
  /* --max-time is per upstream request here, not for the process */
  s.max_time_ms = cfg.max_time_ms;
  cfg.max_time_ms = 0;
  cfg.pay_check = pay_check;
  cfg.pay_user = &s;

  raise_nofile();
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigprocmask(SIG_BLOCK, &sigs, NULL);
  s.sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);

  r = og_client_new(&s.client, &cfg, &err);
  og_wipe(up.key, sizeof(up.key));
  if(r) {
    rc = cli_error(c, r, "%s", err.msg[0] ? err.msg : og_strerror(r));
    goto out;
  }
  s.http = og_client_http(s.client);
  s.ep = epoll_create1(EPOLL_CLOEXEC);
  if(s.ep < 0 || s.sig_fd < 0 ||
     og_http_set_socket_fns(s.http, on_socket, on_timer, &s, &err)) {
    rc = cli_error(c, OG_E_INTERNAL, "cannot set up the event loop: %s",
                   err.msg[0] ? err.msg : strerror(errno));
    goto out;
  }
  s.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                         (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                         0, NULL, NULL, handler, &s,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)65000,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)(32 << 10),
                         MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)((c->timeout_ms + 999) / 1000),
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
                         MHD_OPTION_END);
  if(!s.d) {
    rc = cli_error(c, OG_E_USAGE, "--listen: cannot listen on %s: %s",
                   cli_opt_str(c, OPT_LISTEN, NULL), strerror(errno));
    goto out;
  }
  di = MHD_get_daemon_info(s.d, MHD_DAEMON_INFO_EPOLL_FD);
  s.mhd_ep = di ? di->epoll_fd : -1;
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = s.mhd_ep;
  if(s.mhd_ep < 0 || epoll_ctl(s.ep, EPOLL_CTL_ADD, s.mhd_ep, &ev)) {
    rc = cli_error(c, OG_E_INTERNAL, "cannot watch the HTTP server");
    goto out;
  }
  ev.data.fd = s.sig_fd;
  epoll_ctl(s.ep, EPOLL_CTL_ADD, s.sig_fd, &ev);
  di = MHD_get_daemon_info(s.d, MHD_DAEMON_INFO_BIND_PORT);
  if(c->json) {
    printf("{\"listening\": \"http://%s:%u\"}\n", host,
           di ? (unsigned)di->port : 0u);
    fflush(stdout);
  }
  else
    fprintf(stderr, "listening on http://%s:%u\n", host,
            di ? (unsigned)di->port : 0u);
  rc = loop(&s);
  if(rc)
    rc = og_exit_code(OG_E_INTERNAL);

out:
  if(s.d) {
    sreq *q;
    for(q = s.reqs; q; q = q->next)
      if(q->call) {
        og_call_cancel(q->call);
        q->call = NULL;
      }
    for(q = s.reqs; q; q = q->next)
      wake(q);
    MHD_stop_daemon(s.d);
  }
  og_client_free(s.client);
  if(s.ep >= 0)
    close(s.ep);
  if(s.sig_fd >= 0)
    close(s.sig_fd);
  og_wipe(s.key, sizeof(s.key));
  cli_upstream_free(&up);
  return rc;
}
