// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title AttesterRegistry: the allowlist of attester keys (EdDSA-Poseidon on Baby Jubjub).
/// @notice An attester (custodian, prime broker, exchange, the protocol's own book) vouches
/// for a private position by signing its commitment. Registries that accept attested proofs
/// ask `isAllowed(ax, ay)` at submission and again whenever solvency is read, so revoking a
/// key here withdraws every proof it stands behind. Holders of ATTESTER_ADMIN_ROLE add and
/// revoke keys; the default admin (two-step transfer with a delay) manages that role.
contract AttesterRegistry is AccessControlDefaultAdminRules {
    /// Baby Jubjub (twisted Edwards over the BN254 scalar field): a x^2 + y^2 = 1 + d x^2 y^2.
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant A = 168700;
    uint256 internal constant D = 168696;

    bytes32 public constant ATTESTER_ADMIN_ROLE = keccak256("ATTESTER_ADMIN_ROLE");

    error NotOnCurve(uint256 ax, uint256 ay);
    error AlreadyAllowed(uint256 ax, uint256 ay);
    error NotAllowed(uint256 ax, uint256 ay);

    event AttesterAdded(uint256 indexed ax, uint256 indexed ay, address indexed by);
    event AttesterRevoked(uint256 indexed ax, uint256 indexed ay, address indexed by);

    mapping(bytes32 => bool) internal _allowed;
    uint256 public attesterCount;

    constructor(uint48 adminDelay, address admin, address attesterAdmin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (attesterAdmin != address(0)) _grantRole(ATTESTER_ADMIN_ROLE, attesterAdmin);
    }

    /// @notice Allow the attester key (ax, ay): a point of Baby Jubjub other than the identity.
    function addAttester(uint256 ax, uint256 ay) external onlyRole(ATTESTER_ADMIN_ROLE) {
        if (!onCurve(ax, ay) || (ax == 0 && ay == 1)) revert NotOnCurve(ax, ay);
        bytes32 k = _key(ax, ay);
        if (_allowed[k]) revert AlreadyAllowed(ax, ay);
        _allowed[k] = true;
        ++attesterCount;
        emit AttesterAdded(ax, ay, msg.sender);
    }

    /// @notice Revoke the attester key (ax, ay); proofs it stands behind stop counting.
    function revokeAttester(uint256 ax, uint256 ay) external onlyRole(ATTESTER_ADMIN_ROLE) {
        bytes32 k = _key(ax, ay);
        if (!_allowed[k]) revert NotAllowed(ax, ay);
        _allowed[k] = false;
        --attesterCount;
        emit AttesterRevoked(ax, ay, msg.sender);
    }

    function isAllowed(uint256 ax, uint256 ay) external view returns (bool) {
        return _allowed[_key(ax, ay)];
    }

    /// @notice True if (x, y) are field elements on Baby Jubjub.
    function onCurve(uint256 x, uint256 y) public pure returns (bool) {
        if (x >= R || y >= R) return false;
        uint256 x2 = mulmod(x, x, R);
        uint256 y2 = mulmod(y, y, R);
        uint256 lhs = addmod(mulmod(A, x2, R), y2, R);
        uint256 rhs = addmod(1, mulmod(D, mulmod(x2, y2, R), R), R);
        return lhs == rhs;
    }

    function _key(uint256 ax, uint256 ay) internal pure returns (bytes32) {
        return keccak256(abi.encode(ax, ay));
    }
}
