"""The risk paragraph (risicoparagraaf): text a controller pastes into a council proposal.

It reads as a controller writes it: what the programme must deliver (every target and budget),
how likely each goal is met and in which year it is hardest, the reserve the programme needs and
the weerstandsratio, what drives the risk in plain words, the beheersmaatregelen that help most
(with how much), the assumptions the document does not make, and a short note on the method.
No analyst's jargon: no seed, no P50, no "Monte Carlo-bovengrens".

Dutch by default, English with ``lang="en"``. Every figure comes from
:class:`simulator.results.analysis.Findings`; nothing is computed here except wording and the
product of figures the text itself shows (so a reader can check it by hand).
"""

from __future__ import annotations

import math

from simulator.i18n import TEXT, pick, t
from simulator.report.text import bound_pct, eur, money, number, pct, ratio
from simulator.results.analysis import WATERFALL_LABELS, Findings, GoalRisk, Headline
from simulator.results.waterfall import growth_pressure


def scope_words(label: str, lang: str = "nl", scenario=None) -> str:
    """A scope label ("wmo", "all@ermelo", "begeleiding+dagbesteding") for prose: a set of
    posts by their names when the scenario is given ("de posten Begeleiding en Dagbesteding")."""
    base = label.split("@", 1)[0]
    key = f"para.scope_{base}"
    if key in TEXT:
        return t(key, lang)
    names = {p.id: p.name for p in scenario.posts} if scenario is not None else {}
    posts = [names.get(pid, pid) for pid in base.split("+")]
    one = len(posts) == 1
    return t("para.post" if one else "para.posts", lang) + _join(posts, lang)


def _t(key: str, lang: str) -> str:
    return t(f"para.{key}", lang)


def _n(key: str, count: int, lang: str) -> str:
    """The singular (``para.<key>.1``) or plural (``para.<key>.n``) form for ``count`` things."""
    return _t(f"{key}.{'1' if count == 1 else 'n'}", lang)


def _join(items: list[str], lang: str, sep: str = ", ") -> str:
    return items[0] if len(items) == 1 else sep.join(items[:-1]) + _t("and", lang) + items[-1]


def chance(p: float, n: int, lang: str) -> str:
    """A probability for prose: "34%", or where no path crossed the bound in words
    ("kleiner dan 0,15%", "groter dan 99,85%")."""
    text = bound_pct(p, n, lang) if p in (0.0, 1.0) else pct(p, lang, n)
    if text[:2] in ("< ", "> "):  # "< 1%" and "> 99%" too: signs read as code in a sentence
        return _t("below" if text[0] == "<" else "above", lang) + text[2:]
    return text


def shown_money(x: float) -> float:
    """The value :func:`simulator.report.text.money` shows for ``x`` [EUR]."""
    if abs(x) >= 999_500:
        return round(x / 1e6, 1) * 1e6
    return float(round(x, -3)) if abs(x) >= 10_000 else float(round(x))


def shown_chance(p: float, lang: str) -> tuple[str, float]:
    """A chance with two significant digits for a register line, and the value shown."""
    small = min(p, 1 - p)
    digits = max(0, 1 - math.floor(math.log10(100 * small))) if small > 0 else 0
    value = round(round(100 * p, digits) / 100, digits + 2)
    return number(100 * value, digits, lang) + "%", value


def risk_paragraph(f: Findings, lang: str = "nl") -> str:
    """The paragraph as plain text: a title line, then short blocks (the task, the chances, the
    reserve, what drives the risk, beheersmaatregelen, assumptions, method)."""
    st, s = f.study, f.study.scenario
    if st.municipality:
        region = _t("who_mun", lang).format(name=s.municipality(st.municipality).name, region=s.region)
    else:
        region = s.region
    lines = [f"{_t('title', lang)}: {region}", ""]
    head = f.risk.headline
    blocks = [_task_block(f, head, lang), _chance_block(f, lang), _reserve_block(f, head, lang), _causes_block(f, lang),
              _control_block(f, lang), _assumption_block(f, lang), _method_block(f, lang)]
    for block in blocks:
        if block:
            lines += [" ".join(block), ""]
    return "\n".join(lines).rstrip() + "\n"


def _goal_name(g: GoalRisk, f: Findings, lang: str) -> str:
    scope = scope_words(g.scope, lang, f.study.scenario)
    return _t("goal_target" if g.kind == "target" else "goal_budget", lang).format(scope=scope)


def _goal_year(g: GoalRisk, year: int) -> int:
    """The year the text is about for a goal: the study year if the goal has it, else its last."""
    return year if year in g.years else max(g.years)


def _task_block(f: Findings, head: Headline | None, lang: str) -> list[str]:
    """What the programme must deliver: every target and budget, with its amount and basis."""
    s, y = f.study.scenario, _year(f)
    goals = f.risk.goals
    sav = f.summary.savings[y]
    spread = _t("range", lang).format(year=y, p5=money(sav.p5, lang), p95=money(sav.p95, lang),
                                      mid=money(sav.p50, lang), plan=money(f.waterfall[0].value, lang))
    if not goals:
        return [_t("no_goals", lang).format(year=y), spread]
    items = []
    for g in goals:
        gy = _goal_year(g, y)
        amount = money(g.years[gy].amount, lang)
        # every goal on its own basis and price level (core/goals.py), in the council's words
        basis = g.basis_in(lang) or _t("basis_baseline", lang)
        key = "task_target" if g.kind == "target" else "task_budget"
        items.append(_t(key, lang).format(scope=scope_words(g.scope, lang, s), amount=amount, year=gy, basis=basis))
    n_t = sum(g.kind == "target" for g in goals)
    n_b = len(goals) - n_t
    counts = [f"{n_t} {_n('target', n_t, lang)}"] if n_t else []
    counts += [f"{n_b} {_n('budget', n_b, lang)}"] if n_b else []
    out = [_t("task", lang).format(counts=_join(counts, lang), items=_join(items, lang, "; ")), spread]
    return out + _measured(f, head, lang)


def _measured(f: Findings, head: Headline | None, lang: str) -> list[str]:
    """Why what the headline target judges differs from the net savings: growth, scope, booked
    savings, price level; and growth as pressure on spending."""
    st, s, y = f.study, f.study.scenario, _year(f)
    goal = f.risk.goal(head.goal) if head else None
    out = []
    why = []
    if head and goal and head.kind == "target" and goal.basis != "counterfactual":
        why.append(_t("diff_growth", lang))
    if head and goal and head.kind == "target" and goal.scope.split("@")[0] != "all":
        why.append(_t("diff_scope", lang).format(scope=scope_words(goal.scope, lang, s)))
    if head and goal and head.kind == "target" and head.booked > 0:
        why.append(_t("diff_booked", lang))
    if head and goal and head.kind == "target" and goal.price_level != s.prices.simulated:
        why.append(_t("diff_prices", lang))
    if head and why:
        out.append(_t("measured", lang).format(year=head.year, p5=money(head.p5, lang),
                                               p95=money(head.p95, lang), p50=money(head.p50, lang))
                   + _t("diff", lang).format(why=_join(why, lang)))
    if head and head.booked > 0:
        out.append(_t("booked", lang).format(year=head.year, amount=money(head.booked, lang)))
    pressure = growth_pressure(st)
    if pressure is not None and abs(pressure) >= 1000 and any(g.basis != "counterfactual" for g in f.risk.goals):
        base = t("basis.base_year", lang).split(" ", 1)[1].format(year=s.base_year)  # "de uitgaven in 2024"
        out.append(_t("growth", lang).format(year=y, amount=money(pressure, lang), base=base))
    return out


def _chance_block(f: Findings, lang: str) -> list[str]:
    """Per goal: the chance it holds in the year of the text, in every year together, and the
    hardest year when that is another one."""
    n, y = f.study.paths, _year(f)
    out = []
    for g in f.risk.goals:
        gy = _goal_year(g, y)
        d = g.years[gy]
        key = "p_target" if g.kind == "target" else "p_budget"
        out.append(_t(key, lang).format(goal=_goal_name(g, f, lang), year=gy, amount=money(d.amount, lang),
                                        p=chance(d.p_met, n, lang)))
        years = sorted(g.years)
        if len(years) > 1:
            if g.p_all_years is not None:
                out.append(_t("p_all", lang).format(years=f"{years[0]}-{years[-1]}", p=chance(g.p_all_years, n, lang)))
            out += _hardest(g, gy, years, n, lang)
    return out


def _hardest(g: GoalRisk, year: int, years: list[int], n: int, lang: str) -> list[str]:
    """A year harder than the one the text is about: a council reading only that year would miss it."""
    out = []
    hard = min(years, key=lambda x: (g.years[x].p_met, -g.years[x].needed_capacity, x))
    h, here = g.years[hard], g.years[year]
    if hard != year and (h.p_met < here.p_met or h.needed_capacity > here.needed_capacity):
        need = (_t("hardest_need", lang).format(need=money(h.needed_capacity, lang))
                if h.needed_capacity > 0 else "")
        out.append(_t("hardest", lang).format(year=hard, amount=money(h.amount, lang), p=chance(h.p_met, n, lang),
                                              need=need))
    total = g.needed_capacity_all_years or 0.0
    if total > max(h.needed_capacity, here.needed_capacity):
        out.append(_t("need_all", lang).format(years=f"{years[0]}-{years[-1]}", need=money(total, lang)))
    return out


def _reserve_block(f: Findings, head: Headline | None, lang: str) -> list[str]:
    """The reserve: for the headline goal, for the programme as a whole, the ratio, the register line."""
    if not head:
        return []
    n = f.study.paths
    out = []
    goal = _goal_name(f.risk.goal(head.goal), f, lang)
    if head.needed_capacity > 0:
        out.append(_t("shortfall", lang).format(goal=goal, year=head.year, es=money(head.mean_shortfall, lang),
                                                need=money(head.needed_capacity, lang)))
    else:
        out.append(_t("no_shortfall", lang).format(goal=goal, year=head.year,
                                                   es=money(head.mean_shortfall, lang)))
    if f.risk.hardest is not None and len(f.risk.goals) > 1:
        # the combined programme reserve: the 90th percentile of the shortfall over disjoint goals
        # together (overlapping goals once), not the sum of the goals' own reserves
        gid, hy = f.risk.hardest
        out.append(_t("programme", lang).format(
            count=number(len(f.risk.goals), 0, lang), need=money(f.risk.programme_reserve, lang), goal=gid,
            year=hy, p=chance(f.risk.goal(gid).years[hy].p_met, n, lang)))
    if f.capacity is not None and head.ratio is not None:
        word = head.ratio_nl if lang == "nl" else head.ratio_en
        out.append(_t("ratio", lang).format(cap=money(f.capacity, lang), r=ratio(head.ratio, lang),
                                            cls=head.ratio_class, word=word))
    if head.realisatierisico > 0:
        missed = 1 - head.p_met
        if missed in (0.0, 1.0):  # the bound, and the product with it
            p_text, p_value = bound_pct(missed, n, lang), (3.0 / n if missed == 0 else 1.0 - 3.0 / n)
        else:
            p_text, p_value = shown_chance(missed, lang)
        worst = shown_money(head.max_consequence)
        out.append(_t("register", lang).format(p=p_text, max=money(worst, lang), line=eur(p_value * worst, lang)))
    return out


def _causes_block(f: Findings, lang: str) -> list[str]:
    """The leading assumptions, the measures most at risk, the interaction loss."""
    out = []
    drivers = [r.label if lang == "nl" else r.label_en for r in f.sensitivity if r.swing != 0 or r.spearman != 0][:3]
    if drivers:
        items = [f"({i}) {d}" for i, d in enumerate(drivers, start=1)]
        out.append(_n("drivers", len(drivers), lang).format(items=_join(items, lang, "; ")))
    floor = max(0.01 * abs(f.waterfall[0].value), 1000.0)
    risky = sorted((m for m in f.contributions.measures if m.shortfall_vs_plan > floor),
                   key=lambda m: -m.shortfall_vs_plan)[:3]
    if risky:
        items = [_t("at_risk_item", lang).format(name=m.name, short=money(m.shortfall_vs_plan, lang),
                                                 p=pct(m.p_go_ahead, lang)) for m in risky]
        out.append(_n("at_risk", len(risky), lang).format(items=_join(items, lang, "; ")))
    loss = f.contributions.interaction_loss.mean
    if abs(loss) >= 500:
        out.append(_t("interaction", lang).format(loss=money(loss, lang)))
    return out


def _control_block(f: Findings, lang: str) -> list[str]:
    """Beheersmaatregelen: the steps that add most to the expected savings, from the contributions:
    securing a measure's go-ahead, starting it on time, keeping its costs within the estimate."""
    actions = []
    for m in f.contributions.measures:
        for key, loss in (("act_go", m.loss_no_go), ("act_delay", m.loss_delay), ("act_cost", m.loss_cost_overrun)):
            if -loss > 0:
                actions.append((-loss, key, m.name))
    floor = max(0.005 * abs(f.waterfall[0].value), 1000.0)
    top = sorted((a for a in actions if a[0] >= floor), reverse=True)[:3]
    if not top:
        return []
    items = [_t("control_item", lang).format(act=_t(key, lang).format(name=name), gain=money(gain, lang))
             for gain, key, name in top]
    if len(items) > 1:  # numbered, as a list in a council text is
        items = [f"({i}) {x}" for i, x in enumerate(items, start=1)]
    return [_n("control", len(top), lang).format(year=_year(f), items=_join(items, lang, "; "))]


def _assumption_block(f: Findings, lang: str) -> list[str]:
    """How many figures the document does not give (the appendix lists them)."""
    from simulator.report.sources import assumptions, source_rows

    rows, assumed = source_rows(f.study.scenario), assumptions(f.study.scenario)
    if not assumed:
        return []
    return [_t("assumptions", lang).format(n=len(assumed), total=len(rows),
                                           verb=_n("assumed_verb", len(assumed), lang))]


def _method_block(f: Findings, lang: str) -> list[str]:
    """How the figures came about, in one or two sentences a council member follows."""
    st = f.study
    head = f.risk.headline
    err = head.p_met_se if head is not None and head.p_met not in (0.0, 1.0) else None
    text = _t("method", lang).format(paths=number(st.paths, 0, lang))
    if err is not None:
        text += " " + _t("method_error", lang).format(e=number(max(100 * err, 0.1), 1, lang))
    return [text]


def _year(f: Findings) -> int:
    assert f.study.year is not None, "a Study sets its year"
    return f.study.year


def waterfall_label(step: str, lang: str = "nl") -> str:
    return pick(WATERFALL_LABELS[step], lang)


__all__ = ["risk_paragraph", "waterfall_label", "eur"]
