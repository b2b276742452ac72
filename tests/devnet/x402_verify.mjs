// Fake x402 facilitator "/verify" for the gateway stand-in.
//
// Line-delimited JSON over stdin/stdout, one process for the whole life of
// gateway.py.  Request:  {"id": n, "paymentPayload": {...},
//                         "paymentRequirements": {...}, "facilitators": [..]}
// Reply: {"id": n, "isValid": bool, "invalidReason": str|null,
//         "invalidMessage": str|null, "payer": str|null, "recovered": str|null}
//
// The verdict comes from @x402/evm's own UptoEvmScheme.verify (scheme,
// network, spender, recipient, facilitator, deadline, validAfter, amount,
// token, typed-data signature), run against a stub signer with no chain:
//   getAddresses -> the facilitator addresses we advertise,
//   getCode      -> contract code for the asset, "0x" (an EOA) for anything
//                   else, so the payer's signature is checked by ECDSA,
//   readContract -> resolves: the Permit2 settle simulation (allowance,
//                   balance, nonce bitmap) needs Permit2 on a chain, which a
//                   local devnet does not have, so it is assumed to pass.
// Independently, viem's recoverTypedDataAddress recovers the signer over the
// Permit2 PermitWitnessTransferFrom typed data; it must equal `from`.
import readline from "node:readline";
import { UptoEvmScheme } from "@x402/evm/upto/facilitator";
import { getAddress, recoverTypedDataAddress } from "viem";
import { PERMIT2, TYPES } from "./permit2_types.mjs";


function stubSigner(facilitators, asset) {
  const assetAddr = getAddress(asset);
  return {
    getAddresses: () => facilitators.map((a) => getAddress(a)),
    getCode: async ({ address }) =>
      getAddress(address) === assetAddr ? "0x6080604052" : "0x",
    readContract: async () => undefined,
  };
}

async function recover(payload, network) {
  const a = payload.permit2Authorization;
  const chainId = Number(String(network).split(":")[1]);
  return recoverTypedDataAddress({
    domain: { name: "Permit2", chainId, verifyingContract: PERMIT2 },
    types: TYPES,
    primaryType: "PermitWitnessTransferFrom",
    message: {
      permitted: { token: getAddress(a.permitted.token),
                   amount: BigInt(a.permitted.amount) },
      spender: getAddress(a.spender),
      nonce: BigInt(a.nonce),
      deadline: BigInt(a.deadline),
      witness: { to: getAddress(a.witness.to),
                 facilitator: getAddress(a.witness.facilitator),
                 validAfter: BigInt(a.witness.validAfter) },
    },
    signature: payload.signature,
  });
}

async function verify(req) {
  const pp = req.paymentPayload;
  const pr = req.paymentRequirements;
  const out = { isValid: false, invalidReason: null, invalidMessage: null,
                payer: null, recovered: null };
  try {
    const scheme = new UptoEvmScheme(stubSigner(req.facilitators, pr.asset));
    const r = await scheme.verify(pp, pr);
    out.isValid = !!r.isValid;
    out.invalidReason = r.invalidReason ?? null;
    out.invalidMessage = r.invalidMessage ?? null;
    out.payer = r.payer || null;
  } catch (e) {
    out.isValid = false;
    out.invalidReason = "invalid_payload";
    out.invalidMessage = String(e && e.message ? e.message : e).split("\n")[0];
  }
  try {
    out.recovered = await recover(pp.payload, pr.network);
  } catch (e) {
    out.recovered = null;
  }
  if (out.isValid) {
    let from = null;
    try { from = getAddress(pp.payload.permit2Authorization.from); } catch {}
    if (!out.recovered || !from || getAddress(out.recovered) !== from) {
      out.isValid = false;
      out.invalidReason = "invalid_permit2_signature";
    }
  }
  return out;
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
// Answer strictly in order: the gateway reads one line per request.
let chain = Promise.resolve();
rl.on("line", (line) => {
  chain = chain.then(async () => {
    let id = null;
    let reply;
    try {
      const req = JSON.parse(line);
      id = req.id ?? null;
      reply = { id, ...(await verify(req)) };
    } catch (e) {
      reply = { id, isValid: false, invalidReason: "invalid_payload",
                invalidMessage: String(e), payer: null, recovered: null };
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  });
});
rl.on("close", () => { chain.then(() => process.exit(0)); });
