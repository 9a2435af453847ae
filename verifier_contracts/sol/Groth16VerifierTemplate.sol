// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Groth16 verifier (BN254) whose verifying key is data appended to its own code.
/// @notice One compiled template serves every key, so deploying needs no compiler:
///   creation code = Groth16VerifierDeployer bytecode ++ abi.encode(bytes key).
///   The deployed code is this runtime followed by the key blob, read with CODECOPY.
///
/// External interface (served by the fallback, snarkjs-compatible):
///   verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[N] pub) returns (bool)
///     (its selector depends on N and is stored in the key blob)
///   vkHash() returns (bytes32)  keccak256 of the key section (IC .. N below)
///   nPublic() returns (uint256)
/// Errors: PrecompileFailed(uint256 precompile) (0x00a48593),
///         BadCalldataLength(uint256 got, uint256 expected) (0xd8bac5fd),
///         UnknownSelector(bytes4) (0xc2a825f5).
///
/// Key blob (32-byte big-endian words, G2 as x.c1, x.c0, y.c1, y.c0), all hashed by vkHash:
///   IC[0..N] (x, y) | delta | gamma | alpha (x, y) | beta | (selector << 32 | N)
///
/// Checks: every public input < r, every proof coordinate < q, A and C on the curve and
/// B on the twist (so malformed points return false without burning the call's gas; the
/// pairing precompile checks the subgroup), every precompile's success flag and return
/// size. A failing ecMul/ecAdd (out of gas, missing precompile) reverts; a failing
/// pairing call returns false; nothing but a pairing result of exactly 1 returns true.
contract Groth16VerifierTemplate {
    /// BN254 scalar field modulus r and base field modulus q.
    uint256 internal constant R =
        0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    uint256 internal constant Q =
        0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// Twist coefficient b' = 3 / (9 + u) = B0 + B1 u; QB0 = q + B0 (folds "+ b'" into a sub).
    uint256 internal constant QB0 =
        0x5b78ebb3afea4ad83a0e5e4f9d61c3214d363076c24dba306e8872f2fd1e362c;
    uint256 internal constant B1 =
        0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2;

    fallback() external {
        assembly {
            function fail(precompile) {
                mstore(0, shl(224, 0x00a48593))
                mstore(4, precompile)
                revert(0, 36)
            }

            // Last code word: selector (bits 32..63) and N (bits 0..31).
            codecopy(0, sub(codesize(), 32), 32)
            let last := mload(0)
            let n := and(last, 0xffffffff)
            let keyLen := shl(5, add(shl(1, n), 17))
            let keyOff := sub(codesize(), keyLen)
            let sel := shr(224, calldataload(0))

            if eq(sel, shr(32, last)) {
                let expected := add(0x104, shl(5, n))
                if iszero(eq(calldatasize(), expected)) {
                    mstore(0, shl(224, 0xd8bac5fd))
                    mstore(4, calldatasize())
                    mstore(36, expected)
                    revert(0, 68)
                }
                // Calldata: A at 0x04, B at 0x44 (x.c1, x.c0, y.c1, y.c0), C at 0xc4,
                // public inputs from 0x104. Every coordinate < q, then on-curve checks.
                let ax := calldataload(0x04)
                let ay := calldataload(0x24)
                let ok := and(lt(ax, Q), lt(ay, Q))
                // A on y^2 = x^3 + 3.
                ok := and(ok, eq(mulmod(ay, ay, Q), addmod(mulmod(ax, mulmod(ax, ax, Q), Q), 3, Q)))
                {
                    let cx := calldataload(0xc4)
                    let cy := calldataload(0xe4)
                    ok := and(ok, and(lt(cx, Q), lt(cy, Q)))
                    ok := and(ok, eq(mulmod(cy, cy, Q), addmod(mulmod(cx, mulmod(cx, cx, Q), Q), 3, Q)))
                }
                {
                    // B on the twist y^2 = x^3 + b' over Fq2 (u^2 = -1), x = x0 + x1 u.
                    let x1 := calldataload(0x44)
                    let x0 := calldataload(0x64)
                    let y1 := calldataload(0x84)
                    let y0 := calldataload(0xa4)
                    ok := and(ok, and(and(lt(x1, Q), lt(x0, Q)), and(lt(y1, Q), lt(y0, Q))))
                    // x^2 = s0 + s1 u, with s0 = (x0 + x1)(x0 - x1), s1 = 2 x0 x1.
                    let s0 := mulmod(add(x0, x1), add(x0, sub(Q, x1)), Q)
                    let s1 := mulmod(add(x0, x0), x1, Q)
                    // Re: (y0 + y1)(y0 - y1) == s0 x0 - s1 x1 + B0.
                    ok := and(ok, eq(mulmod(add(y0, y1), add(y0, sub(Q, y1)), Q),
                                     addmod(mulmod(s0, x0, Q), sub(QB0, mulmod(s1, x1, Q)), Q)))
                    // Im: 2 y0 y1 == s0 x1 + s1 x0 + B1.
                    ok := and(ok, eq(mulmod(add(y0, y0), y1, Q),
                                     addmod(mulmod(s0, x1, Q), add(mulmod(s1, x0, Q), B1), Q)))
                }
                if iszero(ok) {
                    mstore(0, 0)
                    return(0, 32)
                }

                // Pairing input at 0x80: (-A, B) (C, delta) (vk_x, gamma) (alpha, beta).
                mstore(0x80, ax)
                mstore(0xa0, sub(Q, ay))
                calldatacopy(0xc0, 0x44, 192)

                // vk_x = IC0 + sum pub_i * IC_i, accumulated at 0x200; ecMul scratch at 0x240.
                let ic := keyOff
                codecopy(0x200, ic, 64)
                for { let at := 0x104 } lt(at, expected) { at := add(at, 32) } {
                    ic := add(ic, 64)
                    let s := calldataload(at)
                    if iszero(lt(s, R)) {
                        mstore(0, 0)
                        return(0, 32)
                    }
                    if s {
                        codecopy(0x240, ic, 64)
                        mstore(0x280, s)
                        let okMul := staticcall(gas(), 7, 0x240, 96, 0x240, 64)
                        if iszero(and(okMul, eq(returndatasize(), 64))) { fail(7) }
                        let okAdd := staticcall(gas(), 6, 0x200, 128, 0x200, 64)
                        if iszero(and(okAdd, eq(returndatasize(), 64))) { fail(6) }
                    }
                }

                // delta follows the IC points in the key; gamma, alpha, beta follow delta.
                codecopy(0x180, add(ic, 64), 128)
                codecopy(0x240, add(ic, 192), 320)
                let okPair := staticcall(gas(), 8, 0x80, 768, 0, 32)
                if iszero(okPair) {
                    mstore(0, 0)
                    return(0, 32)
                }
                if iszero(eq(returndatasize(), 32)) { fail(8) }
                mstore(0, eq(mload(0), 1))
                return(0, 32)
            }
            if eq(sel, 0x4fe840f5) {
                codecopy(0x80, keyOff, keyLen)
                mstore(0, keccak256(0x80, keyLen))
                return(0, 32)
            }
            if eq(sel, 0x3a37922a) {
                mstore(0, n)
                return(0, 32)
            }
            mstore(0, shl(224, 0xc2a825f5))
            mstore(4, shl(224, sel))
            revert(0, 36)
        }
    }
}

/// @title Deploys Groth16VerifierTemplate with a verifying key appended to its code.
/// @notice constructor(bytes key): key is the blob described above; its length must be
///   32 * (2N + 17) bytes where N (1..1024) is the low 32 bits of its last word.
contract Groth16VerifierDeployer {
    error BadKey();

    constructor(bytes memory key) {
        uint256 len = key.length;
        if (len < 64 || len % 32 != 0) revert BadKey();
        uint256 n;
        assembly {
            n := and(mload(add(key, len)), 0xffffffff)
        }
        if (n == 0 || n > 1024 || len != 32 * (2 * n + 17)) revert BadKey();
        bytes memory code = abi.encodePacked(type(Groth16VerifierTemplate).runtimeCode, key);
        assembly {
            return(add(code, 32), mload(code))
        }
    }
}
