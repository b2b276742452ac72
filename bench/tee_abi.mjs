// The TEERegistry getActiveTEEs(uint8) ABI as shipped in the OpenGradient
// SDKs: the 11-field TEEInfo (with ohttpConfig, SDK 1.1.3, the current
// registry) and the 10-field one (SDK 0.7.6). Shared by the reply
// generator, the viem decode peer and the Node registry peers, so every
// side uses the same types.
export const teeInfo10Fields = [
  { name: 'owner', type: 'address' },
  { name: 'paymentAddress', type: 'address' },
  { name: 'endpoint', type: 'string' },
  { name: 'publicKey', type: 'bytes' },
  { name: 'tlsCertificate', type: 'bytes' },
  { name: 'pcrHash', type: 'bytes32' },
  { name: 'teeType', type: 'uint8' },
  { name: 'enabled', type: 'bool' },
  { name: 'registeredAt', type: 'uint256' },
  { name: 'lastHeartbeatAt', type: 'uint256' },
];

export const ohttpConfig = {
  name: 'ohttpConfig', type: 'tuple', components: [
    { name: 'keyId', type: 'uint8' },
    { name: 'kemId', type: 'uint16' },
    { name: 'kdfId', type: 'uint16' },
    { name: 'aeadId', type: 'uint16' },
    { name: 'publicKey', type: 'bytes' },
    { name: 'keyConfig', type: 'bytes' },
    { name: 'registeredAt', type: 'uint256' },
  ],
};

// The return type: TEEInfo[] with the given fields.
function teeInfoArray(fields) {
  return { name: '', type: 'tuple[]', components: fields };
}

export const teeInfo = teeInfoArray([...teeInfo10Fields, ohttpConfig]);

function activeAbi(fields) {
  return [{
    type: 'function', name: 'getActiveTEEs', stateMutability: 'view',
    inputs: [{ name: 'teeType', type: 'uint8' }],
    outputs: [teeInfoArray(fields)],
  }];
}

export const ABI11 = activeAbi([...teeInfo10Fields, ohttpConfig]);
export const ABI10 = activeAbi(teeInfo10Fields);
export const registryAbi = ABI11;
