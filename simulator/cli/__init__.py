"""The command line: parse arguments, call the library, format the answer. Nothing else.

Heavy imports (numpy, xarray, scipy) happen inside the commands, so ``taaksim --help``
answers at once.
"""

from __future__ import annotations

import json
import math
import sys

import click

from simulator.errors import TaaksimError

DEFAULT_PATHS = 10_000


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _usage(exc: click.UsageError):
    """A command-line mistake in two lines (click's own form takes four)."""
    where = exc.ctx.command_path if exc.ctx else "taaksim"
    click.echo(f"error: {exc.format_message()}\n(see '{where} --help')", err=True)
    sys.exit(exc.exit_code)


class _Group(click.Group):
    """Turns every taaksim error into a one-line message and exit code 2 (--debug: traceback)."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            _usage(exc)

    def invoke(self, ctx):
        import warnings

        def show(message, category, *args, **kwargs):
            # taaksim's own warnings (a correlation that cannot hold) read like its errors: one line
            if category.__module__.startswith("simulator."):
                click.echo(f"warning: {message}", err=True)
            else:
                default_show(message, category, *args, **kwargs)

        default_show = warnings.showwarning
        warnings.showwarning = show
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            _usage(exc)
        except TaaksimError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: no output was written", err=True)
            sys.exit(130)
        except MemoryError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail("out of memory: use fewer --paths (summaries converge long before that)")
        finally:
            warnings.showwarning = default_show


def _scenario_arg(f):
    return click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))(f)


def _seed_option(f):
    return click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
                        help="Random seed; the same seed gives the same numbers.")(f)


def _paths_option(f):
    return click.option("--paths", type=click.IntRange(1, 100_000_000), default=DEFAULT_PATHS,
                        show_default=True, help="Number of simulated year-paths.")(f)


def _municipality_option(f):
    return click.option("--municipality", default=None,
                        help="Show one participant of a regional programme against its own targets.")(f)


def _year_option(f):
    return click.option("--year", type=int, default=None,
                        help="The year the risk figures, sensitivity and contributions are for (default: the last).")(f)


def _study_options(f):
    """SCENARIO, --paths, --seed, --municipality and --year: what every analysing command takes."""
    for option in (_year_option, _municipality_option, _seed_option, _paths_option, _scenario_arg):
        f = option(f)
    return f


def _finite(ctx, param, value):
    """click's FloatRange lets nan (and, without a bound, inf) through."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r} is not a finite number")
    return value


def _capacity_option(f):
    return click.option("--weerstandscapaciteit", "capacity", type=click.FloatRange(0, 1e12), default=None,
                        callback=_finite, metavar="EUR",
                        help="Available risk capacity: gives the weerstandsratio and its class.")(f)


def _lang_option(f):
    return click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                        help="Language of the paragraph, report and spreadsheet headers.")(f)


def _check_choices(s, municipality, year):
    if municipality is not None and municipality not in {m.id for m in s.municipalities}:
        known = ", ".join(m.id for m in s.municipalities) or "none in this scenario"
        _fail(f"unknown municipality {municipality!r}; known: {known}")
    if year is not None and year not in s.years:
        _fail(f"--year {year} is not a year of the scenario ({s.years[0]}-{s.years[-1]})")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
@click.version_option(package_name="taaksim", prog_name="taaksim")
@click.pass_context
def main(ctx, debug):
    """taaksim: savings programmes in the social domain (Wmo, Jeugdwet) as ranges, not points.

    \b
    taaksim validate SCENARIO      check a scenario file
    taaksim check SCENARIO         reproduce the document's own figures
    taaksim run SCENARIO           Monte Carlo ranges, P(target met), P(within budget)
    taaksim report SCENARIO        risk paragraph; --out report.html for the full report
    taaksim compare SCENARIO       what-if variants side by side (--variant NAME=CHANGE)
    """
    ctx.obj = {"debug": debug}


def _load(path):
    from simulator.run.blocks import tune_allocator
    from simulator.scenario.loader import load

    # the command line owns its process, so it may change malloc's settings for speed;
    # the library leaves that to the program that imports it (simulator.run.bench)
    tune_allocator()
    return load(path)


@main.command()
@_scenario_arg
@click.option("--inputs", "list_inputs", is_flag=True, help="List the uncertain inputs (keys for --variant).")
def validate(scenario, list_inputs):
    """Validate SCENARIO: exit 0 when valid, else 2 with file, key path and problem."""
    s = _load(scenario)
    n_inputs = len(s.inputs)
    click.echo(f"{scenario}: valid: {len(s.posts)} posts, {len(s.measures)} measures, "
               f"{n_inputs} uncertain inputs, {len(s.targets)} targets, {len(s.budgets)} budgets")
    if list_inputs:
        from simulator.results.analysis import describe_input

        width = max((len(i.key) for i in s.inputs), default=0)
        for i in s.inputs:
            click.echo(f"  {i.key:<{width}}  @{i.role:<12} {describe_input(s, i, 'en')}")


@main.command("check")
@_scenario_arg
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check_cmd(scenario, as_json):
    """Deterministic mode against the figures published in SCENARIO's document.

    Exit 0 when every consistent figure is reproduced within the document's rounding, 1
    otherwise; contradictions inside the document are listed, not counted as failures.
    """
    from simulator.results.check import check, format_text

    result = check(_load(scenario))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
    else:
        click.echo(format_text(result))
    sys.exit(0 if result.ok else 1)


def _scale_options(f):
    f = click.option("--max-paths", type=click.IntRange(1, 100_000_000), default=10_000_000,
                     show_default=True,
                     help="With --precision: stop here even if the precision is not reached.")(f)
    f = click.option("--precision", type=click.FloatRange(min=0.0, min_open=True), default=None, callback=_finite,
                     help="Add blocks of 65,536 paths until the standard error of every reported "
                          "probability is below this (e.g. 0.005); --paths is then ignored.")(f)
    f = click.option("--sampling", type=click.Choice(["mc", "lhs", "sobol"]), default="mc", show_default=True,
                     help="Plain Monte Carlo, Latin hypercube or scrambled Sobol' (fewer paths for the same "
                          "precision: docs/performance.md); errors then come from 16 independent "
                          "randomisations per block. Streamed runs only.")(f)
    f = click.option("--scheduler", default=None, metavar="threads|dask|dask://HOST:PORT",
                     help="Where blocks run: threads here (default), a local dask cluster, or an existing "
                          "one. The numbers are the same.")(f)
    return click.option("--threads", type=click.IntRange(1, 256), default=None,
                        help="Worker threads (default: one per core). The numbers do not depend on it.")(f)


def _stream(s, paths, *, seed, municipality, detail, threads, scheduler, precision, max_paths,
            show_progress, sampling="mc") -> dict:
    """Run blocks and reduce them as they finish (simulator.run.streaming): the summary dict."""
    from simulator.run.streaming import run_stream

    if scheduler not in (None, "threads", "dask") and not str(scheduler).startswith("dask://"):
        _fail(f"unknown --scheduler {scheduler!r}: use threads, dask or dask://HOST:PORT")
    total = max_paths if precision is not None else paths
    bar, update = _progress(total, show_progress and precision is None)
    kwargs = dict(seed=seed, municipality=municipality, detail=detail, threads=threads,
                  scheduler=None if scheduler == "threads" else scheduler, precision=precision,
                  max_paths=max_paths, progress=update, sampling=sampling)
    if bar is not None:
        with bar:
            merged = run_stream(s, paths, **kwargs)
    else:
        merged = run_stream(s, paths, **kwargs)
    return merged.summary()


def _progress(paths: int, enabled: bool):
    """A progress bar on stderr for long runs, or None."""
    if not enabled or paths < 1_000_000:
        return None, None
    bar = click.progressbar(length=paths, label="simulating", file=sys.stderr)
    return bar, bar.update


@main.command()
@_study_options
@_capacity_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Save the result: .nc (full xarray result), .csv (summary per year), .xlsx (every table).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--detail", is_flag=True, help="Keep per-post and per-measure paths in the result.")
@_lang_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_scale_options
def run(scenario, paths, seed, municipality, year, capacity, out, force, detail, lang, as_json, threads, scheduler,
        sampling, precision, max_paths):
    """Simulate SCENARIO: per year the range of net savings and the chance of meeting targets.

    Risk figures (shortfall, reserve at 90%, weerstandsratio) come with --weerstandscapaciteit
    or --year, or when the full result is saved (.nc, .xlsx); otherwise the summary streams.
    """
    s = _load(scenario)
    _check_choices(s, municipality, year)
    if out:  # before the run, not after it: a refused --out must not cost a long simulation
        from simulator.report.writers import check_output

        check_output(out, force=force)
    full = bool(out and out.lower().endswith((".nc", ".xlsx"))) or capacity is not None or year is not None
    year = s.years[-1] if year is None else year
    risk = None
    if full:
        # every path is kept (the xarray Dataset): needed for the file, and for shortfall quantiles
        if precision is not None or (scheduler or "threads") != "threads" or sampling != "mc":
            _fail("--precision, --sampling and --scheduler dask stream a summary; they cannot be combined with a full "
                  ".nc/.xlsx result, --weerstandscapaciteit or --year")
        from simulator.results.analysis import risk_of
        from simulator.results.summary import summarise_years, summary_frame
        from simulator.run.dataset import run as run_scenario

        findings = None
        if out and out.lower().endswith(".xlsx"):
            from simulator.results.analysis import analyse

            findings = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year,
                               capacity=capacity)
            ds = findings.study.dataset
        else:
            bar, update = _progress(paths, not as_json and sys.stderr.isatty())
            if bar is not None:
                with bar:
                    ds = run_scenario(s, paths, seed=seed, detail=detail, progress=update, threads=threads)
            else:
                ds = run_scenario(s, paths, seed=seed, detail=detail, threads=threads)
        summary = summarise_years(ds, municipality=municipality)
        risk = risk_of(ds, year=year, municipality=municipality, capacity=capacity)
        rows = summary_frame(ds, municipality=municipality)
    else:
        # the summary alone: blocks are reduced as they finish, memory stays bounded
        ds, findings = None, None
        summary = _stream(s, paths, seed=seed, municipality=municipality, detail=detail, threads=threads,
                          scheduler=scheduler, precision=precision, max_paths=max_paths,
                          show_progress=not as_json and sys.stderr.isatty(), sampling=sampling)
        paths = summary["paths"]
        rows = None
        if out:
            from simulator.results.summary import frame_of

            rows = frame_of(summary)
    if out:
        from simulator.report.writers import write_result

        write_result(ds, out, rows, force=force, findings=findings, lang=lang)
    if as_json:
        payload = {
            "scenario": s.name,
            "paths": paths,
            "seed": seed,
            "years": summary["years"],
            "savings": {y: {k: v[k] for k in ("mean", "p5", "p10", "p50", "p90", "p95")}
                        for y, v in summary["savings"].items()},
            "target": summary["target"],
            "p_target_met": summary["p_target_met"],
            "p_target_met_se": summary["p_target_met_se"],
            "p_within_budget": summary["p_within_budget"],
            "p_within_budget_se": summary["p_within_budget_se"],
            "mc_error": {"savings_mean": {y: v["mean_se"] for y, v in summary["savings"].items()},
                         "p_target_met": summary["p_target_met_se"],
                         "p_within_budget": summary["p_within_budget_se"]},
        }
        if risk is not None:
            payload["risk"] = _jsonable(risk["headline"])
        if municipality:
            payload["municipality"] = municipality
        if precision is not None:
            payload["precision"] = precision
        if sampling != "mc":
            payload["sampling"] = sampling
        if "detail" in summary:
            payload["detail"] = summary["detail"]
        click.echo(json.dumps(payload))
        return
    click.echo(format_run(s, summary, paths=paths, seed=seed, municipality=municipality))
    if precision is not None:
        click.echo(f"--precision {precision:g}: {paths:,} paths until every probability's standard error "
                   f"was below it")
    if "detail" in summary:
        click.echo(format_detail(s, summary))
    if risk is not None:
        click.echo(format_risk(risk["headline"], paths))
    else:
        click.echo("\nshortfall, reserve at 90% and weerstandsratio: add --weerstandscapaciteit EUR (or see "
                   "taaksim report)")
    if out:
        click.echo(f"saved {out}")


def _jsonable(x):
    """Tuples to lists and infinities to None: JSON has neither."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return None
    return x


def format_risk(head: dict | None, paths: int) -> str:
    if head is None:
        return "\nno target or budget in this year: no shortfall to reserve for"
    what = "target" if head["kind"] == "target" else "budget"
    lo, hi = head["needed_capacity_interval"]
    lines = ["", f"risk, {what} {head['goal']} in {head['year']}:",
             f"  mean shortfall (all paths)    {_eur(head['expected_shortfall']):>14}",
             f"  mean shortfall, worst 10%     {_eur(head['cvar']):>14}   (CVaR)",
             f"  needed reserve, 90% certain   {_eur(head['needed_capacity']):>14}   "
             f"(95% interval {_eur(lo)} .. {_eur(hi)})",
             f"  realisation risk (register)   {_eur(head['realisatierisico']):>14}   "
             f"= P(shortfall) {_pct(1 - head['p_met'], None, paths).split(' ')[0]} x maximum consequence "
             f"{_eur(head['max_consequence'])}"]
    if "ratio" in head:
        r = head["ratio"]
        lines.append(f"  weerstandsratio               {('inf' if r == float('inf') else f'{r:.2f}'):>14}   "
                     f"class {head['ratio_class']} ({head['ratio_nl']} / {head['ratio_en']}), available "
                     f"{_eur(head['capacity'])}")
    return "\n".join(lines)


@main.command()
@_study_options
@_capacity_option
@_lang_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the full report: .html (one self-contained file) or .md (plots beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--aux-paths", type=click.IntRange(100, 10_000_000), default=10_000, show_default=True,
              help="Paths of each extra run (sensitivity, contributions); at most --paths.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
def report(scenario, paths, seed, municipality, year, capacity, lang, out, force, aux_paths, as_json):
    """Council answers for SCENARIO: the risk paragraph, or with --out the full report.

    Risk figures (shortfall, the reserve needed at 90% certainty, weerstandsratio),
    sensitivity (which assumption to research first), each measure's contribution and the
    waterfall from plan to result, all from the same random numbers.
    """
    from simulator.report.paragraph import risk_paragraph
    from simulator.results.analysis import analyse

    s = _load(scenario)
    _check_choices(s, municipality, year)
    if out:  # before the analysis, not after it
        from simulator.report.document import check_report_path

        check_report_path(out, force=force)
    f = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year, capacity=capacity,
                aux_paths=aux_paths)
    if out:
        from simulator.report.document import write_report

        write_report(f, out, lang=lang, force=force)
    if as_json:
        click.echo(json.dumps(_jsonable({
            "scenario": s.name, "paths": paths, "seed": seed, "year": f.study.year, "municipality": municipality,
            "risk": f.risk, "sensitivity": f.sensitivity,
            "sensitivity_measures": f.sensitivity_measures, "contributions": f.contributions,
            "waterfall": f.waterfall, "plan": f.plan, "paragraph": risk_paragraph(f, lang)})))
        return
    click.echo(risk_paragraph(f, lang), nl=False)
    if out:
        click.echo(f"\nsaved {out}", err=True)


@main.command()
@_study_options
@click.option("--variant", "variants", multiple=True, metavar="NAME=CHANGE",
              help="A what-if: without:m7 | later:1 | KEY=VALUE (key, *.glob or @role; value, pNN, plan, mean); "
                   "join changes with ';'. Repeat for more variants.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a chart of the variants (.png).")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@_lang_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def compare(scenario, variants, paths, seed, municipality, year, plot, force, lang, as_json):
    """Compare what-if variants of SCENARIO with the same random numbers.

    \b
    taaksim compare S.toml --variant zonder-m7=without:m7 --variant later=later:1 \\
        --variant pessimistisch=@growth=p90 --variant m3-zeker=m3.go_ahead=1
    """
    from simulator.results.variants import compare as compare_variants
    from simulator.results.variants import parse_variant

    s = _load(scenario)
    _check_choices(s, municipality, year)
    if not variants:
        _fail("give at least one --variant NAME=CHANGE, e.g. --variant zonder-m7=without:m7")
    parsed = [parse_variant(v, s) for v in variants]
    names = [v.name for v in parsed]
    if len(set(names)) != len(names) or "basis" in names:
        _fail("variant names must be unique and not 'basis'")
    if plot:
        from simulator.report.writers import check_output

        check_output(plot, force=force, suffixes=(".png",), what="plot")
    rows = compare_variants(s, parsed, paths=paths, seed=seed, municipality=municipality, year=year)
    if plot:
        from simulator.report import plots
        from simulator.report.writers import atomic_write

        data = plots.png(plots.variants_chart(rows, rows[0]["year"], lang))
        atomic_write(plot, lambda p: p.write_bytes(data), force=force)
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, "paths": paths, "seed": seed, "variants": rows})))
        return
    y = rows[0]["year"]
    click.echo(f"{s.name}: {paths:,} paths, seed {seed}, the same random numbers for every variant; "
               f"net savings {y} [EUR]")
    click.echo("")
    click.echo(f"{'variant':<22}{'P5':>14}{'P50':>14}{'P95':>14}{'P(target met)':>17}{'change of mean':>24}")
    for r in rows:
        delta = "" if r["name"] == "basis" else f"{_eur(r['delta_mean'])} ±{_eur(r['delta_mean_se'])}"
        click.echo(f"{r['name']:<22}{_eur(r['p5']):>14}{_eur(r['p50']):>14}{_eur(r['p95']):>14}"
                   f"{_pct(r['p_target_met'], r['p_target_met_se'], paths):>17}{delta:>24}")
    for r in rows[1:]:
        click.echo(f"  {r['name']}: {r['spec']}")
    if plot:
        click.echo(f"saved {plot}")


def _eur(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _pct(p: float | None, se: float | None, n: int | None = None) -> str:
    if p is None:
        return "-"
    if n and p in (0.0, 1.0):
        # no path crossed: the standard error is 0, the honest bound is the rule of three
        from simulator.report.text import rule_of_three

        bound = 100 * rule_of_three(n)
        return f"<{bound:.3f}%" if p == 0 else f">{100 - bound:.3f}%"
    se = 100 * (se or 0)
    return f"{100 * p:.1f}% ±{se:.1f}" if se >= 0.05 or se == 0 else f"{100 * p:.2f}% ±{se:.2g}"


def format_detail(s, summary: dict) -> str:
    """Mean savings and costs per measure and year (--detail of a streamed run)."""
    d = summary["detail"]
    years = summary["years"]
    lines = ["", "per measure, mean over paths [EUR]: gross savings / costs"]
    lines.append(f"{'measure':<34}" + "".join(f"{y:>24}" for y in years))
    for i, m in enumerate(s.measures):
        cells = "".join(f"{_eur(g) + ' / ' + _eur(c):>24}"
                        for g, c in zip(d["measure_savings"][i], d["measure_costs"][i], strict=True))
        lines.append(f"{m.id[:33]:<34}{cells}")
    return "\n".join(lines)


def format_run(s, summary: dict, *, paths: int, seed: int, municipality: str | None) -> str:
    who = s.region if municipality is None else f"{s.municipality(municipality).name} ({s.region})"
    lines = [f"{s.name}: {who}", f"{paths:,} paths, seed {seed}; net savings of all posts against the "
             "baseline (spending without the measures) [EUR]", ""]
    head = f"{'year':<6}{'mean':>14}{'P5':>14}{'P50':>14}{'P95':>14}{'target':>14}{'P(target met)':>17}"
    has_budget = any(v is not None for v in summary["p_within_budget"].values())
    if has_budget:
        head += f"{'P(within budget)':>19}"
    lines.append(head)
    for y in summary["years"]:
        k = str(y)
        v = summary["savings"][k]
        row = (f"{y:<6}{_eur(v['mean']):>14}{_eur(v['p5']):>14}{_eur(v['p50']):>14}{_eur(v['p95']):>14}"
               f"{_eur(summary['target'][k]):>14}"
               f"{_pct(summary['p_target_met'][k], summary['p_target_met_se'][k], paths):>17}")
        if has_budget:
            row += f"{_pct(summary['p_within_budget'][k], summary['p_within_budget_se'][k], paths):>19}"
        lines.append(row)
    goals = summary["goals"]
    if goals:
        lines.append("")
        lines.append("each target and budget, judged on its own scope:")
        for g in goals:
            if g["kind"] == "target":
                basis = "savings against base-year spending" if g["against"] == "base_year" else "net savings"
                lines.append(f"  target {g['id']} [{g['scope']}], {basis}:")
            else:
                lines.append(f"  budget {g['id']} [{g['scope']}], spending with measures and growth:")
            for y, d in g["years"].items():
                verb = "P(met)" if g["kind"] == "target" else "P(within)"
                lines.append(f"    {y}: {_eur(d['amount']):>13}   P50 {_eur(d['p50']):>13}   "
                             f"P5-P95 {_eur(d['p5'])} .. {_eur(d['p95'])}   "
                             f"{verb} {_pct(d['p'], d['se'], paths)}")
            if g["p_all_years"] is not None and len(g["years"]) > 1:
                lines.append(f"    every year together: {100 * g['p_all_years']:.1f}%")
    lines.append("")
    worst = max(v.get("mean_se", 0.0) for v in summary["savings"].values())
    lines.append("± is the Monte Carlo standard error (<x% where no path crossed: 95% upper bound); "
                 "P5-P95 is the 90% range.")
    lines.append(f"Monte Carlo error of the mean savings: at most {_eur(worst)} (standard error).")
    return "\n".join(lines)


# --- bench: speed against the hardware's floor ------------------------------------------------


def _default_bench_scenario() -> str | None:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "gooi-en-vechtstreek-2021.toml"
    return str(path) if path.exists() else None


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--paths", type=click.IntRange(1, 100_000_000), default=1_000_000, show_default=True,
              help="Number of simulated year-paths.")
@_seed_option
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="Worker threads (default: one per core).")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Time the run this often and report the median.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(scenario, paths, seed, threads, repeat, as_json):
    """Paths per second of a whole run of SCENARIO, and its ratio to the floor.

    The floor is the time numpy's fastest generator needs only to draw the random numbers
    the run draws, measured in this process just before. SCENARIO defaults to the largest
    bundled scenario (Gooi en Vechtstreek). The run is what `taaksim run` does without
    --out: simulate on threads and reduce to the summary.
    """
    from simulator.run.bench import measure

    scenario = scenario or _default_bench_scenario()
    if scenario is None:
        _fail("give a SCENARIO: the bundled scenarios are not next to this installation")
    r = measure(_load(scenario), paths, seed=seed, threads=threads, repeat=repeat)
    if as_json:
        keys = ("scenario", "paths", "variates", "seconds", "paths_per_second", "floor_seconds",
                "floor_ratio", "peak_memory_mb")
        click.echo(json.dumps({k: r[k] for k in keys}))
        return
    click.echo(f"{r['scenario']}: {r['paths']:,} paths, {r['threads']} thread(s), median of {repeat}")
    click.echo(f"  run          {r['seconds']:9.3f} s   {r['paths_per_second']:>12,.0f} paths/s   "
               f"(cpu {r['cpu_seconds']:.2f} s)")
    click.echo(f"  floor        {r['floor_seconds']:9.3f} s   {r['variates']:>12,} variates drawn by "
               f"{r['generator']} alone")
    click.echo(f"  floor ratio  {r['floor_ratio']:9.2f}     (run / floor; the goal is 2 or less)")
    click.echo(f"  peak memory  {r['peak_memory_mb']:9.0f} MB  (resident, whole process)")
