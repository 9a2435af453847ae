"""A user's check of their v3 inclusion file against the registered root.

Two sources for the registered root and asset-list commitment: the ``ReservesRegistry``
on-chain through ``rootOf(exchange, epoch)`` (the registry the user trusts; the epoch
must also be covered), or the top proof's statement.json and public.json (the
statement's hash must be the one the file names, and its bound chain, registry,
exchange and epoch the file's).
"""
from __future__ import annotations

from pathlib import Path

from circuits.inclusion import (
    REASON_ROOT,
    InclusionRejected,
    InclusionV3,
    check_against,
    parse_inclusion_v3,
)
from prover import flow, workflow
from prover.inputs import parse_decimal
from zk import atomic
from zk.errors import MalformedInput

MAX_INCLUSION_BYTES = 1 << 20


def read_inclusion(path: str | Path) -> InclusionV3:
    """Parse a v3 file; InclusionRejected (a MalformedInput) if its path is broken."""
    return parse_inclusion_v3(atomic.read_json(path, MAX_INCLUSION_BYTES))


def registered_from_statement(inc: InclusionV3, statement_path: str | Path,
                              public_path: str | Path) -> tuple[int, int] | str:
    """(root, asset commitment) of the top proof's files, or the reason they do not
    belong to the file's statement."""
    st = flow.read_statement(statement_path)
    if "0x" + st.hash().hex() != inc.statement["statement_hash"].lower():
        return f"{REASON_ROOT}: the statement file is not the one the inclusion file names"
    values = st.values(workflow.read_public(public_path))
    s = inc.statement
    for name, want in (("chain_id", s["chain_id"]), ("epoch", s["epoch"]),
                       ("registry", int(s["registry"], 16)),
                       ("exchange", int(s["exchange"], 16))):
        if values.get(name) != want:
            return f"{REASON_ROOT}: the statement's {name} is not the file's"
    return values["root"], values["asset_commitment"]


def registered_on_chain(chain, inc: InclusionV3,
                        registry: str | None = None) -> tuple[int, int, bool] | str:
    """(root, asset commitment, covered) from ``rootOf(exchange, epoch)`` of the
    ReservesRegistry at ``registry`` (the one the user trusts; default: the file's), or
    the reason the file cannot be checked there."""
    from eth_utils import to_checksum_address

    from verifier_contracts import reserves_registry as RR
    s = inc.statement
    if registry is not None and registry.lower() != s["registry"].lower():
        return f"{REASON_ROOT}: the file names registry {s['registry']}, not {registry}"
    cid = chain.chain_id
    if cid != s["chain_id"]:
        return f"{REASON_ROOT}: the RPC serves chain {cid}, the file is for chain " \
               f"{s['chain_id']}"
    got = RR.root_of(chain, to_checksum_address(s["registry"]), s["exchange"], s["epoch"])
    return got["root"], got["asset_commitment"], got["covered"]


def check_balances(inc: InclusionV3, expect: dict[str, str]) -> str | None:
    """The first asset whose balance in the file differs from what the user expects."""
    for asset, amount in expect.items():
        if asset not in inc.assets:
            return f"asset {asset} is not in the committed asset list"
        i = inc.assets.index(asset)
        if inc.balances[i] != parse_decimal(amount, inc.decimals[i], "--balance", asset, 64):
            return f"the tree holds a different {asset} balance than expected"
    return None


def verify_inclusion(path: str | Path, registered: tuple[int, int, bool | None] | None = None,
                     statement_path: str | Path | None = None,
                     public_path: str | Path | None = None,
                     expect: dict[str, str] | None = None, chain=None,
                     registry: str | None = None) -> tuple[bool, str]:
    """(included, reason): against ``registered`` = (root, asset commitment, covered),
    the ReservesRegistry through ``chain`` (``rootOf``; not covered is a failure), or the
    top proof's statement and public files."""
    try:
        inc = read_inclusion(path)
    except InclusionRejected as exc:
        return False, str(exc)
    if registered is None and chain is not None:
        got = registered_on_chain(chain, inc, registry)
        if isinstance(got, str):
            return False, got
        registered = got
    if registered is None:
        if statement_path is None or public_path is None:
            raise MalformedInput("give the top proof's statement and public files, or read "
                                 "the registry on-chain")
        got = registered_from_statement(inc, statement_path, public_path)
        if isinstance(got, str):
            return False, got
        registered = (*got, None)
    ok, reason = check_against(inc, *registered)
    if ok:
        bad = check_balances(inc, expect or {})
        if bad:
            return False, bad
        bal = ", ".join(f"{a} {b}" for a, b in zip(inc.assets, inc.balances, strict=True))
        return True, f"included (batch {inc.batch_index}; balances in base units: {bal}) " \
                     f"under root {hex(inc.root)[:18]}..."
    return False, reason
