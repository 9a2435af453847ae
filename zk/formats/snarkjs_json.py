"""snarkjs-compatible JSON: verification_key.json, proof.json, public.json.

Points are decimal strings in projective form: G1 [x, y, "1"], G2
[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]. Parsing is strict: canonical decimal
strings only, coordinates < q, every point validated, public inputs < r.

Extra fields (snarkjs ignores them): a verification key may embed the circuit's
``statement`` (zk.statement) and its ``key_id`` (0x-hex, see verifier_contracts.vk.key_id);
a proof may name the ``key_id`` it was made for (or, without a statement, ``vk_hash``).
"""
from __future__ import annotations

import re
from typing import Any

from zk import curve
from zk.backend import check_g2
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.groth16.keys import Proof, VerifyingKey, check_public_inputs
from zk.parse import canonical_int
from zk.statement import Statement

_KEY_ID = re.compile(r"0x[0-9a-f]{64}\Z")


def _num(s: Any, what: str, bound: int) -> int:
    """snarkjs numbers: canonical decimal strings (or JSON integers), < bound."""
    return canonical_int(s, what, bound, hex_ok=False)


def _list(x: Any, n: int, what: str) -> list:
    if not isinstance(x, list) or len(x) != n:
        raise MalformedInput(f"{what}: expected a list of {n}")
    return x


def g1_to_json(p: bytes) -> list[str]:
    if p == curve.G1_ZERO:
        return ["0", "1", "0"]
    x, y = curve.g1_coords(p)
    return [str(x), str(y), "1"]


def g2_to_json(p: bytes) -> list[list[str]]:
    if p == curve.G2_ZERO:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = curve.g2_coords(p)
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def g1_from_json(v: Any, what: str) -> bytes:
    v = _list(v, 3, what)
    if _num(v[2], f"{what}[2]", Q) != 1:
        raise MalformedInput(f"{what}: expected affine form with z = 1")
    p = curve.g1_from_coords(_num(v[0], f"{what}[0]", Q), _num(v[1], f"{what}[1]", Q))
    curve.check_g1(p, what)
    return p


def g2_from_json(v: Any, what: str) -> bytes:
    v = _list(v, 3, what)
    c = [_list(v[i], 2, f"{what}[{i}]") for i in range(3)]
    if (_num(c[2][0], what, Q), _num(c[2][1], what, Q)) != (1, 0):
        raise MalformedInput(f"{what}: expected affine form with z = [1, 0]")
    p = curve.g2_from_coords((_num(c[0][0], what, Q), _num(c[0][1], what, Q)),
                             (_num(c[1][0], what, Q), _num(c[1][1], what, Q)))
    check_g2(p, what)
    return p


def _keys(obj: Any, required: set[str], optional: set[str], what: str) -> dict:
    if not isinstance(obj, dict):
        raise MalformedInput(f"{what}: expected a JSON object")
    missing = required - set(obj)
    if missing:
        raise MalformedInput(f"{what}: missing {', '.join(sorted(missing))}")
    extra = set(obj) - required - optional
    if extra:
        raise MalformedInput(f"{what}: unknown key(s) {', '.join(sorted(extra))}")
    if obj.get("protocol", "groth16") != "groth16" or obj.get("curve", "bn128") != "bn128":
        raise MalformedInput(f"{what}: only protocol groth16 on curve bn128 is supported")
    return obj


def kind_of(obj: Any) -> str | None:
    """What a parsed snarkjs JSON file holds, by content: "proof" (pi_a/pi_b/pi_c),
    "public inputs" (a list), "verification key" (IC/vk_alpha_1), or None."""
    if isinstance(obj, list):
        return "public inputs"
    if isinstance(obj, dict):
        if {"pi_a", "pi_b", "pi_c"} & set(obj):
            return "proof"
        if {"IC", "vk_alpha_1"} & set(obj):
            return "verification key"
    return None


def check_roles(args: list[tuple[str, str, str, Any]]) -> None:
    """Refuse files given in the wrong order. ``args`` lists (ARGUMENT, path, expected
    kind, parsed JSON) in command-line order; the message says which argument was read
    as what and what it holds instead."""
    wrong = []
    for name, path, want, obj in args:
        got = kind_of(obj)
        if got is not None and got != want:
            article = "" if got == "public inputs" else "a "
            wrong.append(f"{name} ({path}) was read as the {want} but holds {article}{got}")
    if wrong:
        order = " ".join(name for name, _, _, _ in args)
        raise MalformedInput(f"arguments in the wrong order? {'; '.join(wrong)} (the order "
                             f"is {order}, as in snarkjs)")


def proof_to_json(proof: Proof) -> dict:
    return {"pi_a": g1_to_json(proof.a), "pi_b": g2_to_json(proof.b),
            "pi_c": g1_to_json(proof.c), "protocol": "groth16", "curve": "bn128"}


def key_id_from_json(v: Any, what: str) -> bytes:
    """A key id as written in our files: "0x" + 64 lowercase hex digits."""
    if not isinstance(v, str) or not _KEY_ID.match(v):
        raise MalformedInput(f"{what}: expected 0x followed by 64 lowercase hex digits")
    return bytes.fromhex(v[2:])


def proof_from_json(obj: Any, what: str = "proof") -> Proof:
    obj = _keys(obj, {"pi_a", "pi_b", "pi_c"}, {"protocol", "curve", "vk_hash", "key_id"},
                what)
    if "key_id" in obj:
        key_id_from_json(obj["key_id"], f"{what}.key_id")
    return Proof(g1_from_json(obj["pi_a"], f"{what}.pi_a"),
                 g2_from_json(obj["pi_b"], f"{what}.pi_b"),
                 g1_from_json(obj["pi_c"], f"{what}.pi_c"))


def public_to_json(public: list[int]) -> list[str]:
    return [str(x) for x in public]


def public_from_json(obj: Any, what: str = "public") -> list[int]:
    if not isinstance(obj, list):
        raise MalformedInput(f"{what}: expected a JSON list of decimal strings")
    vals = [_num(x, f"{what}[{i}]", R) for i, x in enumerate(obj)]
    check_public_inputs(vals, len(vals))
    return vals


def vk_to_json(vk: VerifyingKey, statement: Statement | None = None,
               key_id: bytes | None = None) -> dict:
    """snarkjs verification_key.json, plus our statement and key id when given."""
    out = {
        "protocol": "groth16", "curve": "bn128", "nPublic": vk.num_public,
        "vk_alpha_1": g1_to_json(vk.alpha_g1), "vk_beta_2": g2_to_json(vk.beta_g2),
        "vk_gamma_2": g2_to_json(vk.gamma_g2), "vk_delta_2": g2_to_json(vk.delta_g2),
        "IC": [g1_to_json(p) for p in vk.gamma_abc_g1],
        "vk_hash": vk.hash(), "development_setup": vk.development,
    }
    if statement is not None:
        if statement.num_public != vk.num_public:
            raise MalformedInput(f"statement of {statement.circuit} has "
                                 f"{statement.num_public} public inputs, the key "
                                 f"{vk.num_public}")
        out["statement"] = statement.to_json()
    if key_id is not None:
        if statement is None or len(key_id) != 32:
            raise MalformedInput("verification key: a key id needs a statement and 32 bytes")
        out["key_id"] = "0x" + key_id.hex()
    return out


def vk_extras_from_json(obj: Any, vk: VerifyingKey,
                        what: str = "verification_key") -> tuple[Statement | None,
                                                                  bytes | None]:
    """The (statement, key id) embedded in a parsed key's JSON, each None if absent."""
    st = None
    if isinstance(obj, dict) and "statement" in obj:
        st = Statement.from_json(obj["statement"], f"{what}.statement")
        if st.num_public != vk.num_public:
            raise MalformedInput(f"{what}.statement: {st.num_public} public inputs, the key "
                                 f"has {vk.num_public}")
    kid = None
    if isinstance(obj, dict) and "key_id" in obj:
        kid = key_id_from_json(obj["key_id"], f"{what}.key_id")
    return st, kid


def vk_from_json(obj: Any, what: str = "verification_key") -> VerifyingKey:
    obj = _keys(obj, {"vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"},
                {"protocol", "curve", "nPublic", "vk_alphabeta_12", "vk_hash",
                 "development_setup", "statement", "key_id"}, what)
    ic = obj["IC"]
    if not isinstance(ic, list) or not ic or len(ic) > 1 << 20:
        raise MalformedInput(f"{what}.IC: expected a non-empty list of G1 points")
    vk = VerifyingKey(g1_from_json(obj["vk_alpha_1"], f"{what}.vk_alpha_1"),
                      g2_from_json(obj["vk_beta_2"], f"{what}.vk_beta_2"),
                      g2_from_json(obj["vk_gamma_2"], f"{what}.vk_gamma_2"),
                      g2_from_json(obj["vk_delta_2"], f"{what}.vk_delta_2"),
                      [g1_from_json(p, f"{what}.IC[{i}]") for i, p in enumerate(ic)],
                      development=bool(obj.get("development_setup", False)))
    if "nPublic" in obj and obj["nPublic"] != vk.num_public:
        raise MalformedInput(f"{what}: nPublic = {obj['nPublic']} but IC has "
                             f"{len(ic)} points (expected nPublic + 1)")
    if "vk_hash" in obj and obj["vk_hash"] != vk.hash():
        raise MalformedInput(f"{what}: vk_hash does not match the key's content")
    vk.validate()
    vk_extras_from_json(obj, vk, what)
    return vk
