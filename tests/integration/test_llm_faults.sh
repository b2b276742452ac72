#!/usr/bin/env bash
# chat and completion against a gateway stand-in that misbehaves (its
# /_control faults): every failure has the contract's exit code, one stderr
# line, the JSON error object last on stdout with --json (also after NDJSON
# chunks), never an is_final line or a success trailer, never a key; the
# faults that still carry a complete, signed answer succeed and verify.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"
export OG_TEE_ID=$TEE_0_ID   # --tee-id: no failover away from the fault
MSG='[{"role":"user","content":"Hello there, friend"}]'
TEXT='Echo: Hello there, friend'

fault() { ctl 0 "{\"fault\": ${1:-null}}"; }
chat_json() { run chat --model "$MODEL" --messages "$MSG" --json "$@"; }
stream_json() { run chat --model "$MODEL" --messages "$MSG" --stream --json "$@"; }
stream_human() { run chat --model "$MODEL" --messages "$MSG" --stream "$@"; }
completion_json() { run completion --model "$MODEL" --prompt p --json "$@"; }
# a failed NDJSON run: chunks (never the final one), then the error object
no_final() {
  pycheck "all(x is not None for x in L) and not any(x.get('is_final') for x in L[:-1]) and 'error' in L[-1]" "$1: no is_final line before the error"
}
no_trailer() {
  grep -qE "^(Verified:|Finish reason:|Chunks received:|TEE Node:)" <<<"$OUT" &&
    fail "$1: success trailer printed on failure: $OUT"
  return 0
}

# --- error_frame: an error inside the stream ---
fault '"error_frame"'
stream_json; JSON_RUN=1 expect_failure 6 "error_frame stream"
no_final "error_frame"
pycheck "L[0]['choices'][0]['delta']['content'] == 'Echo' and len(L) == 2" "the chunk before the error, then the error"
pycheck "'Stream processing failed' in L[-1]['error']['message']" "the server's error text"
stream_human; expect_failure 6 "error_frame human"; no_trailer "error_frame human"
expect_out "^Echo" "text so far is shown"
chat_json; JSON_RUN=1 expect_failure 6 "error_frame non-stream (500)"
completion_json; JSON_RUN=1 expect_failure 6 "error_frame completion"
ok "error frame: exit 6, NDJSON ends with the error object"

# --- truncate: the stream stops before its final chunk ---
fault '"truncate"'
stream_json; JSON_RUN=1 expect_failure 6 "truncate stream"
no_final "truncate"; expect_err "ended before its final chunk" "truncate message"
stream_human; expect_failure 6 "truncate human"; no_trailer "truncate human"
chat_json; JSON_RUN=1 expect_failure 6 "truncate non-stream"
completion_json; JSON_RUN=1 expect_failure 6 "truncate completion"
ok "truncated answers: exit 6"

# --- no_done: the final chunk arrives, [DONE] does not. The contract makes
# only a stream without a finish_reason chunk an error; this one is whole
# and signed, so it succeeds and verifies. ---
fault '"no_done"'
stream_json; expect_rc 0 "no_done stream"
pycheck "[x['is_final'] for x in L].count(True) == 1 and L[-1]['is_final'] and L[-1]['verified'] is True and L[-1]['chat_output']['content'] == '$TEXT'" "no_done: final line, verified"
printf '%s\n' "$OUT" >"$W/no_done.ndjson"
run verify "$W/no_done.ndjson"; expect_rc 0 "no_done result verifies later"
stream_human; expect_rc 0 "no_done human"; expect_out "^Verified: yes" "no_done human verified"
chat_json; expect_rc 0 "no_done non-stream"; pycheck "d['verified'] is True" "no_done json"
ok "no [DONE] after the final chunk: success, verified"

# --- http500 ---
fault '"http500"'
stream_json; JSON_RUN=1 expect_failure 6 "http500 stream"
pycheck "len(L) == 1 and 'Stream setup failed' in L[0]['error']['message']" "http500 stream message"
chat_json; JSON_RUN=1 expect_failure 6 "http500 chat"
expect_err "Request processing failed" "http500 message"
completion_json; JSON_RUN=1 expect_failure 6 "http500 completion"
run completion --model "$MODEL" --prompt p; expect_failure 6 "http500 human"
[ -z "$OUT" ] || fail "http500 human: nothing on stdout, got $OUT"
ok "HTTP 500: exit 6 with the server's message"

# --- bad_json ---
fault '"bad_json"'
stream_json; JSON_RUN=1 expect_failure 6 "bad_json stream"; no_final "bad_json"
chat_json; JSON_RUN=1 expect_failure 6 "bad_json chat"
completion_json; JSON_RUN=1 expect_failure 6 "bad_json completion"
ok "invalid JSON: exit 6"

# --- close: the pinned TLS connection was made (trust is fine), then the
# server hung up without answering: an invalid answer, exit 6 (not 4) ---
fault '"close"'
stream_json; JSON_RUN=1 expect_failure 6 "close stream"
chat_json; JSON_RUN=1 expect_failure 6 "close chat"
completion_json; JSON_RUN=1 expect_failure 6 "close completion"
ok "a server that closes without answering: exit 6"

# --- slow first byte / a stalled stream with --timeout 1: exit 7 ---
ctl 0 '{"fault": "slow_first_byte", "delay": 3}'
chat_json --timeout 1; JSON_RUN=1 expect_failure 7 "slow first byte"
stream_json --timeout 1; JSON_RUN=1 expect_failure 7 "slow first byte stream"
completion_json --timeout 1; JSON_RUN=1 expect_failure 7 "slow first byte completion"
ctl 0 '{"fault": null, "delay": 2, "event_delay": 3}'
stream_json --timeout 1; JSON_RUN=1 expect_failure 7 "stream stalls"; no_final "stall"
# a stream that keeps sending is not cut by --timeout: 14 events 0.2 s
# apart take longer than the 2 s limit, but no single wait comes near it
ctl 0 '{"event_delay": 0.2, "chunk_chars": 2}'
stream_json --timeout 2; expect_rc 0 "slow but steady stream"
pycheck "L[-1]['verified'] is True and len(L) == 14" "steady stream complete"
ctl_reset 0
ok "no data within --timeout: exit 7; a steady stream is not cut"

# --- dribble: bytes split inside UTF-8 sequences ---
fault '"dribble"'
SUFFIX=' — grüße 日本 🚀'
stream_json; expect_rc 0 "dribble stream"
pycheck "L[-1]['chat_output']['content'] == '$TEXT$SUFFIX' and L[-1]['verified'] is True and ''.join(x['choices'][0]['delta'].get('content') or '' for x in L) == '$TEXT$SUFFIX'" "dribble stream intact, verified"
stream_human; expect_rc 0 "dribble human"; expect_out "^$TEXT$SUFFIX$" "dribble text intact"
chat_json; expect_rc 0 "dribble chat"; pycheck "d['chat_output']['content'] == '$TEXT$SUFFIX' and d['verified'] is True" "dribble chat"
completion_json; expect_rc 0 "dribble completion"; pycheck "d['completion_output'] == 'Echo: p$SUFFIX' and d['verified'] is True" "dribble completion"
ok "dribbled UTF-8: success, verified"

# --- signatures that do not check ---
fault '"bad_sig"'
for mode in chat_json stream_json completion_json; do
  $mode; JSON_RUN=1 expect_failure 6 "bad_sig $mode"; expect_err "signature" "bad_sig names the signature"
done
stream_json; no_final "bad_sig"
stream_human; expect_failure 6 "bad_sig human"; no_trailer "bad_sig human"
ok "bad signature: exit 6 naming the signature"

fault '"wrong_output_hash"'
for mode in chat_json stream_json completion_json; do
  $mode; JSON_RUN=1 expect_failure 6 "wrong_output_hash $mode"; expect_err "output hash" "names the output hash"
done
stream_json; no_final "wrong_output_hash"
ok "wrong output hash: exit 6 naming it"

fault '"no_sig"'
for mode in chat_json stream_json completion_json; do
  $mode; JSON_RUN=1 expect_failure 6 "no_sig $mode"; expect_err "carries no (enclave )?signature" "no_sig message"
done
stream_json; no_final "no_sig"
stream_human; expect_failure 6 "no_sig human"; no_trailer "no_sig human"
chat_json --no-verify; expect_rc 0 "no_sig --no-verify"
pycheck "d['verified'] is None and d['tee_signature'] is None and d['chat_output']['content'] == '$TEXT'" "no_sig --no-verify: verified null"
stream_json --no-verify; expect_rc 0 "no_sig stream --no-verify"
pycheck "L[-1]['is_final'] and L[-1]['verified'] is None" "stream --no-verify verified null"
completion_json --no-verify; expect_rc 0 "no_sig completion --no-verify"; pycheck "d['verified'] is None" "completion --no-verify"
stream_human --no-verify; expect_rc 0 "no_sig human --no-verify"; expect_out "^Verified: no" "human says not checked"
fault '"bad_sig"'
chat_json --no-verify; expect_rc 0 "bad_sig --no-verify"; pycheck "d['verified'] is None" "--no-verify skips the check"
ok "no signature: exit 6; --no-verify accepts it with verified null"

fault
chat_json; expect_rc 0 "healthy again"; pycheck "d['verified'] is True" "after the faults"
stats 0; pycheck "all(S['faults_applied'].get(f, 0) > 0 for f in ['error_frame', 'truncate', 'no_done', 'http500', 'bad_json', 'close', 'slow_first_byte', 'dribble', 'bad_sig', 'wrong_output_hash', 'no_sig'])" "every fault was applied"
ok "faults reach the client (stand-in counters)"
echo "$TESTS_RUN checks passed"
