// SPDX-License-Identifier: MIT
// Interface of the chain's TEE verifier precompile at 0x...0900.
pragma solidity ^0.8.20;

interface ITEEVerifier {
    function verifyAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        bytes calldata rootCertificate
    ) external view returns (bool valid, bytes32 pcrHash);

    function verifyRSAPSS(
        bytes calldata publicKeyDER,
        bytes32 messageHash,
        bytes calldata signature
    ) external view returns (bool valid);
}
