"""ReservesRegistry from Python: deploy from the two Statements, exchanges, reserve
addresses (EIP-712 ownership signatures), attested reserves, top and batch proofs, reads.

The registry holds two verifiers: the top one (ReservesTop) and the batch one
(ReservesBatch). Every public-input index it uses comes from the circuits' Statements
(`top_layout`, `batch_layout`); the constructor checks each key id
`keccak256(vkHash || statementHash)` against its verifier, as the SolvencyRegistry's proof
modules do.

Reserve ownership: each reserve address signs the EIP-712 message
`ReserveOwnership(address exchange, address reserve, uint64 epoch)` under the domain
`{name: "ReservesRegistry", version: "1", chainId, verifyingContract: registry}`
(`ownership_typed_data`, `sign_ownership`); contract wallets answer through EIP-1271.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_utils import to_checksum_address

from verifier_contracts.abi import deploy_code, encode_fn, read_fn, role_id, send_fn
from verifier_contracts.calldata import Proof, proof_args
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState, deploy_step
from verifier_contracts.verifier import check_verifier
from verifier_contracts.vk import key_id, production_key
from zk.errors import MalformedInput
from zk.field import R
from zk.statement import Statement

CONTRACT = "ReservesRegistry"
ETH, ERC20, OFFCHAIN = 0, 1, 2
HOLDINGS = {"eth": ETH, "erc20": ERC20, "offchain": OFFCHAIN}
RESERVE_ATTESTER_ROLE = "RESERVE_ATTESTER_ROLE"
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
DEFAULT_MIN_RATIO_BPS = 10000
DEFAULT_MAX_RESERVE_ADDRESSES = 32
MAX_RESERVE_ADDRESSES = 256
EIP712_NAME, EIP712_VERSION = "ReservesRegistry", "1"
ZERO = "0x" + "00" * 20

#: Contract layout field -> Statement input name (None: a count). Order = the ABI struct.
TOP_FIELDS: dict[str, str | None] = {
    "numPublic": None, "nAssets": None, "batchChain": "batch_chain",
    "nBatches": "n_batches", "root": "root", "liabilities": "liabilities",
    "assetCommitment": "asset_commitment", "epoch": "epoch", "chainId": "chain_id",
    "registry": "registry", "exchange": "exchange",
}
BATCH_FIELDS: dict[str, str | None] = {
    "numPublic": None, "nAssets": None, "index": "index", "prevLink": "prev_link",
    "nextLink": "next_link", "batchRoot": "batch_root", "sums": "sums",
}
_ARRAYS = {"liabilities", "sums"}


def _layout(statement: Statement, fields: dict[str, str | None], array: str) -> dict[str, int]:
    if not isinstance(statement, Statement):
        raise MalformedInput("reserves registry layout: expected a zk.statement.Statement")
    have = {i.name: i for i in statement.inputs}
    names = [n for n in fields.values() if n]
    missing = [n for n in names if n not in have]
    if missing:
        raise MalformedInput(f"statement of {statement.circuit} lacks public input(s) "
                             f"{', '.join(missing)} needed by a ReservesRegistry")
    for name in names:
        want = 1 if name in _ARRAYS else 0
        if len(have[name].shape) != want:
            raise MalformedInput(f"statement of {statement.circuit}: input '{name}' must be "
                                 f"{'a 1-D array' if want else 'a scalar'}")
    pos = statement.layout()
    out = {"numPublic": statement.num_public, "nAssets": have[array].size}
    out.update({f: pos[n] for f, n in fields.items() if n})
    return out


def top_layout(statement: Statement) -> dict[str, int]:
    """The contract's TopLayout (field -> first index) for a ReservesTop statement."""
    return _layout(statement, TOP_FIELDS, "liabilities")


def batch_layout(statement: Statement) -> dict[str, int]:
    """The contract's BatchLayout (field -> first index) for a ReservesBatch statement."""
    return _layout(statement, BATCH_FIELDS, "sums")


@dataclass(frozen=True)
class KeyRef:
    """A deployed verifier with its verifying key and the Statement its inputs follow."""

    verifier: str
    vk: object
    statement: Statement


def _key_tuple(chain: Chain, ref: KeyRef, dev_keys: bool) -> tuple:
    key = production_key(ref.vk, dev_keys)
    if key.n_public != ref.statement.num_public:
        raise MalformedInput(f"verification key has {key.n_public} public inputs; the "
                             f"statement of {ref.statement.circuit} has "
                             f"{ref.statement.num_public}")
    check_verifier(chain, ref.verifier, key)
    return (to_checksum_address(ref.verifier), key_id(key, ref.statement),
            ref.statement.hash())


def deploy_reserves_registry(chain: Chain, top: KeyRef, batch: KeyRef, *,
                             min_ratio_bps: int = DEFAULT_MIN_RATIO_BPS,
                             max_reserve_addresses: int = DEFAULT_MAX_RESERVE_ADDRESSES,
                             attester_registry: str | None = None, admin: str | None = None,
                             admin_delay: int = DEFAULT_ADMIN_DELAY, dev_keys: bool = False,
                             state: DeployState | None = None) -> str:
    """Deploy a ReservesRegistry over the top and batch verifiers; return its address.

    Layouts, key ids and statement hashes come from the Statements and keys; each
    verifier's code is checked against its key, and development keys are refused unless
    `dev_keys`. Without `attester_registry` only on-chain balances count.
    """
    tl, bl = top_layout(top.statement), batch_layout(batch.statement)
    if tl["nAssets"] != bl["nAssets"]:
        raise MalformedInput(f"top statement has {tl['nAssets']} assets, batch statement "
                             f"{bl['nAssets']}")
    if not 1 <= max_reserve_addresses <= MAX_RESERVE_ADDRESSES:
        raise MalformedInput(f"max reserve addresses must be 1..{MAX_RESERVE_ADDRESSES}")
    if not 10000 <= min_ratio_bps < R:
        raise MalformedInput("minimum ratio must be at least 10000 bps (100%)")
    cfg = (admin_delay, to_checksum_address(admin or chain.address),
           to_checksum_address(attester_registry or ZERO), min_ratio_bps,
           max_reserve_addresses)
    args = [_key_tuple(chain, top, dev_keys), tuple(tl[f] for f in TOP_FIELDS),
            _key_tuple(chain, batch, dev_keys), tuple(bl[f] for f in BATCH_FIELDS), cfg]
    code = deploy_code(CONTRACT, args)
    return deploy_step(chain, "reserves_registry", code, state)


def read(chain: Chain, registry: str, name: str, *args):
    """Call a ReservesRegistry view; a single output is returned unwrapped."""
    return read_fn(chain, CONTRACT, to_checksum_address(registry), name, *args)


def encode_call(name: str, args: list) -> bytes:
    return encode_fn(CONTRACT, name, args)


# ---- exchanges, assets, reserve addresses -----------------------------------------------

def register_exchange(chain: Chain, registry: str, ratio_bps: int) -> dict:
    """Register this account as an exchange whose reserves must cover liabilities x
    ratio_bps / 10000."""
    return send_fn(chain, CONTRACT, to_checksum_address(registry), "registerExchange", ratio_bps)


@dataclass(frozen=True)
class AssetMapping:
    """Asset i of the committed list: its name element and decimals (as hashed into the
    asset commitment) and where it is held (ETH, an ERC-20 token, or OFFCHAIN)."""

    name: int
    decimals: int
    holding: int
    token: str = ZERO

    def as_tuple(self) -> tuple:
        if self.holding not in HOLDINGS.values():
            raise MalformedInput(f"asset mapping: unknown holding {self.holding!r}")
        if self.holding != ERC20 and int(self.token, 16) != 0:
            raise MalformedInput("asset mapping: a token address is only for ERC-20 assets")
        return (self.name, self.decimals, self.holding, to_checksum_address(self.token))


def set_assets(chain: Chain, registry: str, assets: list[AssetMapping],
               asset_commitment: int) -> dict:
    """Declare this exchange's asset list (in committed order) and its asset commitment.
    The contract reads each ERC-20's decimals() (18 for ETH) and converts balances to the
    asset's base units, rounding down."""
    return send_fn(chain, CONTRACT, to_checksum_address(registry), "setAssets",
                   [a.as_tuple() for a in assets], asset_commitment)


def list_asset(chain: Chain, registry: str, name: int, holding: int, token: str = ZERO, *,
               listed: bool = True) -> dict:
    """Admin: asset `name` (its field element) is held on this chain as ETH or as `token`
    (the one ERC-20 that is that asset); exchanges may map it on-chain only to this."""
    if holding not in (ETH, ERC20) or (holding == ETH) != (int(token, 16) == 0):
        raise MalformedInput("list asset: ETH without a token, or ERC-20 with its token")
    return send_fn(chain, CONTRACT, to_checksum_address(registry), "listAsset", name,
                   holding, to_checksum_address(token), listed)


def ownership_typed_data(chain_id: int, registry: str, exchange: str, reserve: str,
                         epoch: int) -> dict:
    """The EIP-712 message a reserve address signs (eth_account `full_message` form)."""
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"},
                             {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
            "ReserveOwnership": [{"name": "exchange", "type": "address"},
                                 {"name": "reserve", "type": "address"},
                                 {"name": "epoch", "type": "uint64"}],
        },
        "primaryType": "ReserveOwnership",
        "domain": {"name": EIP712_NAME, "version": EIP712_VERSION, "chainId": chain_id,
                   "verifyingContract": to_checksum_address(registry)},
        "message": {"exchange": to_checksum_address(exchange),
                    "reserve": to_checksum_address(reserve), "epoch": epoch},
    }


def ownership_digest(chain_id: int, registry: str, exchange: str, reserve: str,
                     epoch: int) -> bytes:
    """The 32-byte EIP-712 digest of the ownership message (what ECDSA signs)."""
    from eth_account.messages import encode_typed_data
    from eth_utils import keccak

    msg = encode_typed_data(full_message=ownership_typed_data(chain_id, registry, exchange,
                                                              reserve, epoch))
    return keccak(b"\x19" + msg.version + msg.header + msg.body)


def sign_ownership(signer, chain_id: int, registry: str, exchange: str, epoch: int, *,
                   reserve: str | None = None) -> bytes:
    """65-byte signature (r || s || v, low s) by `signer` (a private key or an eth_account
    LocalAccount) that its address (or, for a contract wallet it owns, `reserve`) holds
    reserves of `exchange` for `epoch`."""
    acct = signer if hasattr(signer, "sign_typed_data") else Account.from_key(signer)
    data = ownership_typed_data(chain_id, registry, exchange, reserve or acct.address, epoch)
    return bytes(acct.sign_typed_data(full_message=data).signature)


def register_reserve(chain: Chain, registry: str, epoch: int, reserve: str,
                     signature: bytes) -> dict:
    """Exchange: register `reserve` for `epoch` with its ownership signature."""
    return send_fn(chain, CONTRACT, to_checksum_address(registry), "registerReserve", epoch,
                   to_checksum_address(reserve), bytes(signature))


def grant_reserve_attester(chain: Chain, attester_registry: str, account: str) -> dict:
    """AttesterRegistry default admin: let `account` record attested (off-chain) reserves."""
    return send_fn(chain, "AttesterRegistry", attester_registry, "grantRole",
                   role_id(RESERVE_ATTESTER_ROLE), to_checksum_address(account))


def revoke_reserve_attester(chain: Chain, attester_registry: str, account: str) -> dict:
    """AttesterRegistry default admin: withdraw every attested amount `account` recorded."""
    return send_fn(chain, "AttesterRegistry", attester_registry, "revokeRole",
                   role_id(RESERVE_ATTESTER_ROLE), to_checksum_address(account))


def attest_reserve(chain: Chain, registry: str, exchange: str, epoch: int, asset: int,
                   amount: int, as_of: int) -> dict:
    """Reserve attester: record an ATTESTED off-chain balance of `exchange` (asset index,
    base units) counted in the coverage of `epoch`."""
    return send_fn(chain, CONTRACT, to_checksum_address(registry), "attestReserve",
                   to_checksum_address(exchange), epoch, asset, amount, as_of)


# ---- proofs -----------------------------------------------------------------------------

def submit_top(chain: Chain, registry: str, proof: dict | Proof, public: list, *,
               gas: int | None = None, preflight: bool = True) -> dict:
    """Exchange: submit the top proof. Reverts raise ContractRevert with the error and its
    values, e.g. WrongExchange(expected, got), AssetCommitmentMismatch(expected, got),
    InsufficientReserves(asset, expected, got), InvalidProof(). Without `gas` the limit
    comes from an estimate; `preflight=False` with `gas` skips the eth_call dry run."""
    a, b, c, pub = proof_args(proof, public)
    return chain.send(to_checksum_address(registry), encode_call("submitTop", [a, b, c, pub]),
                      gas=gas, preflight=preflight, action="submit top")


def submit_batch(chain: Chain, registry: str, exchange: str, epoch: int,
                 proof: dict | Proof, public: list, *, gas: int | None = None,
                 preflight: bool = True) -> dict:
    """Anyone: submit one batch proof of (exchange, epoch), highest index first; a batch
    not in the top proof's chain reverts with LinkMismatch(index, expected, got)."""
    a, b, c, pub = proof_args(proof, public)
    data = encode_call("submitBatch", [to_checksum_address(exchange), epoch, a, b, c, pub])
    return chain.send(to_checksum_address(registry), data, gas=gas, preflight=preflight,
                      action="submit batch")


def pending_batch(chain: Chain, registry: str, exchange: str, epoch: int) -> int | None:
    """Index of the next batch the registry accepts for (exchange, epoch); None if all
    are verified or there is no top proof."""
    st = epoch_of(chain, registry, exchange, epoch)
    return st["remaining"] - 1 if st["remaining"] else None


# ---- reads ------------------------------------------------------------------------------

def root_of(chain: Chain, registry: str, exchange: str, epoch: int) -> dict:
    """{root, asset_commitment, covered} of (exchange, epoch); root 0 if no top proof."""
    root, commitment, covered = read(chain, registry, "rootOf", to_checksum_address(exchange),
                                     epoch)
    return {"root": int(root), "asset_commitment": int(commitment), "covered": bool(covered)}


def is_covered(chain: Chain, registry: str, exchange: str, epoch: int) -> bool:
    return bool(read(chain, registry, "isCovered", to_checksum_address(exchange), epoch))


def epoch_of(chain: Chain, registry: str, exchange: str, epoch: int) -> dict:
    """What the top proof of (exchange, epoch) established; reserves counted at submission
    split into `on_chain` balances and `attested` (off-chain, attester-reported) amounts."""
    chain_v, n, remaining, at, ratio, liab, onchain, attested = read(
        chain, registry, "epochOf", to_checksum_address(exchange), epoch)
    return {"batch_chain": int(chain_v), "n_batches": int(n), "remaining": int(remaining),
            "submitted_at": int(at), "ratio_bps": int(ratio),
            "liabilities": [int(v) for v in liab], "on_chain": [int(v) for v in onchain],
            "attested": [int(v) for v in attested]}


def status(chain: Chain, registry: str, exchange: str, epoch: int) -> dict:
    """Everything a reader needs about (exchange, epoch): root, coverage, batches left,
    reserves (on-chain and ATTESTED apart), reserve addresses, and the asset list the
    epoch's coverage used (the one in force if there is no top proof yet), with
    `assets_match_commitment`: whether that list hashes to the epoch's asset commitment
    (the declared one before a top proof)."""
    exchange = to_checksum_address(exchange)
    registered, latest, ratio, commitment = read(chain, registry, "exchangeOf", exchange)
    out = {"registry": to_checksum_address(registry), "exchange": exchange, "epoch": epoch,
           "registered": bool(registered), "latest_epoch": int(latest),
           "ratio_bps": int(ratio), "declared_asset_commitment": int(commitment),
           "reserve_addresses": [to_checksum_address(a) for a in
                                 read(chain, registry, "reservesOf", exchange, epoch)]}
    out.update(root_of(chain, registry, exchange, epoch))
    out.update(epoch_of(chain, registry, exchange, epoch))
    proven = out["n_batches"] > 0
    assets = read(chain, registry, "epochAssetsOf" if proven else "assetsOf", exchange,
                  *((epoch,) if proven else ()))
    out["assets"] = [{"name": int(n), "decimals": int(d), "held_decimals": int(hd),
                      "holding": next(k for k, v in HOLDINGS.items() if v == h),
                      "token": to_checksum_address(t)} for n, d, hd, h, t in assets]
    want = out["asset_commitment"] if proven else int(commitment)
    out["assets_match_commitment"] = bool(assets) and \
        declared_list_commitment(out["assets"]) == want
    return out


def declared_list_commitment(assets: list[dict]) -> int:
    """Poseidon(n, name_1, decimals_1, ...) of the asset list declared on-chain: the
    contract cannot afford Poseidon, so readers check here that the names and decimals
    the coverage used are the ones the top proof's asset_commitment binds."""
    from zk.std.poseidon import poseidon_hash

    flat = [len(assets)]
    for a in assets:
        flat += [a["name"], a["decimals"]]
    return poseidon_hash(flat)
