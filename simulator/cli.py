"""The command line: parse arguments, call the library, format the answer. Nothing else.

Heavy imports (numpy, xarray, scipy) happen inside the commands, so ``taaksim --help``
answers at once.
"""

from __future__ import annotations

import json
import sys

import click

from .errors import TaaksimError

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
    """
    ctx.obj = {"debug": debug}


def _load(path):
    from .loader import load

    return load(path)


@main.command()
@_scenario_arg
def validate(scenario):
    """Validate SCENARIO: exit 0 when valid, else 2 with file, key path and problem."""
    s = _load(scenario)
    n_inputs = len(s.inputs)
    click.echo(f"{scenario}: valid: {len(s.posts)} posts, {len(s.measures)} measures, "
               f"{n_inputs} uncertain inputs, {len(s.targets)} targets, {len(s.budgets)} budgets")


@main.command("check")
@_scenario_arg
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check_cmd(scenario, as_json):
    """Deterministic mode against the figures published in SCENARIO's document.

    Exit 0 when every consistent figure is reproduced within the document's rounding, 1
    otherwise; contradictions inside the document are listed, not counted as failures.
    """
    from .figures import check, format_text

    result = check(_load(scenario))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
    else:
        click.echo(format_text(result))
    sys.exit(0 if result.ok else 1)


def _progress(paths: int, enabled: bool):
    """A progress bar on stderr for long runs, or None."""
    if not enabled or paths < 1_000_000:
        return None, None
    bar = click.progressbar(length=paths, label="simulating", file=sys.stderr)
    return bar, bar.update


@main.command()
@_scenario_arg
@_paths_option
@_seed_option
@_municipality_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Save the result: .nc (full xarray result), .csv (summary per year), .xlsx.")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--detail", is_flag=True, help="Keep per-post and per-measure paths in the result.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def run(scenario, paths, seed, municipality, out, force, detail, as_json):
    """Simulate SCENARIO: per year the range of net savings and the chance of meeting targets."""
    from .runner import run as run_scenario
    from .summary import summarise_years, summary_frame

    s = _load(scenario)
    if municipality is not None and municipality not in {m.id for m in s.municipalities}:
        known = ", ".join(m.id for m in s.municipalities) or "none in this scenario"
        _fail(f"unknown municipality {municipality!r}; known: {known}")
    if out:  # before the run, not after it: a refused --out must not cost a long simulation
        from .outputs import check_output

        check_output(out, force=force)
    bar, update = _progress(paths, not as_json and sys.stderr.isatty())
    if bar is not None:
        with bar:
            ds = run_scenario(s, paths, seed=seed, detail=detail, progress=update)
    else:
        ds = run_scenario(s, paths, seed=seed, detail=detail)
    summary = summarise_years(ds, municipality=municipality)
    if out:
        from .outputs import write_result

        write_result(ds, out, summary_frame(ds, municipality=municipality), force=force)
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
            "p_within_budget": summary["p_within_budget"],
        }
        if municipality:
            payload["municipality"] = municipality
        click.echo(json.dumps(payload))
        return
    click.echo(format_run(s, summary, paths=paths, seed=seed, municipality=municipality))
    if out:
        click.echo(f"saved {out}")


def _eur(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _pct(p: float | None, se: float | None, n: int | None = None) -> str:
    if p is None:
        return "-"
    if n and p in (0.0, 1.0):
        # no path crossed: the standard error is 0, the honest bound is the rule of three
        bound = 100 * 3 / n
        return f"<{bound:.3f}%" if p == 0 else f">{100 - bound:.3f}%"
    return f"{100 * p:.1f}% ±{100 * (se or 0):.1f}"


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
    lines.append("± is the Monte Carlo standard error (<x% where no path crossed: 95% upper bound); "
                 "P5-P95 is the 90% range.")
    return "\n".join(lines)
