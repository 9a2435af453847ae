"""``zksolvency attest keygen|sign|verify``: attester keys and signed attestations."""
from __future__ import annotations

import time
from pathlib import Path

import click

from prover import attest as lib
from prover.inputs import InputFileError, parse_address, parse_int
from prover.output import JSON_OPTION, emit, json_mode, verdict
from zk import atomic
from zk.field import R


def _int(value: str, option: str, bits: int) -> int:
    return parse_int(value, option, "value", bits=bits)


@click.group("attest")
def attest() -> None:
    """Attester keys; sign and verify attestations."""


@attest.command("keygen")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="SECRET key file to create (mode 0600; never overwritten).")
@click.option("--public", "public_path", default=None, type=click.Path(dir_okay=False),
              help="Public-key JSON to write [default: KEY with .pub.json].")
@click.option("--import-circomlibjs", "import_path", default=None,
              type=click.Path(dir_okay=False),
              help="Derive the key from a circomlibjs private key (file of 64 hex digits).")
@JSON_OPTION
def keygen_cmd(key_path: str, public_path: str | None, import_path: str | None) -> None:
    """Create (or import) an attester key; prints only the public key."""
    pub = public_path or str(Path(key_path).with_suffix("")) + ".pub.json"
    if Path(pub).resolve() == Path(key_path).resolve():
        raise InputFileError(pub, "--public", "must differ from the key file")
    key = lib.read_circomlibjs_key(import_path) if import_path else lib.generate_key()
    lib.save_key(key, key_path, pub)
    emit({"key": key_path, "public": pub, "x": str(key.public[0]), "y": str(key.public[1])},
         f"wrote secret key {key_path} (mode 0600) and public key {pub}\n"
         f"public key: x={key.public[0]} y={key.public[1]}")


@attest.command("sign")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="SECRET key file (from attest keygen).")
@click.option("--tag", required=True, type=click.Choice(["position", "reserve"]),
              help="What is attested: a borrower's position or an operator's reserves.")
@click.option("--chain-id", default=None, help="Chain id (default: the policy's).")
@click.option("--registry", default=None, help="Registry address (default: the policy's).")
@click.option("--subject", required=True, help="Address of the account attested (0x-hex).")
@click.option("--commitment", default=None, help="Commitment to sign (field element).")
@click.option("--policy", default=None, type=click.Path(dir_okay=False),
              help="Collateral policy JSON: with --portfolio, computes the commitment.")
@click.option("--portfolio", default=None, type=click.Path(dir_okay=False),
              help="PRIVATE portfolio JSON whose commitment is signed.")
@click.option("--as-of", "as_of", default=None, help="Unix time in seconds [default: now].")
@click.option("-o", "--out", "out_path", default="attestation.json", show_default=True,
              type=click.Path(dir_okay=False))
@JSON_OPTION
def sign_cmd(key_path: str, tag: str, chain_id: str | None, registry: str | None,
             subject: str, commitment: str | None, policy: str | None,
             portfolio: str | None, as_of: str | None, out_path: str) -> None:
    """Sign Poseidon(TAG, chain_id, registry, subject, commitment, as_of)."""
    key = lib.load_key(key_path)
    chain = _int(chain_id, "--chain-id", 64) if chain_id is not None else None
    reg = parse_address(registry, "--registry", "value") if registry is not None else None
    if (policy is None) != (portfolio is None):
        raise InputFileError("--policy/--portfolio", "options", "give both or neither")
    if policy is not None:
        if commitment is not None:
            raise InputFileError("--commitment", "option", "give --commitment or "
                                 "--policy/--portfolio, not both")
        if tag != "position":
            raise InputFileError("--tag", "option", "--policy/--portfolio attest a position")
        from prover import collateral
        pol = collateral.load_policy(policy)
        value = collateral.load_portfolio(portfolio, pol).commitment()
        for name, given, own in (("--chain-id", chain, pol.chain_id),
                                 ("--registry", reg, pol.registry)):
            if given is not None and given != own:
                raise InputFileError(name, "option", f"differs from the policy file {policy}")
        if pol.chain_id >= 1 << 64:
            raise InputFileError(policy, "field 'chain_id'", "must be < 2^64 to attest")
        chain, reg = pol.chain_id, pol.registry
    elif commitment is not None:
        value = parse_int(commitment, "--commitment", "value", bits=254)
        if value >= R:
            raise InputFileError("--commitment", "value", "must be below the field modulus r")
    else:
        raise InputFileError("--commitment", "option", "give --commitment or "
                             "--policy with --portfolio")
    if chain is None or reg is None:
        raise InputFileError("--chain-id/--registry", "options", "required without --policy")
    when = _int(as_of, "--as-of", 64) if as_of is not None else int(time.time())
    att = lib.sign(key, tag, chain, reg, parse_address(subject, "--subject", "value"), value,
                   when)
    atomic.write_json(out_path, lib.attestation_json(att))
    emit({"output": out_path, "tag": tag, "subject": f"0x{att.subject:040x}",
          "as_of": att.as_of, "commitment": str(att.commitment)},
         f"wrote {out_path}: {tag} attestation for 0x{att.subject:040x} "
         f"as of {att.as_of}, commitment {att.commitment}")


@attest.command("verify")
@click.argument("attestation", type=click.Path(dir_okay=False))
@click.option("--attester", default=None, type=click.Path(dir_okay=False),
              help="Expected attester public-key JSON.")
@click.option("--chain-id", default=None, help="Expected chain id.")
@click.option("--registry", default=None, help="Expected registry address.")
@click.option("--subject", default=None, help="Expected subject address.")
@click.option("--commitment", default=None, help="Expected commitment.")
@JSON_OPTION
def verify_cmd(attestation: str, attester: str | None, chain_id: str | None,
               registry: str | None, subject: str | None, commitment: str | None) -> None:
    """Check an attestation. Exit 0 valid, 1 invalid, 2 malformed input."""
    att = lib.load_attestation(attestation)
    expected_key = lib.load_public_key(attester) if attester else None
    expect = {}
    for name, value, option, bits in (("chain_id", chain_id, "--chain-id", 64),
                                      ("registry", registry, "--registry", 160),
                                      ("subject", subject, "--subject", 160),
                                      ("commitment", commitment, "--commitment", 254)):
        if value is not None:
            expect[name] = (parse_address(value, option, "value") if bits == 160
                            else _int(value, option, bits))
    ok, reason = lib.check(att, expected_key, expect)
    if ok and expected_key is None and not json_mode():
        click.echo("note: no --attester given; check that this key is allow-listed",
                   err=True)
    verdict(ok, reason, attester_checked=expected_key is not None)
