"""The risk paragraph (risicoparagraaf): ready-to-paste text for a council proposal.

Dutch by default, English with ``lang="en"``. Every figure in the text comes from
:class:`simulator.results.analysis.Findings`; nothing is computed here except wording.
"""

from __future__ import annotations

from simulator.i18n import TEXT, pick, t
from simulator.report.text import eur, money, number, pct, pct_points, ratio
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


def _join(items: list[str], lang: str, sep: str = ", ") -> str:
    return items[0] if len(items) == 1 else sep.join(items[:-1]) + _t("and", lang) + items[-1]


def _se(p: float, se: float, lang: str) -> str:
    """The Monte Carlo error in words; at 0 or 1 the printed bound already says it."""
    if p in (0.0, 1.0):
        return _t("mc_bound", lang)
    return _t("mc_error", lang) + pct_points(se, lang)


def _other_years(goal: GoalRisk, year: int, years: list[int], n: int, lang: str) -> list[str]:
    """Sentences for a target that is harder in another year than the one the text is about:
    a council reading only the study year would otherwise miss that year's risk."""
    out = []
    hard = min(years, key=lambda x: (goal.years[x].p_met, -goal.years[x].needed_capacity, x))
    h, here = goal.years[hard], goal.years[year]
    if hard != year and (h.p_met < here.p_met or h.needed_capacity > here.needed_capacity):
        need = (_t("hardest_need", lang).format(need=money(h.needed_capacity, lang))
                if h.needed_capacity > 0 else "")
        out.append(_t("hardest", lang).format(year=hard, amount=money(h.amount, lang),
                                              p=pct(h.p_met, lang, n), need=need))
    total = goal.needed_capacity_all_years or 0.0
    if total > max(h.needed_capacity, here.needed_capacity):
        out.append(_t("need_all", lang).format(years=f"{years[0]}-{years[-1]}", need=money(total, lang)))
    return out


def risk_paragraph(f: Findings, lang: str = "nl") -> str:
    """The paragraph as plain text: a title line, then sentences grouped in short blocks
    (the range, the chances, the reserve, the causes)."""
    st, s = f.study, f.study.scenario
    if st.municipality:
        region = _t("who_mun", lang).format(name=s.municipality(st.municipality).name, region=s.region)
    else:
        region = s.region
    lines = [f"{_t('title', lang)}: {region}", ""]
    head = f.risk.headline
    goal = f.risk.goal(head.goal) if head else None
    blocks = [_range_block(f, head, goal, lang), _probability_block(f, head, goal, lang),
              _goals_block(f, goal, lang), _reserve_block(f, head, lang), _causes_block(f, lang)]
    for block in blocks:
        if block:
            lines += [" ".join(block), ""]
    return "\n".join(lines).rstrip() + "\n"


def _range_block(f: Findings, head: Headline | None, goal: GoalRisk | None, lang: str) -> list[str]:
    """The target, the range of net savings against the plan, and why what the target judges differs."""
    st, s, y = f.study, f.study.scenario, _year(f)
    sav = f.summary.savings[y]
    first = []
    if head and goal and head.kind == "target":
        basis = goal.basis_in(lang) or _t("basis_baseline", lang)
        first.append(_t("target", lang).format(year=head.year, scope=scope_words(goal.scope, lang, s),
                                               amount=money(head.amount, lang), basis=basis))
    first.append(_t("range", lang).format(
        paths=number(st.paths, 0, lang), seed=st.seed, year=y,
        p5=money(sav.p5, lang), p95=money(sav.p95, lang), p50=money(sav.p50, lang),
        plan=money(f.waterfall[0].value, lang)))
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
        first.append(_t("measured", lang).format(year=head.year, p5=money(head.p5, lang),
                                                 p95=money(head.p95, lang), p50=money(head.p50, lang))
                     + _t("diff", lang).format(why=_join(why, lang)))
    if head and head.booked > 0:
        first.append(_t("booked", lang).format(year=head.year, amount=money(head.booked, lang)))
    pressure = growth_pressure(st)
    if pressure is not None and abs(pressure) >= 1000 and any(g.basis != "counterfactual" for g in f.risk.goals):
        base = t("basis.base_year", lang).split(" ", 1)[1].format(year=s.base_year)  # "de uitgaven in 2024"
        first.append(_t("growth", lang).format(year=y, amount=money(pressure, lang), base=base))
    return first


def _probability_block(f: Findings, head: Headline | None, goal: GoalRisk | None, lang: str) -> list[str]:
    """P(target met), in every year together and in a harder year; P(within budget)."""
    n, y = f.study.paths, _year(f)
    second = []
    if head and head.kind == "target":
        second.append(_t("p_target", lang).format(year=y, p=pct(head.p_met, lang, n),
                                                  se=_se(head.p_met, head.p_met_se, lang)))
        if goal and goal.p_all_years is not None and len(goal.years) > 1:
            yrs = sorted(goal.years)
            second.append(_t("p_all", lang).format(years=f"{yrs[0]}-{yrs[-1]}",
                                                   p=pct(goal.p_all_years, lang, n)))
            second += _other_years(goal, y, yrs, n, lang)
    pb = f.summary.p_within_budget.get(y)
    pb_se = f.summary.p_within_budget_se.get(y)
    if pb is not None and pb_se is not None:
        second.append(_t("p_budget", lang).format(year=y, p=pct(pb, lang, n), se=_se(pb, pb_se, lang)))
    return second


def _goals_block(f: Findings, goal: GoalRisk | None, lang: str) -> list[str]:
    """Every other goal of the region (or participant) on its own basis: its hardest year and
    every year together, so no budget or target goes unmentioned."""
    n = f.study.paths
    items = []
    for g in f.risk.goals:
        if goal is not None and g.id == goal.id or not g.years:
            continue
        y = min(g.years, key=lambda k: (g.years[k].p_met, k))
        items.append(_t("other_item", lang).format(
            id=g.id, basis=g.basis_in(lang), p=pct(g.years[y].p_met, lang, n), year=y,
            p_all=pct(g.p_all_years, lang, n) if g.p_all_years is not None else "-"))
    return [_t("others", lang).format(items=_join(items, lang, "; "))] if items else []


def _reserve_block(f: Findings, head: Headline | None, lang: str) -> list[str]:
    """Shortfall and the reserve needed, the weerstandsratio, the register line."""
    if not head:
        return []
    n = f.study.paths
    third = []
    if head.needed_capacity > 0:
        third.append(_t("shortfall", lang).format(es=money(head.mean_shortfall, lang),
                                                  need=money(head.needed_capacity, lang)))
    else:
        third.append(_t("no_shortfall", lang).format(es=money(head.mean_shortfall, lang), year=head.year))
    if f.risk.hardest is not None and len(f.risk.goals) > 1:
        gid, hy = f.risk.hardest
        third.append(_t("programme", lang).format(
            count=number(len(f.risk.goals), 0, lang), need=money(f.risk.programme_reserve, lang), goal=gid,
            year=hy, p=pct(f.risk.goal(gid).years[hy].p_met, lang, n)))
    if f.capacity is not None and head.ratio is not None:
        third.append(_t("ratio", lang).format(
            cap=money(f.capacity, lang), r=ratio(head.ratio, lang), cls=head.ratio_class,
            word=head.ratio_nl if lang == "nl" else head.ratio_en))
    if head.realisatierisico > 0:
        third.append(_t("register", lang).format(p=pct(1 - head.p_met, lang, n),
                                                 max=money(head.max_consequence, lang),
                                                 line=money(head.realisatierisico, lang)))
    return third


def _causes_block(f: Findings, lang: str) -> list[str]:
    """The three leading assumptions, the measures most at risk, the interaction loss."""
    fourth = []
    drivers = [r.label if lang == "nl" else r.label_en for r in f.sensitivity if r.swing != 0 or r.spearman != 0][:3]
    if len(drivers) == 3:
        fourth.append(_t("drivers", lang).format(a=drivers[0], b=drivers[1], c=drivers[2]))
    # measures that matter: more than 1% of the plan (or EUR 1,000) expected below plan
    floor = max(0.01 * abs(f.waterfall[0].value), 1000.0)
    risky = sorted((m for m in f.contributions.measures if m.shortfall_vs_plan > floor),
                   key=lambda m: -m.shortfall_vs_plan)[:3]
    if risky:
        items = [_t("at_risk_item", lang).format(name=m.name, short=money(m.shortfall_vs_plan, lang),
                                                 p=pct(m.p_go_ahead, lang)) for m in risky]
        fourth.append(_t("at_risk", lang).format(items=_join(items, lang, "; ")))
    loss = f.contributions.interaction_loss.mean
    if abs(loss) >= 500:
        fourth.append(_t("interaction", lang).format(loss=money(loss, lang)))
    return fourth


def _year(f: Findings) -> int:
    assert f.study.year is not None, "a Study sets its year"
    return f.study.year


def waterfall_label(step: str, lang: str = "nl") -> str:
    return pick(WATERFALL_LABELS[step], lang)


__all__ = ["risk_paragraph", "waterfall_label", "eur"]
