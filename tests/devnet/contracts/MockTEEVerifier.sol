// SPDX-License-Identifier: MIT
// Test double for the 0x...0900 verifier precompile, installed on anvil with
// anvil_setCode (runtime code only, so it must not rely on storage).
//
// NOT a security check:
// - verifyAttestation does not parse a Nitro attestation.  The "document" is
//   taken as the raw bytes pcr0 || pcr1 || pcr2 (3 x 48) and the returned
//   pcrHash is keccak256 of them, which is what the real precompile returns
//   for a genuine document with those PCRs.  It keeps the precompile's
//   non-empty checks on key and certificate and answers invalid for a
//   document of the wrong size, so the registry's failure path is reachable.
// - verifyRSAPSS always answers true: the real precompile verifies RSA-PSS
//   natively, this mock does not verify anything.  The devnet tooling still
//   signs heartbeats correctly so the calldata is realistic.
pragma solidity ^0.8.20;

import "./ITEEVerifier.sol";

contract MockTEEVerifier is ITEEVerifier {
    function verifyAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        bytes calldata
    ) external pure returns (bool valid, bytes32 pcrHash) {
        if (attestationDocument.length != 144 || signingPublicKey.length == 0
            || tlsCertificate.length == 0)
            return (false, bytes32(0));
        return (true, keccak256(attestationDocument));
    }

    function verifyRSAPSS(bytes calldata, bytes32, bytes calldata)
        external pure returns (bool valid)
    {
        return true;
    }
}
