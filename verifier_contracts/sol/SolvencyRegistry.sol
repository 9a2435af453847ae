// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IEpochOracle} from "./interfaces/IEpochOracle.sol";
import {IProofVerifierModule} from "./interfaces/IProofVerifierModule.sol";
import {ISolvencyRegistry} from "./interfaces/ISolvencyRegistry.sol";
import {ProofChecks, InputNotInField, InvalidProof} from "./lib/ProofChecks.sol";
import {RiskMath} from "./lib/RiskMath.sol";

interface IAttesterAllowlist {
    function isAllowed(uint256 ax, uint256 ay) external view returns (bool);
}

/// @title SolvencyRegistry: anchored solvency and credit proofs against the epoch oracle.
/// @notice A proof counts only when it is about a position someone accountable stands
/// behind, the oracle's latest epoch and the policy in force for that epoch:
///   - binding: ATTESTED (an allow-listed attester key and a recent as_of) or REGISTERED
///     (the commitment the position manager recorded for the account);
///   - prices: exactly the oracle's snapshot of the proof's epoch, which must be the
///     latest one, unexpired, with the breaker not tripped;
///   - haircuts: each at least RiskMath.haircutBps(base, k, cap, sigma) with sigma from the
///     snapshot and (base, k, cap) from the epoch's policy; the ratio at least the policy's.
/// Two circuit kinds, each with its own ProofVerifierModule (verifier, key id, layout):
/// SOLVENCY (collateral >= ratio x debt) and CREDIT (collateral >= ratio x (debt + credit)).
///
/// Read-time rules (documented choices):
///   - `isSolvent` is true while the account's SOLVENCY or CREDIT proof is fresh: its epoch
///     is the oracle's latest, or the one before it less than `grace` seconds after the
///     next epoch opened; its snapshot has not expired; its binding still holds. It does
///     NOT look at the breaker: a tripped breaker says nothing about an account, and a
///     consumer that liquidated on `!isSolvent` must not liquidate because the breaker
///     tripped. Consumers block borrowing and liquidation while `tripped()`.
///   - `creditOf` is the `credit` of a fresh CREDIT proof of the latest epoch only (no
///     grace: new debt needs the current haircuts), and 0 while the breaker is tripped, so
///     a consumer that forgets `tripped()` still lends nothing at distrusted prices.
///
/// Policy (per-collateral base/k/cap and the minimum ratio) is versioned. The policy of an
/// epoch is the newest version whose activeFrom <= the epoch's openedAt. A tightening
/// (every parameter >= the policy in force) is active from the next second, i.e. from the
/// next epoch; anything else waits `timelockDelay`. A newer version supersedes a queued
/// one. Re-pointing a kind at a new module waits `timelockDelay` too. Proofs accepted under
/// the previous module keep counting until they go stale (at most one epoch plus grace).
///
/// Replay protection keys on (kind, account, epoch, as_of): a re-randomised proof of the
/// same statement is refused, a proof replaces the account's previous one of its kind
/// within an epoch only with a later as_of, and as_of never goes backwards.
contract SolvencyRegistry is ISolvencyRegistry, AccessControlDefaultAdminRules {
    uint256 public constant BPS = 10000;
    uint8 public constant SOLVENCY = 0;
    uint8 public constant CREDIT = 1;
    bytes32 public constant POSITION_MANAGER_ROLE = keccak256("POSITION_MANAGER_ROLE");

    enum BindingMode { ATTESTED, REGISTERED }

    /// Haircut of one collateral: min(capBps, baseBps + floor(k * sigmaBps / 10000)).
    struct Haircut {
        uint64 baseBps;
        uint64 k;
        uint64 capBps;
    }

    struct Freshness {
        uint64 grace;              // seconds the previous epoch still counts after a new one
        uint64 maxAttestationAge;  // oldest as_of accepted, in seconds before submission
    }

    /// Deployment choices: binding mode, roles, freshness, timelock and the first policy.
    struct Setup {
        BindingMode mode;
        address attesterRegistry;   // required in ATTESTED mode
        uint48 adminDelay;          // delay of the two-step default-admin transfer
        address admin;
        address positionManager;    // POSITION_MANAGER_ROLE (0: none yet)
        Freshness freshness;
        uint64 timelockDelay;       // seconds a loosening or a module change waits (>= 1)
        Haircut[] haircuts;
        uint256 minRatioBps;
    }

    struct Policy {
        uint64 activeFrom;
        uint256 minRatioBps;
        Haircut[] haircuts;
    }

    struct Pending {
        address module;
        uint64 eta;
    }

    struct Position {
        uint256 commitment;
        uint64 recordedAt;
    }

    /// What an account's accepted proof of one kind established. (a, b) = attester (Ax, Ay)
    /// in ATTESTED mode, (commitment, 0) in REGISTERED mode.
    struct Proven {
        uint64 epoch;
        uint64 asOf;
        uint64 validUntil;
        uint256 credit;
        uint256 a;
        uint256 b;
    }

    // ---- errors (expected value first, then the actual one) -----------------------------
    error ZeroAddress();
    error UnknownKind(uint8 kind);
    error NoModule(uint8 kind);
    error ModuleKindMismatch(uint8 expected, uint8 got);
    error ModuleModeMismatch(uint8 expected, uint8 got);
    error AssetCountMismatch(uint256 expectedCollateral, uint256 expectedDebt,
                             uint256 gotCollateral, uint256 gotDebt);
    error NothingQueued(uint8 kind);
    error TimelockActive(uint256 eta, uint256 now_);
    error BadPolicy();
    error BadTimelock();
    error WrongMode(BindingMode expected, BindingMode got);
    error BreakerIsTripped(IEpochOracle.BreakerCause cause, uint256 trippedAt);
    error WrongProver(uint256 expected, uint256 got);
    error WrongChain(uint256 expected, uint256 got);
    error WrongRegistry(uint256 expected, uint256 got);
    error StaleEpoch(uint256 expected, uint256 got);
    error NoPrices(uint256 epoch);
    error PricesExpired(uint256 epoch, uint256 validUntil, uint256 now_);
    error PriceMismatch(uint256 asset, uint256 expected, uint256 got);
    error HaircutBelowPolicy(uint256 asset, uint256 expected, uint256 got);
    error RatioBelowPolicy(uint256 expected, uint256 got);
    error UnknownAttester(uint256 ax, uint256 ay);
    error StaleAttestation(uint256 asOf, uint256 oldestAllowed);
    error FutureAttestation(uint256 latestAllowed, uint256 asOf);
    error CommitmentMismatch(uint256 expected, uint256 got);
    error AsOfNotLater(uint256 provenAsOf, uint256 got);

    // ---- events -------------------------------------------------------------------------
    event PolicySet(uint64 indexed version, uint64 activeFrom, Haircut[] haircuts,
                    uint256 minRatioBps, bool tightened);
    event FreshnessSet(uint64 grace, uint64 maxAttestationAge);
    event ModuleQueued(uint8 indexed kind, address indexed module, uint64 eta);
    event ModuleSet(uint8 indexed kind, address indexed module, address verifier,
                    bytes32 keyId);
    event ModuleCancelled(uint8 indexed kind, address indexed module);
    event PositionRecorded(address indexed account, uint256 commitment, uint64 recordedAt);
    event ProofAccepted(uint8 indexed kind, address indexed account, uint64 indexed epoch,
                        uint64 asOf, uint64 validUntil, uint256 credit, uint256 bindingA,
                        uint256 bindingB);

    // ---- immutables ---------------------------------------------------------------------
    IEpochOracle public immutable oracle;
    BindingMode public immutable mode;
    address public immutable attesterRegistry;
    uint256 public immutable nCollateral;
    uint256 public immutable nDebt;
    uint64 public immutable timelockDelay;

    // ---- state --------------------------------------------------------------------------
    uint64 public policyVersion;
    Freshness public freshness;
    address[2] internal _modules;
    Pending[2] internal _pending;
    mapping(uint64 => Policy) internal _policies;
    mapping(address => Position) internal _positions;
    mapping(uint8 => mapping(address => Proven)) internal _proven;

    /// @param solvencyModule the SOLVENCY kind's module (required); its asset counts must
    /// equal the oracle's. @param creditModule the CREDIT kind's module (0: none yet).
    constructor(IEpochOracle oracle_, address solvencyModule, address creditModule,
                Setup memory cfg)
        AccessControlDefaultAdminRules(cfg.adminDelay, cfg.admin)
    {
        if (address(oracle_) == address(0) || solvencyModule == address(0)) revert ZeroAddress();
        if (cfg.mode == BindingMode.ATTESTED && cfg.attesterRegistry == address(0)) {
            revert ZeroAddress();
        }
        if (cfg.timelockDelay == 0) revert BadTimelock();
        uint256 nC = oracle_.nCollateral();
        uint256 nD = oracle_.nDebt();
        oracle = oracle_;
        mode = cfg.mode;
        attesterRegistry = cfg.attesterRegistry;
        nCollateral = nC;
        nDebt = nD;
        timelockDelay = cfg.timelockDelay;
        _checkModule(SOLVENCY, solvencyModule, cfg.mode, nC, nD);
        _setModule(SOLVENCY, solvencyModule);
        if (creditModule != address(0)) {
            _checkModule(CREDIT, creditModule, cfg.mode, nC, nD);
            _setModule(CREDIT, creditModule);
        }
        if (cfg.positionManager != address(0)) {
            _grantRole(POSITION_MANAGER_ROLE, cfg.positionManager);
        }
        _setFreshness(cfg.freshness);
        _checkPolicy(cfg.haircuts, cfg.minRatioBps, nC);
        _storePolicy(cfg.haircuts, cfg.minRatioBps, 0, false);
    }

    // ---- admin, position manager --------------------------------------------------------

    /// @notice Admin: a new policy version. Active from the next second (so from the next
    /// epoch) if every parameter is >= the policy in force, else after `timelockDelay`.
    function setPolicy(Haircut[] calldata haircuts, uint256 minRatioBps) external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _checkPolicy(haircuts, minRatioBps, nCollateral);
        Policy storage cur = _policies[_versionAt(uint64(block.timestamp))];
        bool tight = minRatioBps >= cur.minRatioBps;
        for (uint256 i = 0; i < haircuts.length && tight; ++i) {
            Haircut memory o = cur.haircuts[i];
            tight = haircuts[i].baseBps >= o.baseBps && haircuts[i].k >= o.k
                && haircuts[i].capBps >= o.capBps;
        }
        uint64 from = uint64(block.timestamp) + (tight ? 1 : timelockDelay);
        _storePolicy(haircuts, minRatioBps, from, tight);
    }

    /// @notice Admin: grace period and maximum attestation age, in seconds.
    function setFreshness(Freshness calldata fresh) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFreshness(fresh);
    }

    /// @notice Admin: queue `module` (a new circuit version) for `kind`; it can be
    /// activated `timelockDelay` seconds from now. Replaces a queued one.
    function queueModule(uint8 kind, address module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkModule(kind, module, mode, nCollateral, nDebt);
        uint64 eta = uint64(block.timestamp) + timelockDelay;
        _pending[kind] = Pending(module, eta);
        emit ModuleQueued(kind, module, eta);
    }

    /// @notice Admin: drop the module queued for `kind`.
    function cancelModule(uint8 kind) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (kind > CREDIT) revert UnknownKind(kind);
        address module = _pending[kind].module;
        if (module == address(0)) revert NothingQueued(kind);
        delete _pending[kind];
        emit ModuleCancelled(kind, module);
    }

    /// @notice Anyone: switch `kind` to its queued module once the timelock has passed.
    function activateModule(uint8 kind) external {
        if (kind > CREDIT) revert UnknownKind(kind);
        Pending memory p = _pending[kind];
        if (p.module == address(0)) revert NothingQueued(kind);
        if (block.timestamp < p.eta) revert TimelockActive(p.eta, block.timestamp);
        delete _pending[kind];
        _setModule(kind, p.module);
    }

    /// @notice Position manager (REGISTERED mode): record the commitment to `account`'s
    /// current position (a field element; 0 closes it). Proofs of another one stop counting.
    function recordPosition(address account, uint256 commitment)
        external onlyRole(POSITION_MANAGER_ROLE)
    {
        if (mode != BindingMode.REGISTERED) revert WrongMode(BindingMode.REGISTERED, mode);
        if (commitment >= ProofChecks.R) revert InputNotInField(0, commitment);
        _positions[account] = Position(commitment, uint64(block.timestamp));
        emit PositionRecorded(account, commitment, uint64(block.timestamp));
    }

    // ---- proofs -------------------------------------------------------------------------

    /// @notice Verify a solvency (collateral-ratio) proof for msg.sender and record it.
    function submit(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
                    uint256[] calldata pub) external {
        _submit(SOLVENCY, a, b, c, pub);
    }

    /// @notice Verify a credit-capacity proof for msg.sender and record its `credit`.
    function submitCredit(uint256[2] calldata a, uint256[2][2] calldata b,
                          uint256[2] calldata c, uint256[] calldata pub) external {
        _submit(CREDIT, a, b, c, pub);
    }

    // ---- views --------------------------------------------------------------------------

    /// @inheritdoc ISolvencyRegistry
    function isSolvent(address account) external view returns (bool) {
        return _fresh(_proven[SOLVENCY][account], account, true)
            || _fresh(_proven[CREDIT][account], account, true);
    }

    /// @inheritdoc ISolvencyRegistry
    function creditOf(address account) external view returns (uint256) {
        Proven storage p = _proven[CREDIT][account];
        if (oracle.tripped() || !_fresh(p, account, false)) return 0;
        return p.credit;
    }

    /// @inheritdoc ISolvencyRegistry
    function tripped() external view returns (bool) {
        return oracle.tripped();
    }

    /// @notice The oracle's breaker state: why it is tripped (NONE if not), since when.
    function breakerState() external view
        returns (IEpochOracle.BreakerCause cause, uint64 trippedAt, uint256 asset)
    {
        return oracle.breakerState();
    }

    /// @inheritdoc ISolvencyRegistry
    function currentEpoch() external view returns (uint64) {
        return oracle.latestEpoch();
    }

    /// @notice The module `kind` checks proofs with, and the queued one (0 if none).
    function moduleOf(uint8 kind) external view
        returns (address module, address queued, uint64 eta)
    {
        if (kind > CREDIT) revert UnknownKind(kind);
        return (_modules[kind], _pending[kind].module, _pending[kind].eta);
    }

    /// @notice What `account`'s accepted proof of `kind` established (zeros if none).
    function proofOf(uint8 kind, address account) external view returns (Proven memory) {
        if (kind > CREDIT) revert UnknownKind(kind);
        return _proven[kind][account];
    }

    function policy(uint64 version) external view returns (Policy memory) {
        return _policies[version];
    }

    /// @notice The policy version in force for `epoch` (0 if the epoch never opened).
    function policyVersionFor(uint64 epoch) public view returns (uint64) {
        (uint64 openedAt,,,) = oracle.snapshot(epoch);
        return openedAt == 0 ? 0 : _versionAt(openedAt);
    }

    /// @notice The least haircut per collateral and the least ratio a proof of `epoch`
    /// must use: RiskMath.haircutBps over the snapshot's sigma and the epoch's policy.
    function requirementsFor(uint64 epoch) external view
        returns (uint256[] memory haircutsBps, uint256 minRatioBps)
    {
        (uint64 openedAt,,, uint256[] memory sigma) = oracle.snapshot(epoch);
        if (openedAt == 0) revert NoPrices(epoch);
        Policy storage pol = _policies[_versionAt(openedAt)];
        haircutsBps = new uint256[](nCollateral);
        for (uint256 i = 0; i < haircutsBps.length; ++i) {
            haircutsBps[i] = _haircut(pol.haircuts[i], sigma[i]);
        }
        return (haircutsBps, pol.minRatioBps);
    }

    function positionOf(address account) external view
        returns (uint256 commitment, uint64 recordedAt)
    {
        Position storage p = _positions[account];
        return (p.commitment, p.recordedAt);
    }

    // ---- internals ----------------------------------------------------------------------

    function _submit(uint8 kind, uint256[2] calldata a, uint256[2][2] calldata b,
                     uint256[2] calldata c, uint256[] calldata pub) internal {
        IEpochOracle o = oracle;
        if (o.tripped()) {
            (IEpochOracle.BreakerCause cause, uint64 trippedAt,) = o.breakerState();
            revert BreakerIsTripped(cause, trippedAt);
        }
        IProofVerifierModule m = IProofVerifierModule(_modules[kind]);
        if (address(m) == address(0)) revert NoModule(kind);
        IProofVerifierModule.Decoded memory d = m.decode(pub);
        ProofChecks.expect(d.prover, uint160(msg.sender), WrongProver.selector);
        ProofChecks.expect(d.chainId, block.chainid, WrongChain.selector);
        ProofChecks.expect(d.registry, uint160(address(this)), WrongRegistry.selector);
        uint64 validUntil = _checkEpoch(o, d);
        Proven memory rec = _checkBinding(d);
        rec.validUntil = validUntil;
        rec.epoch = uint64(d.epoch);
        rec.credit = d.credit;
        Proven storage p = _proven[kind][msg.sender];
        if (rec.asOf < p.asOf || (p.epoch == rec.epoch && rec.asOf == p.asOf)) {
            revert AsOfNotLater(p.asOf, rec.asOf);
        }
        if (!m.verify(a, b, c, pub)) revert InvalidProof();
        _proven[kind][msg.sender] = rec;
        emit ProofAccepted(kind, msg.sender, rec.epoch, rec.asOf, rec.validUntil, rec.credit,
                           rec.a, rec.b);
    }

    /// The proof's epoch is the latest, its snapshot unexpired, its prices the snapshot's,
    /// its haircuts and ratio at least the epoch's requirements. Returns validUntil.
    function _checkEpoch(IEpochOracle o, IProofVerifierModule.Decoded memory d)
        internal view returns (uint64 validUntil)
    {
        uint64 latest = o.latestEpoch();
        if (d.epoch != latest) revert StaleEpoch(latest, d.epoch);
        (uint64 openedAt, uint64 until, uint256[] memory prices, uint256[] memory sigma) =
            o.snapshot(latest);
        if (openedAt == 0) revert NoPrices(latest);
        if (block.timestamp > until) revert PricesExpired(latest, until, block.timestamp);
        for (uint256 i = 0; i < prices.length; ++i) {
            if (d.prices[i] != prices[i]) revert PriceMismatch(i, prices[i], d.prices[i]);
        }
        Policy storage pol = _policies[_versionAt(openedAt)];
        for (uint256 i = 0; i < d.haircutsBps.length; ++i) {
            uint256 want = _haircut(pol.haircuts[i], sigma[i]);
            if (d.haircutsBps[i] < want) revert HaircutBelowPolicy(i, want, d.haircutsBps[i]);
        }
        if (d.minRatioBps < pol.minRatioBps) {
            revert RatioBelowPolicy(pol.minRatioBps, d.minRatioBps);
        }
        return until;
    }

    /// The binding of the proof (attester key or registered commitment) and its as_of.
    function _checkBinding(IProofVerifierModule.Decoded memory d)
        internal view returns (Proven memory rec)
    {
        if (mode == BindingMode.ATTESTED) {
            (rec.a, rec.b) = (d.attesterAx, d.attesterAy);
            if (!IAttesterAllowlist(attesterRegistry).isAllowed(rec.a, rec.b)) {
                revert UnknownAttester(rec.a, rec.b);
            }
            uint256 t = d.asOf;
            if (t > block.timestamp) revert FutureAttestation(block.timestamp, t);
            uint256 age = freshness.maxAttestationAge;
            uint256 oldest = block.timestamp > age ? block.timestamp - age : 0;
            if (t < oldest) revert StaleAttestation(t, oldest);
            rec.asOf = uint64(t);
        } else {
            Position storage pos = _positions[msg.sender];
            rec.a = d.commitment;
            if (rec.a != pos.commitment || rec.a == 0) {
                revert CommitmentMismatch(pos.commitment, rec.a);
            }
            rec.asOf = pos.recordedAt;
        }
    }

    /// Fresh: proven, snapshot unexpired, epoch the latest (or, with `withGrace`, the one
    /// before the next epoch opened less than `grace` seconds ago), binding still valid.
    function _fresh(Proven storage p, address account, bool withGrace)
        internal view returns (bool)
    {
        uint64 e = p.epoch;
        if (e == 0 || block.timestamp > p.validUntil) return false;
        if (e != oracle.latestEpoch()) {
            if (!withGrace) return false;
            (uint64 nextOpenedAt,,,) = oracle.snapshot(e + 1);
            if (nextOpenedAt == 0 || block.timestamp >= uint256(nextOpenedAt) + freshness.grace) {
                return false;
            }
        }
        if (mode == BindingMode.ATTESTED) {
            return IAttesterAllowlist(attesterRegistry).isAllowed(p.a, p.b);
        }
        return _positions[account].commitment == p.a;
    }

    function _haircut(Haircut storage h, uint256 sigma) internal view returns (uint256) {
        return RiskMath.haircutBps(h.baseBps, h.k, h.capBps, sigma);
    }

    /// The newest policy version active at time `t` (version 1 is active from 0).
    function _versionAt(uint64 t) internal view returns (uint64 v) {
        v = policyVersion;
        while (v > 1 && _policies[v].activeFrom > t) --v;
    }

    function _checkPolicy(Haircut[] memory haircuts, uint256 minRatioBps, uint256 nC)
        internal pure
    {
        if (haircuts.length != nC || minRatioBps < BPS || minRatioBps >= ProofChecks.R) {
            revert BadPolicy();
        }
        for (uint256 i = 0; i < nC; ++i) {
            Haircut memory h = haircuts[i];
            if (h.baseBps > h.capBps || h.capBps >= BPS) revert BadPolicy();
        }
    }

    function _storePolicy(Haircut[] memory haircuts, uint256 minRatioBps, uint64 activeFrom,
                          bool tightened) internal {
        uint64 version = policyVersion + 1;
        Policy storage p = _policies[version];
        p.activeFrom = activeFrom;
        p.minRatioBps = minRatioBps;
        for (uint256 i = 0; i < haircuts.length; ++i) p.haircuts.push(haircuts[i]);
        policyVersion = version;
        emit PolicySet(version, activeFrom, haircuts, minRatioBps, tightened);
    }

    function _checkModule(uint8 kind, address module, BindingMode mode_, uint256 nC,
                          uint256 nD) internal view {
        if (kind > CREDIT) revert UnknownKind(kind);
        if (module == address(0)) revert ZeroAddress();
        IProofVerifierModule m = IProofVerifierModule(module);
        if (m.kind() != kind) revert ModuleKindMismatch(kind, m.kind());
        if (m.mode() != uint8(mode_)) revert ModuleModeMismatch(uint8(mode_), m.mode());
        if (m.nCollateral() != nC || m.nDebt() != nD) {
            revert AssetCountMismatch(nC, nD, m.nCollateral(), m.nDebt());
        }
    }

    function _setModule(uint8 kind, address module) internal {
        _modules[kind] = module;
        IProofVerifierModule m = IProofVerifierModule(module);
        emit ModuleSet(kind, module, m.verifier(), m.keyId());
    }

    function _setFreshness(Freshness memory fresh) internal {
        freshness = fresh;
        emit FreshnessSet(fresh.grace, fresh.maxAttestationAge);
    }
}
