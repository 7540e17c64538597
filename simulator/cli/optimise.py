"""taaksim optimise (alias choose): the package of measures that reaches the goals best."""

from __future__ import annotations

import json

import click

from simulator.cli.format import amount, chance, w
from simulator.cli.monitor import _fail, _jsonable
from simulator.cli.options import Amount
from simulator.cli.options import lang_option as _lang_option
from simulator.cli.options import progress as _progress
from simulator.cli.options import seed_option as _seed_option
from simulator.cli.progress import wanted as _wanted


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))
@click.option("--candidates", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Candidate measures beside the plan's own (TOML [[measure]] tables, e.g. measures the "
                   "document explored but dropped).")
@click.option("--budget", type=Amount(), default=None, metavar="EUR",
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
@_lang_option(help="Language of the terminal text and the plot.")
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
        with _progress(None, _wanted(as_json), lang):
            r = choose(s, plan, cands, paths=paths, seed=seed, budget=budget, objective=objective,
                       certainty=certainty, realised=realised, exact=exact)
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
    click.echo(format_choice(s, r, lang))
    if plot:
        click.echo(w("saved", lang).format(path=plot))


_METHODS = {"milp (proved optimal on the linear model)": "opt_method.proved",
            "milp (time limit: best found) and heuristic": "opt_method.limit", "heuristic": "opt_method.heuristic"}


def _package(name: str, lang: str) -> str:
    """A package's name (results.optimise's English, as in --json) in ``lang``."""
    for word, key in (("with ", "opt_with"), ("without ", "opt_without")):
        if name.startswith(word):
            return w(key, lang).format(id=name[len(word):])
    return w(f"opt_name.{name}", lang) if name in ("milp", "heuristic") else w("plan", lang) if name == "plan" \
        else name


def format_choice(s, r: dict, lang: str = "nl") -> str:
    from simulator.report.text import number

    n = r["paths"]
    goal, year = r["head"]

    def p(x: dict) -> str:
        return chance(x["p_every_goal"], x["p_every_goal_se"], n, lang)

    def share(x: float) -> str:
        return f"{number(100 * x, 1, lang)}%"

    lines = [w("opt_head", lang).format(name=s.name, pool=len(r["pool"]), plan=len(r["plan"]),
                                        cands=len(r["candidates"]), paths=number(n, 0, lang), seed=r["seed"]),
             w("opt_goal", lang).format(objective=w(f"opt_objective.{r['objective']}", lang),
                                        c=f"{number(100 * r['certainty'], 0, lang)}%", goal=goal, year=year,
                                        budget=amount(r["budget"], lang)),
             w("opt_method", lang).format(method=w(_METHODS[r["method"]], lang) if r["method"] in _METHODS
                                          else r["method"]), ""]
    ch = r["chosen"]
    lines.append(w("opt_chosen", lang).format(name=_package(ch["name"], lang), p=p(ch),
                                              reserve=amount(ch["reserve"], lang), cost=amount(ch["cost"], lang)))
    added = [m for m in ch["measures"] if m not in r["plan"]]
    dropped = [m for m in r["plan"] if m not in ch["measures"]]
    nothing = w("nothing", lang)
    lines.append("  " + w("opt_vs_plan", lang).format(added=", ".join(added) or nothing,
                                                      dropped=", ".join(dropped) or nothing))
    lines.append("  " + w("opt_linear", lang).format(lin=share(ch["linear_p"]), sim=share(ch["p_every_goal"])))
    fr = r.get("fresh_paths", {})
    if "chosen" in fr:
        plan_text = w("opt_fresh_plan", lang).format(p=p(fr["plan"])) if "plan" in fr else ""
        lines.append("  " + w("opt_fresh", lang).format(seed=fr["seed"], p=p(fr["chosen"]), plan=plan_text))
    lines += ["", f"{w('package', lang):<44}{w('cost', lang):>13}{w('p_every_goal', lang):>17}"
                  f"{w('reserve', lang):>13}{w('linear_p', lang):>10}"]
    order = sorted(r["alternatives"], key=lambda a: (-a["p_every_goal"], a["reserve"]) if r["objective"] == "chance"
                   else (a["reserve"], -a["p_every_goal"]))
    for a in order[:12]:
        lines.append(f"{_package(a['name'], lang)[:43]:<44}{amount(a['cost'], lang):>13}{p(a):>17}"
                     f"{amount(a['reserve'], lang):>13}{share(a['linear_p']):>10}")
    if len(order) > 12:
        lines.append(w("opt_more", lang).format(n=len(order) - 12))
    lines += ["", w("opt_pareto", lang),
              f"{w('budget_col', lang):>13}{w('cost', lang):>13}{w('p_every_goal', lang):>17}"
              f"{w('reserve', lang):>13}  {w('measures', lang)}"]
    for x in r["pareto"]:
        lines.append(f"{amount(x['budget'], lang):>13}{amount(x['cost'], lang):>13}{p(x):>17}"
                     f"{amount(x['reserve'], lang):>13}  {len(x['measures'])}: {', '.join(x['measures'])[:80]}")
    lines.append("")
    lines.append(w("opt_costs", lang) + ", ".join(f"{k} {amount(v, lang)}" for k, v in r["costs"].items()))
    return "\n".join(lines)
