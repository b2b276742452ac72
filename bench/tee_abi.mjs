// The getActiveTEEs(uint8) ABI, 11-field TEEInfo (with ohttpConfig), as
// shipped in the OpenGradient SDK 1.1.3. Shared by the generator and the
// viem peer so both sides use the same types.
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

export const teeInfo = {
  name: '', type: 'tuple[]', components: [
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
    ohttpConfig,
  ],
};

export const registryAbi = [{
  type: 'function', name: 'getActiveTEEs', stateMutability: 'view',
  inputs: [{ name: 'teeType', type: 'uint8' }],
  outputs: [teeInfo],
}];
