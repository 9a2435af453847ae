// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

interface IGroth16Verifier {
    function vkHash() external view returns (bytes32);
    function nPublic() external view returns (uint256);
}

interface IAttesterAllowlist {
    function isAllowed(uint256 ax, uint256 ay) external view returns (bool);
}

/// @title SolvencyRegistry: anchored collateral-ratio proofs and fresh "is solvent".
/// @notice A proof counts only when it is about a position someone accountable stands
/// behind, today's prices and today's policy:
///   - binding: ATTESTED (the proof carries an allow-listed attester key and a recent
///     as_of) or REGISTERED (its commitment equals the one the position manager recorded);
///   - prices: the epoch's oracle snapshot, valid at most `maxValidity` seconds;
///   - policy: haircuts and minimum ratio no looser than the admin's current policy.
/// `isSolvent(account)` re-checks all of it at read time: the proven epoch is current (or
/// the previous one within `grace` seconds of the new epoch), the policy has not tightened,
/// the snapshot has not expired, and the attester is still allowed / the recorded
/// commitment is unchanged. Public-input indices are immutables derived at deployment from
/// the circuit's Statement; `keyId` = keccak256(vkHash || statementHash) is checked against
/// the verifier. Replay protection keys on the statement (account, epoch, as_of): a
/// re-randomised proof of the same statement is refused, a proof replaces the account's
/// previous one within an epoch only with a later as_of, and as_of never goes backwards.
contract SolvencyRegistry is AccessControlDefaultAdminRules {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant BPS = 10000;
    uint256 public constant ABSENT = type(uint256).max;
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    bytes32 public constant POSITION_MANAGER_ROLE = keccak256("POSITION_MANAGER_ROLE");

    enum BindingMode { ATTESTED, REGISTERED }

    /// First index of each named public input (ABSENT if the statement lacks it).
    struct Layout {
        uint256 numPublic;
        uint256 nCollateral;
        uint256 nDebt;
        uint256 collateralPrices;
        uint256 haircutsBps;
        uint256 debtPrices;
        uint256 minRatioBps;
        uint256 epoch;
        uint256 prover;
        uint256 chainId;
        uint256 registry;
        uint256 commitment;
        uint256 attesterAx;
        uint256 attesterAy;
        uint256 asOf;
    }

    struct Freshness {
        uint64 grace;              // seconds the previous epoch still counts after a new one
        uint64 maxValidity;        // cap on a snapshot's validUntil - posting time
        uint64 maxAttestationAge;  // oldest as_of accepted, in seconds before submission
    }

    /// Deployment choices: binding mode, roles, freshness and the initial policy.
    struct Setup {
        BindingMode mode;
        address attesterRegistry;   // required in ATTESTED mode
        uint48 adminDelay;          // delay of the two-step default-admin transfer
        address admin;
        address oracle;             // ORACLE_ROLE (0: none yet)
        address positionManager;    // POSITION_MANAGER_ROLE (0: none yet)
        Freshness freshness;
        uint256[] haircutsBps;
        uint256 minRatioBps;
    }

    struct Policy {
        uint256 minRatioBps;
        uint256[] haircutsBps;
    }

    struct Snapshot {
        uint64 validUntil;
        uint64 postedAt;
        uint256[] collateral;
        uint256[] debt;
    }

    struct Position {
        uint256 commitment;
        uint64 recordedAt;
    }

    /// What an account's accepted proof established. (a, b) = attester (Ax, Ay) in ATTESTED
    /// mode, (commitment, 0) in REGISTERED mode.
    struct Proven {
        uint64 epoch;
        uint64 asOf;
        uint64 validUntil;
        uint64 policyVersion;
        uint256 a;
        uint256 b;
    }

    // ---- errors (expected value first, then the actual one) -----------------------------
    error ZeroAddress();
    error KeyIdMismatch(bytes32 expected, bytes32 got);
    error NumPublicMismatch(uint256 expected, uint256 got);
    error BadLayout(uint256 field);
    error BadPolicy();
    error BadFreshness();
    error WrongMode(BindingMode expected, BindingMode got);
    error WrongPriceCount(uint256 expected, uint256 got);
    error BadPrice(uint256 index, uint256 price);
    error ValidityInPast(uint256 notAfter, uint256 got);
    error ValidityTooLong(uint256 maxAllowed, uint256 got);
    error EpochNotIncreasing(uint256 current, uint256 got);
    error EpochTooLarge(uint256 got);
    error BadInputLength(uint256 expected, uint256 got);
    error InputNotInField(uint256 index, uint256 value);
    error WrongProver(uint256 expected, uint256 got);
    error WrongChain(uint256 expected, uint256 got);
    error WrongRegistry(uint256 expected, uint256 got);
    error StaleEpoch(uint256 expected, uint256 got);
    error NoPrices(uint256 epoch);
    error PricesExpired(uint256 epoch, uint256 validUntil, uint256 now_);
    error PriceMismatch(uint256 index, uint256 expected, uint256 got);
    error HaircutBelowPolicy(uint256 index, uint256 expected, uint256 got);
    error RatioBelowPolicy(uint256 expected, uint256 got);
    error UnknownAttester(uint256 ax, uint256 ay);
    error StaleAttestation(uint256 asOf, uint256 oldestAllowed);
    error FutureAttestation(uint256 latestAllowed, uint256 asOf);
    error CommitmentMismatch(uint256 expected, uint256 got);
    error AsOfNotLater(uint256 provenAsOf, uint256 got);
    error InvalidProof();

    // ---- events -------------------------------------------------------------------------
    event PolicySet(uint64 indexed version, uint256[] haircutsBps, uint256 minRatioBps,
                    bool tightened);
    event FreshnessSet(uint64 grace, uint64 maxValidity, uint64 maxAttestationAge);
    event PricesPosted(uint256 indexed epoch, uint256[] collateralPrices, uint256[] debtPrices,
                       uint64 validUntil);
    event PositionRecorded(address indexed account, uint256 commitment, uint64 recordedAt);
    event SolvencyProven(address indexed account, uint256 indexed epoch, uint64 asOf,
                         uint64 validUntil, uint64 policyVersion, uint256 bindingA,
                         uint256 bindingB);

    // ---- immutables ---------------------------------------------------------------------
    address public immutable verifier;
    bytes32 public immutable keyId;
    bytes32 public immutable statementHash;
    BindingMode public immutable mode;
    address public immutable attesterRegistry;
    bytes4 public immutable verifySelector;
    uint256 public immutable numPublic;
    uint256 public immutable nCollateral;
    uint256 public immutable nDebt;
    uint256 public immutable collateralPricesIndex;
    uint256 public immutable haircutsBpsIndex;
    uint256 public immutable debtPricesIndex;
    uint256 public immutable minRatioBpsIndex;
    uint256 public immutable epochIndex;
    uint256 public immutable proverIndex;
    uint256 public immutable chainIdIndex;
    uint256 public immutable registryIndex;
    uint256 public immutable commitmentIndex;
    uint256 public immutable attesterAxIndex;
    uint256 public immutable attesterAyIndex;
    uint256 public immutable asOfIndex;

    // ---- state --------------------------------------------------------------------------
    uint64 public currentEpoch;
    uint64 public previousEpoch;
    uint64 public epochOpenedAt;
    uint64 public policyVersion;
    Freshness public freshness;
    mapping(uint64 => Policy) internal _policies;
    mapping(uint256 => Snapshot) internal _snapshots;
    mapping(address => Position) internal _positions;
    mapping(address => Proven) internal _proven;

    constructor(address verifier_, bytes32 keyId_, bytes32 statementHash_, Layout memory l,
                Setup memory cfg)
        AccessControlDefaultAdminRules(cfg.adminDelay, cfg.admin)
    {
        if (verifier_ == address(0)) revert ZeroAddress();
        bytes32 expectedId = keccak256(abi.encodePacked(IGroth16Verifier(verifier_).vkHash(),
                                                        statementHash_));
        if (expectedId != keyId_) revert KeyIdMismatch(expectedId, keyId_);
        uint256 n = IGroth16Verifier(verifier_).nPublic();
        if (n != l.numPublic) revert NumPublicMismatch(n, l.numPublic);
        if (l.nCollateral == 0 || l.nCollateral > 64) revert BadLayout(1);
        if (l.nDebt == 0 || l.nDebt > 64) revert BadLayout(2);
        bool[] memory used = new bool[](n);
        _span(used, l.collateralPrices, l.nCollateral, 3);
        _span(used, l.haircutsBps, l.nCollateral, 4);
        _span(used, l.debtPrices, l.nDebt, 5);
        _span(used, l.minRatioBps, 1, 6);
        _span(used, l.epoch, 1, 7);
        _span(used, l.prover, 1, 8);
        _span(used, l.chainId, 1, 9);
        _span(used, l.registry, 1, 10);
        if (cfg.mode == BindingMode.ATTESTED) {
            if (cfg.attesterRegistry == address(0)) revert ZeroAddress();
            _span(used, l.attesterAx, 1, 12);
            _span(used, l.attesterAy, 1, 13);
            _span(used, l.asOf, 1, 14);
        } else {
            _span(used, l.commitment, 1, 11);
        }
        verifier = verifier_;
        keyId = keyId_;
        statementHash = statementHash_;
        mode = cfg.mode;
        attesterRegistry = cfg.attesterRegistry;
        verifySelector = bytes4(keccak256(abi.encodePacked(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(n), "])")));
        numPublic = n;
        nCollateral = l.nCollateral;
        nDebt = l.nDebt;
        collateralPricesIndex = l.collateralPrices;
        haircutsBpsIndex = l.haircutsBps;
        debtPricesIndex = l.debtPrices;
        minRatioBpsIndex = l.minRatioBps;
        epochIndex = l.epoch;
        proverIndex = l.prover;
        chainIdIndex = l.chainId;
        registryIndex = l.registry;
        commitmentIndex = l.commitment;
        attesterAxIndex = l.attesterAx;
        attesterAyIndex = l.attesterAy;
        asOfIndex = l.asOf;
        if (cfg.oracle != address(0)) _grantRole(ORACLE_ROLE, cfg.oracle);
        if (cfg.positionManager != address(0)) {
            _grantRole(POSITION_MANAGER_ROLE, cfg.positionManager);
        }
        _setFreshness(cfg.freshness);
        _setPolicy(cfg.haircutsBps, cfg.minRatioBps, l.nCollateral);
    }

    // ---- admin, oracle, position manager ------------------------------------------------

    /// @notice Admin: minimum haircut per collateral and minimum ratio (bps); a new version.
    function setPolicy(uint256[] calldata haircutsBps_, uint256 minRatioBps_)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setPolicy(haircutsBps_, minRatioBps_, nCollateral);
    }

    /// @notice Admin: grace period, snapshot validity cap and attestation age, in seconds.
    function setFreshness(Freshness calldata fresh) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFreshness(fresh);
    }

    /// @notice Oracle: open `epoch` (> currentEpoch) with its price snapshot.
    function postPrices(uint256 epoch, uint256[] calldata collateralPrices,
                        uint256[] calldata debtPrices, uint64 validUntil)
        external onlyRole(ORACLE_ROLE)
    {
        uint64 cur = currentEpoch;
        if (epoch <= cur) revert EpochNotIncreasing(cur, epoch);
        if (epoch > type(uint64).max) revert EpochTooLarge(epoch);
        if (collateralPrices.length != nCollateral) {
            revert WrongPriceCount(nCollateral, collateralPrices.length);
        }
        if (debtPrices.length != nDebt) revert WrongPriceCount(nDebt, debtPrices.length);
        for (uint256 i = 0; i < collateralPrices.length; ++i) {
            if (collateralPrices[i] == 0 || collateralPrices[i] >= R) {
                revert BadPrice(i, collateralPrices[i]);
            }
        }
        for (uint256 j = 0; j < debtPrices.length; ++j) {
            if (debtPrices[j] == 0 || debtPrices[j] >= R) {
                revert BadPrice(collateralPrices.length + j, debtPrices[j]);
            }
        }
        if (validUntil <= block.timestamp) revert ValidityInPast(block.timestamp, validUntil);
        uint256 cap = block.timestamp + freshness.maxValidity;
        if (validUntil > cap) revert ValidityTooLong(cap, validUntil);
        Snapshot storage s = _snapshots[epoch];
        s.validUntil = validUntil;
        s.postedAt = uint64(block.timestamp);
        s.collateral = collateralPrices;
        s.debt = debtPrices;
        previousEpoch = cur;
        currentEpoch = uint64(epoch);
        epochOpenedAt = uint64(block.timestamp);
        emit PricesPosted(epoch, collateralPrices, debtPrices, validUntil);
    }

    /// @notice Position manager (REGISTERED mode): record the commitment to `account`'s
    /// current position (a field element; 0 closes it). Proofs of another one stop counting.
    function recordPosition(address account, uint256 commitment)
        external onlyRole(POSITION_MANAGER_ROLE)
    {
        if (mode != BindingMode.REGISTERED) revert WrongMode(BindingMode.REGISTERED, mode);
        if (commitment >= R) revert InputNotInField(commitmentIndex, commitment);
        _positions[account] = Position(commitment, uint64(block.timestamp));
        emit PositionRecorded(account, commitment, uint64(block.timestamp));
    }

    // ---- proofs -------------------------------------------------------------------------

    /// @notice Verify a collateral-ratio proof for msg.sender and record what it established.
    function submit(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
                    uint256[] calldata pub) external {
        uint256 n = numPublic;
        if (pub.length != n) revert BadInputLength(n, pub.length);
        for (uint256 i = 0; i < n; ++i) {
            if (pub[i] >= R) revert InputNotInField(i, pub[i]);
        }
        _expect(pub[proverIndex], uint160(msg.sender), WrongProver.selector);
        _expect(pub[chainIdIndex], block.chainid, WrongChain.selector);
        _expect(pub[registryIndex], uint160(address(this)), WrongRegistry.selector);
        uint256 epoch = pub[epochIndex];
        uint64 validUntil = _checkPricesAndPolicy(pub, epoch);
        (uint256 x, uint256 y, uint64 asOf) = _checkBinding(pub);
        Proven storage p = _proven[msg.sender];
        if (asOf < p.asOf || (p.epoch == epoch && asOf == p.asOf)) {
            revert AsOfNotLater(p.asOf, asOf);
        }
        _requireValidProof(a, b, c, pub);
        uint64 version = policyVersion;
        _proven[msg.sender] = Proven(uint64(epoch), asOf, validUntil, version, x, y);
        emit SolvencyProven(msg.sender, epoch, asOf, validUntil, version, x, y);
    }

    // ---- views --------------------------------------------------------------------------

    /// @notice True only while `account`'s proof is fresh: its epoch is current (or the
    /// previous one, less than `grace` seconds into the new epoch), the policy has not
    /// tightened since, its snapshot has not expired, and its binding still holds.
    function isSolvent(address account) external view returns (bool) {
        Proven storage p = _proven[account];
        uint64 e = p.epoch;
        if (e == 0 || block.timestamp > p.validUntil) return false;
        if (e != currentEpoch && !(e == previousEpoch
                && block.timestamp < uint256(epochOpenedAt) + freshness.grace)) return false;
        if (!_policyHolds(p.policyVersion)) return false;
        if (mode == BindingMode.ATTESTED) {
            return IAttesterAllowlist(attesterRegistry).isAllowed(p.a, p.b);
        }
        return _positions[account].commitment == p.a;
    }

    /// @notice What `account`'s accepted proof established (zeros if none).
    function solvencyOf(address account) external view returns (
        uint64 epoch, uint64 validUntil, uint256 attesterAx, uint256 attesterAy,
        uint256 commitment, uint64 provenPolicyVersion, uint64 asOf)
    {
        Proven storage p = _proven[account];
        if (mode == BindingMode.ATTESTED) {
            (attesterAx, attesterAy) = (p.a, p.b);
        } else {
            commitment = p.a;
        }
        return (p.epoch, p.validUntil, attesterAx, attesterAy, commitment, p.policyVersion,
                p.asOf);
    }

    function policy(uint64 version) external view
        returns (uint256[] memory haircutsBps, uint256 minRatioBps)
    {
        Policy storage p = _policies[version];
        return (p.haircutsBps, p.minRatioBps);
    }

    function snapshot(uint256 epoch) external view returns (
        uint256[] memory collateralPrices, uint256[] memory debtPrices, uint64 validUntil,
        uint64 postedAt)
    {
        Snapshot storage s = _snapshots[epoch];
        return (s.collateral, s.debt, s.validUntil, s.postedAt);
    }

    function positionOf(address account) external view
        returns (uint256 commitment, uint64 recordedAt)
    {
        Position storage p = _positions[account];
        return (p.commitment, p.recordedAt);
    }

    // ---- internals ----------------------------------------------------------------------

    function _checkPricesAndPolicy(uint256[] calldata pub, uint256 epoch)
        internal view returns (uint64 validUntil)
    {
        uint64 cur = currentEpoch;
        if (epoch != cur) revert StaleEpoch(cur, epoch);
        Snapshot storage s = _snapshots[epoch];
        validUntil = s.validUntil;
        if (validUntil == 0) revert NoPrices(epoch);
        if (block.timestamp > validUntil) revert PricesExpired(epoch, validUntil, block.timestamp);
        uint256 nC = nCollateral;
        uint256 base = collateralPricesIndex;
        for (uint256 i = 0; i < nC; ++i) {
            uint256 want = s.collateral[i];
            if (pub[base + i] != want) revert PriceMismatch(base + i, want, pub[base + i]);
        }
        base = debtPricesIndex;
        for (uint256 j = 0; j < nDebt; ++j) {
            uint256 want = s.debt[j];
            if (pub[base + j] != want) revert PriceMismatch(base + j, want, pub[base + j]);
        }
        Policy storage pol = _policies[policyVersion];
        base = haircutsBpsIndex;
        for (uint256 i = 0; i < nC; ++i) {
            uint256 want = pol.haircutsBps[i];
            if (pub[base + i] < want) revert HaircutBelowPolicy(base + i, want, pub[base + i]);
        }
        uint256 ratio = pub[minRatioBpsIndex];
        if (ratio < pol.minRatioBps) revert RatioBelowPolicy(pol.minRatioBps, ratio);
    }

    function _checkBinding(uint256[] calldata pub)
        internal view returns (uint256 x, uint256 y, uint64 asOf)
    {
        if (mode == BindingMode.ATTESTED) {
            x = pub[attesterAxIndex];
            y = pub[attesterAyIndex];
            if (!IAttesterAllowlist(attesterRegistry).isAllowed(x, y)) {
                revert UnknownAttester(x, y);
            }
            uint256 t = pub[asOfIndex];
            if (t > block.timestamp) revert FutureAttestation(block.timestamp, t);
            uint256 age = freshness.maxAttestationAge;
            uint256 oldest = block.timestamp > age ? block.timestamp - age : 0;
            if (t < oldest) revert StaleAttestation(t, oldest);
            asOf = uint64(t);
        } else {
            Position storage pos = _positions[msg.sender];
            x = pub[commitmentIndex];
            if (x != pos.commitment || x == 0) revert CommitmentMismatch(pos.commitment, x);
            asOf = pos.recordedAt;
        }
    }

    function _policyHolds(uint64 version) internal view returns (bool) {
        uint64 cur = policyVersion;
        if (version == cur) return true;
        Policy storage then = _policies[version];
        Policy storage now_ = _policies[cur];
        if (now_.minRatioBps > then.minRatioBps) return false;
        uint256 nC = nCollateral;
        for (uint256 i = 0; i < nC; ++i) {
            if (now_.haircutsBps[i] > then.haircutsBps[i]) return false;
        }
        return true;
    }

    function _requireValidProof(uint256[2] calldata a, uint256[2][2] calldata b,
                                uint256[2] calldata c, uint256[] calldata pub) internal view {
        bytes memory data = bytes.concat(abi.encodeWithSelector(verifySelector, a, b, c),
                                         abi.encodePacked(pub));
        (bool ok, bytes memory ret) = verifier.staticcall(data);
        if (!ok || ret.length != 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();
    }

    function _setPolicy(uint256[] memory haircutsBps_, uint256 minRatioBps_, uint256 nC)
        internal
    {
        if (haircutsBps_.length != nC || minRatioBps_ < BPS || minRatioBps_ >= R) {
            revert BadPolicy();
        }
        for (uint256 i = 0; i < nC; ++i) {
            if (haircutsBps_[i] >= BPS) revert BadPolicy();
        }
        uint64 prev = policyVersion;
        uint64 version = prev + 1;
        bool tightened = false;
        if (prev != 0) {
            Policy storage old = _policies[prev];
            tightened = minRatioBps_ > old.minRatioBps;
            for (uint256 i = 0; i < nC; ++i) {
                if (haircutsBps_[i] > old.haircutsBps[i]) tightened = true;
            }
        }
        Policy storage p = _policies[version];
        p.minRatioBps = minRatioBps_;
        p.haircutsBps = haircutsBps_;
        policyVersion = version;
        emit PolicySet(version, haircutsBps_, minRatioBps_, tightened);
    }

    function _setFreshness(Freshness memory fresh) internal {
        if (fresh.maxValidity == 0) revert BadFreshness();
        freshness = fresh;
        emit FreshnessSet(fresh.grace, fresh.maxValidity, fresh.maxAttestationAge);
    }

    function _expect(uint256 got, uint256 expected, bytes4 err) internal pure {
        if (got != expected) {
            assembly ("memory-safe") {
                let m := mload(0x40)
                mstore(m, err)
                mstore(add(m, 4), expected)
                mstore(add(m, 36), got)
                revert(m, 68)
            }
        }
    }

    /// Marks [start, start + len) in `used`; BadLayout(field) if out of range or overlapping.
    function _span(bool[] memory used, uint256 start, uint256 len, uint256 field)
        internal pure
    {
        if (start >= used.length || len > used.length - start) revert BadLayout(field);
        for (uint256 i = start; i < start + len; ++i) {
            if (used[i]) revert BadLayout(field);
            used[i] = true;
        }
    }

    function _decimal(uint256 v) internal pure returns (bytes memory s) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) ++len;
        s = new bytes(len);
        for (; v != 0; v /= 10) s[--len] = bytes1(uint8(48 + v % 10));
    }
}
