"""``zksolvency reserves registry ...``: the on-chain side of the sharded proof of reserves.

deploy (verifiers + ReservesRegistry) -> register-exchange -> set-assets -> per epoch:
sign-ownership (by each reserve address) and add-address, optionally attest (an attester,
off-chain reserves), `reserves prove --registry ...`, submit OUT -> status; users run
`reserves verify-inclusion FILE --rpc-url URL` (reads rootOf).
Chain libraries load only when one of these commands runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from prover.chainopts import ChainContext, chain_options
from prover.cliparams import INT
from prover.output import JSON_OPTION, emit
from zk import atomic
from zk.errors import EXIT_CLAIM, MalformedInput
from zk.field import R
from zk.parse import canonical_int

REGISTRY = click.argument("registry")
EPOCH = click.option("--epoch", type=INT, required=True, help="Epoch (as in the top proof).")


def _rr():
    from verifier_contracts import reserves_registry

    return reserves_registry


@click.group("registry")
def registry() -> None:
    """ReservesRegistry: deploy, exchanges, reserve addresses, submit proofs, status."""


def _at(chain: ChainContext, registry: str) -> str:
    """REGISTRY, checked to hold a ReservesRegistry (one line and exit 2 otherwise)."""
    return chain.contract(registry, "REGISTRY", "ReservesRegistry")

@registry.command("deploy")
@click.option("--top-keys", required=True, type=click.Path(exists=True),
              help="The top key folder (from `reserves setup`) or its verification_key.json.")
@click.option("--batch-keys", required=True, type=click.Path(exists=True),
              help="The batch key folder or its verification_key.json.")
@click.option("--min-ratio-bps", type=INT, default=10000, show_default=True,
              help="Lowest coverage ratio an exchange may register with (10000 = 100%).")
@click.option("--max-addresses", type=INT, default=32, show_default=True,
              help="Reserve addresses per exchange and epoch, at most (1..256).")
@click.option("--attesters", default=None,
              help="AttesterRegistry whose RESERVE_ATTESTER_ROLE may record attested "
                   "off-chain reserves (default: none, on-chain balances only).")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=2 * 24 * 3600, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--dev-keys", is_flag=True,
              help="Allow keys from a development setup (test deployments only).")
@chain_options(write=True)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
@JSON_OPTION
def deploy_cmd(top_keys, batch_keys, min_ratio_bps, max_addresses, attesters, admin,
               admin_delay, dev_keys, chain: ChainContext, state_file) -> None:
    """Deploy the top and batch verifiers and a ReservesRegistry over them."""
    from prover import workflow
    from verifier_contracts import DeployState, deploy_verifier

    rr = _rr()
    refs = {}
    c = chain.connect()
    state = DeployState(state_file) if state_file else None
    for name, where in (("top", top_keys), ("batch", batch_keys)):
        vk, st = workflow.read_vk(workflow.vk_file(where))
        if st is None:
            raise MalformedInput(f"{where}: the verification key carries no Statement")
        sub = DeployState(f"{state_file}.{name}") if state_file else None
        refs[name] = rr.KeyRef(deploy_verifier(c, vk, state=sub), vk, st)
    reg = rr.deploy_reserves_registry(
        c, refs["top"], refs["batch"], min_ratio_bps=min_ratio_bps,
        max_reserve_addresses=max_addresses,
        attester_registry=chain.address(attesters, "--attesters") if attesters else None,
        admin=chain.address(admin, "--admin") if admin else None, admin_delay=admin_delay,
        dev_keys=dev_keys, state=state)
    emit({"registry": reg, "top_verifier": refs["top"].verifier,
          "batch_verifier": refs["batch"].verifier},
         f"ReservesRegistry {reg}\ntop verifier {refs['top'].verifier}\n"
         f"batch verifier {refs['batch'].verifier}")


@registry.command("list-asset")
@REGISTRY
@click.option("--asset", required=True, help="Asset name, as in the asset lists (USDC).")
@click.option("--hold", "where", required=True, metavar="eth|erc20:0xTOKEN",
              help="How this asset is held on this chain.")
@click.option("--unlist", is_flag=True, help="Withdraw the listing.")
@chain_options(write=True)
@JSON_OPTION
def list_asset_cmd(registry, asset, where, unlist, chain: ChainContext) -> None:
    """Admin: list the ETH or ERC-20 token that IS an asset on this chain (exchanges can
    map an asset on-chain only to its listing)."""
    from circuits.reserves_batch import asset_name_element

    rr = _rr()
    kind, _, token = where.partition(":")
    if kind not in ("eth", "erc20") or (kind == "erc20") != bool(token):
        raise MalformedInput(f"--hold {where}: expected eth or erc20:0xTOKEN")
    token = chain.address(token, "--hold") if token else rr.ZERO
    rr.list_asset(chain.connect(), chain.address(registry, "REGISTRY"),
                  asset_name_element(asset), rr.HOLDINGS[kind], token, listed=not unlist)
    emit({"asset": asset, "holding": kind, "token": token, "listed": not unlist},
         f"{asset}: {'unlisted' if unlist else 'held as ' + where}")


@registry.command("register-exchange")
@REGISTRY
@click.option("--ratio-bps", type=INT, required=True,
              help="Reserves must cover liabilities x this / 10000.")
@chain_options(write=True)
@JSON_OPTION
def register_exchange_cmd(registry, ratio_bps, chain: ChainContext) -> None:
    """Register the signing account as an exchange."""
    c = chain.connect()
    _rr().register_exchange(c, _at(chain, registry), ratio_bps)
    emit({"exchange": c.address, "ratio_bps": ratio_bps},
         f"exchange {c.address} registered (ratio {ratio_bps} bps)")


def _holdings(pairs: tuple[str, ...], assets, chain: ChainContext) -> list:
    """--hold ASSET=eth|erc20:0xTOKEN|offchain for every asset of the list, in its order."""
    from circuits.reserves_batch import asset_name_element

    rr = _rr()
    given: dict[str, tuple[int, str]] = {}
    for p in pairs:
        name, sep, where = p.partition("=")
        kind, _, token = where.partition(":")
        if not sep or kind not in rr.HOLDINGS or (kind == "erc20") != bool(token):
            raise MalformedInput(f"--hold {p}: expected ASSET=eth, ASSET=erc20:0xTOKEN or "
                                 "ASSET=offchain")
        if name not in assets.assets or name in given:
            raise MalformedInput(f"--hold {p}: {name!r} is not an asset of the list, or "
                                 "is given twice")
        given[name] = (rr.HOLDINGS[kind], chain.address(token, f"--hold {name}")
                       if token else rr.ZERO)
    missing = [a for a in assets.assets if a not in given]
    if missing:
        raise MalformedInput(f"--hold: say where {', '.join(missing)} is held")
    return [rr.AssetMapping(asset_name_element(a), d, *given[a])
            for a, d in zip(assets.assets, assets.decimals, strict=True)]


@registry.command("set-assets")
@REGISTRY
@click.option("--assets", "assets_path", required=True, type=click.Path(dir_okay=False),
              help="The public asset list (as given to `reserves prove`).")
@click.option("--hold", "holds", multiple=True, metavar="ASSET=WHERE",
              help="Where an asset is held: eth, erc20:0xTOKEN or offchain (attested "
                   "only); one per asset.")
@chain_options(write=True)
@JSON_OPTION
def set_assets_cmd(registry, assets_path, holds, chain: ChainContext) -> None:
    """Declare the exchange's asset list, its commitment, and where each asset is held."""
    from prover import reserves as lib

    assets = lib.load_assets(assets_path)
    mapping = _holdings(holds, assets, chain)
    c = chain.connect()
    _rr().set_assets(c, _at(chain, registry), mapping, assets.commitment())
    emit({"asset_commitment": str(assets.commitment())},
         f"asset list of {len(mapping)} assets declared (commitment "
         f"{hex(assets.commitment())[:18]}...)")


@registry.command("sign-ownership")
@REGISTRY
@click.option("--exchange", required=True, help="The exchange the address belongs to.")
@EPOCH
@click.option("--reserve", default=None,
              help="A contract wallet (EIP-1271) the signing key controls [default: the "
                   "signing key's own address].")
@chain_options(write=True)
@JSON_OPTION
def sign_ownership_cmd(registry, exchange, epoch, reserve, chain: ChainContext) -> None:
    """Sign, with the reserve address's key, that it holds the exchange's reserves for
    EPOCH (EIP-712, bound to this chain and registry). Sends nothing."""
    rr = _rr()
    c = chain.connect()
    reserve = chain.address(reserve, "--reserve") if reserve else c.address
    sig = rr.sign_ownership(c.account, c.chain_id, _at(chain, registry),
                            chain.address(exchange, "--exchange"), epoch, reserve=reserve)
    emit({"reserve": reserve, "signature": "0x" + sig.hex()}, "0x" + sig.hex())


@registry.command("add-address")
@REGISTRY
@EPOCH
@click.option("--reserve", required=True, help="The reserve address.")
@click.option("--signature", required=True, help="Its ownership signature (0x hex).")
@chain_options(write=True)
@JSON_OPTION
def add_address_cmd(registry, epoch, reserve, signature, chain: ChainContext) -> None:
    """Exchange: register a reserve address for EPOCH with its ownership signature."""
    try:
        sig = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raise MalformedInput("--signature: not hex") from None
    c = chain.connect()
    reserve = chain.address(reserve, "--reserve")
    _rr().register_reserve(c, _at(chain, registry), epoch, reserve, sig)
    emit({"reserve": reserve, "epoch": epoch}, f"{reserve} registered for epoch {epoch}")


@registry.command("attest")
@REGISTRY
@click.option("--exchange", required=True, help="The exchange whose custodian holds it.")
@EPOCH
@click.option("--asset", "asset_index", type=INT, required=True,
              help="Asset index in the committed list (0-based).")
@click.option("--amount", type=INT, required=True,
              help="ATTESTED off-chain balance, in the asset's base units.")
@click.option("--as-of", type=INT, required=True, help="Unix time of the balance.")
@chain_options(write=True)
@JSON_OPTION
def attest_cmd(registry, exchange, epoch, asset_index, amount, as_of,
               chain: ChainContext) -> None:
    """Reserve attester: record an ATTESTED off-chain balance counted for EPOCH."""
    c = chain.connect()
    _rr().attest_reserve(c, _at(chain, registry),
                         chain.address(exchange, "--exchange"), epoch, asset_index, amount,
                         as_of)
    emit({"asset": asset_index, "attested": amount},
         f"attested {amount} base units of asset {asset_index} (off-chain, ATTESTED)")


def _run(out: Path) -> dict:
    man = atomic.read_json(out / "run.json")
    st = man.get("statement") if isinstance(man, dict) else None
    if not isinstance(st, dict) or not isinstance(man.get("batches"), list):
        raise MalformedInput(f"{out / 'run.json'}: not the manifest of `reserves prove`")
    return man


@registry.command("submit")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--batches-only", is_flag=True,
              help="Only the batch proofs (anyone may submit them; the exchange's top "
                   "proof must be on-chain).")
@chain_options(write=True)
@JSON_OPTION
def submit_cmd(out_dir, batches_only, chain: ChainContext) -> None:
    """Submit OUT's top proof (signed by the exchange) then every batch proof not yet
    verified, last index first; resumes where the registry stands."""
    from prover import workflow
    from verifier_contracts import ContractRevert
    from zk import progress

    rr = _rr()
    out = Path(out_dir)
    man = _run(out)
    st, manifest = man["statement"], out / "run.json"
    reg, exchange, epoch = (chain.contract(st["registry"], "statement registry",
                                           "ReservesRegistry"),
                            chain.address(st["exchange"], "statement exchange"),
                            canonical_int(st.get("epoch"), f"{manifest}: statement.epoch",
                                          1 << 64))
    chain_id = canonical_int(st.get("chain_id"), f"{manifest}: statement.chain_id", 1 << 64)
    c = chain.connect()
    if c.chain_id != chain_id:
        raise MalformedInput(f"{out_dir} is bound to chain {st['chain_id']}, the node is "
                             f"on chain {c.chain_id}")
    gas = {}
    if rr.epoch_of(c, reg, exchange, epoch)["n_batches"] == 0:
        if batches_only:
            raise MalformedInput(f"no top proof of {exchange} for epoch {epoch} on-chain yet")
        public = workflow.read_public(out / "top" / "public.json")
        proof = atomic.read_json(out / "top" / "proof.json")
        try:
            gas["top"] = int(rr.submit_top(c, reg, proof, public)["gasUsed"])
        except ContractRevert as exc:
            if exc.name != "InsufficientReserves" or len(exc.args_) != 3:
                raise
            i, want, got = exc.args_
            name = man["assets"][i] if i < len(man.get("assets", [])) else f"asset {i}"
            emit({"covered": False, "insufficient": {"asset": name, "expected": str(want),
                                                     "got": str(got)}},
                 f"NOT covered: {name} reserves {got} < {want} required (base units); "
                 "nothing was recorded")
            sys.exit(EXIT_CLAIM)
    pending = rr.pending_batch(c, reg, exchange, epoch)
    if pending is not None:
        bar = progress.bar("batch proofs on-chain", pending + 1)
        for k in range(pending, -1, -1):
            entry = man["batches"][k]
            path = out / entry["file"]
            b = atomic.read_json(path)
            public = b.get("public") if isinstance(b, dict) else None
            if not isinstance(public, list):
                raise MalformedInput(f"{path}: expected a batch result with a 'public' list")
            public = [canonical_int(v, f"{path}: public[{i}]", R) for i, v in enumerate(public)]
            gas[f"batch {k}"] = int(rr.submit_batch(
                c, reg, exchange, epoch, b["proof"], public)["gasUsed"])
            bar.advance(1)
    covered = rr.is_covered(c, reg, exchange, epoch)
    emit({"covered": covered, "gas": gas},
         "\n".join(f"{k}: gas {v}" for k, v in gas.items())
         + f"\nepoch {epoch} of {exchange}: {'covered' if covered else 'NOT covered'}")
    if not covered:
        sys.exit(EXIT_CLAIM)


@registry.command("status")
@REGISTRY
@click.option("--exchange", required=True, help="The exchange.")
@EPOCH
@chain_options(write=False)
@JSON_OPTION
def status_cmd(registry, exchange, epoch, chain: ChainContext) -> None:
    """Root, coverage, batches left and reserves (on-chain and ATTESTED apart); exit 1
    when the epoch is not covered or the declared asset list does not match its
    commitment."""
    c = chain.connect()
    s = _rr().status(c, _at(chain, registry),
                     chain.address(exchange, "--exchange"), epoch)
    text = [f"exchange {s['exchange']} epoch {epoch}: "
            f"{'COVERED' if s['covered'] else 'NOT covered'}",
            f"root {s['root']}", f"asset commitment {s['asset_commitment']}",
            f"batches verified {s['n_batches'] - s['remaining']} of {s['n_batches']}",
            f"ratio {s['ratio_bps']} bps, reserve addresses {len(s['reserve_addresses'])}"]
    for i, liab in enumerate(s["liabilities"]):
        text.append(f"asset {i}: liabilities {liab}, on-chain {s['on_chain'][i]}, "
                    f"ATTESTED off-chain {s['attested'][i]}")
    if not s["assets_match_commitment"]:
        text.append("WARNING: the asset list declared on-chain does not hash to the declared "
                    "asset commitment: coverage was computed with other names or decimals "
                    "than the proof commits to")
    emit({k: str(v) if isinstance(v, int) and not isinstance(v, bool) and v > 2**53 else v
          for k, v in s.items()}, "\n".join(text))
    if not (s["covered"] and s["assets_match_commitment"]):
        sys.exit(EXIT_CLAIM)
