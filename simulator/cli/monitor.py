"""taaksim monitor and seek, and run/report --realised: the forecast given realised figures."""

from __future__ import annotations

import json

import click

from simulator.cli.format import eur as _eur
from simulator.cli.format import jsonable
from simulator.cli.format import pct as _pct
from simulator.cli.options import check_choices as _check_choices
from simulator.cli.options import fail as _fail
from simulator.cli.options import load_scenario as _load
from simulator.cli.options import study_options as _study_options


def _jsonable(x):
    """As :func:`simulator.cli.format.jsonable`, numpy scalars made plain numbers first."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    return jsonable(x)


def _realised_option(f):
    return click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None,
                        metavar="FILE", help="Realised figures (.csv, .xlsx, .toml): condition the forecast on "
                                             "decisions taken and figures observed (see docs/monitoring.md).")(f)


def _certainty_option(f):
    return click.option("--certainty", type=click.FloatRange(0.5, 0.999), default=0.9, show_default=True,
                        help="The certainty goal seek and the reserve are for.")(f)


def default_municipality(s, municipality):
    """Without --municipality, a scenario whose only goals are a municipality's looks at that one."""
    if municipality is not None or any(t.scope.municipality is None for t in (*s.targets, *s.budgets)):
        return municipality
    return next((t.scope.municipality for t in (*s.targets, *s.budgets)), None)


def _parse(s, path):
    from simulator.scenario.realised import parse

    return parse(path, s)


def realised_run(scenario, realised_file, *, paths, seed, municipality, year, certainty=0.9, as_json=False,
                 threads=None, measure=None, goal=None):
    """`run`/`report` with --realised: the conditioned forecast, the plan beside it, and goal seek."""
    from simulator.results.conditioning import headline, run_conditioned, summary
    from simulator.results.goalseek import seek

    s = _load(scenario)
    _check_choices(s, municipality, year)
    realised = _parse(s, realised_file)
    municipality = default_municipality(s, municipality)
    plan = run_conditioned(s, None, paths=paths, seed=seed, threads=threads)
    cond = run_conditioned(s, realised, paths=paths, seed=seed, threads=threads)
    out = summary(cond, municipality=municipality)
    before = summary(plan, municipality=municipality)
    try:
        sk = seek(cond, s, goal_id=goal, year=year, municipality=municipality, certainty=certainty, measure=measure)
    except KeyError as exc:
        if goal is not None or measure is not None:
            _fail(str(exc).strip("'\""))
        sk = None
    head = headline(cond, municipality=municipality, year=year)
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, "paths": paths, "seed": seed,
                                         "realised": realised.file, "as_of": realised.as_of.isoformat(),
                                         "municipality": municipality, "conditioned": out, "plan": before,
                                         "headline": head, "goal_seek": sk})))
        return
    click.echo(format_conditioned(s, realised, out, before, paths=paths, seed=seed, municipality=municipality))
    if sk is not None:
        click.echo(format_seek(sk))


def format_conditioned(s, realised, out, before, *, paths, seed, municipality) -> str:
    who = s.region if municipality is None else f"{s.municipality(municipality).name} ({s.region})"
    lines = [f"{s.name}: {who}",
             f"given the realised figures of {realised.as_of} ({realised.file}): {len(realised.decisions)} "
             f"decision(s) made certain, {len(realised.observations)} observation(s) weighing the paths",
             f"{paths:,} paths, seed {seed}; effective sample size {out['ess']:,.0f} "
             f"(the weighted paths are worth that many equal ones)", "",
             "net savings [EUR], plan -> given the realised figures:",
             f"{'year':<6}{'P50 plan':>14}{'P5':>14}{'P50':>14}{'P95':>14}{'mean ± se':>24}"]
    for y, v in out["savings"].items():
        lines.append(f"{y:<6}{_eur(before['savings'][y]['p50']):>14}{_eur(v['p5']):>14}{_eur(v['p50']):>14}"
                     f"{_eur(v['p95']):>14}{_eur(v['mean']) + ' ±' + _eur(v['mean_se']):>24}")
    if out["goals"]:
        lines += ["", "each target and budget: P(met) in the plan -> given the realised figures (± standard error):"]
        for g, g0 in zip(out["goals"], before["goals"], strict=True):
            lines.append(f"  {g['kind']} {g['id']} [{g['scope']}]:")
            for y, d in g["years"].items():
                d0 = g0["years"][y]
                lines.append(f"    {y}: {_eur(d['amount']):>13}   {_pct(d0['p'], d0['se'], paths):>13} -> "
                             f"{_pct(d['p'], d['se'], None):>13}")
    for n in out["notes"]:
        lines.append(f"note: {n}")
    for w in out["warnings"]:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def format_seek(sk: dict) -> str:
    c = f"{100 * sk['certainty']:.0f}%"
    what = "savings" if sk["kind"] == "target" else "spending"
    lo, hi = sk["extra_needed_interval"]
    mlo, mhi = sk["amount_met_interval"]
    lines = ["", f"goal seek, {sk['kind']} {sk['goal']} [{sk['scope']}] {sk['year']} "
                 f"(amount {_eur(sk['amount'])}), {c} certain:",
             f"  extra net savings or reserve needed   {_eur(sk['extra_needed']):>13}   "
             f"(95% interval {_eur(lo)} .. {_eur(hi)})",
             f"  {'amount met' if sk['kind'] == 'target' else 'ceiling kept'} with {c} certainty"
             f"{'':<{max(1, 13 - len(c))}}{_eur(sk['amount_met']):>13}   ({what}; 95% interval {_eur(mlo)} .. "
             f"{_eur(mhi)})"]
    m = sk.get("measure")
    if m is not None:
        if m["reachable"]:
            klo, khi = m["factor_interval"]
            lines.append(f"  {m['id']}: its effect must reach {m['factor']:.2f} x the simulated one "
                         f"(95% interval {klo:.2f} .. {khi:.2f}), a mean of {_eur(m['effect_needed'])} "
                         f"instead of {_eur(m['mean_effect'])} in {sk['year']}")
        else:
            lines.append(f"  {m['id']}: no effect of this measure alone reaches {c} certainty (on too many paths "
                         "it does not go ahead or saves nothing in this goal's scope)")
    return "\n".join(lines)


@click.command()
@_study_options
@click.argument("realised_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a chart of the moments (.png).")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language of the plot.")
@click.option("--top", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Realisations shown per moment, the most influential first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def monitor(scenario, realised_files, paths, seed, municipality, year, plot, force, lang, top, as_json):
    """How P(met), the reserve and the median savings moved from the plan through each reporting moment.

    Each REALISED file is one moment (everything known then); per moment the realisations that
    moved the figures most (leave-one-out, on the same random numbers).
    """
    from simulator.results.monitoring import track

    s = _load(scenario)
    _check_choices(s, municipality, year)
    moments = [_parse(s, f) for f in realised_files]
    dates = [m.as_of for m in moments]
    if len(set(dates)) != len(dates):
        _fail("two realised files have the same as_of date: give one file per reporting moment")
    if plot:
        from simulator.report.writers import check_output

        check_output(plot, force=force, suffixes=(".png",), what="plot")
    municipality = default_municipality(s, municipality)
    t = track(s, moments, paths=paths, seed=seed, municipality=municipality, year=year, top=top)
    if plot:
        from simulator.report import plots
        from simulator.report.monitoring import monitor_chart
        from simulator.report.writers import atomic_write

        data = plots.png(monitor_chart(t, lang))
        atomic_write(plot, lambda p: p.write_bytes(data), force=force)
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, **t})))
        return
    rows = t["moments"]
    goal = rows[0].get("goal")
    click.echo(f"{s.name}: forecast for {rows[0]['year']} at each reporting moment; {paths:,} paths, seed {seed}, "
               "the same random numbers at every moment")
    if goal:
        click.echo(f"headline: {rows[0]['kind']} {goal} ({_eur(rows[0]['amount'])})"
                   + (f", {municipality}" if municipality else ""))
    click.echo("")
    click.echo(f"{'moment':<12}{'P(met)':>16}{'reserve 90%':>14}{'median savings':>16}{'ESS':>10}")
    for r in rows:
        p = _pct(r["p_met"], r["p_met_se"], None) if "p_met" in r else "-"
        click.echo(f"{r['moment']:<12}{p:>16}{_eur(r.get('reserve')):>14}{_eur(r['median_savings']):>16}"
                   f"{r['ess']:>10,.0f}")
    for r in rows[1:]:
        if r["moved_by"]:
            click.echo(f"\n{r['moment']}: moved most by")
            for d in r["moved_by"]:
                dp = d["delta_p_met"]
                dp_text = "" if dp != dp else f"P(met) {100 * dp:+.1f} pt, "
                click.echo(f"  {d['fact']} [{d['row']}]: {dp_text}reserve {_eur(d['delta_reserve'])}, "
                           f"median {_eur(d['delta_median'])}")
        for n in r["notes"]:
            click.echo(f"  note: {n}")
        for w in r["warnings"]:
            click.echo(f"  warning: {w}")
    click.echo("\n± is the Monte Carlo standard error (importance weights: delta method); each change is "
               "the figure with the fact minus without it")
    if plot:
        click.echo(f"saved {plot}")


@click.command()
@_study_options
@_realised_option
@_certainty_option
@click.option("--goal", default=None, help="Target or budget id (default: the first target with --year).")
@click.option("--measure", default=None, help="Also: the effect this measure must reach for the certainty.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def seek(scenario, paths, seed, municipality, year, realised_file, certainty, goal, measure, as_json):
    """Goal seek: extra savings or reserve for a certainty, the amount met with it, a measure's needed effect."""
    from simulator.results.conditioning import run_conditioned
    from simulator.results.goalseek import seek as seek_goal

    s = _load(scenario)
    _check_choices(s, municipality, year)
    if measure is not None and measure not in {m.id for m in s.measures}:
        _fail(f"unknown measure {measure!r}; known: {', '.join(m.id for m in s.measures)}")
    realised = _parse(s, realised_file) if realised_file else None
    municipality = default_municipality(s, municipality)
    c = run_conditioned(s, realised, paths=paths, seed=seed)
    try:
        sk = seek_goal(c, s, goal_id=goal, year=year, municipality=municipality, certainty=certainty,
                       measure=measure)
    except KeyError as exc:
        _fail(str(exc).strip("'\""))
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, "paths": paths, "seed": seed, **sk})))
        return
    click.echo(f"{s.name}: {paths:,} paths, seed {seed}" + (f", given {realised.file}" if realised else ""))
    click.echo(format_seek(sk).lstrip("\n"))
