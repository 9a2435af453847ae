"""`Monitor`: the solvency monitor's loop, embeddable as a library.

It keeps accounts proven on the `SolvencyRegistry`: prices, sigma, epochs and the
breaker come from its `EpochOracle` (Chainlink feeds or pushed prices), the haircuts from
its versioned policy. The registry's Python module is imported in one place (`reg` below).

Each `step()`:
1. reconcile open submission intents (first step: before anything else);
2. read the events of the epoch oracle (EpochOpened, BreakerTripped, BreakerReset) and
   of the registry (PolicySet) from the last cursor (at most `lookback` blocks back) up to
   the block `confirmations` deep, and the state at that block: the oracle's latest epoch,
   its prices and sigma, the registry's policy for that epoch (base, k, cap per
   collateral, minimum ratio) and the epoch's haircuts computed from them exactly as the
   registry does (`verifier_contracts.risk.haircut_bps`, RiskMath's mirror);
3. watch the epoch oracle (breaker trips and resets, stale feeds);
4. for every managed account whose proof is not current (a new epoch or a changed
   position), unless the oracle's breaker is tripped: load the position, pre-check it at
   the epoch's prices and haircuts, compute its margin (alert under its buffer), prove it
   with the in-memory Prover (on `provers` threads, while the proofs already made are
   submitted) and submit it, retrying RPC errors with backoff, replacing a stuck
   transaction at the same nonce with a higher fee, never submitting the same statement
   twice;
5. alert on isSolvent == false and on deadlines at risk.

An account of kind "credit" is kept proven with credit-capacity proofs instead (the
registry's `submitCredit`; a fresh one also makes `isSolvent` true): its target credit, or
the largest credit the pre-check allows minus its buffer; with a SolvencyGatedCredit
`market`, an alert when the provable credit is below what the account borrowed there.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from prover import collateral as col
from prover import credit as pcredit
from prover import flow
from prover.monitor.config import AccountConfig, MonitorConfig
from prover.monitor.margin import margin_report
from prover.monitor.sinks import Metrics, StdoutSink, WebhookSink, make_record
from prover.monitor.store import DONE, FAILED, IntentStore
from verifier_contracts import credit_market as cm
from verifier_contracts import oracle as orc
from verifier_contracts import registry as reg  # the registry module, only here
from verifier_contracts import risk
from verifier_contracts.abi import abi_type, encode_fn
from verifier_contracts.chain import Chain, connect
from verifier_contracts.revert import ContractRevert, decode_revert
from zk.errors import ChainError, MalformedInput, UsageError, ZkError

_OPENED = keccak(text="EpochOpened(uint64,uint256[],uint256[],uint64)")
_TRIPPED = keccak(text="BreakerTripped(uint8,uint256,uint256,uint256)")
_RESET = keccak(text="BreakerReset(address,uint256[])")
_POLICY = keccak(text="PolicySet(uint64,uint64,(uint64,uint64,uint64)[],uint256,bool)")
FEE_BUMP = 1.25          # replacement fee factor (nodes want >= +10 %)
RPC_RETRIES = 6
PASSWORD_ENV = "ZKSOLVENCY_KEYSTORE_PASSWORD"


@dataclass(frozen=True)
class _Job:
    """One proof to make and submit (credit: the credit to prove; None for solvency)."""

    acc: AccountConfig
    signer: Chain
    policy: col.Policy
    prices: col.Prices
    portfolio: col.Portfolio
    attestation: object
    sid: str
    epoch: int
    credit: int | None = None


class Monitor:
    """Keeps the configured accounts proven on `cfg.registry`. `chain` (optional) is a
    read connection to use instead of `cfg.rpc_url`; `sinks` callables receive every
    record (default: JSON lines on stdout, plus the webhook when configured)."""

    def __init__(self, cfg: MonitorConfig, *, chain: Chain | None = None, sinks=None,
                 env: dict | None = None):
        self.cfg = cfg
        env = os.environ if env is None else env
        if chain is None:
            if not cfg.rpc_url:
                raise UsageError("monitor: no rpc_url (set it in the chain profile)")
            url = cfg.rpc_url
            chain = self._rpc(f"connect to {url}", lambda: connect(url, key_env=None))
        self.chain = chain
        self.chain_id = int(self._rpc("read chain id", lambda: chain.w3.eth.chain_id))
        if cfg.profile is not None and cfg.profile.chain_id is not None \
                and cfg.profile.chain_id != self.chain_id:
            raise UsageError(f"monitor: the node's chain id is {self.chain_id}, the "
                             f"profile says {cfg.profile.chain_id}")
        self.registry = to_checksum_address(cfg.registry)
        shape = col.load_policy(cfg.policy)
        self.shape = replace(shape, chain_id=self.chain_id, registry=int(self.registry, 16))
        reads = self._registry_oracle()
        if cfg.oracle and to_checksum_address(cfg.oracle) != reads:
            raise UsageError(f"monitor: 'oracle' is {to_checksum_address(cfg.oracle)}, the "
                             f"registry reads the epoch oracle {reads}")
        self.oracle = reads
        self.attested = int(self._read("mode")) == reg.ATTESTED
        self.signers = {a.name: chain.with_key(_key(a, env)) for a in cfg.accounts}
        self.store = IntentStore(cfg.state)
        self.sinks = list(sinks) if sinks is not None else [StdoutSink()]
        if sinks is None and cfg.webhook is not None:
            secret = env.get(cfg.webhook.secret_env or "", "")
            if cfg.webhook.secret_env and not secret:
                raise UsageError(f"monitor: webhook secret ${cfg.webhook.secret_env} is "
                                 "not set")
            self.sinks.append(WebhookSink(cfg.webhook, secret.encode(), self._webhook_failed))
        self.metrics = Metrics(cfg.metrics) if cfg.metrics is not None else None
        self._provers: dict[bool, object] = {}      # credit? -> Prover, loaded once
        self._reconciled = False
        self._breaker: bool | None = None
        self._stale: set[int] = set()
        self._alerted: set[tuple] = set()
        self._refused: set[str] = set()      # statements the registry's preflight refused
        self._stop = False
        self.records: list[dict] = []
        self.timings: dict[str, float] = {}   # seconds spent per phase (see _timed)

    # ------------------------------------------------------------------ plumbing
    def emit(self, kind: str, type_: str, severity: str, message: str, **kw) -> dict:
        rec = make_record(kind, type_, severity, message, **kw)
        self.records.append(rec)
        for sink in self.sinks:
            sink(rec)
        return rec

    def alert(self, type_: str, severity: str, message: str, *, once: tuple | None = None,
              **kw) -> bool:
        """An alert; with `once`, only the first time that key is seen (False after)."""
        if once is not None:
            if once in self._alerted:
                return False
            self._alerted.add(once)
        self.emit("alert", type_, severity, message, **kw)
        return True

    def emit_once(self, key: tuple, type_: str, message: str, **kw) -> None:
        """An info event, the first time `key` is seen."""
        if key not in self._alerted:
            self._alerted.add(key)
            self.emit("event", type_, "info", message, **kw)

    def _webhook_failed(self, why: str) -> None:
        rec = make_record("event", "webhook_failed", "warning", f"webhook not delivered: {why}")
        self.records.append(rec)
        self.sinks[0](rec)

    @contextmanager
    def _timed(self, phase: str):
        """Add the block's wall time to `timings[phase]` (reads, load, precheck, prove,
        preflight, send, receipt): where a cycle's time goes."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - t0

    def stop(self) -> None:
        """Ask `run` to return after the current step."""
        self._stop = True

    @property
    def prover(self):
        """The in-memory Prover of solvency proofs (keys loaded on first use)."""
        return self._prover_for(False)

    def _prover_for(self, credit: bool):
        if credit not in self._provers:
            if not credit:
                self._provers[credit] = col.prover(self.shape, self.cfg.keys, self.attested)
            else:
                from prover.service import Prover

                circuit = pcredit.circuit(self.shape, self.attested)
                kind = pcredit.KIND_ATTESTED if self.attested else pcredit.KIND
                folder = flow.key_folder(self.cfg.keys, kind, circuit)
                if not flow.has_keys(folder):
                    raise MalformedInput(f"{folder}: no credit keys for this policy shape; "
                                         f"run `credit setup"
                                         f"{' --attested' if self.attested else ''}` first")
                self._provers[credit] = Prover.load(folder, circuit)
        return self._provers[credit]

    def _rpc(self, action: str, fn):
        """fn() with retries and exponential backoff on RPC errors (not on reverts)."""
        for attempt in range(RPC_RETRIES + 1):
            try:
                return fn()
            except ContractRevert:
                raise
            except ZkError as exc:
                if not isinstance(exc, ChainError):
                    raise
                if attempt == RPC_RETRIES:
                    raise
                time.sleep(min(0.1 * 2 ** attempt, 3.0))
            except Exception as exc:  # noqa: BLE001 - any transport failure is retried
                if attempt == RPC_RETRIES:
                    raise ChainError(f"{action}: {exc}") from None
                time.sleep(min(0.1 * 2 ** attempt, 3.0))
        raise AssertionError("unreachable")

    def _registry_oracle(self) -> str:
        """The epoch oracle the registry reads; UsageError when `registry` does not answer
        `oracle()` as a SolvencyRegistry does (no code there, another contract)."""
        from web3.exceptions import ContractLogicError

        data = encode_fn(reg.CONTRACT, "oracle", [])

        def call() -> bytes:
            try:
                return bytes(self.chain.w3.eth.call({"to": self.registry, "data": data}))
            except ContractLogicError:
                return b""
        raw = self._rpc("read the registry's oracle", call)
        if len(raw) != 32 or int.from_bytes(raw[:12], "big") or not int.from_bytes(raw, "big"):
            raise UsageError(f"monitor: {self.registry} is not an {reg.CONTRACT} (it does "
                             "not answer oracle() with an address)")
        return to_checksum_address(raw[12:])

    def _read(self, name: str, *args, block="latest", contract: str | None = None,
              address: str | None = None):
        from verifier_contracts.abi import _item

        contract = contract or reg.CONTRACT
        outs = [abi_type(p) for p in _item(contract, "function", name)["outputs"]]
        data = encode_fn(contract, name, list(args))
        to = to_checksum_address(address or self.registry)
        raw = self._rpc(f"read {name}", lambda: bytes(self.chain.w3.eth.call(
            {"to": to, "data": data}, block)))
        out = abi_decode(outs, raw)
        return out[0] if len(out) == 1 else out

    # ------------------------------------------------------------------ the loop
    def run(self, max_steps: int | None = None) -> None:
        """Step every poll_interval seconds until stop() (or max_steps)."""
        if self.metrics is not None and self.metrics.server is None:
            self.metrics.start()
        self.emit("event", "started", "info", f"monitoring {len(self.cfg.accounts)} "
                  f"account(s) on registry {self.registry}")
        steps = 0
        try:
            while not self._stop:
                try:
                    self.step()
                except ZkError as exc:
                    self.alert("cycle_failed", "warning", f"cycle failed: {exc}")
                steps += 1
                if max_steps is not None and steps >= max_steps:
                    break
                end = time.monotonic() + self.cfg.poll_interval
                while not self._stop and time.monotonic() < end:
                    time.sleep(min(0.1, self.cfg.poll_interval))
        finally:
            self.emit("event", "stopped", "info", "monitor stopped")

    def close(self) -> None:
        if self.metrics is not None:
            self.metrics.stop()
        self.store.close()

    def step(self) -> None:
        """One cycle (see the module docstring)."""
        if not self._reconciled:
            self.reconcile()
            self._reconciled = True
        latest = self._rpc("read block number", lambda: self.chain.w3.eth.block_number)
        head = max(0, latest - self.cfg.confirmations)
        with self._timed("reads"):
            self._follow_events(head)
            state = self._state(head)
            self._watch_oracle(state)
        jobs: list[_Job] = []
        checked = []
        for acc in self.cfg.accounts:
            if self._stop:
                return
            if self._account_step(acc, state, jobs):
                checked.append(acc)
        self._prove_and_submit_all(jobs)
        for acc in checked:
            if self._stop:
                return
            self._check_solvent(acc, self.signers[acc.name].address, state)

    def _follow_events(self, head: int) -> None:
        """New epochs, breaker trips/resets (the oracle's events) and policy versions (the
        registry's), in chain order."""
        cursor = self.store.cursor("block")
        start = max(0, head - self.cfg.lookback + 1)
        if cursor is not None:
            start = max(start, cursor + 1)
        if start > head:
            return
        sources = [(self.registry, [_POLICY]), (self.oracle, [_OPENED, _TRIPPED, _RESET])]
        logs = []
        for address, topics in sources:
            logs += self._rpc("read events", lambda a=address, t=topics: self.chain.w3.eth.
                              get_logs({"address": a, "fromBlock": start, "toBlock": head,
                                        "topics": [["0x" + x.hex() for x in t]]}))
        logs.sort(key=lambda lg: (int(lg["blockNumber"]), int(lg["logIndex"])))
        for log in logs:
            topic, block = bytes(log["topics"][0]), int(log["blockNumber"])
            n = int.from_bytes(bytes(log["topics"][1]), "big") if len(log["topics"]) > 1 \
                else 0
            if topic == _OPENED:
                self.emit("event", "new_epoch", "info", f"epoch {n} opened", epoch=n,
                          block=block)
            elif topic == _TRIPPED:
                asset = abi_decode(["uint256"] * 3, bytes(log["data"]))[0]
                self._breaker_alert(True, orc.CAUSES[n], int(asset), block)
            elif topic == _RESET:
                self._breaker_alert(False, "NONE", 0, block)
            else:
                active_from = int(abi_decode(["uint64"], bytes(log["data"])[:32])[0])
                self.emit("event", "policy_changed", "info", f"policy version {n} set, "
                          f"applies to epochs opened from {active_from}", block=block,
                          policy_version=n, active_from=active_from)
        self.store.set_cursor("block", head)

    def _state(self, block: int) -> dict:
        """The state at `block`: the oracle's latest epoch and snapshot, the policy
        version in force when it opened and the epoch's haircuts (RiskMath over the
        snapshot's sigma, as the registry's `requirementsFor`), the breaker, the grace."""
        o = {"contract": orc.CONTRACT, "address": self.oracle, "block": block}
        epoch = int(self._read("latestEpoch", **o))
        opened, valid_until, prices, sigma = self._read("snapshot", epoch, **o)
        n_c = len(self.shape.collateral)
        version = int(self._read("policyVersionFor", epoch, block=block)) if epoch else 0
        haircuts, ratio = [], 0
        if version:
            _, ratio, params = self._read("policy", version, block=block)
            haircuts = [risk.haircut_bps(int(b), int(k), int(c), int(sg))
                        for (b, k, c), sg in zip(params, sigma[:n_c], strict=True)]
        cause, since, asset = self._read("breakerState", **o)
        return {"epoch": epoch, "version": version, "haircuts": haircuts, "ratio": int(ratio),
                "cp": [int(p) for p in prices[:n_c]], "dp": [int(p) for p in prices[n_c:]],
                "valid_until": int(valid_until), "opened": int(opened),
                "breaker": (orc.CAUSES[cause], int(since), int(asset)),
                "grace": int(self._read("freshness", block=block)[0]),
                "now": int(self._rpc("read block", lambda: self.chain.w3.eth.get_block(
                    "latest")["timestamp"])),
                "block": block}

    # ------------------------------------------------------------------ oracle
    def _breaker_alert(self, tripped: bool, cause: str, asset: int, block: int | None) -> None:
        """Alert on a change of the breaker (from its events, or its state when the event
        was before the lookback window)."""
        if self._breaker is None and not tripped or self._breaker == tripped:
            self._breaker = tripped
            return
        self._breaker = tripped
        where = {} if block is None else {"block": block}
        if tripped:
            self.alert("breaker_tripped", "critical", f"epoch oracle breaker tripped: "
                       f"{cause} on asset {asset}", cause=cause, asset=asset, **where)
        else:
            self.alert("breaker_reset", "info", "epoch oracle breaker reset", **where)

    def _watch_oracle(self, st: dict) -> None:
        cause, _, asset = st["breaker"]
        self._breaker_alert(cause != "NONE", cause, asset, None)
        if self.metrics is not None:
            self.metrics.breaker.set(1 if self._breaker else 0)
        addr = self.oracle
        if self._read("pushedMode", contract=orc.CONTRACT, address=addr):
            return
        now = st["now"]
        n = int(self._read("nCollateral", contract=orc.CONTRACT, address=addr)) + \
            int(self._read("nDebt", contract=orc.CONTRACT, address=addr))
        for i in range(n):
            feed = self._read("feed", i, contract=orc.CONTRACT, address=addr)
            primary, heartbeat = to_checksum_address(feed[0]), int(feed[1])
            updated = int(self._read("latestRoundData", contract="DevFeed",
                                     address=primary)[3])
            if now > updated + heartbeat:
                if i not in self._stale:
                    self.alert("stale_feed", "warning", f"feed of asset {i} is stale: "
                               f"updated {now - updated} s ago, heartbeat {heartbeat} s",
                               asset=i, feed=primary, updated_at=updated)
                self._stale.add(i)
            elif i in self._stale:
                self._stale.discard(i)
                self.emit("event", "feed_fresh", "info", f"feed of asset {i} is fresh again",
                          asset=i)

    # ------------------------------------------------------------------ accounts
    def _load_position(self, acc: AccountConfig) -> tuple[col.Portfolio, bytes]:
        if acc.position is not None:
            raw = acc.position.read_bytes()
            src = str(acc.position)
        else:
            try:
                run = subprocess.run(list(acc.position_command or ()), capture_output=True,
                                     timeout=60, check=False, cwd=self.cfg.folder)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise MalformedInput(f"account '{acc.name}': position command failed: "
                                     f"{type(exc).__name__}") from None
            if run.returncode != 0:
                raise MalformedInput(f"account '{acc.name}': position command exited "
                                     f"{run.returncode}")
            raw, src = run.stdout, f"position command of '{acc.name}'"
        tmp = Path(self.cfg.state).with_name(f".position-{acc.name}.json")
        try:
            json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise MalformedInput(f"{src}: not JSON") from None
        if acc.position is not None:
            return col.load_portfolio(acc.position, self.shape), raw
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, raw)
        finally:
            os.close(fd)
        try:
            return col.load_portfolio(tmp, self.shape), raw
        finally:
            tmp.unlink(missing_ok=True)

    def _statement_id(self, account: str, epoch: int, version: int, commitment: int,
                      as_of: int = 0, credit: int | None = None) -> str:
        blob = f"{self.chain_id}:{self.registry}:{account}:{epoch}:{version}:" \
               f"{commitment}:{as_of}" + ("" if credit is None else f":credit:{credit}")
        return hashlib.sha256(blob.encode()).hexdigest()

    def _account_step(self, acc: AccountConfig, st: dict, jobs: list) -> bool:
        """Load, pre-check and watch one account; append a proof job to `jobs` when its
        proof is not current. True when its isSolvent is to be checked after the
        submissions."""
        signer = self.signers[acc.name]
        who = signer.address
        epoch, version = st["epoch"], st["version"]
        if epoch == 0:
            return False
        try:
            with self._timed("load"):
                portfolio, _ = self._load_position(acc)
                attestation = None
                if acc.attestation is not None:
                    from prover.attest import load_attestation
                    attestation = load_attestation(acc.attestation)
        except ZkError as exc:
            if self.alert("unprovable", "critical", f"position of '{acc.name}' cannot be "
                          f"loaded: {exc}", account=acc.name, epoch=epoch,
                          once=("load", acc.name, epoch, str(exc))):
                self._fail("load")
            return False
        commitment = portfolio.commitment()
        kind = reg.CREDIT if acc.kind == "credit" else reg.SOLVENCY
        with self._timed("reads"):
            proven = self._proven(who, st["block"], kind)
        proven_epoch = proven["epoch"]
        current = proven_epoch == epoch and (self.attested
                                             or proven["commitment"] == commitment)
        policy = replace(self.shape, haircuts_bps=tuple(st["haircuts"]),
                         min_ratio_bps=st["ratio"])
        prices = col.Prices(epoch, tuple(st["cp"]), tuple(st["dp"]))
        with self._timed("precheck"):
            report = margin_report(policy, prices, portfolio)
        if self.metrics is not None and self.metrics.margin is not None \
                and report["margin_pct"] is not None:
            self.metrics.margin.labels(acc.name).set(report["margin_pct"])
        if report["provable"] and report["margin_pct"] is not None \
                and report["margin_pct"] < acc.margin_buffer_pct:
            fail = {k: _price(v) for k, v in report["failure_prices"].items()}
            self.alert("margin_low", "warning",
                       f"'{acc.name}' margin {report['margin_pct']:.2f} % is under its "
                       f"buffer {acc.margin_buffer_pct} % at epoch {epoch}; fails at "
                       + ", ".join(f"{k} {v}" for k, v in fail.items() if v is not None),
                       account=acc.name, epoch=epoch, once=("margin", acc.name, epoch),
                       margin_pct=round(report["margin_pct"], 4),
                       buffer_pct=acc.margin_buffer_pct, failure_prices=fail)
        self._deadline_check(acc, st, proven_epoch, proven["valid_until"], current)
        as_of = attestation.as_of if attestation is not None else 0
        credit = None
        if kind == reg.CREDIT and report["provable"]:
            credit = self._credit_to_prove(acc, who, policy, prices, portfolio)
        if not current and st["breaker"][0] != "NONE":
            # the registry refuses every proof while the oracle's breaker is tripped
            self.emit_once(("breaker-wait", acc.name, epoch, st["breaker"][1]), "waiting",
                           f"'{acc.name}': not proven while the epoch oracle's breaker is "
                           f"tripped ({st['breaker'][0]})", account=acc.name, epoch=epoch)
        elif not current:
            sid = self._statement_id(who, epoch, version, commitment, as_of, credit)
            if self.store.get(sid) is None and sid not in self._refused:
                if not report["provable"]:
                    if self.alert("unprovable", "critical",
                                  f"position of '{acc.name}' is below the minimum ratio at "
                                  f"epoch {epoch}: no proof can be made, nothing sent",
                                  account=acc.name, epoch=epoch, once=("unprovable", sid)):
                        self._fail("unprovable")
                else:
                    jobs.append(_Job(acc, signer, policy, prices, portfolio, attestation, sid,
                                     epoch, credit))
        return True

    def _credit_to_prove(self, acc: AccountConfig, who: str, policy, prices,
                         portfolio) -> int:
        """The credit to prove this epoch: the account's target, or the largest provable
        minus its buffer; alerts when the target is above the largest provable (the
        largest is proven instead) and when the largest is below what the account
        borrowed in its market (value units, as the market compares them)."""
        epoch = prices.epoch
        limit = pcredit.max_credit(policy, prices, portfolio)
        if acc.market is not None:
            with self._timed("reads"):
                used = int(self._read("creditUsed", who, contract=cm.MARKET,
                                      address=acc.market))
            if limit < used:
                self.alert("credit_below_borrowed", "critical",
                           f"'{acc.name}': the largest credit provable at epoch {epoch}, "
                           f"{limit}, is below what it borrowed in market {acc.market}, "
                           f"{used} (value units)", account=acc.name, epoch=epoch,
                           once=("credit-borrowed", acc.name, epoch), provable=limit,
                           borrowed=used, market=acc.market)
        if acc.target_credit is None:
            return limit * round((100 - acc.credit_buffer_pct) * 100) // 10_000
        if acc.target_credit > limit:
            self.alert("credit_short", "warning",
                       f"'{acc.name}': target credit {acc.target_credit} is above the "
                       f"largest provable at epoch {epoch}, {limit}; proving {limit}",
                       account=acc.name, epoch=epoch, once=("credit-short", acc.name, epoch),
                       target=acc.target_credit, provable=limit)
            return limit
        return acc.target_credit

    def _proven(self, who: str, block="latest", kind: int = reg.SOLVENCY) -> dict:
        """{'epoch', 'valid_until', 'commitment', 'as_of', 'credit'} of the account's
        accepted proof of `kind` (the epoch fixes the policy)."""
        epoch, as_of, until, credit, a, _ = self._read("proofOf", kind, who, block=block)
        return {"epoch": int(epoch), "valid_until": int(until), "as_of": int(as_of),
                "commitment": 0 if self.attested else int(a), "credit": int(credit)}

    def _deadline_check(self, acc: AccountConfig, st: dict, proven_epoch: int,
                        valid_until: int, current: bool) -> None:
        """The deadline: the time the account's accepted proof stops counting, i.e. the
        epoch's opening + grace when it is of an older epoch, or its snapshot's expiry if
        that comes first (a current proof: the expiry, when no new epoch opens before).
        Alert once per epoch when it is closer than deadline_margin (or past)."""
        if not proven_epoch:
            return
        deadline = valid_until if current else min(st["opened"] + st["grace"], valid_until)
        left = deadline - st["now"]
        if left < self.cfg.deadline_margin:
            why = (f"its proof of epoch {proven_epoch} expires with the snapshot and no "
                   "new epoch has opened" if current else
                   f"it is not yet proven for epoch {st['epoch']}")
            self.alert("deadline_at_risk", "critical",
                       f"'{acc.name}': {why}; the proof stops counting in {left} s",
                       account=acc.name, epoch=st["epoch"],
                       once=("deadline", acc.name, st["epoch"], current),
                       seconds_left=left, deadline=deadline)

    def _check_solvent(self, acc: AccountConfig, who: str, st: dict) -> None:
        with self._timed("reads"):
            solvent = bool(self._read("isSolvent", who))
        key = ("insolvent", acc.name, st["epoch"], st["version"])
        if not solvent:
            self.alert("not_solvent", "critical", f"registry reads isSolvent == false for "
                       f"'{acc.name}' ({who})", account=acc.name, epoch=st["epoch"],
                       once=key, address=who)

    def _fail(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.failures.labels(reason).inc()

    # ------------------------------------------------------------------ prove + submit
    def _prove_and_submit_all(self, jobs: list[_Job]) -> None:
        """Prove the jobs on `provers` threads (one in-memory Prover) while this thread
        submits the proofs made so far, in order; on stop(), nothing further is sent."""
        if not jobs:
            return
        provers = {}
        for job in jobs:                          # loaded once, before the threads
            credit = job.credit is not None
            if credit not in provers:
                try:
                    provers[credit] = self._prover_for(credit)
                except ZkError as exc:
                    provers[credit] = exc
        pool = ThreadPoolExecutor(max_workers=self.cfg.provers,
                                  thread_name_prefix="monitor-prove")
        try:
            futures = [pool.submit(_prove_job, provers[job.credit is not None], job)
                       for job in jobs]
            for job, future in zip(jobs, futures, strict=True):
                if self._stop:
                    return
                with self._timed("prove_wait"):
                    outcome = future.result()
                self._submit_job(job, *outcome)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _submit_job(self, job: _Job, bundle, seconds: float, error: ZkError | None) -> None:
        acc, signer, policy, sid, epoch = job.acc, job.signer, job.policy, job.sid, job.epoch
        self.timings["prove"] = self.timings.get("prove", 0.0) + seconds
        if error is not None:
            self.alert("unprovable", "critical", f"position of '{acc.name}' cannot be "
                       f"proven at epoch {epoch}: {error}; nothing sent", account=acc.name,
                       epoch=epoch, once=("unprovable", sid))
            self._fail("unprovable")
            return
        if self.metrics is not None:
            self.metrics.proof_seconds.observe(seconds)
        self.emit("event", "proven", "info", f"'{acc.name}' proven for epoch {epoch}",
                  account=acc.name, epoch=epoch, proof_seconds=round(seconds, 3),
                  haircuts_bps=list(policy.haircuts_bps), min_ratio_bps=policy.min_ratio_bps,
                  **({} if job.credit is None else {"credit": job.credit}))
        kind = reg.SOLVENCY if job.credit is None else reg.CREDIT
        data = reg.encode_submit(bundle.proof, list(bundle.public), kind)
        gas = reg.SUBMIT_GAS_BASE + reg.SUBMIT_GAS_PER_INPUT * len(bundle.public)
        try:
            with self._timed("preflight"):
                self._rpc("preflight submit", lambda: signer.call(self.registry, data,
                                                                  gas=gas, action="submit"))
        except ContractRevert as exc:
            self._refused.add(sid)              # not proven again until something changes
            self._reverted(acc, epoch, exc)
            return
        with self._timed("send"):
            nonce = self._rpc("read nonce", lambda: signer.nonce("pending"))
            self.store.record(sid, signer.address, epoch, nonce, data, gas)
            self._broadcast(acc.name, signer, sid, nonce, data, gas, None)
        with self._timed("receipt"):
            self._settle(acc.name, signer, sid)

    def _broadcast(self, name: str, signer: Chain, sid: str, nonce: int, data: bytes,
                   gas: int, gas_price: int | None) -> str:
        if gas_price is None:
            gas_price = int(self._rpc("read gas price", lambda: signer.w3.eth.gas_price))
        tx = {"to": self.registry, "data": data, "gas": gas, "value": 0, "nonce": nonce,
              "chainId": self.chain_id, "gasPrice": gas_price}
        raw = signer.account.sign_transaction(tx).raw_transaction
        tx_hash = "0x" + keccak(raw).hex()
        self.store.add_hash(sid, tx_hash, gas_price)     # before it leaves this process
        self._send_raw(signer, raw)
        self.emit("event", "submitted", "info", f"'{name}' submission sent", account=name,
                  tx_hash=tx_hash, nonce=nonce, gas_price=gas_price)
        return tx_hash

    def _send_raw(self, signer: Chain, raw: bytes) -> None:
        def send():
            try:
                signer.w3.eth.send_raw_transaction(raw)
            except Exception as exc:  # noqa: BLE001 - the node's answer decides
                text = str(exc).lower()
                if "known" in text or "nonce too low" in text or "already" in text:
                    return                  # a previous attempt of ours got through
                raise ChainError(f"send: {type(exc).__name__}: {exc}") from None
        self._rpc("send transaction", send)

    def _settle(self, name: str, signer: Chain, sid: str) -> None:
        """Wait for one of the intent's transactions to be mined; replace it at the same
        nonce with a higher fee when it is stuck; mark the intent done or failed."""
        intent = self.store.get(sid)
        sent = time.monotonic()
        while True:
            for h in reversed(intent["tx_hashes"]):
                receipt = self._receipt(signer, h)
                if receipt is not None:
                    self._mined(name, signer, intent, receipt)
                    return
            mined_nonce = self._rpc("read nonce", lambda: signer.nonce("latest"))
            if mined_nonce > intent["nonce"]:
                # the nonce was used, but by none of our hashes: check the registry
                time.sleep(0.2)
                if not any(self._receipt(signer, h) for h in intent["tx_hashes"]):
                    self.store.forget(sid)          # never mined: may be sent again
                    self.alert("submission_lost", "warning", f"'{name}': nonce "
                               f"{intent['nonce']} was used by another transaction; the "
                               "statement is sent again on the next cycle",
                               account=name, epoch=intent["epoch"])
                    return
                continue
            if self._stop and time.monotonic() - sent > self.cfg.stuck_after:
                return                      # left open: reconciled on the next start
            if time.monotonic() - sent > self.cfg.stuck_after:
                price = max(int(intent["gas_price"] * FEE_BUMP) + 1,
                            int(self._rpc("gas price", lambda: signer.w3.eth.gas_price)))
                self.emit("event", "replaced", "warning", f"'{name}': transaction stuck, "
                          f"replaced at nonce {intent['nonce']} with gas price {price}",
                          account=name, nonce=intent["nonce"], gas_price=price)
                self._broadcast(name, signer, sid, intent["nonce"], intent["calldata"],
                                intent["gas"], price)
                intent = self.store.get(sid)
                sent = time.monotonic()
            time.sleep(0.2)

    def _receipt(self, signer: Chain, tx_hash: str) -> dict | None:
        return self._rpc("read receipt", lambda: _receipt_or_none(signer, tx_hash))

    def _mined(self, name: str, signer: Chain, intent: dict, receipt: dict) -> None:
        if receipt["status"] == 1:
            self.store.finish(intent["statement"], DONE)
            if self.metrics is not None:
                self.metrics.submissions.inc()
                self.metrics.last_epoch.set(intent["epoch"])
            self.emit("event", "accepted", "info", f"'{name}' solvent at epoch "
                      f"{intent['epoch']}", account=name, epoch=intent["epoch"],
                      tx_hash=_hex(receipt["transactionHash"]),
                      block=int(receipt["blockNumber"]), gas_used=int(receipt["gasUsed"]))
            return
        self.store.finish(intent["statement"], FAILED)
        try:
            block = int(receipt["blockNumber"]) - 1
            signer.w3.eth.call({"from": signer.address, "to": self.registry,
                                "data": intent["calldata"], "gas": intent["gas"]}, block)
            exc = ContractRevert("submit", None, (), b"")
        except Exception as err:  # noqa: BLE001 - decode whatever the node returns
            from verifier_contracts.chain import revert_data
            data = revert_data(err) or b""
            exc = ContractRevert("submit", *decode_revert(data), data)
        self._reverted(self._acc(name), intent["epoch"], exc)

    def _acc(self, name: str) -> AccountConfig:
        return next(a for a in self.cfg.accounts if a.name == name)

    def _reverted(self, acc: AccountConfig, epoch: int, exc: ContractRevert) -> None:
        self._fail("revert")
        self.alert("submission_reverted", "critical", f"'{acc.name}' submission reverted "
                   f"with {exc.name or 'an unknown error'}", account=acc.name, epoch=epoch,
                   error=exc.name, args=[str(a) if isinstance(a, int) else _hex(a)
                                         for a in exc.args_])

    # ------------------------------------------------------------------ restart
    def reconcile(self) -> None:
        """Settle every open intent with receipts and the registry's state before doing
        anything new (after a crash: the transaction may be mined, pending or lost)."""
        by_address = {s.address: (name, s) for name, s in self.signers.items()}
        for intent in self.store.open_intents():
            if intent["account"] not in by_address:
                continue
            name, signer = by_address[intent["account"]]
            kind = reg.CREDIT if self._acc(name).kind == "credit" else reg.SOLVENCY
            proven = self._proven(signer.address, kind=kind)
            self.emit("event", "reconcile", "info", f"'{name}': open submission of epoch "
                      f"{intent['epoch']} found at start", account=name,
                      epoch=intent["epoch"], nonce=intent["nonce"],
                      tx_hashes=intent["tx_hashes"])
            if not intent["tx_hashes"]:
                # crashed between recording and signing: nothing left this process
                if self._rpc("nonce", lambda s=signer: s.nonce("pending")) <= intent["nonce"]:
                    self._broadcast(name, signer, intent["statement"], intent["nonce"],
                                    intent["calldata"], intent["gas"], None)
                elif proven["epoch"] != intent["epoch"]:
                    self.store.finish(intent["statement"], FAILED)
                    continue
            self._settle(name, signer, intent["statement"])


def _prove_job(prover, job: _Job) -> tuple:
    """(bundle, seconds, None), or (None, seconds, the ZkError) when it cannot be proven
    (`prover` may be the ZkError of loading it); runs on a prover thread (no monitor
    state touched)."""
    t0 = time.perf_counter()
    try:
        if isinstance(prover, ZkError):
            raise prover
        inputs = col.anchored_inputs(job.policy, job.prices, job.portfolio,
                                     job.signer.address, job.attestation,
                                     str(job.acc.attestation or "attestation"))
        if job.credit is not None:
            inputs["credit"] = job.credit
        return prover.prove(inputs), time.perf_counter() - t0, None
    except ZkError as exc:
        return None, time.perf_counter() - t0, exc


def _key(acc: AccountConfig, env) -> str:
    """The account's signing key: from its environment variable, or its keystore
    decrypted with the password in $ZKSOLVENCY_KEYSTORE_PASSWORD."""
    if acc.key_env is not None:
        key = env.get(acc.key_env, "").strip()
        if not key:
            raise UsageError(f"monitor: account '{acc.name}': ${acc.key_env} is not set")
        return key
    from eth_account import Account

    password = env.get(PASSWORD_ENV)
    if password is None:
        raise UsageError(f"monitor: account '{acc.name}': set ${PASSWORD_ENV} to decrypt "
                         f"{acc.keystore}")
    try:
        obj = json.loads(Path(str(acc.keystore)).read_bytes())
        return "0x" + bytes(Account.decrypt(obj, password)).hex()
    except OSError as exc:
        raise UsageError(f"monitor: {acc.keystore}: {exc.strerror}") from None
    except ValueError:
        raise UsageError(f"monitor: {acc.keystore}: wrong password or not a "
                         "keystore") from None


def _receipt_or_none(signer: Chain, tx_hash: str):
    from web3.exceptions import TransactionNotFound
    try:
        return dict(signer.w3.eth.get_transaction_receipt(tx_hash))
    except TransactionNotFound:
        return None


def _hex(v) -> str:
    return "0x" + bytes(v).hex() if isinstance(v, (bytes, bytearray)) else str(v)


def _price(v: int | None) -> str | None:
    if v is None:
        return None
    whole, frac = divmod(v, 10 ** col.PRICE_DECIMALS)
    return f"{whole}.{frac:0{col.PRICE_DECIMALS}d}".rstrip("0").rstrip(".")
