"""taaksim run: ranges of net savings and the chance of meeting each goal, streamed or with every path."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from simulator.cli.format import dumps, format_detail, format_readings, format_risk, format_run, jsonable
from simulator.cli.options import (
    capacity_option,
    check_choices,
    check_goal,
    check_memory,
    fail,
    goal_option,
    lang_option,
    load_scenario,
    progress,
    reachable,
    reading_option,
    scale_options,
    study_options,
)
from simulator.cli.progress import wanted

if TYPE_CHECKING:
    from simulator.results.risk import Risk
    from simulator.results.summary import Summary


def stream_summary(s, paths, *, seed, municipality, detail, threads, scheduler, precision, max_paths,
                   show_progress, sampling="mc") -> Summary:
    """Run blocks and reduce them as they finish (simulator.run.streaming): the summary."""
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream

    if scheduler not in (None, "threads", "dask") and not str(scheduler).startswith("dask://"):
        fail(f"unknown --scheduler {scheduler!r}: use threads, dask or dask://HOST:PORT")
    if str(scheduler).startswith("dask://"):
        reachable(scheduler)
    total = max_paths if precision is not None else paths
    # with --precision the number of paths is not known beforehand: the elapsed time only
    try:
        with progress(None if precision is not None else total, show_progress) as bar:
            merged = run_stream(s, paths, seed=seed, municipality=municipality, detail=detail, threads=threads,
                                scheduler=None if scheduler == "threads" else scheduler, precision=precision,
                                max_paths=max_paths, progress=bar.update, sampling=sampling)
    except (OSError, TimeoutError) as exc:  # the cluster went away, or never answered
        if scheduler in (None, "threads"):
            raise
        fail(f"the dask scheduler {scheduler} failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    return Summary.from_merged(merged)


@click.command()
@study_options
@capacity_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Save the result: .nc (full xarray result), .csv (summary per year), .xlsx (every table).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--detail", is_flag=True, help="Keep per-post and per-measure paths in the result.")
@lang_option
@click.option("--csv-dialect", type=click.Choice(["nl", "en"]), default=None,
              help="csv for a Dutch Excel (';', decimal comma) or an English one (',', decimal point); default: that "
                   "of --lang.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@scale_options
@click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Condition the forecast on realised figures (.csv, .xlsx, .toml; docs/monitoring.md).")
@reading_option
@goal_option
def run(scenario, paths, seed, municipality, year, capacity, out, force, detail, lang, csv_dialect, as_json, threads,
        scheduler, sampling, precision, max_paths, realised_file, reading, goal):
    """Simulate SCENARIO: per year the range of net savings and the chance of meeting targets.

    Risk figures (shortfall, reserve at 90%, weerstandsratio) come with --weerstandscapaciteit
    or --year, or when the full result is saved (.nc, .xlsx); otherwise the summary streams.
    """
    if realised_file:
        from simulator.cli.monitor import realised_run

        if out or capacity is not None or precision is not None:
            fail("--realised prints the conditioned forecast; it does not combine with --out, "
                 "--weerstandscapaciteit or --precision")
        return realised_run(scenario, realised_file, paths=paths, seed=seed, municipality=municipality, year=year,
                            as_json=as_json, threads=threads)
    s = load_scenario(scenario, reading)
    municipality = check_choices(s, municipality, year)
    check_goal(s, municipality, goal)
    needs = None
    if out:  # before the run, not after it: a refused --out must not cost a long simulation
        from simulator.report.writers import check_result_path, writer_for

        check_result_path(out, force=force)
        needs = writer_for(out).needs
    full = needs in ("paths", "findings") or capacity is not None or year is not None or goal is not None
    check_memory(s, paths if full or precision is None else max_paths, threads=threads, full=full, detail=detail)
    year = s.years[-1] if year is None else year
    if not as_json:  # --json prints one object, also where stderr joins stdout
        _engine_note(s, paths if full or precision is None else max_paths, detail=detail, sampling=sampling)
    risk, ds, findings, rows = None, None, None, None
    if full:
        if precision is not None or (scheduler or "threads") != "threads" or sampling != "mc":
            fail("--precision, --sampling and --scheduler dask stream a summary; they cannot be combined with a "
                 "full .nc/.xlsx result, --weerstandscapaciteit or --year")
        summary, risk, rows, ds, findings = _full_run(s, paths, seed=seed, municipality=municipality, year=year,
                                                      capacity=capacity, detail=detail, threads=threads, goal=goal,
                                                      analysis=needs == "findings",
                                                      show_progress=wanted(as_json))
    else:
        # the summary alone: blocks are reduced as they finish, memory stays bounded
        summary = stream_summary(s, paths, seed=seed, municipality=municipality, detail=detail, threads=threads,
                                 scheduler=scheduler, precision=precision, max_paths=max_paths,
                                 show_progress=wanted(as_json), sampling=sampling)
        paths = summary.paths
        if out:
            rows = summary.to_frame()
    if out:
        from simulator.report.writers import write_result

        write_result(ds, out, rows, force=force, findings=findings, lang=lang, municipality=municipality,
                     csv_dialect=csv_dialect)
    from simulator.results.readings import side_by_side

    readings = side_by_side(s, summary, paths=paths, seed=seed, municipality=municipality, threads=threads)
    if as_json:
        payload = _payload(s, summary, risk, paths=paths, seed=seed, municipality=municipality, precision=precision,
                           sampling=sampling)
        if readings:
            payload["readings"] = [r.to_json() for r in readings]
        click.echo(dumps(payload))
        return
    _print_text(s, summary, risk, paths=paths, seed=seed, municipality=municipality, precision=precision, out=out,
                lang=lang)
    text = format_readings(readings, paths, lang)
    if text:
        click.echo(text)


def _engine_note(s, paths: int, *, detail: bool, sampling: str) -> None:
    """With --engine numba: one line on stderr when the kernel does not run this scenario (numpy does)."""
    from simulator.core.compiled.runner import engine_name
    from simulator.run.streaming import engine_used

    if engine_name() != "numba":
        return
    engine, why = engine_used(s, paths, detail=detail, sampling=sampling)
    if engine != "numba" and why:
        click.echo(f"taaksim: the numpy engine runs this ({why})", err=True)


def _full_run(s, paths, *, seed, municipality, year, capacity, detail, threads, analysis, show_progress, goal=None):
    """Keep every path (the xarray Dataset): needed for a file of every path or of the findings, and for
    shortfall quantiles; ``analysis``: run the whole analysis (a writer needs the findings)."""
    from simulator.results.risk import risk_of
    from simulator.results.summary import Summary
    from simulator.run.dataset import run as run_scenario

    findings = None
    if analysis:
        from simulator.results.analysis import analyse

        with progress(None, show_progress):
            findings = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year, capacity=capacity)
        ds = findings.study.dataset
    else:
        with progress(paths, show_progress) as bar:
            ds = run_scenario(s, paths, seed=seed, detail=detail, progress=bar.update, threads=threads)
    summary = Summary.from_dataset(ds, municipality=municipality)
    risk = risk_of(ds, year=year, municipality=municipality, capacity=capacity, goal=goal)
    return summary, risk, summary.to_frame(), ds, findings


def _payload(s, summary: Summary, risk: Risk | None, *, paths, seed, municipality, precision,
             sampling="mc") -> dict:
    """The --json object (its keys are part of the command line's contract), from the summary's
    own JSON (:meth:`~simulator.results.summary.Summary.to_json`)."""
    j = summary.to_json()
    payload = {
        "scenario": s.name,
        "paths": paths,
        "seed": seed,
        "years": j["years"],
        "savings": {y: {k: v[k] for k in ("mean", "p5", "p10", "p50", "p90", "p95")}
                    for y, v in j["savings"].items()},
        "target": j["target"],
        "p_target_met": j["p_target_met"],
        "p_target_met_se": j["p_target_met_se"],
        "p_within_budget": j["p_within_budget"],
        "p_within_budget_se": j["p_within_budget_se"],
        "goals": j["goals"],
        "programme_reserve": j["programme_reserve"],
        "hardest": j["hardest"],
        "prices": {"simulated": s.prices.simulated},
        "mc_error": {"savings_mean": {y: v["mean_se"] for y, v in j["savings"].items()},
                     "p_target_met": j["p_target_met_se"],
                     "p_within_budget": j["p_within_budget_se"]},
    }
    if risk is not None:
        payload["risk"] = jsonable(None if risk.headline is None else risk.headline.to_json())
    if municipality:
        payload["municipality"] = municipality
    if s.reading:
        payload["reading"] = s.reading
    if precision is not None:
        payload["precision"] = precision
    if sampling != "mc":
        payload["sampling"] = sampling
    if "detail" in j:
        payload["detail"] = j["detail"]
    return payload


def _print_text(s, summary: Summary, risk: Risk | None, *, paths, seed, municipality, precision, out,
                lang="nl") -> None:
    from simulator.report.text import number

    nl = lang == "nl"
    click.echo(format_run(s, summary, paths=paths, seed=seed, municipality=municipality, lang=lang))
    if precision is not None:
        click.echo(f"--precision {number(precision, 4, lang).rstrip('0')}: {number(paths, 0, lang)} "
                   + ("paden, tot de standaardfout van elke kans eronder lag" if nl else
                      "paths until every probability's standard error was below it"))
    if summary.detail is not None:
        click.echo(format_detail(s, summary, lang))
    if risk is not None:
        click.echo(format_risk(risk.headline, paths, lang))
    else:
        click.echo("\n" + ("tekort, reserve bij 90% zekerheid en weerstandsratio: geef --weerstandscapaciteit EUR "
                           "(of zie taaksim report)" if nl else
                           "shortfall, reserve at 90% and weerstandsratio: add --weerstandscapaciteit EUR (or see "
                           "taaksim report)"))
    if out:
        click.echo(f"{'opgeslagen' if nl else 'saved'}: {out}")
