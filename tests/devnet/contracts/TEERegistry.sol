// SPDX-License-Identifier: MIT
// Local stand-in for og-evm's TEERegistry (contracts/solidity/TEERegistry.sol)
// with the same ABI: function names, argument types, return structs, custom
// errors and events.  Written from the published interface, not copied.
//
// Two deployable contracts share one base:
//   TEERegistry    - 11-field TEEInfo (with OhttpConfig), the current default
//   TEERegistry10  - 10-field TEEInfo (og-evm source, SDK 0.7.6)
// The role check is a minimal re-implementation of OpenZeppelin
// AccessControl (same function names, errors and events), so no library is
// needed to build this file.
pragma solidity ^0.8.20;

import "./ITEEVerifier.sol";

abstract contract MiniAccessControl {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;

    mapping(bytes32 => mapping(address => bool)) private _members;
    mapping(bytes32 => bytes32) private _adminOf;

    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
    error AccessControlBadConfirmation();

    event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole,
                           bytes32 indexed newAdminRole);
    event RoleGranted(bytes32 indexed role, address indexed account,
                      address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account,
                      address indexed sender);

    modifier onlyRole(bytes32 role) {
        if (!_members[role][msg.sender])
            revert AccessControlUnauthorizedAccount(msg.sender, role);
        _;
    }

    function supportsInterface(bytes4 interfaceId) public pure returns (bool) {
        // IAccessControl and IERC165
        return interfaceId == 0x7965db0b || interfaceId == 0x01ffc9a7;
    }

    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _members[role][account];
    }

    function getRoleAdmin(bytes32 role) public view returns (bytes32) {
        return _adminOf[role];
    }

    function grantRole(bytes32 role, address account)
        public onlyRole(getRoleAdmin(role))
    {
        _grantRole(role, account);
    }

    function revokeRole(bytes32 role, address account)
        public onlyRole(getRoleAdmin(role))
    {
        _revokeRole(role, account);
    }

    function renounceRole(bytes32 role, address callerConfirmation) public {
        if (callerConfirmation != msg.sender)
            revert AccessControlBadConfirmation();
        _revokeRole(role, callerConfirmation);
    }

    function _grantRole(bytes32 role, address account) internal {
        if (!_members[role][account]) {
            _members[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    function _revokeRole(bytes32 role, address account) internal {
        if (_members[role][account]) {
            _members[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }

    function _setRoleAdmin(bytes32 role, bytes32 adminRole) internal {
        bytes32 previous = _adminOf[role];
        _adminOf[role] = adminRole;
        emit RoleAdminChanged(role, previous, adminRole);
    }
}

abstract contract TEERegistryBase is MiniAccessControl {
    bytes32 public constant TEE_OPERATOR = keccak256("TEE_OPERATOR");
    ITEEVerifier public constant VERIFIER =
        ITEEVerifier(0x0000000000000000000000000000000000000900);

    // The 10 legacy fields; both layouts start with exactly these.
    struct TEERecord {
        address owner;
        address paymentAddress;
        string endpoint;
        bytes publicKey;
        bytes tlsCertificate;
        bytes32 pcrHash;
        uint8 teeType;
        bool enabled;
        uint256 registeredAt;
        uint256 lastHeartbeatAt;
    }

    struct PCRMeasurements {
        bytes pcr0;
        bytes pcr1;
        bytes pcr2;
    }

    struct ApprovedPCR {
        bool approved;
        uint8 teeType;
        uint256 approvedAt;
        string version;
    }

    struct TEETypeInfo {
        string name;
        uint256 addedAt;
    }

    struct PCRKey {
        bytes32 pcrHash;
        uint8 teeType;
    }

    error TEETypeExists();
    error TEETypeNotFound();
    error InvalidTEEType();
    error PCRNotApproved();
    error PCRAlreadyExists();
    error TEEAlreadyExists();
    error TEENotFound();
    error TEENotEnabled();
    error NotTEEOwner();
    error AttestationInvalid(string reason);
    error KeyBindingFailed(string reason);
    error HeartbeatSignatureInvalid();
    error HeartbeatTimestampTooOld();
    error HeartbeatTimestampInFuture();

    event TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 teeType);
    event HeartbeatReceived(bytes32 indexed teeId, uint256 timestamp);
    event TEEDisabled(bytes32 indexed teeId);
    event TEEEnabled(bytes32 indexed teeId);
    event PCRApproved(bytes32 indexed pcrHash, uint8 indexed teeType, string version);
    event PCRRevoked(bytes32 indexed pcrHash, uint8 indexed teeType);
    event TEETypeAdded(uint8 indexed typeId, string name);
    event AWSCertificateUpdated(bytes32 indexed certHash);

    mapping(bytes32 => TEERecord) public tees;
    mapping(uint8 => mapping(bytes32 => ApprovedPCR)) public pcrRecords;
    mapping(uint8 => TEETypeInfo) public teeTypes;
    uint256 public heartbeatMaxAge = 1800;
    bytes public awsRootCertificate;

    mapping(uint8 => bool) internal _validType;
    uint8[] internal _typeIds;
    PCRKey[] internal _pcrKeys;          // every (pcr, type) ever approved
    mapping(uint8 => mapping(bytes32 => bool)) internal _pcrKnown;
    mapping(uint8 => bytes32[]) internal _enabled;
    mapping(bytes32 => uint256) internal _enabledPos;  // index + 1
    mapping(uint8 => bytes32[]) internal _byType;
    mapping(address => bytes32[]) internal _byOwner;

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(TEE_OPERATOR, msg.sender);
        _setRoleAdmin(TEE_OPERATOR, DEFAULT_ADMIN_ROLE);
    }

    // ---- admin ------------------------------------------------------------

    function setAWSRootCertificate(bytes calldata cert)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        awsRootCertificate = cert;
        emit AWSCertificateUpdated(keccak256(cert));
    }

    function addTEEType(uint8 typeId, string calldata name)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (_validType[typeId]) revert TEETypeExists();
        _validType[typeId] = true;
        _typeIds.push(typeId);
        teeTypes[typeId] = TEETypeInfo(name, block.timestamp);
        emit TEETypeAdded(typeId, name);
    }

    function approvePCR(PCRMeasurements calldata pcrs, string calldata version,
                        uint8 teeType)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (!_validType[teeType]) revert InvalidTEEType();
        bytes32 h = computePCRHash(pcrs);
        pcrRecords[teeType][h] = ApprovedPCR(true, teeType, block.timestamp, version);
        if (!_pcrKnown[teeType][h]) {
            _pcrKnown[teeType][h] = true;
            _pcrKeys.push(PCRKey(h, teeType));
        }
        emit PCRApproved(h, teeType, version);
    }

    function revokePCR(bytes32 pcrHash, uint8 teeType)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        ApprovedPCR storage rec = pcrRecords[teeType][pcrHash];
        if (!rec.approved) revert PCRNotApproved();
        rec.approved = false;
        bytes32[] storage list = _enabled[teeType];
        // walk backwards: swap-and-pop only moves entries we already saw
        for (uint256 i = list.length; i > 0; i--) {
            bytes32 id = list[i - 1];
            if (tees[id].pcrHash == pcrHash) {
                _removeEnabled(id);
                emit TEEDisabled(id);
            }
        }
        emit PCRRevoked(pcrHash, teeType);
    }

    function setHeartbeatMaxAge(uint256 maxAge)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        heartbeatMaxAge = maxAge;
    }

    // ---- operators ----------------------------------------------------------

    function registerTEEWithAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        address paymentAddress,
        string calldata endpoint,
        uint8 teeType
    ) external onlyRole(TEE_OPERATOR) returns (bytes32 teeId) {
        if (!_validType[teeType]) revert InvalidTEEType();
        teeId = keccak256(signingPublicKey);
        if (tees[teeId].owner != address(0)) revert TEEAlreadyExists();
        (bool valid, bytes32 pcrHash) = VERIFIER.verifyAttestation(
            attestationDocument, signingPublicKey, tlsCertificate,
            awsRootCertificate);
        if (!valid)
            revert AttestationInvalid("Attestation document verification failed");
        if (!pcrRecords[teeType][pcrHash].approved) revert PCRNotApproved();

        TEERecord storage t = tees[teeId];
        t.owner = msg.sender;
        t.paymentAddress = paymentAddress;
        t.endpoint = endpoint;
        t.publicKey = signingPublicKey;
        t.tlsCertificate = tlsCertificate;
        t.pcrHash = pcrHash;
        t.teeType = teeType;
        t.enabled = true;
        t.registeredAt = block.timestamp;
        t.lastHeartbeatAt = block.timestamp;

        _enabled[teeType].push(teeId);
        _enabledPos[teeId] = _enabled[teeType].length;
        _byType[teeType].push(teeId);
        _byOwner[msg.sender].push(teeId);
        emit TEERegistered(teeId, msg.sender, teeType);
    }

    function disableTEE(bytes32 teeId) external {
        TEERecord storage t = _ownedTEE(teeId);
        if (!t.enabled) revert TEENotEnabled();
        _removeEnabled(teeId);
        emit TEEDisabled(teeId);
    }

    function enableTEE(bytes32 teeId) external {
        TEERecord storage t = _ownedTEE(teeId);
        if (t.enabled) return;
        if (!pcrRecords[t.teeType][t.pcrHash].approved) revert PCRNotApproved();
        t.enabled = true;
        _enabled[t.teeType].push(teeId);
        _enabledPos[teeId] = _enabled[t.teeType].length;
        emit TEEEnabled(teeId);
    }

    // Anyone may relay a heartbeat; the TEE's signature is what counts.
    function heartbeat(bytes32 teeId, uint256 timestamp, bytes calldata signature)
        external
    {
        TEERecord storage t = tees[teeId];
        if (t.owner == address(0)) revert TEENotFound();
        if (!t.enabled) revert TEENotEnabled();
        if (timestamp > block.timestamp) revert HeartbeatTimestampInFuture();
        if (block.timestamp - timestamp > heartbeatMaxAge)
            revert HeartbeatTimestampTooOld();
        bytes32 msgHash = keccak256(abi.encodePacked(teeId, timestamp));
        if (!VERIFIER.verifyRSAPSS(t.publicKey, msgHash, signature))
            revert HeartbeatSignatureInvalid();
        t.lastHeartbeatAt = block.timestamp;
        emit HeartbeatReceived(teeId, timestamp);
    }

    // ---- reads ------------------------------------------------------------

    function computeTEEId(bytes calldata publicKey) public pure returns (bytes32) {
        return keccak256(publicKey);
    }

    function computePCRHash(PCRMeasurements calldata pcrs)
        public pure returns (bytes32)
    {
        return keccak256(abi.encodePacked(pcrs.pcr0, pcrs.pcr1, pcrs.pcr2));
    }

    function isPCRApproved(uint8 teeType, bytes32 pcrHash)
        public view returns (bool)
    {
        return pcrRecords[teeType][pcrHash].approved;
    }

    function getApprovedPCRs() external view returns (PCRKey[] memory out) {
        uint256 n;
        for (uint256 i; i < _pcrKeys.length; i++)
            if (pcrRecords[_pcrKeys[i].teeType][_pcrKeys[i].pcrHash].approved) n++;
        out = new PCRKey[](n);
        n = 0;
        for (uint256 i; i < _pcrKeys.length; i++)
            if (pcrRecords[_pcrKeys[i].teeType][_pcrKeys[i].pcrHash].approved)
                out[n++] = _pcrKeys[i];
    }

    function isValidTEEType(uint8 typeId) external view returns (bool) {
        return _validType[typeId];
    }

    function getTEETypes()
        external view returns (uint8[] memory typeIds, TEETypeInfo[] memory infos)
    {
        typeIds = _typeIds;
        infos = new TEETypeInfo[](typeIds.length);
        for (uint256 i; i < typeIds.length; i++) infos[i] = teeTypes[typeIds[i]];
    }

    function isTEEActive(bytes32 teeId) public view returns (bool) {
        TEERecord storage t = tees[teeId];
        return t.owner != address(0) && _isActive(t);
    }

    function isTEEEnabled(bytes32 teeId) external view returns (bool) {
        return tees[teeId].enabled;
    }

    function getEnabledTEEs(uint8 teeType) external view returns (bytes32[] memory) {
        return _enabled[teeType];
    }

    function getTEEsByType(uint8 teeType) external view returns (bytes32[] memory) {
        return _byType[teeType];
    }

    function getTEEsByOwner(address owner) external view returns (bytes32[] memory) {
        return _byOwner[owner];
    }

    function getTEEPublicKey(bytes32 teeId) external view returns (bytes memory) {
        return tees[teeId].publicKey;
    }

    // ---- internals ----------------------------------------------------------

    function _isActive(TEERecord storage t) internal view returns (bool) {
        return t.enabled
            && block.timestamp <= t.lastHeartbeatAt + heartbeatMaxAge
            && pcrRecords[t.teeType][t.pcrHash].approved;
    }

    // Active ids of a type, in enabled-list order.
    function _activeIds(uint8 teeType) internal view returns (bytes32[] memory ids) {
        bytes32[] storage list = _enabled[teeType];
        ids = new bytes32[](list.length);
        uint256 n;
        for (uint256 i; i < list.length; i++)
            if (_isActive(tees[list[i]])) ids[n++] = list[i];
        assembly { mstore(ids, n) }
    }

    function _ownedTEE(bytes32 teeId) internal view returns (TEERecord storage t) {
        t = tees[teeId];
        if (t.owner == address(0)) revert TEENotFound();
        bool isOwner = t.owner == msg.sender && hasRole(TEE_OPERATOR, msg.sender);
        if (!isOwner && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert NotTEEOwner();
    }

    // Swap-and-pop out of the enabled list of the TEE's type.
    function _removeEnabled(bytes32 teeId) internal {
        TEERecord storage t = tees[teeId];
        bytes32[] storage list = _enabled[t.teeType];
        uint256 pos = _enabledPos[teeId];
        uint256 last = list.length;
        if (pos != last) {
            bytes32 moved = list[last - 1];
            list[pos - 1] = moved;
            _enabledPos[moved] = pos;
        }
        list.pop();
        delete _enabledPos[teeId];
        t.enabled = false;
    }
}

/// 10-field TEEInfo: og-evm source, SDK 0.7.6 ABI.
contract TEERegistry10 is TEERegistryBase {
    struct TEEInfo {
        address owner;
        address paymentAddress;
        string endpoint;
        bytes publicKey;
        bytes tlsCertificate;
        bytes32 pcrHash;
        uint8 teeType;
        bool enabled;
        uint256 registeredAt;
        uint256 lastHeartbeatAt;
    }

    function _info(bytes32 id) internal view returns (TEEInfo memory i) {
        TEERecord storage t = tees[id];
        i = TEEInfo(t.owner, t.paymentAddress, t.endpoint, t.publicKey,
                    t.tlsCertificate, t.pcrHash, t.teeType, t.enabled,
                    t.registeredAt, t.lastHeartbeatAt);
    }

    function getTEE(bytes32 teeId) external view returns (TEEInfo memory) {
        if (tees[teeId].owner == address(0)) revert TEENotFound();
        return _info(teeId);
    }

    function getActiveTEEs(uint8 teeType) external view returns (TEEInfo[] memory out) {
        bytes32[] memory ids = _activeIds(teeType);
        out = new TEEInfo[](ids.length);
        for (uint256 i; i < ids.length; i++) out[i] = _info(ids[i]);
    }
}

/// 11-field TEEInfo (with OhttpConfig): SDK 1.1.3 ABI, the current default.
/// Its real source is not published; setOhttpConfig is this stand-in's own
/// way to fill the extra field.
contract TEERegistry is TEERegistryBase {
    struct OhttpConfig {
        uint8 keyId;
        uint16 kemId;
        uint16 kdfId;
        uint16 aeadId;
        bytes publicKey;
        bytes keyConfig;
        uint256 registeredAt;
    }

    struct TEEInfo {
        address owner;
        address paymentAddress;
        string endpoint;
        bytes publicKey;
        bytes tlsCertificate;
        bytes32 pcrHash;
        uint8 teeType;
        bool enabled;
        uint256 registeredAt;
        uint256 lastHeartbeatAt;
        OhttpConfig ohttpConfig;
    }

    mapping(bytes32 => OhttpConfig) internal _ohttp;

    function setOhttpConfig(bytes32 teeId, uint8 keyId, uint16 kemId, uint16 kdfId,
                            uint16 aeadId, bytes calldata publicKey,
                            bytes calldata keyConfig) external {
        _ownedTEE(teeId);
        _ohttp[teeId] = OhttpConfig(keyId, kemId, kdfId, aeadId, publicKey,
                                    keyConfig, block.timestamp);
    }

    function _info(bytes32 id) internal view returns (TEEInfo memory i) {
        TEERecord storage t = tees[id];
        i.owner = t.owner;
        i.paymentAddress = t.paymentAddress;
        i.endpoint = t.endpoint;
        i.publicKey = t.publicKey;
        i.tlsCertificate = t.tlsCertificate;
        i.pcrHash = t.pcrHash;
        i.teeType = t.teeType;
        i.enabled = t.enabled;
        i.registeredAt = t.registeredAt;
        i.lastHeartbeatAt = t.lastHeartbeatAt;
        i.ohttpConfig = _ohttp[id];
    }

    function getTEE(bytes32 teeId) external view returns (TEEInfo memory) {
        if (tees[teeId].owner == address(0)) revert TEENotFound();
        return _info(teeId);
    }

    function getActiveTEEs(uint8 teeType) external view returns (TEEInfo[] memory out) {
        bytes32[] memory ids = _activeIds(teeType);
        out = new TEEInfo[](ids.length);
        for (uint256 i; i < ids.length; i++) out[i] = _info(ids[i]);
    }
}
