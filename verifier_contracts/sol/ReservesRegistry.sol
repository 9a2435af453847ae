// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ProofChecks, BadLayout, InputNotInField, InvalidProof} from "./lib/ProofChecks.sol";

/// @title ReservesRegistry: sharded proofs of reserves, every batch verified on-chain,
/// reserves read from the chain at submission.
/// @notice An exchange (msg.sender) registers once, declares its asset list (name, decimals,
/// where each asset is held: ETH, an ERC-20 token, or off-chain), and, for each epoch,
/// registers reserve addresses with an EIP-712 ownership signature of each address
/// (SignatureChecker: ECDSA without malleable signatures, or EIP-1271 for contract wallets).
/// It then submits the top proof (ReservesTop): the registry checks chain id, registry,
/// exchange and epoch, verifies the proof, reads the ETH and ERC-20 balances of the
/// registered addresses and requires them, plus any ATTESTED off-chain amounts, to cover
/// liabilities x ratio for every asset. Anyone then submits the batch proofs
/// (ReservesBatch), last index first: each batch's next_link must equal the link the
/// registry expects, which starts at the top proof's batch_chain and becomes each verified
/// batch's prev_link, down to 0 at index 0. `isCovered` is true once every batch of the
/// chain is verified (and the attesters used, if any, are still allowed).
/// Attested values: an account holding RESERVE_ATTESTER_ROLE in the AttesterRegistry
/// records a custodian's balance (its own ECDSA-signed transaction); they are kept and
/// reported apart from on-chain balances and stop counting if the role is revoked.
/// Limits: balances are point-in-time (flash loans, transfers right after submission),
/// and an address claimed in another registry is not seen here.
contract ReservesRegistry is AccessControlDefaultAdminRules, EIP712 {
    using ProofChecks for bool[];

    uint256 public constant BPS = 10000;
    uint256 public constant MAX_ASSETS = 7;
    uint256 public constant MAX_DECIMALS_GAP = 36;
    bytes32 public constant RESERVE_ATTESTER_ROLE = keccak256("RESERVE_ATTESTER_ROLE");
    bytes32 public constant OWNERSHIP_TYPEHASH =
        keccak256("ReserveOwnership(address exchange,address reserve,uint64 epoch)");

    /// Where an asset's reserves are: native ETH, an ERC-20 token, or off-chain only
    /// (counted solely through attested values).
    enum Holding { ETH, ERC20, OFFCHAIN }

    /// A verifier and what its inputs mean: keyId = keccak256(vkHash || statementHash).
    struct Key {
        address verifier;
        bytes32 keyId;
        bytes32 statementHash;
    }

    /// First index of each ReservesTop public input (derived from its Statement).
    struct TopLayout {
        uint256 numPublic;
        uint256 nAssets;
        uint256 batchChain;
        uint256 nBatches;
        uint256 root;
        uint256 liabilities;
        uint256 assetCommitment;
        uint256 epoch;
        uint256 chainId;
        uint256 registry;
        uint256 exchange;
    }

    /// First index of each ReservesBatch public input (derived from its Statement).
    struct BatchLayout {
        uint256 numPublic;
        uint256 nAssets;
        uint256 index;
        uint256 prevLink;
        uint256 nextLink;
        uint256 batchRoot;
        uint256 sums;
    }

    struct Config {
        uint48 adminDelay;
        address admin;
        address attesterRegistry;   // 0: no attested (off-chain) reserves
        uint256 minRatioBps;        // floor of every exchange's ratio, >= BPS
        uint256 maxReserveAddresses;
    }

    struct Asset {
        uint256 name;       // UTF-8 bytes as a big-endian integer (as in asset_commitment)
        uint8 decimals;     // the asset list's decimals: liabilities are in these units
        Holding holding;
        address token;      // the ERC-20 (Holding.ERC20), else 0
    }

    /// An Asset as stored, with the decimals of what is held (18 for ETH, the token's
    /// decimals()); balances are converted to the asset's units, rounding down.
    struct HeldAsset {
        uint256 name;
        uint8 decimals;
        uint8 heldDecimals;
        Holding holding;
        address token;
    }

    /// The admin's listing of where an asset (by name) is held on this chain: ETH or the
    /// one ERC-20 token that is that asset. Exchanges cannot pick their own tokens.
    struct Listing {
        bool listed;
        Holding holding;
        address token;
    }

    struct Exchange {
        bool registered;
        uint64 latestEpoch;     // newest epoch with a top proof
        uint64 assetsVersion;   // the asset list in force (0: none declared yet)
        uint256 ratioBps;
        uint256 assetCommitment; // declared with the asset list, checked against top proofs
    }

    struct Attested {
        address attester;
        uint64 asOf;
        uint256 amount;
    }

    struct Epoch {
        uint256 root;
        uint256 assetCommitment;
        uint256 batchChain;
        uint64 nBatches;
        uint64 remaining;       // batches still to verify
        uint64 submittedAt;
        uint64 assetsVersion;   // the asset list the coverage used
        uint256 expectedLink;   // next_link the next batch (index remaining - 1) must carry
        uint256 ratioBps;
        uint256[] liabilities;
        uint256[] onChain;      // ETH / ERC-20 balances read at submission
        uint256[] attested;     // ATTESTED off-chain amounts counted at submission
    }

    struct Batch {
        uint256 root;
        uint256 prevLink;
        uint256 nextLink;
        uint256[] sums;
    }

    // ---- errors (expected value first, then the actual one) -----------------------------
    error ZeroAddress();
    error BadConfig();
    error AssetCountMismatch(uint256 expected, uint256 got);
    error NotRegistered(address exchange);
    error AlreadyRegistered(address exchange);
    error RatioBelowMinimum(uint256 expected, uint256 got);
    error BadAsset(uint256 asset);
    error SharedHolding(uint256 asset, uint256 sameAs);
    error HoldingNotListed(uint256 asset, uint256 name);
    error DecimalsGapTooLarge(uint256 asset, uint256 assetDecimals, uint256 heldDecimals);
    error NoAssets(address exchange);
    error EpochClosed(uint256 latestProven, uint256 got);
    error BadOwnershipSignature(address reserve);
    error AddressClaimed(address reserve, address owner);
    error AddressAlreadyListed(address reserve, uint256 epoch);
    error TooManyAddresses(uint256 max);
    error NoAttesterRegistry();
    error NotAttester(address account);
    error FutureAttestation(uint256 latestAllowed, uint256 asOf);
    error WrongChain(uint256 expected, uint256 got);
    error WrongRegistry(uint256 expected, uint256 got);
    error WrongExchange(uint256 expected, uint256 got);
    error EpochTooLarge(uint256 got);
    error AssetCommitmentMismatch(uint256 expected, uint256 got);
    error BadBatchCount(uint256 got);
    error InsufficientReserves(uint256 asset, uint256 expected, uint256 got);
    error NoTopProof(address exchange, uint256 epoch);
    error AllBatchesVerified(address exchange, uint256 epoch);
    error WrongBatchIndex(uint256 expected, uint256 got);
    error LinkMismatch(uint256 index, uint256 expected, uint256 got);

    // ---- events -------------------------------------------------------------------------
    event ExchangeRegistered(address indexed exchange, uint256 ratioBps);
    event AssetListed(uint256 indexed name, Holding holding, address token);
    event AssetsSet(address indexed exchange, uint256 assetCommitment, Asset[] assets);
    event ReserveAddressRegistered(address indexed exchange, uint64 indexed epoch,
                                   address indexed reserve);
    event ReserveAttested(address indexed exchange, uint64 indexed epoch, uint256 asset,
                          address indexed attester, uint256 amount, uint64 asOf);
    event TopProofVerified(address indexed exchange, uint64 indexed epoch, uint256 root,
                           uint256 assetCommitment, uint256 batchChain, uint64 nBatches,
                           uint256[] liabilities, uint256[] onChain, uint256[] attested);
    event BatchVerified(address indexed exchange, uint64 indexed epoch, uint256 index,
                        uint256 batchRoot, uint256 prevLink, uint256 nextLink,
                        address submitter);
    event Covered(address indexed exchange, uint64 indexed epoch);

    // ---- immutables ---------------------------------------------------------------------
    address public immutable topVerifier;
    bytes32 public immutable topKeyId;
    bytes32 public immutable topStatementHash;
    bytes4 internal immutable _topSelector;
    address public immutable batchVerifier;
    bytes32 public immutable batchKeyId;
    bytes32 public immutable batchStatementHash;
    bytes4 internal immutable _batchSelector;
    address public immutable attesterRegistry;
    uint256 public immutable minRatioBps;
    uint256 public immutable maxReserveAddresses;
    uint256 public immutable nAssets;
    uint256 internal immutable topNumPublic;
    uint256 internal immutable batchChainIndex;
    uint256 internal immutable nBatchesIndex;
    uint256 internal immutable rootIndex;
    uint256 public immutable liabilitiesIndex;
    uint256 internal immutable assetCommitmentIndex;
    uint256 internal immutable epochIndex;
    uint256 internal immutable chainIdIndex;
    uint256 internal immutable registryIndex;
    uint256 public immutable exchangeIndex;
    uint256 internal immutable batchNumPublic;
    uint256 internal immutable indexIndex;
    uint256 public immutable prevLinkIndex;
    uint256 internal immutable nextLinkIndex;
    uint256 internal immutable batchRootIndex;
    uint256 public immutable sumsIndex;

    // ---- state --------------------------------------------------------------------------
    mapping(uint256 => Listing) public listings;           // asset name -> where it is held
    mapping(address => Exchange) internal _exchanges;
    mapping(address => mapping(uint64 => HeldAsset[])) internal _assets;   // by version
    mapping(address => address) public claimedBy;      // reserve address -> its exchange
    mapping(address => mapping(uint64 => address[])) internal _reserves;
    mapping(address => mapping(uint64 => mapping(address => bool))) internal _listed;
    mapping(address => mapping(uint64 => mapping(uint256 => Attested))) internal _attested;
    mapping(address => mapping(uint64 => Epoch)) internal _epochs;
    mapping(address => mapping(uint64 => mapping(uint256 => Batch))) internal _batches;

    constructor(Key memory top, TopLayout memory tl, Key memory batch, BatchLayout memory bl,
                Config memory cfg)
        AccessControlDefaultAdminRules(cfg.adminDelay, cfg.admin)
        EIP712("ReservesRegistry", "1")
    {
        if (cfg.minRatioBps < BPS || cfg.minRatioBps >= ProofChecks.R
                || cfg.maxReserveAddresses == 0 || cfg.maxReserveAddresses > 256) {
            revert BadConfig();
        }
        uint256 nTop = _checkKey(top, tl.numPublic);
        uint256 nBatch = _checkKey(batch, bl.numPublic);
        if (tl.nAssets == 0 || tl.nAssets > MAX_ASSETS) revert BadLayout(1);
        if (bl.nAssets != tl.nAssets) revert AssetCountMismatch(tl.nAssets, bl.nAssets);
        bool[] memory used = new bool[](nTop);
        used.span(tl.batchChain, 1, 2);
        used.span(tl.nBatches, 1, 3);
        used.span(tl.root, 1, 4);
        used.span(tl.liabilities, tl.nAssets, 5);
        used.span(tl.assetCommitment, 1, 6);
        used.span(tl.epoch, 1, 7);
        used.span(tl.chainId, 1, 8);
        used.span(tl.registry, 1, 9);
        used.span(tl.exchange, 1, 10);
        used = new bool[](nBatch);
        used.span(bl.index, 1, 11);
        used.span(bl.prevLink, 1, 12);
        used.span(bl.nextLink, 1, 13);
        used.span(bl.batchRoot, 1, 14);
        used.span(bl.sums, bl.nAssets, 15);
        topVerifier = top.verifier;
        topKeyId = top.keyId;
        topStatementHash = top.statementHash;
        _topSelector = ProofChecks.verifySelector(nTop);
        batchVerifier = batch.verifier;
        batchKeyId = batch.keyId;
        batchStatementHash = batch.statementHash;
        _batchSelector = ProofChecks.verifySelector(nBatch);
        attesterRegistry = cfg.attesterRegistry;
        minRatioBps = cfg.minRatioBps;
        maxReserveAddresses = cfg.maxReserveAddresses;
        nAssets = tl.nAssets;
        topNumPublic = nTop;
        batchChainIndex = tl.batchChain;
        nBatchesIndex = tl.nBatches;
        rootIndex = tl.root;
        liabilitiesIndex = tl.liabilities;
        assetCommitmentIndex = tl.assetCommitment;
        epochIndex = tl.epoch;
        chainIdIndex = tl.chainId;
        registryIndex = tl.registry;
        exchangeIndex = tl.exchange;
        batchNumPublic = nBatch;
        indexIndex = bl.index;
        prevLinkIndex = bl.prevLink;
        nextLinkIndex = bl.nextLink;
        batchRootIndex = bl.batchRoot;
        sumsIndex = bl.sums;
    }

    // ---- admin ----------------------------------------------------------------------------

    /// @notice Admin: asset `name` (UTF-8 bytes as an integer) is held on this chain as ETH
    /// or as `token`; `listed` false withdraws it. Exchanges may map an asset on-chain only
    /// to its listing (or keep it OFFCHAIN).
    function listAsset(uint256 name, Holding holding, address token, bool listed)
        external onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (name == 0 || name >> 248 != 0 || holding == Holding.OFFCHAIN
                || (holding == Holding.ETH) != (token == address(0))) revert BadAsset(name);
        listings[name] = Listing(listed, holding, token);
        emit AssetListed(name, holding, listed ? token : address(0));
    }

    // ---- exchanges ----------------------------------------------------------------------

    /// @notice Register msg.sender as an exchange whose reserves must cover
    /// liabilities x ratioBps / 10000 (ratioBps >= minRatioBps).
    function registerExchange(uint256 ratioBps) external {
        Exchange storage ex = _exchanges[msg.sender];
        if (ex.registered) revert AlreadyRegistered(msg.sender);
        if (ratioBps < minRatioBps || ratioBps >= ProofChecks.R) {
            revert RatioBelowMinimum(minRatioBps, ratioBps);
        }
        ex.registered = true;
        ex.ratioBps = ratioBps;
        emit ExchangeRegistered(msg.sender, ratioBps);
    }

    /// @notice Declare the asset list of the top proofs to come: for asset i its name and
    /// decimals (those hashed into `assetCommitment`, which later top proofs must carry;
    /// liabilities are in these base units) and where it is held: ETH (18 decimals), an
    /// ERC-20 (its decimals()) or OFFCHAIN (attested values only, in the asset's units).
    /// Balances are converted to the asset's base units, rounding down.
    function setAssets(Asset[] calldata assets, uint256 assetCommitment) external {
        Exchange storage ex = _requireExchange(msg.sender);
        uint256 n = nAssets;
        if (assets.length != n) revert AssetCountMismatch(n, assets.length);
        if (assetCommitment == 0 || assetCommitment >= ProofChecks.R) {
            revert InputNotInField(assetCommitmentIndex, assetCommitment);
        }
        uint64 version = ++ex.assetsVersion;
        HeldAsset[] storage list = _assets[msg.sender][version];
        for (uint256 i = 0; i < n; ++i) {
            Asset calldata a = assets[i];
            if (a.holding != Holding.OFFCHAIN) {
                Listing storage l = listings[a.name];
                if (!l.listed || l.holding != a.holding || l.token != a.token) {
                    revert HoldingNotListed(i, a.name);
                }
            }
            for (uint256 j = 0; j < i; ++j) {   // one balance never covers two assets
                if (a.holding != Holding.OFFCHAIN && assets[j].holding == a.holding
                        && assets[j].token == a.token) revert SharedHolding(i, j);
            }
            list.push(HeldAsset(a.name, a.decimals, _heldDecimals(i, a), a.holding, a.token));
        }
        ex.assetCommitment = assetCommitment;
        emit AssetsSet(msg.sender, assetCommitment, assets);
    }

    /// @notice Register `reserve` as holding reserves of msg.sender for `epoch` (not yet
    /// proven). `signature` is the reserve's EIP-712 signature of ReserveOwnership(exchange,
    /// reserve, epoch) under this registry's domain (chain id and address): ECDSA with low
    /// s for an EOA, EIP-1271 for a contract wallet. An address belongs to one exchange.
    function registerReserve(uint64 epoch, address reserve, bytes calldata signature)
        external
    {
        Exchange storage ex = _requireExchange(msg.sender);
        if (epoch <= ex.latestEpoch) revert EpochClosed(ex.latestEpoch, epoch);
        if (reserve == address(0)) revert ZeroAddress();
        address owner = claimedBy[reserve];
        if (owner != address(0) && owner != msg.sender) revert AddressClaimed(reserve, owner);
        if (_listed[msg.sender][epoch][reserve]) revert AddressAlreadyListed(reserve, epoch);
        address[] storage list = _reserves[msg.sender][epoch];
        if (list.length >= maxReserveAddresses) revert TooManyAddresses(maxReserveAddresses);
        if (!SignatureChecker.isValidSignatureNow(reserve, ownershipDigest(msg.sender, reserve,
                                                                           epoch), signature)) {
            revert BadOwnershipSignature(reserve);
        }
        claimedBy[reserve] = msg.sender;
        _listed[msg.sender][epoch][reserve] = true;
        list.push(reserve);
        emit ReserveAddressRegistered(msg.sender, epoch, reserve);
    }

    /// @notice RESERVE_ATTESTER_ROLE (in the AttesterRegistry): record an ATTESTED
    /// off-chain balance of `exchange` for asset `asset` as of `asOf`, counted in the
    /// coverage of `epoch` (not yet proven) and reported apart from on-chain balances.
    function attestReserve(address exchange, uint64 epoch, uint256 asset, uint256 amount,
                           uint64 asOf) external {
        address reg = attesterRegistry;
        if (reg == address(0)) revert NoAttesterRegistry();
        if (!IAccessControl(reg).hasRole(RESERVE_ATTESTER_ROLE, msg.sender)) {
            revert NotAttester(msg.sender);
        }
        Exchange storage ex = _requireExchange(exchange);
        if (epoch <= ex.latestEpoch) revert EpochClosed(ex.latestEpoch, epoch);
        if (asset >= nAssets) revert BadAsset(asset);
        if (asOf > block.timestamp) revert FutureAttestation(block.timestamp, asOf);
        _attested[exchange][epoch][asset] = Attested(msg.sender, asOf, amount);
        emit ReserveAttested(exchange, epoch, asset, msg.sender, amount, asOf);
    }

    // ---- proofs -------------------------------------------------------------------------

    /// @notice The exchange (msg.sender) submits its top proof for an epoch later than its
    /// last one. Checks chain id, registry, exchange, the declared asset commitment, the
    /// proof, then coverage: for each asset, on-chain balances of the epoch's reserve
    /// addresses plus attested amounts >= ceil(liability x ratioBps / 10000), else
    /// InsufficientReserves(asset, expected, got).
    function submitTop(uint256[2] calldata a, uint256[2][2] calldata b,
                       uint256[2] calldata c, uint256[] calldata pub) external {
        Exchange storage ex = _requireExchange(msg.sender);
        ProofChecks.checkInputs(pub, topNumPublic);
        ProofChecks.expect(pub[chainIdIndex], block.chainid, WrongChain.selector);
        ProofChecks.expect(pub[registryIndex], uint160(address(this)), WrongRegistry.selector);
        ProofChecks.expect(pub[exchangeIndex], uint160(msg.sender), WrongExchange.selector);
        uint256 e = pub[epochIndex];
        if (e > type(uint64).max) revert EpochTooLarge(e);
        uint64 epoch = uint64(e);
        if (epoch <= ex.latestEpoch) revert EpochClosed(ex.latestEpoch, epoch);
        if (ex.assetsVersion == 0) revert NoAssets(msg.sender);
        ProofChecks.expect(pub[assetCommitmentIndex], ex.assetCommitment, AssetCommitmentMismatch.selector);
        uint256 n = pub[nBatchesIndex];
        if (n == 0 || n > type(uint32).max) revert BadBatchCount(n);
        ex.latestEpoch = epoch;
        Epoch storage ep = _epochs[msg.sender][epoch];
        ep.root = pub[rootIndex];
        ep.assetCommitment = pub[assetCommitmentIndex];
        ep.batchChain = pub[batchChainIndex];
        ep.nBatches = uint64(n);
        ep.remaining = uint64(n);
        ep.submittedAt = uint64(block.timestamp);
        ep.assetsVersion = ex.assetsVersion;
        ep.expectedLink = pub[batchChainIndex];
        ep.ratioBps = ex.ratioBps;
        _cover(ep, msg.sender, epoch, pub[liabilitiesIndex:liabilitiesIndex + nAssets]);
        _requireValidProof(topVerifier, _topSelector, a, b, c, pub);   // all reverts if not
        emit TopProofVerified(msg.sender, epoch, ep.root, ep.assetCommitment, ep.batchChain,
                              ep.nBatches, ep.liabilities, ep.onChain, ep.attested);
    }

    /// @notice Anyone submits a batch proof of `exchange`'s `epoch`, last index first: its
    /// index must be the highest not yet verified and its next_link the link expected
    /// there (the top proof's batch_chain for the last batch, else the prev_link of the
    /// batch verified after it); batch 0 must start from link 0. A batch of another ledger
    /// has another link and is refused with LinkMismatch(index, expected, got).
    function submitBatch(address exchange, uint64 epoch, uint256[2] calldata a,
                         uint256[2][2] calldata b, uint256[2] calldata c,
                         uint256[] calldata pub) external {
        Epoch storage ep = _epochs[exchange][epoch];
        if (ep.nBatches == 0) revert NoTopProof(exchange, epoch);
        uint64 remaining = ep.remaining;
        if (remaining == 0) revert AllBatchesVerified(exchange, epoch);
        ProofChecks.checkInputs(pub, batchNumPublic);
        uint256 index = remaining - 1;
        ProofChecks.expect(pub[indexIndex], index, WrongBatchIndex.selector);
        uint256 next = pub[nextLinkIndex];
        if (next != ep.expectedLink) revert LinkMismatch(index, ep.expectedLink, next);
        uint256 prev = pub[prevLinkIndex];
        if (index == 0 && prev != 0) revert LinkMismatch(0, 0, prev);
        _requireValidProof(batchVerifier, _batchSelector, a, b, c, pub);
        Batch storage bt = _batches[exchange][epoch][index];
        bt.root = pub[batchRootIndex];
        bt.prevLink = prev;
        bt.nextLink = next;
        bt.sums = pub[sumsIndex:sumsIndex + nAssets];
        ep.expectedLink = prev;
        ep.remaining = remaining - 1;
        emit BatchVerified(exchange, epoch, index, bt.root, prev, next, msg.sender);
        if (index == 0) emit Covered(exchange, epoch);
    }

    // ---- views --------------------------------------------------------------------------

    /// @notice True only when the top proof of (exchange, epoch) passed coverage, every
    /// batch of its chain is verified, and every attester it counted still holds
    /// RESERVE_ATTESTER_ROLE.
    function isCovered(address exchange, uint64 epoch) public view returns (bool) {
        Epoch storage ep = _epochs[exchange][epoch];
        if (ep.nBatches == 0 || ep.remaining != 0) return false;
        uint256 n = nAssets;
        for (uint256 i = 0; i < n; ++i) {
            if (ep.attested[i] == 0) continue;
            address who = _attested[exchange][epoch][i].attester;
            if (!IAccessControl(attesterRegistry).hasRole(RESERVE_ATTESTER_ROLE, who)) {
                return false;
            }
        }
        return true;
    }

    /// @notice The proven root and asset commitment of (exchange, epoch) (0 if no top
    /// proof) and whether the epoch is covered.
    function rootOf(address exchange, uint64 epoch) external view
        returns (uint256 root, uint256 assetCommitment, bool covered)
    {
        Epoch storage ep = _epochs[exchange][epoch];
        return (ep.root, ep.assetCommitment, isCovered(exchange, epoch));
    }

    /// @notice What the top proof of (exchange, epoch) established; `onChain` and
    /// `attested` are the reserves counted at submission, kept apart.
    function epochOf(address exchange, uint64 epoch) external view returns (
        uint256 batchChain, uint64 nBatches, uint64 remaining, uint64 submittedAt,
        uint256 ratioBps, uint256[] memory liabilities, uint256[] memory onChain,
        uint256[] memory attested)
    {
        Epoch storage ep = _epochs[exchange][epoch];
        return (ep.batchChain, ep.nBatches, ep.remaining, ep.submittedAt, ep.ratioBps,
                ep.liabilities, ep.onChain, ep.attested);
    }

    function batchOf(address exchange, uint64 epoch, uint256 index) external view
        returns (uint256 root, uint256 prevLink, uint256 nextLink, uint256[] memory sums)
    {
        Batch storage bt = _batches[exchange][epoch][index];
        return (bt.root, bt.prevLink, bt.nextLink, bt.sums);
    }

    function exchangeOf(address exchange) external view
        returns (bool registered, uint64 latestEpoch, uint256 ratioBps, uint256 assetCommitment)
    {
        Exchange storage ex = _exchanges[exchange];
        return (ex.registered, ex.latestEpoch, ex.ratioBps, ex.assetCommitment);
    }

    /// @notice The asset list in force (what the next top proof's coverage will use).
    function assetsOf(address exchange) external view returns (HeldAsset[] memory) {
        return _assets[exchange][_exchanges[exchange].assetsVersion];
    }

    /// @notice The asset list the coverage of (exchange, epoch) used (empty if no top
    /// proof): readers check that it hashes to that epoch's asset commitment.
    function epochAssetsOf(address exchange, uint64 epoch) external view
        returns (HeldAsset[] memory)
    {
        return _assets[exchange][_epochs[exchange][epoch].assetsVersion];
    }

    function reservesOf(address exchange, uint64 epoch) external view
        returns (address[] memory)
    {
        return _reserves[exchange][epoch];
    }

    function attestedOf(address exchange, uint64 epoch, uint256 asset) external view
        returns (address attester, uint256 amount, uint64 asOf)
    {
        Attested storage at = _attested[exchange][epoch][asset];
        return (at.attester, at.amount, at.asOf);
    }

    /// @notice The EIP-712 digest a reserve address signs to be registered.
    function ownershipDigest(address exchange, address reserve, uint64 epoch)
        public view returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(OWNERSHIP_TYPEHASH, exchange, reserve,
                                                     epoch)));
    }

    // ---- internals ----------------------------------------------------------------------

    function _cover(Epoch storage ep, address exchange, uint64 epoch,
                    uint256[] calldata liabilities) internal {
        HeldAsset[] storage list = _assets[exchange][ep.assetsVersion];
        address[] storage addrs = _reserves[exchange][epoch];
        uint256 ratio = ep.ratioBps;
        for (uint256 i = 0; i < liabilities.length; ++i) {
            HeldAsset storage asset = list[i];
            uint256 held;
            if (asset.holding == Holding.ETH) {
                for (uint256 k = 0; k < addrs.length; ++k) held += addrs[k].balance;
            } else if (asset.holding == Holding.ERC20) {
                IERC20Metadata token = IERC20Metadata(asset.token);
                for (uint256 k = 0; k < addrs.length; ++k) held += token.balanceOf(addrs[k]);
            }
            uint256 onChain = _convert(held, asset.heldDecimals, asset.decimals);
            uint256 attested = _attested[exchange][epoch][i].amount;
            uint256 need = Math.mulDiv(liabilities[i], ratio, BPS, Math.Rounding.Ceil);
            if (onChain + attested < need) revert InsufficientReserves(i, need, onChain + attested);
            ep.liabilities.push(liabilities[i]);
            ep.onChain.push(onChain);
            ep.attested.push(attested);
        }
    }

    /// Decimals of what asset i is held in (the token's, 18 for ETH, its own off-chain);
    /// DecimalsGapTooLarge if they differ from the asset's by more than MAX_DECIMALS_GAP.
    function _heldDecimals(uint256 i, Asset calldata a) internal view returns (uint8 d) {
        if (a.name == 0 || a.name >> 248 != 0) revert BadAsset(i);
        d = a.decimals;
        if (a.holding == Holding.ERC20) {
            if (a.token.code.length == 0) revert BadAsset(i);
            try IERC20Metadata(a.token).decimals() returns (uint8 td) {
                d = td;
            } catch {
                revert BadAsset(i);
            }
        } else {
            if (a.token != address(0)) revert BadAsset(i);
            if (a.holding == Holding.ETH) d = 18;
        }
        uint256 gap = d > a.decimals ? d - a.decimals : a.decimals - d;
        if (gap > MAX_DECIMALS_GAP) revert DecimalsGapTooLarge(i, a.decimals, d);
    }

    /// `amount` in units of `from` decimals, in units of `to` decimals (rounded down).
    function _convert(uint256 amount, uint8 from, uint8 to) internal pure returns (uint256) {
        if (from == to) return amount;
        if (from > to) return amount / 10 ** (from - to);
        return amount * 10 ** (to - from);
    }

    function _requireExchange(address who) internal view returns (Exchange storage ex) {
        ex = _exchanges[who];
        if (!ex.registered) revert NotRegistered(who);
    }

    function _checkKey(Key memory k, uint256 numPublic) internal view returns (uint256) {
        if (k.verifier == address(0)) revert ZeroAddress();
        return ProofChecks.checkKey(k.verifier, k.keyId, k.statementHash, numPublic);
    }

    function _requireValidProof(address verifier, bytes4 selector, uint256[2] calldata a,
                                uint256[2][2] calldata b, uint256[2] calldata c,
                                uint256[] calldata pub) internal view {
        if (!ProofChecks.verifies(verifier, selector, a, b, c, pub)) revert InvalidProof();
    }
}
