// Test-side x402 "upto" payer: signs a Permit2 PermitWitnessTransferFrom
// with viem's signTypedData and prints the PAYMENT-SIGNATURE header value.
//
// stdin: {"paymentRequired": <decoded PAYMENT-REQUIRED JSON>,
//         "now": <unix s, optional>, "validAfter": "<decimal>" (optional,
//         default now - 600 as the OpenGradient client does),
//         "nonce": "<decimal>" (optional, random 256-bit otherwise)}
// env:   OG_TEST_PRIVATE_KEY (hex); defaults to anvil's public dev key #0.
// stdout: {"header": "<base64>", "payload": {...}, "from": "0x..."}
import { privateKeyToAccount } from "viem/accounts";
import { getAddress } from "viem";
import { randomBytes } from "node:crypto";
import { UPTO_PROXY, PERMIT2, TYPES } from "./permit2_types.mjs";

const ANVIL0 =
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
const pr = req.paymentRequired;
const accepted = pr.accepts[0];
let pk = process.env.OG_TEST_PRIVATE_KEY || ANVIL0;
if (!pk.startsWith("0x")) pk = "0x" + pk;
const account = privateKeyToAccount(pk);
const now = req.now ?? Math.floor(Date.now() / 1000);
const nonce = req.nonce ??
  BigInt("0x" + randomBytes(32).toString("hex")).toString();
const auth = {
  from: account.address,
  permitted: { token: accepted.asset, amount: accepted.amount },
  spender: UPTO_PROXY,
  nonce,
  deadline: String(now + accepted.maxTimeoutSeconds),
  witness: { to: accepted.payTo,
             facilitator: accepted.extra.facilitatorAddress,
             validAfter: req.validAfter ?? String(now - 600) },
};
const signature = await account.signTypedData({
  domain: { name: "Permit2",
            chainId: Number(accepted.network.split(":")[1]),
            verifyingContract: PERMIT2 },
  types: TYPES,
  primaryType: "PermitWitnessTransferFrom",
  message: {
    permitted: { token: getAddress(auth.permitted.token),
                 amount: BigInt(auth.permitted.amount) },
    spender: getAddress(auth.spender),
    nonce: BigInt(auth.nonce),
    deadline: BigInt(auth.deadline),
    witness: { to: getAddress(auth.witness.to),
               facilitator: getAddress(auth.witness.facilitator),
               validAfter: BigInt(auth.witness.validAfter) },
  },
});
const payload = {
  x402Version: 2,
  payload: { permit2Authorization: auth, signature },
  accepted,
  resource: pr.resource,
};
const header = Buffer.from(JSON.stringify(payload), "utf8").toString("base64");
process.stdout.write(JSON.stringify({ header, payload,
                                      from: account.address }) + "\n");
