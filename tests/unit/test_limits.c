/* Known answers for the resource limits on what a server sends: the
 * aggregate cap on streamed tool calls (each call under its own cap, all
 * of them together over OG_LLM_MAX_TOOL_TOTAL), exactly at and one byte
 * past the edge. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_llm.h"

/* One chunk event with a tool-call delta of n argument bytes. */
static char *tool_event(int index, size_t n, int first)
{
  size_t cap = n + 256;
  char *ev = malloc(cap);
  int k;
  assert_non_null(ev);
  k = snprintf(ev, cap, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
               "[{\"index\":%d,%s\"function\":{%s\"arguments\":\"", index,
               first ? "\"id\":\"c\",\"type\":\"function\"," : "",
               first ? "\"name\":\"f\"," : "");
  memset(ev + k, 'x', n);
  memcpy(ev + k + n, "\"}}]},\"finish_reason\":null}]}", 30);
  return ev;
}

/* Feed calls tool calls whose id "c" and name "f" count 2 bytes each, with
 * arguments in events of at most 900 KiB, totalling exactly total bytes
 * of tool-call data. Returns the result of the last feed. */
static og_result feed_total(og_llm_stream *s, int calls, size_t total,
                            og_err *err)
{
  size_t per = total / (size_t)calls, done = 0;
  og_result r = OG_OK;
  int i;
  for(i = 0; i < calls && !r; i++) {
    size_t want = i == calls - 1 ? total - done : per;
    size_t left = want - 2; /* id + name */
    int first = 1;
    done += want;
    while(!r && (left || first)) {
      size_t n = left > 900 * 1024 ? 900 * 1024 : left;
      char *ev = tool_event(i, n, first);
      r = og_llm_stream_event(s, ev, strlen(ev), err);
      free(ev);
      left -= n;
      first = 0;
    }
  }
  return r;
}

static void test_tool_total(void **state)
{
  og_llm_stream *s;
  og_llm_result res;
  og_err err;
  const char *fin = "{\"choices\":[{\"index\":0,\"delta\":{},"
                    "\"finish_reason\":\"tool_calls\"}]}";
  (void)state;
  /* 20 calls, each under its own 16 MiB cap, exactly at the total: ok */
  s = og_llm_stream_new(NULL, NULL);
  assert_non_null(s);
  assert_int_equal(feed_total(s, 20, OG_LLM_MAX_TOOL_TOTAL, &err), OG_OK);
  assert_int_equal(og_llm_stream_event(s, fin, strlen(fin), &err), OG_OK);
  assert_int_equal(og_llm_stream_finish(s, &res, &err), OG_OK);
  assert_int_equal(res.n_tool_calls, 20);
  og_llm_result_free(&res);
  og_llm_stream_free(s);
  /* one byte more: OG_E_TOO_LARGE, sticky */
  s = og_llm_stream_new(NULL, NULL);
  assert_int_equal(feed_total(s, 20, OG_LLM_MAX_TOOL_TOTAL + 1, &err),
                   OG_E_TOO_LARGE);
  assert_string_equal(err.msg, "tool calls in the stream larger than "
                      "16777216 bytes in total");
  assert_int_equal(og_llm_stream_event(s, fin, strlen(fin), &err),
                   OG_E_TOO_LARGE);
  assert_int_equal(og_llm_stream_finish(s, &res, &err), OG_E_TOO_LARGE);
  og_llm_stream_free(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tool_total),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
