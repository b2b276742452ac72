/*
 * The full check of one answer's enclave signature (signatures reference
 * §5): fields, tee_id against the registry key, our own request hash under
 * either gateway rule set, our own output hash, then RSA-PSS over the
 * recomputed hashes. Every check is run so the report is complete; the
 * first failure decides the error detail.
 */
#include <stdio.h>
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"
#include "opengradient/og_u256.h"
#include "opengradient/og_verify.h"

/* The message a TEE signs: keccak256(request_hash || output_hash ||
 * uint256 timestamp), next to the verifier that checks it. */
void og_tee_msg_hash(og_bytes32 *out, const og_bytes32 *request_hash,
                     const og_bytes32 *output_hash, uint64_t timestamp)
{
  unsigned char pre[96];
  og_u256 ts;
  og_u256_from_u64(&ts, timestamp);
  memcpy(pre, request_hash->b, 32);
  memcpy(pre + 32, output_hash->b, 32);
  memcpy(pre + 64, ts.b, 32);
  og_keccak256(out, pre, sizeof(pre));
}

/* Requests are what we sent: generous but bounded. */
#define OG_VERIFY_MAX_REQUEST (64u * 1024u * 1024u)

const char *og_verify_check_name(og_verify_check c)
{
  switch(c) {
  case OG_CHECK_NONE: return "none";
  case OG_CHECK_FIELDS: return "fields";
  case OG_CHECK_TEE_ID: return "tee_id";
  case OG_CHECK_REQUEST_HASH: return "request_hash";
  case OG_CHECK_OUTPUT_HASH: return "output_hash";
  case OG_CHECK_SIGNATURE: return "signature";
  }
  return "unknown";
}

/* Unix seconds as decimal digits, fitting 64 bits. */
static int parse_timestamp(uint64_t *out, const char *s)
{
  uint64_t v = 0;
  size_t i;
  if(!s[0] || strlen(s) > 20)
    return 0;
  for(i = 0; s[i]; i++) {
    unsigned d;
    if(s[i] < '0' || s[i] > '9')
      return 0;
    d = (unsigned)(s[i] - '0');
    if(v > (UINT64_MAX - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  *out = v;
  return 1;
}

static og_result check_fields(og_verify_report *rep, const og_answer_sig *s,
                              og_bytes32 *req, og_bytes32 *outh,
                              og_bytes32 *id, og_err *err)
{
  const char *missing = NULL;
  unsigned char sig[OG_RSA_SIG_LEN + 3];
  size_t n = 0;
  if(!s->tee_signature && !s->tee_timestamp && !s->tee_request_hash &&
     !s->tee_output_hash && !s->tee_id)
    return og_fail(err, OG_E_VERIFY, "answer carries no signature");
  if(!s->tee_signature)
    missing = "tee_signature";
  else if(!s->tee_timestamp)
    missing = "tee_timestamp";
  else if(!s->tee_request_hash)
    missing = "tee_request_hash";
  else if(!s->tee_output_hash)
    missing = "tee_output_hash";
  else if(!s->tee_id)
    missing = "tee_id";
  if(missing)
    return og_fail(err, OG_E_VERIFY,
                   "answer carries no signature: %s is missing", missing);
  if(og_base64_decode(sig, sizeof(sig), &n, s->tee_signature,
                      strlen(s->tee_signature)) || n != OG_RSA_SIG_LEN)
    return og_fail(err, OG_E_VERIFY,
                   "tee_signature is not base64 of exactly 256 bytes");
  if(!parse_timestamp(&rep->timestamp, s->tee_timestamp))
    return og_fail(err, OG_E_VERIFY,
                   "tee_timestamp is not an unsigned integer");
  if(og_bytes32_from_hex(req, s->tee_request_hash))
    return og_fail(err, OG_E_VERIFY, "tee_request_hash is not 32 bytes hex");
  if(og_bytes32_from_hex(outh, s->tee_output_hash))
    return og_fail(err, OG_E_VERIFY, "tee_output_hash is not 32 bytes hex");
  if(og_bytes32_from_hex(id, s->tee_id))
    return og_fail(err, OG_E_VERIFY, "tee_id is not 32 bytes hex");
  return OG_OK;
}

og_result og_verify_answer_json(og_verify_report *report,
                                const unsigned char *spki, size_t spki_len,
                                const json_t *request, og_endpoint kind,
                                const og_answer *answer, og_err *err)
{
  og_verify_report local;
  og_verify_report *rep = report ? report : &local;
  og_bytes32 claimed_req, claimed_out, claimed_id, h;
  og_err rule_err[OG_RULES_COUNT], sig_err, out_err;
  char want[67], got[67];
  int k, have_req = 0;
  og_result r;

  memset(rep, 0, sizeof(*rep));
  og_err_clear(&sig_err);
  og_err_clear(&out_err);
  if(!answer || !spki)
    return og_fail(err, OG_E_USAGE, "missing answer or registry key");
  og_tee_id(&rep->expected_tee_id, spki, spki_len);

  r = check_fields(rep, &answer->sig, &claimed_req, &claimed_out,
                   &claimed_id, err);
  if(r) {
    rep->first_failure = OG_CHECK_FIELDS;
    return r;
  }
  rep->fields_ok = 1;

  rep->tee_id_ok = !memcmp(claimed_id.b, rep->expected_tee_id.b, 32);

  /* request hash: either rule set may have signed it; newer first */
  for(k = OG_RULES_COUNT - 1; k >= 0; k--) {
    og_err_clear(&rule_err[k]);
    r = og_canon_request_hash(&h, request, kind, (og_canon_rules)k,
                              &rule_err[k]);
    if(r == OG_E_NOMEM || r == OG_E_INTERNAL)
      return og_fail(err, r, "%s", rule_err[k].msg);
    if(r)
      continue;
    rep->rules_tried[k] = 1;
    if(!have_req || (!rep->request_hash_ok &&
                     !memcmp(h.b, claimed_req.b, 32))) {
      rep->request_hash = h;
      have_req = 1;
    }
    if(!rep->request_hash_ok && !memcmp(h.b, claimed_req.b, 32)) {
      rep->request_hash_ok = 1;
      rep->rules = (og_canon_rules)k;
    }
    og_bytes32_to_hex(want, &h);
    snprintf(rule_err[k].msg, sizeof(rule_err[k].msg), "ours %s", want);
  }

  r = og_canon_output_hash(&rep->output_hash, answer->text,
                           answer->text_len, answer->tool_calls,
                           answer->ntool_calls, &out_err);
  if(r == OG_E_NOMEM || r == OG_E_INTERNAL)
    return og_fail(err, r, "%s", out_err.msg);
  rep->output_hash_ok = !r && !memcmp(rep->output_hash.b, claimed_out.b, 32);

  /* the signature is checked over OUR hashes: a match proves the enclave
   * signed this request and this output */
  og_tee_msg_hash(&rep->msg_hash, have_req ? &rep->request_hash :
                                             &claimed_req,
                  &rep->output_hash, rep->timestamp);
  {
    unsigned char sig[OG_RSA_SIG_LEN + 3];
    size_t n = 0;
    og_result sr;
    /* check_fields already proved it decodes to 256 bytes */
    if(og_base64_decode(sig, sizeof(sig), &n, answer->sig.tee_signature,
                        strlen(answer->sig.tee_signature)) ||
       n != OG_RSA_SIG_LEN)
      return og_fail(err, OG_E_INTERNAL, "signature decode changed");
    og_err_clear(&sig_err);
    if(have_req && !r) {
      sr = og_rsa_pss_verify(spki, spki_len, &rep->msg_hash, sig, &sig_err);
      if(sr == OG_E_NOMEM || sr == OG_E_CRYPTO)
        return og_fail(err, sr, "%s", sig_err.msg);
      rep->signature_ok = (sr == OG_OK);
    }
    else
      snprintf(sig_err.msg, sizeof(sig_err.msg),
               "signature not checked: no request or output hash");
  }

  if(!rep->tee_id_ok) {
    rep->first_failure = OG_CHECK_TEE_ID;
    og_bytes32_to_hex(want, &rep->expected_tee_id);
    og_bytes32_to_hex(got, &claimed_id);
    return og_fail(err, OG_E_VERIFY,
                   "tee_id does not match the registry key (answer %s, "
                   "registry key %s)", got, want);
  }
  if(!rep->request_hash_ok) {
    rep->first_failure = OG_CHECK_REQUEST_HASH;
    og_bytes32_to_hex(got, &claimed_req);
    return og_fail(err, OG_E_VERIFY,
                   "request hash does not match: the gateway signed %s "
                   "(2026-04 rules: %s; newer rules: %s)", got,
                   rule_err[OG_RULES_2026_04].msg,
                   rule_err[OG_RULES_NEWER].msg);
  }
  if(!rep->output_hash_ok) {
    rep->first_failure = OG_CHECK_OUTPUT_HASH;
    if(out_err.msg[0])
      return og_fail(err, OG_E_VERIFY, "output hash not computable: %s",
                     out_err.msg);
    og_bytes32_to_hex(got, &claimed_out);
    og_bytes32_to_hex(want, &rep->output_hash);
    return og_fail(err, OG_E_VERIFY,
                   "output hash does not match: the gateway signed %s, the "
                   "answer's content hashes to %s", got, want);
  }
  if(!rep->signature_ok) {
    rep->first_failure = OG_CHECK_SIGNATURE;
    return og_fail(err, OG_E_VERIFY, "%s", sig_err.msg);
  }
  rep->first_failure = OG_CHECK_NONE;
  return OG_OK;
}

og_result og_verify_answer(og_verify_report *report,
                           const unsigned char *spki, size_t spki_len,
                           const char *request_json, size_t request_len,
                           og_endpoint kind, const og_answer *answer,
                           og_err *err)
{
  json_t *req;
  og_result r;
  if(report)
    memset(report, 0, sizeof(*report));
  if(!request_json)
    return og_fail(err, OG_E_USAGE, "missing request JSON");
  r = og_json_parse(&req, request_json, request_len, OG_VERIFY_MAX_REQUEST,
                    err);
  if(r)
    return r;
  r = og_verify_answer_json(report, spki, spki_len, req, kind, answer, err);
  json_decref(req);
  return r;
}
