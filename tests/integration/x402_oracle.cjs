// Independent check of a payment built by our C code (examples/x402_sign):
// @x402/core decodes the header, viem recovers the EIP-712 signer, and the
// @x402/evm "upto" facilitator's verify() accepts it. That verify also
// makes chain reads (asset code, signer code, a settle simulation); a stub
// facilitator signer answers them as a chain with Permit2 and funds would,
// so every off-chain rule (x402.md section 5) is the library's own.
// Tampered copies must be rejected with the facilitator's reason.
//
// usage: node x402_oracle.cjs REQUIREMENTS_JSON PAYMENT_HEADER ADDRESS FACILITATOR
'use strict';
const assert = require('node:assert/strict');
const { recoverTypedDataAddress, getAddress } = require('viem');
const { decodePaymentSignatureHeader } = require('@x402/core/http');
const { UptoEvmScheme } = require('@x402/evm/upto/facilitator');

const [reqJson, header, address, facilitator] = process.argv.slice(2);
const paymentRequired = JSON.parse(reqJson);
const requirement = paymentRequired.accepts[0];
const payload = decodePaymentSignatureHeader(header);

const PERMIT2 = '0x000000000022D473030F116dDEE9F6B43aC78BA3';
const types = {
  PermitWitnessTransferFrom: [
    { name: 'permitted', type: 'TokenPermissions' },
    { name: 'spender', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'witness', type: 'Witness' },
  ],
  TokenPermissions: [
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'facilitator', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
};

function typedData(p) {
  const a = p.payload.permit2Authorization;
  return {
    domain: {
      name: 'Permit2',
      chainId: Number(p.accepted.network.split(':')[1]),
      verifyingContract: PERMIT2,
    },
    types,
    primaryType: 'PermitWitnessTransferFrom',
    message: {
      permitted: { token: a.permitted.token, amount: BigInt(a.permitted.amount) },
      spender: a.spender,
      nonce: BigInt(a.nonce),
      deadline: BigInt(a.deadline),
      witness: {
        to: a.witness.to,
        facilitator: a.witness.facilitator,
        validAfter: BigInt(a.witness.validAfter),
      },
    },
    signature: p.payload.signature,
  };
}

const signer = {
  getAddresses: () => [getAddress(facilitator)],
  // the asset is a contract, the payer an EOA (so ECDSA, not EIP-1271)
  getCode: async ({ address: a }) =>
    getAddress(a) === getAddress(requirement.asset) ? '0x6080' : '0x',
  // Permit2 allowance, balance and the settle dry-run pass
  readContract: async () => 0n,
};
const scheme = new UptoEvmScheme(signer);

async function verify(p) {
  return scheme.verify(p, requirement, undefined);
}

function clone(x) { return JSON.parse(JSON.stringify(x)); }

(async () => {
  // the framing
  assert.equal(payload.x402Version, 2);
  assert.deepEqual(payload.accepted, requirement, 'accepted is the requirement verbatim');
  assert.deepEqual(payload.resource, paymentRequired.resource);
  assert.equal(JSON.stringify(payload.accepted), JSON.stringify(requirement),
    'accepted keeps the server key order');
  const a = payload.payload.permit2Authorization;
  assert.equal(a.from, getAddress(address));
  assert.equal(a.permitted.amount, requirement.amount);
  assert.equal(a.spender, '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002');
  assert.match(a.nonce, /^[1-9][0-9]*$/);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(BigInt(a.deadline) >= BigInt(now + 6), 'deadline in the future');
  assert.ok(BigInt(a.witness.validAfter) <= BigInt(now), 'validAfter not ahead');

  // viem recovers our address
  const recovered = await recoverTypedDataAddress(typedData(payload));
  assert.equal(recovered, getAddress(address), 'viem recovers the payer');

  // the reference facilitator accepts it
  const ok = await verify(payload);
  assert.deepEqual([ok.isValid, ok.invalidReason], [true, undefined],
    'facilitator verify: ' + JSON.stringify(ok));

  // tampered copies are refused, each for its reason
  const cases = [
    ['permitted.amount', (p) => { p.payload.permit2Authorization.permitted.amount = '99999999999999999'; },
      'permit2_amount_mismatch'], // the gateway's fork names it invalid_exact_evm_payload_amount_mismatch
    ['nonce', (p) => { const n = BigInt(p.payload.permit2Authorization.nonce) + 1n; p.payload.permit2Authorization.nonce = n.toString(); },
      'invalid_permit2_signature'],
    ['validAfter', (p) => { p.payload.permit2Authorization.witness.validAfter = '1'; },
      'invalid_permit2_signature'],
    ['deadline', (p) => { p.payload.permit2Authorization.deadline = String(BigInt(p.payload.permit2Authorization.deadline) + 1n); },
      'invalid_permit2_signature'],
    ['signature byte', (p) => { const s = p.payload.signature; p.payload.signature = s.slice(0, 10) + (s[10] === '0' ? '1' : '0') + s.slice(11); },
      'invalid_permit2_signature'],
    ['from', (p) => { p.payload.permit2Authorization.from = '0x5555555555555555555555555555555555555555'; },
      'invalid_permit2_signature'],
    ['witness.to', (p) => { p.payload.permit2Authorization.witness.to = '0x3333333333333333333333333333333333333333'; },
      'invalid_permit2_recipient_mismatch'],
    ['witness.facilitator', (p) => { p.payload.permit2Authorization.witness.facilitator = '0x4444444444444444444444444444444444444444'; },
      'upto_facilitator_mismatch'],
    ['spender', (p) => { p.payload.permit2Authorization.spender = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001'; },
      'invalid_permit2_spender'],
    ['token', (p) => { p.payload.permit2Authorization.permitted.token = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'; },
      'permit2_token_mismatch'],
  ];
  for (const [name, mutate, reason] of cases) {
    const t = clone(payload);
    mutate(t);
    const r = await verify(t);
    assert.equal(r.isValid, false, 'tampered ' + name + ' accepted');
    assert.equal(r.invalidReason, reason, 'tampered ' + name + ': ' + JSON.stringify(r));
    if (reason === 'invalid_permit2_signature') {
      const who = await recoverTypedDataAddress(typedData(t)).catch(() => null);
      assert.notEqual(who, getAddress(t.payload.permit2Authorization.from));
    }
  }
  console.log('oracle: payment accepted by viem and @x402/evm upto verify; '
    + cases.length + ' tampered copies rejected');
})().catch((e) => { console.error(e); process.exit(1); });
