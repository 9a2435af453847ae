// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A verifier's keccak256(vkHash || statementHash) is not the key id given with it.
error KeyIdMismatch(bytes32 expected, bytes32 got);
/// The verifier takes another number of public inputs than the layout says.
error NumPublicMismatch(uint256 expected, uint256 got);
/// A layout field (numbered by the contract's NatSpec) is out of range or overlaps another.
error BadLayout(uint256 field);
/// A proof carries another number of public inputs than its verifier takes.
error BadInputLength(uint256 expected, uint256 got);
/// Public input `index` is not a BN254 scalar field element (>= R).
error InputNotInField(uint256 index, uint256 value);
/// The pairing check failed (or the verifier did not answer 1).
error InvalidProof();

/// @notice What a Groth16 verifier produced by `export.py` tells about its key.
interface IGroth16KeyInfo {
    function vkHash() external view returns (bytes32);
    function nPublic() external view returns (uint256);
}

/// @title ProofChecks: the checks every contract that consumes Groth16 proofs shares.
/// @notice Binding a verifier to a statement (key id), checking a public-input layout at
/// deployment, checking and forwarding a proof's inputs, and reverting with a custom error
/// that carries (expected, actual). All functions are internal, so they are inlined into
/// the calling contract: no library deployment or linking.
library ProofChecks {
    /// The BN254 scalar field modulus: every public input must be below it.
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Checks keccak256(verifier.vkHash() || statementHash) == keyId and that the
    /// verifier takes `numPublic` inputs; returns that count.
    function checkKey(address verifier, bytes32 keyId, bytes32 statementHash,
                      uint256 numPublic) internal view returns (uint256 n) {
        bytes32 expectedId = keccak256(abi.encodePacked(
            IGroth16KeyInfo(verifier).vkHash(), statementHash));
        if (expectedId != keyId) revert KeyIdMismatch(expectedId, keyId);
        n = IGroth16KeyInfo(verifier).nPublic();
        if (n != numPublic) revert NumPublicMismatch(n, numPublic);
    }

    /// @notice Marks [start, start + len) in `used`; BadLayout(field) if out of range or
    /// overlapping a span already marked.
    function span(bool[] memory used, uint256 start, uint256 len, uint256 field)
        internal pure
    {
        if (start >= used.length || len > used.length - start) revert BadLayout(field);
        for (uint256 i = start; i < start + len; ++i) {
            if (used[i]) revert BadLayout(field);
            used[i] = true;
        }
    }

    /// @notice The selector of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[n])`.
    function verifySelector(uint256 n) internal pure returns (bytes4) {
        return bytes4(keccak256(abi.encodePacked(
            "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", decimal(n), "])")));
    }

    /// @notice `v` in decimal ASCII digits.
    function decimal(uint256 v) internal pure returns (bytes memory s) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) ++len;
        s = new bytes(len);
        for (; v != 0; v /= 10) s[--len] = bytes1(uint8(48 + v % 10));
    }

    /// @notice BadInputLength unless `pub` has `n` inputs; InputNotInField for the first
    /// one >= R.
    function checkInputs(uint256[] calldata pub, uint256 n) internal pure {
        if (pub.length != n) revert BadInputLength(n, pub.length);
        for (uint256 i = 0; i < n; ++i) {
            if (pub[i] >= R) revert InputNotInField(i, pub[i]);
        }
    }

    /// @notice True iff `verifier` (called with `selector`) accepts (a, b, c) for `pub`.
    function verifies(address verifier, bytes4 selector, uint256[2] calldata a,
                      uint256[2][2] calldata b, uint256[2] calldata c,
                      uint256[] calldata pub) internal view returns (bool) {
        bytes memory data = bytes.concat(abi.encodeWithSelector(selector, a, b, c),
                                         abi.encodePacked(pub));
        (bool ok, bytes memory ret) = verifier.staticcall(data);
        return ok && ret.length == 32 && abi.decode(ret, (uint256)) == 1;
    }

    /// @notice Reverts with the custom error `err(expected, got)` unless got == expected.
    function expect(uint256 got, uint256 expected, bytes4 err) internal pure {
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
}
