// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IProofVerifierModule} from "./interfaces/IProofVerifierModule.sol";

interface IGroth16Verifier {
    function vkHash() external view returns (bytes32);
    function nPublic() external view returns (uint256);
}

/// @title ProofVerifierModule: a circuit kind's verifier, key id and public-input layout.
/// @notice Deployed once per circuit kind and version. The constructor checks
/// `keyId == keccak256(verifier.vkHash() || statementHash)`, that the verifier takes
/// `numPublic` inputs, and that every input the kind and binding mode need is in range and
/// overlaps no other (BadLayout(field) names the first bad one: 1 nCollateral, 2 nDebt,
/// 3 collateralPrices, 4 haircutsBps, 5 debtPrices, 6 minRatioBps, 7 epoch, 8 prover,
/// 9 chainId, 10 registry, 11 commitment, 12 attesterAx, 13 attesterAy, 14 asOf,
/// 15 credit). The indices are immutables: decoding a proof's inputs reads no storage.
contract ProofVerifierModule is IProofVerifierModule {
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 public constant ABSENT = type(uint256).max;
    uint8 public constant SOLVENCY = 0;
    uint8 public constant CREDIT = 1;
    uint8 public constant ATTESTED = 0;
    uint8 public constant REGISTERED = 1;

    error ZeroAddress();
    error KeyIdMismatch(bytes32 expected, bytes32 got);
    error NumPublicMismatch(uint256 expected, uint256 got);
    error BadLayout(uint256 field);
    error UnknownKind(uint8 kind);
    error UnknownMode(uint8 mode);
    error BadInputLength(uint256 expected, uint256 got);
    error InputNotInField(uint256 index, uint256 value);

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
        if (mode_ == ATTESTED) {
            _span(used, l.attesterAx, 1, 12);
            _span(used, l.attesterAy, 1, 13);
            _span(used, l.asOf, 1, 14);
        } else {
            _span(used, l.commitment, 1, 11);
        }
        if (kind_ == CREDIT) _span(used, l.credit, 1, 15);
        verifier = verifier_;
        keyId = keyId_;
        statementHash = statementHash_;
        kind = kind_;
        mode = mode_;
        verifySelector = bytes4(keccak256(abi.encodePacked(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(n), "])")));
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
        uint256 n = numPublic;
        if (pub.length != n) revert BadInputLength(n, pub.length);
        for (uint256 i = 0; i < n; ++i) {
            if (pub[i] >= R) revert InputNotInField(i, pub[i]);
        }
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
        bytes memory data = bytes.concat(abi.encodeWithSelector(verifySelector, a, b, c),
                                         abi.encodePacked(pub));
        (bool ok, bytes memory ret) = verifier.staticcall(data);
        return ok && ret.length == 32 && abi.decode(ret, (uint256)) == 1;
    }

    function _at(uint256[] calldata pub, uint256 index) internal pure returns (uint256) {
        return index == ABSENT ? 0 : pub[index];
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
