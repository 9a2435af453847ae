"""Plot a calm and a crash price path through the oracle's exact arithmetic (price, sigma,
haircut per epoch) into docs/risk-parameters.png.

    python docs/plot_risk.py [-o docs/risk-parameters.png]

Uses the bit-exact Python mirror (verifier_contracts.risk), with the default oracle
parameters (verifier_contracts.oracle.OracleConfig) and an example haircut policy.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifier_contracts.oracle import OracleConfig  # noqa: E402
from verifier_contracts.risk import OracleModel, haircut_bps  # noqa: E402

BASE, K, CAP = 500, 20_000, 3000     # example policy: 5 % + 2 x sigma, at most 30 %
EPOCHS = 60


def calm_path(seed: int = 7) -> list[int]:
    """An hourly price with ~0.6 % moves (integer, 8 decimals)."""
    rng = random.Random(seed)
    p, out = 2000_00000000, []
    for _ in range(EPOCHS):
        out.append(p)
        p = p * (10_000 + round(rng.gauss(0, 60))) // 10_000
    return out


def crash_path() -> list[int]:
    """The calm path, then a 40 % crash at epoch 20 and a slow partial recovery."""
    calm = calm_path()
    out = calm[:20]
    p = out[-1] * 60 // 100
    for _ in range(EPOCHS - 20):
        out.append(p)
        p = p * 10_030 // 10_000
    return out


def run(path: list[int], cfg: OracleConfig) -> dict:
    """Feed `path` through the oracle model, one attempt per hour; a trip is reset by the
    guardian at the next hour (after resetDelay) and the epoch opens right after."""
    m = OracleModel(1, cfg.lambda_bps, cfg.initial_var_bps2, cfg.max_deviation_bps,
                    cfg.max_disagreement_bps, cfg.reference_window)
    out: dict = {"epoch": [], "price": [], "sigma": [], "haircut": [], "trips": []}
    for hour, price in enumerate(path):
        now = hour * cfg.min_epoch_interval
        d = m.open(now, [price])
        if not d.opened:
            out["trips"].append((hour, d.cause, d.observed))
            m.reset(now + cfg.reset_delay, [price])
            d = m.open(now + cfg.reset_delay, [price])
        out["epoch"].append(hour)
        out["price"].append(price / 1e8)
        out["sigma"].append(d.sigmas[0])
        out["haircut"].append(haircut_bps(BASE, K, CAP, d.sigmas[0]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(Path(__file__).with_name(
        "risk-parameters.png")))
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = OracleConfig()
    runs = {"calm": run(calm_path(), cfg), "crash (-40 % at epoch 20)": run(crash_path(), cfg)}
    fig, axes = plt.subplots(3, 2, figsize=(11, 7.5), sharex=True)
    for col, (title, r) in enumerate(runs.items()):
        axes[0][col].set_title(title)
        for row, (key, label) in enumerate((("price", "price (USD)"),
                                            ("sigma", "sigma (bps)"),
                                            ("haircut", "haircut (bps)"))):
            ax = axes[row][col]
            ax.step(r["epoch"], r[key], where="post")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            for hour, cause, observed in r["trips"]:
                ax.axvline(hour, color="red", ls="--", lw=1)
                if row == 0:
                    ax.annotate(f"breaker: {cause}\n{observed} bps from reference",
                                (hour, max(r[key]) * 0.95), fontsize=8, color="red",
                                xytext=(4, 0), textcoords="offset points", va="top")
        axes[2][col].axhline(CAP, color="gray", ls=":", lw=1)
        axes[2][col].set_xlabel("epoch (hourly)")
    fig.suptitle(f"EWMA volatility and haircuts: lambda {cfg.lambda_bps} bps, initial "
                 f"variance {cfg.initial_var_bps2} bps^2; haircut = min({CAP}, {BASE} + "
                 f"{K}/10000 x sigma)", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
