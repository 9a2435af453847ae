// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IProofVerifierModule} from "./interfaces/IProofVerifierModule.sol";
import {ProofChecks, BadLayout} from "./lib/ProofChecks.sol";

/// @title ProofVerifierModule: a circuit kind's verifier, key id and public-input layout.
/// @notice Deployed once per circuit kind and version. The constructor checks
/// `keyId == keccak256(verifier.vkHash() || statementHash)`, that the verifier takes
/// `numPublic` inputs, and that every input the kind and binding mode need is in range and
/// overlaps no other (BadLayout(field) names the first bad one: 1 nCollateral, 2 nDebt,
/// 3 collateralPrices, 4 haircutsBps, 5 debtPrices, 6 minRatioBps, 7 epoch, 8 prover,
/// 9 chainId, 10 registry, 11 commitment, 12 attesterAx, 13 attesterAy, 14 asOf,
/// 15 credit). The indices are immutables: decoding a proof's inputs reads no storage.
contract ProofVerifierModule is IProofVerifierModule {
    using ProofChecks for bool[];

    uint256 public constant ABSENT = type(uint256).max;
    uint8 public constant SOLVENCY = 0;
    uint8 public constant CREDIT = 1;
    uint8 public constant ATTESTED = 0;
    uint8 public constant REGISTERED = 1;

    error ZeroAddress();
    error UnknownKind(uint8 kind);
    error UnknownMode(uint8 mode);

    address public immutable verifier;
    bytes32 public immutable keyId;
    bytes32 public immutable statementHash;
    uint8 public immutable kind;
    uint8 public immutable mode;
    bytes4 public immutable verifySelector;
    uint256 public immutable numPublic;
    uint256 public immutable nCollateral;
    uint256 public immutable nDebt;
    uint256 internal immutable _collateralPrices;
    uint256 internal immutable _haircutsBps;
    uint256 internal immutable _debtPrices;
    uint256 internal immutable _minRatioBps;
    uint256 internal immutable _epoch;
    uint256 internal immutable _prover;
    uint256 internal immutable _chainId;
    uint256 internal immutable _registry;
    uint256 internal immutable _commitment;
    uint256 internal immutable _attesterAx;
    uint256 internal immutable _attesterAy;
    uint256 internal immutable _asOf;
    uint256 internal immutable _credit;

    constructor(address verifier_, bytes32 keyId_, bytes32 statementHash_, Layout memory l,
                uint8 mode_, uint8 kind_) {
        if (verifier_ == address(0)) revert ZeroAddress();
        if (kind_ > CREDIT) revert UnknownKind(kind_);
        if (mode_ > REGISTERED) revert UnknownMode(mode_);
        uint256 n = ProofChecks.checkKey(verifier_, keyId_, statementHash_, l.numPublic);
        if (l.nCollateral == 0 || l.nCollateral > 64) revert BadLayout(1);
        if (l.nDebt == 0 || l.nDebt > 64) revert BadLayout(2);
        bool[] memory used = new bool[](n);
        used.span(l.collateralPrices, l.nCollateral, 3);
        used.span(l.haircutsBps, l.nCollateral, 4);
        used.span(l.debtPrices, l.nDebt, 5);
        used.span(l.minRatioBps, 1, 6);
        used.span(l.epoch, 1, 7);
        used.span(l.prover, 1, 8);
        used.span(l.chainId, 1, 9);
        used.span(l.registry, 1, 10);
        if (mode_ == ATTESTED) {
            used.span(l.attesterAx, 1, 12);
            used.span(l.attesterAy, 1, 13);
            used.span(l.asOf, 1, 14);
        } else {
            used.span(l.commitment, 1, 11);
        }
        if (kind_ == CREDIT) used.span(l.credit, 1, 15);
        verifier = verifier_;
        keyId = keyId_;
        statementHash = statementHash_;
        kind = kind_;
        mode = mode_;
        verifySelector = ProofChecks.verifySelector(n);
        numPublic = n;
        nCollateral = l.nCollateral;
        nDebt = l.nDebt;
        _collateralPrices = l.collateralPrices;
        _haircutsBps = l.haircutsBps;
        _debtPrices = l.debtPrices;
        _minRatioBps = l.minRatioBps;
        _epoch = l.epoch;
        _prover = l.prover;
        _chainId = l.chainId;
        _registry = l.registry;
        _commitment = mode_ == REGISTERED ? l.commitment : ABSENT;
        _attesterAx = mode_ == ATTESTED ? l.attesterAx : ABSENT;
        _attesterAy = mode_ == ATTESTED ? l.attesterAy : ABSENT;
        _asOf = mode_ == ATTESTED ? l.asOf : ABSENT;
        _credit = kind_ == CREDIT ? l.credit : ABSENT;
    }

    /// @inheritdoc IProofVerifierModule
    function layout() external view returns (Layout memory) {
        return Layout(numPublic, nCollateral, nDebt, _collateralPrices, _haircutsBps,
                      _debtPrices, _minRatioBps, _epoch, _prover, _chainId, _registry,
                      _commitment, _attesterAx, _attesterAy, _asOf, _credit);
    }

    /// @inheritdoc IProofVerifierModule
    function decode(uint256[] calldata pub) external view returns (Decoded memory d) {
        ProofChecks.checkInputs(pub, numPublic);
        d.epoch = pub[_epoch];
        d.prover = pub[_prover];
        d.chainId = pub[_chainId];
        d.registry = pub[_registry];
        d.minRatioBps = pub[_minRatioBps];
        d.commitment = _at(pub, _commitment);
        d.attesterAx = _at(pub, _attesterAx);
        d.attesterAy = _at(pub, _attesterAy);
        d.asOf = _at(pub, _asOf);
        d.credit = _at(pub, _credit);
        uint256 nC = nCollateral;
        uint256 nD = nDebt;
        d.prices = new uint256[](nC + nD);
        d.haircutsBps = new uint256[](nC);
        for (uint256 i = 0; i < nC; ++i) {
            d.prices[i] = pub[_collateralPrices + i];
            d.haircutsBps[i] = pub[_haircutsBps + i];
        }
        for (uint256 j = 0; j < nD; ++j) d.prices[nC + j] = pub[_debtPrices + j];
    }

    /// @inheritdoc IProofVerifierModule
    function verify(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
                    uint256[] calldata pub) external view returns (bool) {
        if (pub.length != numPublic) return false;
        return ProofChecks.verifies(verifier, verifySelector, a, b, c, pub);
    }

    function _at(uint256[] calldata pub, uint256 index) internal pure returns (uint256) {
        return index == ABSENT ? 0 : pub[index];
    }
}
