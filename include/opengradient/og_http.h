/*
 * og_http: the HTTP(S) transport, on libcurl's multi interface.
 *
 * One og_http owns one CURLM. Transfers can be driven three ways:
 *  - og_http_perform(): blocking, one request;
 *  - og_http_start() + og_http_wait(): many transfers at once, the library
 *    polls;
 *  - og_http_start() + og_http_fdset()/og_http_timeout() + og_http_step():
 *    the caller's own select() loop (descriptors below FD_SETSIZE only);
 *  - og_http_set_socket_fns() + og_http_socket_action(): the caller's
 *    own event loop (epoll, libuv, libevent, ...) is told which socket to
 *    watch for what and when to call back on a timer, in the way of
 *    curl_multi_socket_action; no descriptor limit.
 *
 * TLS. A request either pins one exact DER certificate (the registry's; the
 * leaf the server presents must be byte-for-byte that certificate, nothing
 * else is trusted, the host name is not checked) or, without a pin, uses the
 * system CAs with full verification (chain and host name).
 *
 * Reuse. Connections and TLS sessions are kept in a libcurl share object per
 * pin key: sha256(pin DER), or "system CAs" for unpinned requests. Inside
 * one share libcurl matches by scheme, host and port, so reuse is keyed by
 * (endpoint, certificate hash). A connection or resumable session made
 * under one pin is never offered to a request with another pin; easy
 * handles never move between keys. og_http_forget_pin() drops a key's
 * connections and sessions when a pin is retired.
 *
 * Logging: the transport never logs header values; og_http_redact_header()
 * is for callers that print requests (PAYMENT-SIGNATURE and similar are
 * never shown in full).
 */
#ifndef OPENGRADIENT_OG_HTTP_H
#define OPENGRADIENT_OG_HTTP_H

#include <sys/select.h>

#include "og_buf.h"
#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_http og_http;           /* the transport */
typedef struct og_http_xfer og_http_xfer; /* one transfer in flight */

#define OG_HTTP_DEFAULT_MAX_BODY (16u * 1024 * 1024)
#define OG_HTTP_MAX_HEADER_BYTES (256u * 1024)

/* A received response. Headers are copied out of libcurl (the final
 * response's, not 1xx), so the response stays valid after its transfer is
 * gone. Free with og_http_resp_free. */
typedef struct og_http_resp {
  long status;      /* HTTP status, 0 if none was received */
  og_buf body;      /* the body, unless the request streamed it */
  og_buf headers;   /* private: "name\0value\0" pairs */
  size_t nheaders;
} og_http_resp;

/* Streaming data callback: called with each piece of body as it arrives.
 * Before the first call resp->status and the headers are set. Return OG_OK
 * to go on; any other result aborts the transfer, which then completes with
 * that result (and the detail written into err, if any). */
typedef og_result (*og_http_data_cb)(void *user, const og_http_resp *resp,
                                     const unsigned char *data, size_t len,
                                     og_err *err);

typedef struct og_http_req {
  const char *method;        /* "GET", "POST", ...; NULL: POST if body,
                                else GET */
  const char *url;           /* https://, or http:// with allow_http */
  const char *const *headers; /* "Name: value" lines, NULL-terminated, or
                                 NULL */
  const unsigned char *body; /* request body or NULL */
  size_t body_len;
  const unsigned char *pin_der; /* exact DER leaf to pin, or NULL for the
                                   system CAs */
  size_t pin_der_len;
  long connect_timeout_ms;   /* TCP + TLS handshake; 0 = 60 s */
  long idle_timeout_ms;      /* no byte received for this long once the
                                request is on its way; 0 = none */
  long total_timeout_ms;     /* whole transfer; 0 = none (use for
                                non-streamed requests only) */
  size_t max_body;           /* cap on a buffered body; 0 = the default */
  og_http_data_cb on_data;   /* stream the body here instead of buffering
                                it; NULL = buffer into resp->body */
  void *user;                /* for on_data */
  int allow_http;            /* permit plain http:// */
  int fresh_connect;         /* use a new connection: libcurl silently
                                re-sends a request once when a reused
                                connection turns out dead, which a paid
                                request must never be */
} og_http_req;

/* Completion callback of a non-blocking transfer. rc is OG_OK when a
 * response was received (any HTTP status); err holds the detail otherwise.
 * resp (status, headers, body) is freed after the callback returns unless
 * the callback moves it out with og_http_resp_move(). x is freed after the
 * callback returns. The callback may start new transfers and cancel others.
 */
typedef void (*og_http_done_cb)(void *user, og_http_xfer *x, og_result rc,
                                og_http_resp *resp, const og_err *err);

/* Monotonic milliseconds (for deadlines such as a total --max-time). */
OG_API uint64_t og_http_clock_ms(void);

/* Create a transport. Caller frees with og_http_free. */
OG_API og_result og_http_new(og_http **out, og_err *err) OG_WARN_UNUSED;

/* Free the transport; transfers still in flight are cancelled without
 * their callbacks. NULL is ignored. */
OG_API void og_http_free(og_http *h);

/* Blocking request. On OG_OK resp holds the response (any HTTP status);
 * caller frees with og_http_resp_free (also after a failure). Other
 * transfers of h progress meanwhile (their callbacks may run). */
OG_API og_result og_http_perform(og_http *h, og_http_resp *resp,
                          const og_http_req *req, og_err *err) OG_WARN_UNUSED;

/* Start a transfer. The request (URL, headers, body, pin) is copied; the
 * caller's memory may be freed at once. Checks (URL scheme, pin needs
 * https) are done here, before any network access. *out (may be NULL)
 * receives the handle, valid until done has been called or the transfer
 * is cancelled. */
OG_API og_result og_http_start(og_http *h, og_http_xfer **out, const og_http_req *req,
                        og_http_done_cb done, void *user,
                        og_err *err) OG_WARN_UNUSED;

/* Cancel a transfer that has not completed: its callback is not called. */
OG_API void og_http_cancel(og_http *h, og_http_xfer *x);

/* Stop (pause = 1) or resume (0) receiving on x: back-pressure for a
 * caller that cannot take more data yet. The idle timeout does not run
 * while paused and starts afresh on resume. May be called from x's data
 * callback. Resuming may deliver buffered data at once. */
OG_API og_result og_http_pause(og_http *h, og_http_xfer *x, int pause);

/* Run whatever is ready without blocking, then call the callbacks of the
 * transfers that completed (also those the idle timer ended). *running
 * (may be NULL) receives the number still in flight. */
OG_API og_result og_http_step(og_http *h, int *running) OG_WARN_UNUSED;

/* Wait up to timeout_ms for activity, then og_http_step(). */
OG_API og_result og_http_wait(og_http *h, long timeout_ms, int *running)
  OG_WARN_UNUSED;

/* For a caller's select() loop: add the transport's sockets to the sets
 * and raise *maxfd (initialise it to -1). Then wait at most
 * og_http_timeout() ms and call og_http_step(). */
OG_API og_result og_http_fdset(og_http *h, fd_set *rd, fd_set *wr, fd_set *ex,
                        int *maxfd) OG_WARN_UNUSED;

/* ---- socket mode -------------------------------------------------------
 * The caller's loop watches the sockets it is told about and runs one
 * timer; on activity it calls og_http_socket_action(). Completion
 * callbacks run from og_http_socket_action(). */
#define OG_HTTP_SOCKET_TIMEOUT (-1) /* fd value for "the timer fired" */
#define OG_HTTP_POLL_IN 1
#define OG_HTTP_POLL_OUT 2
#define OG_HTTP_POLL_REMOVE 4       /* stop watching fd */

/* Watch fd for what (OG_HTTP_POLL_IN|OG_HTTP_POLL_OUT; a later call for
 * the same fd replaces the earlier), or stop (OG_HTTP_POLL_REMOVE). May be
 * called from og_http_start, og_http_socket_action, og_http_cancel and
 * og_http_free (removals). Must not call back into h. */
typedef void (*og_http_socket_fn)(void *user, int fd, int what);

/* Call og_http_socket_action(h, OG_HTTP_SOCKET_TIMEOUT, 0, ...) once after
 * timeout_ms (0 = as soon as possible, from the loop, not from inside this
 * callback); -1 = cancel the timer. A new call replaces the previous
 * timer. The timer covers libcurl's deadlines and the idle timeouts of
 * the requests. Must not call back into h. */
typedef void (*og_http_timer_fn)(void *user, long timeout_ms);

/* Switch h to socket mode: once, before starting transfers. Afterwards
 * the caller's loop drives h; og_http_perform, og_http_wait and
 * og_http_step still work (they poll the same sockets themselves, for a
 * blocking call made meanwhile), og_http_fdset fails for descriptors of
 * FD_SETSIZE and above. user is passed to both callbacks. */
OG_API og_result og_http_set_socket_fns(og_http *h, og_http_socket_fn on_socket,
                                 og_http_timer_fn on_timer, void *user,
                                 og_err *err) OG_WARN_UNUSED;

/* Report activity on fd (events: OG_HTTP_POLL_IN|OG_HTTP_POLL_OUT as seen,
 * 0 if unknown), or the timer (fd = OG_HTTP_SOCKET_TIMEOUT); runs the
 * completion callbacks of finished transfers (also those the idle timer
 * ended). *running (may be NULL) = transfers still in flight. OG_E_USAGE
 * when h is not in socket mode. */
OG_API og_result og_http_socket_action(og_http *h, int fd, int events,
                                int *running) OG_WARN_UNUSED;

/* Milliseconds until og_http_step() must be called even without socket
 * activity; -1 when nothing is pending. */
OG_API long og_http_timeout(og_http *h);

/* Number of transfers in flight. */
OG_API int og_http_running(const og_http *h);

/* Drop the pooled connections and TLS sessions made under this pin (call
 * when the registry no longer lists it). Transfers in flight with the pin
 * keep it until they end. */
OG_API void og_http_forget_pin(og_http *h, const unsigned char *pin_der,
                        size_t pin_der_len);

/* Response helpers. */
OG_API void og_http_resp_init(og_http_resp *resp);
OG_API void og_http_resp_free(og_http_resp *resp);
/* Move src into dst (dst must be free or initialised; src left empty). */
OG_API void og_http_resp_move(og_http_resp *dst, og_http_resp *src);

/* The value of the index-th header called name (any case), or NULL. The
 * pointer lives as long as resp. */
OG_API const char *og_http_resp_header(const og_http_resp *resp, const char *name,
                                size_t index);

/* The i-th header (i < resp->nheaders) in received order; 0 on success,
 * -1 when out of range. */
OG_API int og_http_resp_header_at(const og_http_resp *resp, size_t i,
                           const char **name, const char **value);

/* Write "Name: value" into out for printing, with the values of secret
 * headers (PAYMENT-SIGNATURE, X-PAYMENT, Authorization, Cookie, ...)
 * replaced by their length. out is always NUL-terminated. */
OG_API void og_http_redact_header(char *out, size_t outsz, const char *line);

#ifdef __cplusplus
}
#endif

#endif
