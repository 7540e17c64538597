"""Effect of each assumption the document does not make on the headline of its scenario.

``python docs/notes/assumption_effects.py [PATHS]`` prints the tables in ``docs/scenarios.md``
("Assumptions the document does not make"). Every row is a what-if variant in taaksim's own
``compare`` syntax, run with the same random numbers as the unchanged scenario, so the change is
the assumption's own (paired paths). The headline is the scenario's first target in the stated
year: P(target met) with its Monte Carlo standard error, and the reserve that covers the
shortfall in 90% of futures (benodigde weerstandscapaciteit).
"""

from __future__ import annotations

import sys
from pathlib import Path

import simulator
from simulator.results.analysis import risk_of
from simulator.results.variants import parse_variant
from simulator.run.dataset import run

ROOT = Path(__file__).resolve().parents[2]
SEED = 1

# scenario, municipality, year, [(assumption, neutral alternative, variant spec)]
ASSUMPTIONS = [
    ("gooi-en-vechtstreek-2021", "hilversum", 2022, [
        ("growth at half the printed 2017-2019 trends", "no growth", "@growth=0"),
        ("M13's 400,000 shift to the regiobegroting counts as a saving", "M13 left out",
         "without:m13-gezamenlijke-toegang-bw"),
        ("Hilversum carries 35% of M4, which it opposes", "M4 left out", "without:m04-gezamenlijk-verblijf"),
        ("days per averted child down to 150 (187 days read as a length of stay)", "365 days, as printed",
         "days_per_averted_child=plan"),
        ("plan = mode of downside-skewed ranges", "every driver at its plan value", "@parameter=plan"),
    ]),
    ("meerinzicht-2026", None, 2026, [
        ("decision delay of 0-9 months", "no delay", "besluit_mnd=0"),
        ("investment 12+13 granted with p = 0.9", "granted", "invest_go=1"),
        ("plan = mode of downside-skewed realisation ranges", "every driver at its plan value",
         "@parameter=plan;@effect_factor=plan"),
    ]),
    ("rotterdam-2024", None, 2027, [
        ("autonomous growth on the posts", "no growth", "@growth=0"),
        ("implementation costs the letter does not mention", "none", "@cost=0"),
        ("delays of the measures", "no delay", "@delay=0"),
        ("plan = mode of downside-skewed effect ranges", "every effect at its plan value", "@effect_factor=plan"),
    ]),
    ("huizen-2022", None, 2026, [
        ("extra cost of the local supporters (substitution)", "none", "extra_lokaal=0"),
        ("volume growth from ageing (Wmo) and Jeugd growth", "no growth", "vergrijzing_wmo=0;groei_jeugd=0"),
        ("plan = mode of downside-skewed ranges", "every driver at its plan value", "@parameter=plan"),
    ]),
    ("renkum-2025", None, 2026, [
        ("volume growth on every post (not in the document)", "no growth", "@growth=0"),
        ("plan = mode of downside-skewed ranges", "every driver at its plan value", "@parameter=plan"),
        ("go-ahead and delay of the measures", "on time, certain", "@delay=0;@go_ahead=1"),
    ]),
]


def headline(scenario, municipality, year, spec, paths):
    options = {} if spec is None else parse_variant(f"v={spec}", scenario).run_options(scenario)
    ds = run(scenario, paths, seed=SEED, **options)
    h = risk_of(ds, year=year, municipality=municipality)["headline"]
    return h["p_met"], h["p_met_se"], h["needed_capacity"]


def table(stem, municipality, year, rows, paths) -> str:
    scenario = simulator.load(ROOT / "scenarios" / f"{stem}.toml")
    p0, se0, r0 = headline(scenario, municipality, year, None, paths)
    who = f", {municipality}" if municipality else ""
    out = [f"{stem}{who}, {year} ({paths:,} paths, seed {SEED}): as bundled P(target met) "
           f"{p0:.1%} ±{se0:.1%}, reserve {r0:,.0f}", "",
           "| assumption | neutral alternative | variant | P(met) with / without | reserve with / without |",
           "|---|---|---|---:|---:|"]
    for what, neutral, spec in rows:
        p, se, r = headline(scenario, municipality, year, spec, paths)
        out.append(f"| {what} | {neutral} | `{spec}` | {p0:.1%} / {p:.1%} ±{se:.1%} | {r0:,.0f} / {r:,.0f} |")
    return "\n".join(out)


if __name__ == "__main__":
    paths = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for stem, municipality, year, rows in ASSUMPTIONS:
        print(table(stem, municipality, year, rows, paths))
        print()
