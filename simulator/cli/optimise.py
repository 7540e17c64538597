"""taaksim optimise (alias choose): the package of measures that reaches the goals best."""

from __future__ import annotations

import json

import click

from simulator.cli.monitor import _eur, _fail, _jsonable, _pct
from simulator.cli.options import seed_option as _seed_option


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))
@click.option("--candidates", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Candidate measures beside the plan's own (TOML [[measure]] tables, e.g. measures the "
                   "document explored but dropped).")
@click.option("--budget", type=click.FloatRange(0, 1e12), default=None, metavar="EUR",
              help="Ceiling on the package's expected implementation costs over the horizon (default: the "
                   "plan's own).")
@click.option("--objective", type=click.Choice(["chance", "reserve"]), default="chance", show_default=True,
              help="chance: maximise P(every goal met); reserve: minimise the reserve needed at --certainty.")
@click.option("--certainty", type=click.FloatRange(0.5, 0.999), default=0.9, show_default=True,
              help="The certainty of the reserve objective.")
@click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Realised figures: decided measures stay as decided, observations weigh the paths.")
@click.option("--paths", type=click.IntRange(100, 200_000), default=2000, show_default=True,
              help="Simulated paths (each package is judged on the same ones).")
@_seed_option
@click.option("--method", type=click.Choice(["auto", "milp", "heuristic"]), default="auto", show_default=True,
              help="auto: the exact MILP when paths x measures is small enough, else the heuristic.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save the cost-chance front (.png).")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Language of the plot.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def optimise(scenario, candidates, budget, objective, certainty, realised_file, paths, seed, method, plot, force,
             lang, as_json):
    """Choose the measures: the set that maximises P(every goal met) or minimises the reserve, within a budget.

    Exact (a mixed-integer programme over the simulated paths) where the size allows, a greedy
    and local-swap heuristic beyond; every package shown is judged by re-simulation on common
    random numbers. Also the Pareto front of cost against chance.
    """
    from simulator.results.optimise import choose, with_candidates
    from simulator.run.blocks import tune_allocator

    tune_allocator()
    s, plan, cands = with_candidates(scenario, candidates)
    realised = None
    if realised_file:
        from simulator.scenario.realised import parse

        realised = parse(realised_file, s)
    if plot:
        from simulator.report.writers import check_output

        check_output(plot, force=force, suffixes=(".png",), what="plot")
    exact = {"auto": None, "milp": True, "heuristic": False}[method]
    try:
        r = choose(s, plan, cands, paths=paths, seed=seed, budget=budget, objective=objective, certainty=certainty,
                   realised=realised, exact=exact)
    except KeyError as exc:
        _fail(str(exc).strip("'\""))
    if plot:
        from simulator.report import plots
        from simulator.report.monitoring import pareto_chart
        from simulator.report.writers import atomic_write

        data = plots.png(pareto_chart(r, lang))
        atomic_write(plot, lambda p: p.write_bytes(data), force=force)
    if as_json:
        click.echo(json.dumps(_jsonable({"scenario": s.name, **r})))
        return
    click.echo(format_choice(s, r))
    if plot:
        click.echo(f"saved {plot}")


def format_choice(s, r: dict) -> str:
    n = r["paths"]
    goal, year = r["head"]
    lines = [f"{s.name}: choosing among {len(r['pool'])} measures ({len(r['plan'])} in the plan, "
             f"{len(r['candidates'])} candidate(s)); {n:,} paths, seed {r['seed']}, the same random numbers for "
             "every package",
             f"objective: {'maximise P(every goal met)' if r['objective'] == 'chance' else 'minimise the reserve'}"
             f" (reserve at {100 * r['certainty']:.0f}% for {goal} {year}); budget {_eur(r['budget'])} "
             "(expected implementation costs over the horizon)",
             f"method: {r['method']}", ""]
    ch = r["chosen"]
    lines.append(f"chosen ({ch['name']}): P(every goal met) {_pct(ch['p_every_goal'], ch['p_every_goal_se'], n)}, "
                 f"reserve {_eur(ch['reserve'])}, cost {_eur(ch['cost'])}")
    added = [m for m in ch["measures"] if m not in r["plan"]]
    dropped = [m for m in r["plan"] if m not in ch["measures"]]
    lines.append(f"  against the plan: add {', '.join(added) or 'nothing'}; drop {', '.join(dropped) or 'nothing'}")
    lines.append(f"  linear model said P {100 * ch['linear_p']:.1f}%, re-simulation {100 * ch['p_every_goal']:.1f}% "
                 "(measures on the same post do not simply add up)")
    fr = r.get("fresh_paths", {})
    if "chosen" in fr:
        plan_text = (f", the plan {_pct(fr['plan']['p_every_goal'], fr['plan']['p_every_goal_se'], n)}"
                     if "plan" in fr else "")
        lines.append(f"  on fresh paths (seed {fr['seed']}): P(every goal met) "
                     f"{_pct(fr['chosen']['p_every_goal'], fr['chosen']['p_every_goal_se'], n)}{plan_text} "
                     "(free of the selection on the paths above)")
    lines += ["", f"{'package':<44}{'cost':>13}{'P(every goal)':>17}{'reserve':>13}{'linear P':>10}"]
    order = sorted(r["alternatives"], key=lambda a: (-a["p_every_goal"], a["reserve"]) if r["objective"] == "chance"
                   else (a["reserve"], -a["p_every_goal"]))
    for a in order[:12]:
        lines.append(f"{a['name'][:43]:<44}{_eur(a['cost']):>13}{_pct(a['p_every_goal'], a['p_every_goal_se'], n):>17}"
                     f"{_eur(a['reserve']):>13}{100 * a['linear_p']:>9.1f}%")
    if len(order) > 12:
        lines.append(f"  ... {len(order) - 12} more single changes (--json lists all)")
    lines += ["", "Pareto front, cost against chance:",
              f"{'budget':>13}{'cost':>13}{'P(every goal)':>17}{'reserve':>13}  measures"]
    for p in r["pareto"]:
        lines.append(f"{_eur(p['budget']):>13}{_eur(p['cost']):>13}"
                     f"{_pct(p['p_every_goal'], p['p_every_goal_se'], n):>17}{_eur(p['reserve']):>13}  "
                     f"{len(p['measures'])}: {', '.join(p['measures'])[:80]}")
    lines.append("")
    lines.append("costs per measure [EUR, expected over the horizon]: "
                 + ", ".join(f"{k} {_eur(v)}" for k, v in r["costs"].items()))
    return "\n".join(lines)
