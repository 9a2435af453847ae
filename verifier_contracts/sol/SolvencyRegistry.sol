// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title SolvencyRegistry: accepts collateral-ratio proofs and records "solvent until".
/// @notice Public inputs of the circuit, in order (N = 2 nC + nD + 6):
///   collateralPrices[nC] (1e8 fixed point per whole token), haircutsBps[nC],
///   debtPrices[nD], minRatioBps, epoch, prover (uint160), chainId, registry (uint160),
///   commitment (Poseidon commitment to the private position).
/// A proof is bound to msg.sender, this chain, this registry, the current epoch and the
/// epoch's oracle price snapshot; haircuts and ratio must meet the admin's policy.
/// Uniqueness is keyed on the statement (prover, epoch, chainId, registry), never on
/// proof bytes. `isSolvent` is the circuit breaker other contracts read.
contract SolvencyRegistry {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant BPS = 10000;

    error NotAdmin();
    error NotOracle();
    error ZeroAddress();
    error VerifierMismatch();
    error BadPolicy();
    error BadPrices();
    error BadValidity(uint64 validUntil);
    error EpochNotIncreasing(uint256 epoch, uint256 current);
    error BadInputLength(uint256 got, uint256 expected);
    error InputNotInField(uint256 index);
    error WrongProver();
    error WrongChain();
    error WrongRegistry();
    error StaleEpoch(uint256 epoch, uint256 current);
    error NoPrices(uint256 epoch);
    error PricesExpired(uint256 epoch, uint64 validUntil);
    error PriceMismatch(uint256 index);
    error HaircutBelowPolicy(uint256 index);
    error RatioBelowPolicy(uint256 ratioBps, uint256 policyBps);
    error AlreadySubmitted(bytes32 nullifier);
    error InvalidProof();

    event AdminChanged(address indexed previous, address indexed admin);
    event OracleChanged(address indexed previous, address indexed oracle);
    event PolicySet(uint256[] haircutsBps, uint256 minRatioBps);
    event PricesPosted(uint256 indexed epoch, uint256[] collateralPrices, uint256[] debtPrices,
                       uint64 validUntil);
    event SolvencyProven(address indexed prover, uint256 indexed epoch, uint64 solventUntil,
                         uint256 commitment, bytes32 nullifier);

    struct Snapshot {
        uint64 validUntil;
        uint256[] collateral;
        uint256[] debt;
    }

    address public immutable verifier;
    uint256 public immutable nCollateral;
    uint256 public immutable nDebt;
    bytes32 public immutable vkHash;
    bytes4 public immutable verifySelector;

    address public admin;
    address public oracle;
    uint256 public currentEpoch;
    uint256 public minRatioBps;
    uint256[] internal _haircutsBps;
    mapping(uint256 => Snapshot) internal _snapshots;
    mapping(address => uint64) public solventUntil;
    mapping(bytes32 => bool) public nullifierUsed;

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin();
        _;
    }

    modifier onlyOracle() {
        if (msg.sender != oracle) revert NotOracle();
        _;
    }

    constructor(address verifier_, uint256 nCollateral_, uint256 nDebt_, bytes32 vkHash_,
                address admin_, address oracle_, uint256[] memory haircutsBps_,
                uint256 minRatioBps_) {
        if (verifier_ == address(0) || admin_ == address(0) || oracle_ == address(0)) {
            revert ZeroAddress();
        }
        uint256 n = 2 * nCollateral_ + nDebt_ + 6;
        if (nCollateral_ == 0 || nCollateral_ > 64 || nDebt_ == 0 || nDebt_ > 64) revert BadPolicy();
        if (_viewWord(verifier_, 0x4fe840f5) != uint256(vkHash_)) revert VerifierMismatch();
        if (_viewWord(verifier_, 0x3a37922a) != n) revert VerifierMismatch();
        verifier = verifier_;
        nCollateral = nCollateral_;
        nDebt = nDebt_;
        vkHash = vkHash_;
        verifySelector = bytes4(keccak256(abi.encodePacked(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(n), "])")));
        admin = admin_;
        oracle = oracle_;
        emit AdminChanged(address(0), admin_);
        emit OracleChanged(address(0), oracle_);
        _setPolicy(haircutsBps_, minRatioBps_, nCollateral_);
    }

    // ---- roles -------------------------------------------------------------------------

    function setAdmin(address admin_) external onlyAdmin {
        if (admin_ == address(0)) revert ZeroAddress();
        emit AdminChanged(admin, admin_);
        admin = admin_;
    }

    function setOracle(address oracle_) external onlyAdmin {
        if (oracle_ == address(0)) revert ZeroAddress();
        emit OracleChanged(oracle, oracle_);
        oracle = oracle_;
    }

    function setPolicy(uint256[] calldata haircutsBps_, uint256 minRatioBps_) external onlyAdmin {
        _setPolicy(haircutsBps_, minRatioBps_, nCollateral);
    }

    /// @notice Open `epoch` (> currentEpoch) with its price snapshot, valid until `validUntil`.
    function postPrices(uint256 epoch, uint256[] calldata collateralPrices,
                        uint256[] calldata debtPrices, uint64 validUntil) external onlyOracle {
        if (epoch <= currentEpoch) revert EpochNotIncreasing(epoch, currentEpoch);
        if (collateralPrices.length != nCollateral || debtPrices.length != nDebt) revert BadPrices();
        for (uint256 i = 0; i < collateralPrices.length; ++i) {
            if (collateralPrices[i] == 0 || collateralPrices[i] >= R) revert BadPrices();
        }
        for (uint256 i = 0; i < debtPrices.length; ++i) {
            if (debtPrices[i] == 0 || debtPrices[i] >= R) revert BadPrices();
        }
        if (validUntil <= block.timestamp) revert BadValidity(validUntil);
        Snapshot storage s = _snapshots[epoch];
        s.validUntil = validUntil;
        s.collateral = collateralPrices;
        s.debt = debtPrices;
        currentEpoch = epoch;
        emit PricesPosted(epoch, collateralPrices, debtPrices, validUntil);
    }

    // ---- proofs ------------------------------------------------------------------------

    /// @notice Verify a collateral-ratio proof for msg.sender and record it.
    function submit(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
                    uint256[] calldata pub) external {
        uint256 nC = nCollateral;
        uint256 o = 2 * nC + nDebt;
        if (pub.length != o + 6) revert BadInputLength(pub.length, o + 6);
        for (uint256 i = 0; i < pub.length; ++i) {
            if (pub[i] >= R) revert InputNotInField(i);
        }
        if (pub[o + 2] != uint256(uint160(msg.sender))) revert WrongProver();
        if (pub[o + 3] != block.chainid) revert WrongChain();
        if (pub[o + 4] != uint256(uint160(address(this)))) revert WrongRegistry();
        uint256 epoch = pub[o + 1];
        if (epoch != currentEpoch) revert StaleEpoch(epoch, currentEpoch);
        Snapshot storage s = _snapshots[epoch];
        uint64 validUntil = s.validUntil;
        if (validUntil == 0) revert NoPrices(epoch);
        if (block.timestamp > validUntil) revert PricesExpired(epoch, validUntil);
        _checkStatement(s, pub, nC, o);
        bytes32 nullifier = statementNullifier(msg.sender, epoch);
        if (nullifierUsed[nullifier]) revert AlreadySubmitted(nullifier);
        _requireValidProof(a, b, c, pub);
        nullifierUsed[nullifier] = true;
        solventUntil[msg.sender] = validUntil;
        emit SolvencyProven(msg.sender, epoch, validUntil, pub[o + 5], nullifier);
    }

    // ---- views -------------------------------------------------------------------------

    /// @notice True while `account` has a proof whose price snapshot has not expired.
    function isSolvent(address account) external view returns (bool) {
        return block.timestamp <= solventUntil[account];
    }

    /// @notice keccak256(abi.encode(prover, epoch, chainid, this)): one proof per statement.
    function statementNullifier(address prover, uint256 epoch) public view returns (bytes32) {
        return keccak256(abi.encode(prover, epoch, block.chainid, address(this)));
    }

    function nPublic() external view returns (uint256) {
        return 2 * nCollateral + nDebt + 6;
    }

    function haircutsBps() external view returns (uint256[] memory) {
        return _haircutsBps;
    }

    function snapshot(uint256 epoch) external view
        returns (uint256[] memory collateralPrices, uint256[] memory debtPrices, uint64 validUntil)
    {
        Snapshot storage s = _snapshots[epoch];
        return (s.collateral, s.debt, s.validUntil);
    }

    // ---- internals ---------------------------------------------------------------------

    function _checkStatement(Snapshot storage s, uint256[] calldata pub, uint256 nC, uint256 o)
        internal view
    {
        for (uint256 i = 0; i < nC; ++i) {
            if (pub[i] != s.collateral[i]) revert PriceMismatch(i);
        }
        uint256 nD = nDebt;
        for (uint256 j = 0; j < nD; ++j) {
            if (pub[2 * nC + j] != s.debt[j]) revert PriceMismatch(2 * nC + j);
        }
        for (uint256 i = 0; i < nC; ++i) {
            if (pub[nC + i] < _haircutsBps[i]) revert HaircutBelowPolicy(i);
        }
        if (pub[o] < minRatioBps) revert RatioBelowPolicy(pub[o], minRatioBps);
    }

    function _requireValidProof(uint256[2] calldata a, uint256[2][2] calldata b,
                                uint256[2] calldata c, uint256[] calldata pub) internal view {
        bytes memory data = bytes.concat(abi.encodeWithSelector(verifySelector, a, b, c),
                                         abi.encodePacked(pub));
        (bool ok, bytes memory ret) = verifier.staticcall(data);
        if (!ok || ret.length != 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();
    }

    function _setPolicy(uint256[] memory haircutsBps_, uint256 minRatioBps_, uint256 nC) internal {
        if (haircutsBps_.length != nC || minRatioBps_ < BPS) revert BadPolicy();
        for (uint256 i = 0; i < nC; ++i) {
            if (haircutsBps_[i] >= BPS) revert BadPolicy();
        }
        _haircutsBps = haircutsBps_;
        minRatioBps = minRatioBps_;
        emit PolicySet(haircutsBps_, minRatioBps_);
    }

    function _viewWord(address target, uint32 selector) internal view returns (uint256 v) {
        (bool ok, bytes memory ret) = target.staticcall(abi.encodeWithSelector(bytes4(selector)));
        if (!ok || ret.length != 32) revert VerifierMismatch();
        v = abi.decode(ret, (uint256));
    }

    function _decimal(uint256 v) internal pure returns (bytes memory s) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) ++len;
        s = new bytes(len);
        for (; v != 0; v /= 10) s[--len] = bytes1(uint8(48 + v % 10));
    }
}
