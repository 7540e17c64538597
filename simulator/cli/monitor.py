"""taaksim monitor and seek, and run/report --realised: the forecast given realised figures."""

from __future__ import annotations

import json

import click

from simulator.cli.format import amount, chance, in_lang, jsonable, w
from simulator.cli.options import check_choices as _check_choices
from simulator.cli.options import check_goal as _check_goal
from simulator.cli.options import check_measure as _check_measure
from simulator.cli.options import fail as _fail
from simulator.cli.options import lang_option as _lang_option
from simulator.cli.options import load_scenario as _load
from simulator.cli.options import progress as _progress
from simulator.cli.options import study_options as _study_options
from simulator.cli.progress import wanted as _wanted


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
                 threads=None, measure=None, goal=None, lang="nl"):
    """`run`/`report` with --realised: the conditioned forecast, the plan beside it, and goal seek."""
    from simulator.results.conditioning import headline, run_conditioned, summary
    from simulator.results.goalseek import seek

    s = _load(scenario)
    municipality = _check_choices(s, municipality, year)
    measure = _check_measure(s, measure)
    realised = _parse(s, realised_file)
    municipality = default_municipality(s, municipality)
    goal = _check_goal(s, municipality, goal)
    with _progress(None, _wanted(as_json), lang):
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
    click.echo(format_conditioned(s, realised, out, before, paths=paths, seed=seed, municipality=municipality,
                                  lang=lang))
    if sk is not None:
        click.echo(format_seek(sk, lang))


def _count(n: int, key: str, lang: str) -> str:
    """"1 besluit", "3 besluiten": a number and its noun in the right number."""
    from simulator.report.text import number

    return f"{number(n, 0, lang)} {w(key + ('.1' if n == 1 else '.n'), lang)}"


def format_conditioned(s, realised, out, before, *, paths, seed, municipality, lang="nl") -> str:
    from simulator.report.text import number

    who = s.region if municipality is None else f"{s.municipality(municipality).name} ({s.region})"
    lines = [f"{s.name}: {who}",
             w("cond_given", lang).format(date=realised.as_of, file=realised.file,
                                          decisions=_count(len(realised.decisions), "decision", lang),
                                          observations=_count(len(realised.observations), "observation", lang)),
             w("cond_paths", lang).format(paths=number(paths, 0, lang), seed=seed, ess=number(out["ess"], 0, lang)),
             "", w("cond_table", lang),
             f"{w('year', lang):<6}{w('p50_plan', lang):>14}{'P5':>14}{'P50':>14}{'P95':>14}"
             f"{w('mean_se', lang):>24}"]
    for y, v in out["savings"].items():
        lines.append(f"{y:<6}{amount(before['savings'][y]['p50'], lang):>14}{amount(v['p5'], lang):>14}"
                     f"{amount(v['p50'], lang):>14}{amount(v['p95'], lang):>14}"
                     f"{amount(v['mean'], lang) + ' ±' + amount(v['mean_se'], lang):>24}")
    if out["goals"]:
        lines += ["", w("cond_goals", lang)]
        for g, g0 in zip(out["goals"], before["goals"], strict=True):
            lines.append(f"  {w(g['kind'], lang)} {g['id']} [{g['scope']}]:")
            for y, d in g["years"].items():
                d0 = g0["years"][y]
                lines.append(f"    {y}: {amount(d['amount'], lang):>13}   {chance(d0['p'], d0['se'], paths, lang):>16} "
                             f"-> {chance(d['p'], d['se'], None, lang):>16}")
    for n in out["notes"]:
        lines.append(w("note", lang).format(text=in_lang(n, ("note.",), lang, source="en")))
    for x in out["warnings"]:
        lines.append(w("warning", lang).format(text=in_lang(x, ("note.",), lang, source="en")))
    return "\n".join(lines)


def format_seek(sk: dict, lang: str = "nl") -> str:
    from simulator.report.text import number

    c = f"{number(100 * sk['certainty'], 0, lang)}%"
    kind = sk["kind"]
    lo, hi = sk["extra_needed_interval"]
    mlo, mhi = sk["amount_met_interval"]
    interval = w("interval", lang)
    met = w(f"seek_met.{kind}", lang).format(c=c)
    width = max(38, len(met) + 1)
    lines = ["", w("seek_head", lang).format(what=w(kind, lang), goal=sk["goal"], scope=sk["scope"], year=sk["year"],
                                             amount=amount(sk["amount"], lang), c=c),
             f"  {w('seek_extra', lang):<{width}}{amount(sk['extra_needed'], lang):>13}   "
             f"({interval} {amount(lo, lang)} .. {amount(hi, lang)})",
             f"  {met:<{width}}{amount(sk['amount_met'], lang):>13}   "
             f"({w(f'seek_what.{kind}', lang)}; {interval} {amount(mlo, lang)} .. {amount(mhi, lang)})"]
    m = sk.get("measure")
    if m is not None:
        if m["reachable"]:
            klo, khi = m["factor_interval"]
            lines.append("  " + w("seek_measure", lang).format(
                id=m["id"], k=number(m["factor"], 2, lang), interval=interval, lo=number(klo, 2, lang),
                hi=number(khi, 2, lang), need=amount(m["effect_needed"], lang), mean=amount(m["mean_effect"], lang),
                year=sk["year"]))
        else:
            lines.append("  " + w("seek_unreachable", lang).format(id=m["id"], c=c))
    return "\n".join(lines)


def describe(f, lang: str = "nl") -> str:
    """A realised fact in a reader's words and number format: "besluit m3: ja vanaf 2021-06-01",
    "uitgaven jeugd 2021: 7.900.000 ±237.000" (``--json`` keeps results.monitoring's English ``fact``)."""
    from simulator.i18n import TEXT
    from simulator.report.text import number
    from simulator.scenario.realised import Decision

    def g(x: float, spec: str) -> str:  # a short number with the language's decimal mark
        text = format(x, spec)
        return text.replace(".", ",") if lang == "nl" else text

    if isinstance(f, Decision):
        start = w("fact.from", lang).format(date=f.start) if f.start else ""
        yes = w("fact.yes" if f.go_ahead else "fact.no", lang)
        return w("fact.decision", lang).format(id=f.measure, yes=yes, start=start)
    if f.kind == "input":
        return w("fact.input", lang).format(id=f.target, value=g(f.value, "g"), sd=g(f.sd, ".2g"))
    share = "" if f.share == 1 else w("fact.share", lang).format(share=g(100 * f.share, ".0f") + "%")
    kind = w(f"fact.{f.kind}", lang) if f"term.fact.{f.kind}" in TEXT else f.kind
    return f"{kind} {f.target} {f.year}{share}: {number(f.value, 0, lang)} ±{number(f.sd, 0, lang)}"


def _facts(moments) -> dict:
    """(file, row) -> the fact, to name each influence in the reader's language."""
    return {(r.file, f.row): f for r in moments for f in (*r.decisions, *r.observations)}


@click.command()
@_study_options
@click.argument("realised_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a chart of the moments (.png).")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@_lang_option(help="Language of the terminal text and the plot.")
@click.option("--top", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Realisations shown per moment, the most influential first.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def monitor(scenario, realised_files, paths, seed, municipality, year, plot, force, lang, top, as_json):
    """How P(met), the reserve and the median savings moved from the plan through each reporting moment.

    Each REALISED file is one moment (everything known then); per moment the realisations that
    moved the figures most (leave-one-out, on the same random numbers).
    """
    from simulator.report.text import number
    from simulator.results.monitoring import track

    s = _load(scenario)
    municipality = _check_choices(s, municipality, year)
    moments = [_parse(s, f) for f in realised_files]
    dates = [m.as_of for m in moments]
    if len(set(dates)) != len(dates):
        _fail("two realised files have the same as_of date: give one file per reporting moment")
    if plot:
        from simulator.report.writers import check_output

        check_output(plot, force=force, suffixes=(".png",), what="plot")
    municipality = default_municipality(s, municipality)
    with _progress(None, _wanted(as_json), lang):
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
    facts = _facts(moments)
    click.echo(w("mon_head", lang).format(name=s.name, year=rows[0]["year"], paths=number(paths, 0, lang), seed=seed))
    if goal:
        click.echo(w("mon_headline", lang).format(what=w(rows[0]["kind"], lang), goal=goal,
                                                  amount=amount(rows[0]["amount"], lang))
                   + (f", {municipality}" if municipality else ""))
    click.echo("")
    click.echo(f"{w('moment', lang):<12}{w('met', lang):>18}{w('reserve90_col', lang):>14}"
               f"{w('median_savings', lang):>19}{w('ess', lang):>12}")
    for r in rows:
        p = chance(r["p_met"], r["p_met_se"], None, lang) if "p_met" in r else "-"
        moment = w("plan", lang) if r["moment"] == "plan" else r["moment"]
        click.echo(f"{moment:<12}{p:>18}{amount(r.get('reserve'), lang):>14}{amount(r['median_savings'], lang):>19}"
                   f"{number(r['ess'], 0, lang):>12}")
    for r in rows[1:]:
        if r["moved_by"]:
            click.echo("\n" + w("mon_moved", lang).format(moment=r["moment"]))
            for d in r["moved_by"]:
                dp = d["delta_p_met"]
                sign = "+" if dp >= 0 else ""
                dp_text = "" if dp != dp else w("mon_delta_p", lang).format(dp=sign + number(100 * dp, 1, lang))
                fact = facts.get((r["file"], d["row"]))
                name = d["fact"] if fact is None else describe(fact, lang)
                row = d["row"].replace("row", w("row", lang))
                click.echo(f"  {name} [{row}]: {dp_text}"
                           + w("mon_delta", lang).format(reserve=amount(d["delta_reserve"], lang),
                                                         median=amount(d["delta_median"], lang)))
        for n in r["notes"]:
            click.echo("  " + w("note", lang).format(text=in_lang(n, ("note.",), lang, source="en")))
        for x in r["warnings"]:
            click.echo("  " + w("warning", lang).format(text=in_lang(x, ("note.",), lang, source="en")))
    click.echo("\n" + w("mon_legend", lang))
    if plot:
        click.echo(w("saved", lang).format(path=plot))


@click.command()
@_study_options
@_realised_option
@_certainty_option
@click.option("--goal", default=None, help="Target or budget id (default: the first target with --year).")
@click.option("--measure", default=None, help="Also: the effect this measure must reach for the certainty.")
@_lang_option(help="Language of the terminal text.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def seek(scenario, paths, seed, municipality, year, realised_file, certainty, goal, measure, lang, as_json):
    """Goal seek: extra savings or reserve for a certainty, the amount met with it, a measure's needed effect."""
    from simulator.report.text import number
    from simulator.results.conditioning import run_conditioned
    from simulator.results.goalseek import seek as seek_goal

    s = _load(scenario)
    municipality = _check_choices(s, municipality, year)
    measure = _check_measure(s, measure)
    realised = _parse(s, realised_file) if realised_file else None
    municipality = default_municipality(s, municipality)
    goal = _check_goal(s, municipality, goal)
    with _progress(None, _wanted(as_json), lang):
        c = run_conditioned(s, realised, paths=paths, seed=seed)
    try:
        sk = seek_goal(c, s, goal_id=goal, year=year, municipality=municipality, certainty=certainty,
                       measure=measure)
    except KeyError as exc:
        _fail(str(exc).strip("'\""))
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, "paths": paths, "seed": seed, **sk})))
        return
    click.echo(w("seek_top", lang).format(name=s.name, paths=number(paths, 0, lang), seed=seed)
               + (w("seek_given", lang).format(file=realised.file) if realised else ""))
    click.echo(format_seek(sk, lang).lstrip("\n"))

