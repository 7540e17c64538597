"""Choosing measures: the package that maximises P(every goal met) or minimises the needed reserve.

Pool: the plan's own measures and candidate measures (declared in a candidates file, e.g. the
measures a document explored but dropped). Cost of a measure: its expected implementation
costs over the horizon [EUR] (weighted mean over paths of its simulated costs). Budget: a
ceiling on the package's cost.

Per path i and goal-year g, whether a goal holds is linear in the package's net savings in
the goal's scope: margin_gi(S) = margin_gi(none) + sum_{j in S} a_gij, with a_gij the standalone
contribution of measure j (a run with j alone against a run with none, common random numbers).
This is exact when measures act on different posts and share no cost group; where they share
a post (effects combine multiplicatively: 1 - (1 - f1)(1 - f2) < f1 + f2) or a cost group (paid
once) the sum overstates the package slightly. So every package is judged twice: by the linear
model (what the optimiser maximises) and by a full re-simulation with exactly that package
(what is reported), and the final choice is made on the re-simulation.

Exact method (``scipy.optimize.milp``, HiGHS): binary x_j per measure, binary y_i per path,
maximise sum_i w_i y_i subject to margin_gi(x) >= -M_gi (1 - y_i) for every goal-year, and
sum_j cost_j x_j <= budget; big-M_gi is the worst case of the margin, so y_i = 0 is always
feasible. For the reserve: minimise r with r >= -margin_i(x) - M_i (1 - y_i) and
sum_i w_i y_i >= certainty. Used when paths x measures is at most :data:`MILP_LIMIT`; beyond
that (or when HiGHS stops at its time limit without proof) a heuristic: greedy additions from
the empty package and from the plan, then local search over single additions, removals and
swaps until none improves (ties broken by the expected shortfall, so flat steps still move).

Whatever the method, the chosen package is compared by re-simulation with the plan and with
every single change of it (one measure added or removed, within the budget): the answer is
never worse than the best of those on the same paths.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.results.conditioning import (
    CERTAINTY,
    Conditioned,
    quantile_with_interval,
    run_conditioned,
    weighted_probability,
    weighted_quantile,
)
from simulator.results.summary import Goal, goals
from simulator.scenario.model import Scenario
from simulator.scenario.realised import Realised

MILP_LIMIT = 60_000  # paths x measures: HiGHS proves optimality in seconds up to about this
MILP_SECONDS = 60.0
OBJECTIVES = ("chance", "reserve")


def with_candidates(scenario_path: str, candidates_path: str | None) -> tuple[Scenario, tuple[str, ...],
                                                                               tuple[str, ...]]:
    """The scenario with its candidate measures added, the plan's ids and the candidates' ids.

    Candidates are measures marked ``candidate = true`` in the scenario, and those of a
    candidates file: TOML with ``[parameters]`` (new names only), ``[sources]`` and
    ``[[measure]]`` tables in the scenario format (``candidate = true`` optional there).
    Candidate measures are never part of a plain run: only the optimiser activates
    them, and their inputs are keyed by their own ids, so adding them changes no other number.
    """
    from simulator.errors import ScenarioError
    from simulator.scenario.loader import build, load

    base = load(scenario_path)
    plan = tuple(m.id for m in base.measures)
    raw = tomllib.loads(Path(scenario_path).read_text("utf-8"))
    if candidates_path is None:
        if not any(isinstance(m, dict) and m.get("candidate") is True for m in raw.get("measure", [])):
            return base, plan, ()
        s = build(raw, file=scenario_path, digest=base.digest, candidates=True)  # candidate = true in the scenario
        return s, plan, tuple(m.id for m in s.measures if m.id not in plan)
    try:
        extra = tomllib.loads(Path(candidates_path).read_text("utf-8"))
    except FileNotFoundError:
        raise ScenarioError("file not found", file=candidates_path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"not valid UTF-8 TOML: {exc}", file=candidates_path) from None
    unknown = set(extra) - {"parameters", "measure", "sources"}
    if unknown:
        raise ScenarioError(f"unknown table {sorted(unknown)[0]!r}; a candidates file holds [parameters], "
                            "[sources] and [[measure]]", file=candidates_path)
    measures = extra.get("measure", [])
    if not isinstance(measures, list) or not measures:
        raise ScenarioError("no [[measure]] candidates", file=candidates_path)
    for i, m in enumerate(measures):
        if isinstance(m, dict) and m.pop("candidate", True) is not True:
            raise ScenarioError("candidate must be true (or left out) in a candidates file",
                                file=candidates_path, path=(f"measure[{i}]", "candidate"))
    params = dict(raw.get("parameters", {}))
    clash = set(params) & set(extra.get("parameters", {}))
    if clash:
        raise ScenarioError(f"parameter {sorted(clash)[0]!r} is already in the scenario", file=candidates_path,
                            path=("parameters",))
    params.update(extra.get("parameters", {}))
    merged = {**raw, "parameters": params, "measure": [*raw.get("measure", []), *measures],
              "sources": {**raw.get("sources", {}), **extra.get("sources", {})}}
    s = build(merged, file=candidates_path, digest=base.digest, candidates=True)
    cands = tuple(m.id for m in s.measures if m.id not in plan)
    return s, plan, cands


def every_goal(ds) -> list[Goal]:
    """The targets and budgets of the region and of every municipality."""
    import json

    munis = [None, *json.loads(ds.attrs.get("municipalities", "{}"))]
    return [g for m in munis for g in goals(ds, municipality=m)]


def margins(ds) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Per goal-year and path: how far the goal holds [EUR] (>= 0 met), (goal-year, path)."""
    rows, labels = [], []
    for g in every_goal(ds):
        for y in sorted(g.amounts):
            a, m = g.amounts[y], g.measured[y]
            rows.append(m - a if g.kind == "target" else a - m)
            labels.append((g.id + ("" if "@" not in g.scope else "@" + g.scope.split("@")[1]), y))
    return (np.array(rows) if rows else np.zeros((0, 0))), labels


@dataclass(frozen=True, slots=True)
class Problem:
    """The linear model over the paths: margins without measures and each measure's contribution."""

    ids: tuple[str, ...]
    base: np.ndarray  # (goal-year, path) margins with no measure [EUR]
    contrib: np.ndarray  # (measure, goal-year, path) standalone contributions [EUR]
    costs: np.ndarray  # (measure,) expected implementation costs over the horizon [EUR]
    weights: np.ndarray  # (path,)
    labels: tuple[tuple[str, int], ...]
    head: int  # goal-year row of the reserve objective
    fixed: dict[str, bool] = field(default_factory=dict)

    def margin(self, x: np.ndarray) -> np.ndarray:
        return self.base + np.tensordot(x.astype(np.float64), self.contrib, axes=1)

    def value(self, x: np.ndarray, objective: str, certainty: float) -> tuple[float, float]:
        """(objective to maximise, tie-breaker): chance = (P, -E shortfall); reserve = (-reserve, P)."""
        m = self.margin(x)
        met = (m >= 0).all(axis=0)
        p = float(np.dot(self.weights, met))
        short = np.maximum(-m, 0.0).sum(axis=0)
        if objective == "chance":
            return p, -float(np.dot(self.weights, short))
        r = float(weighted_quantile(np.maximum(-m[self.head], 0.0), self.weights, certainty))
        return -r, p

    def cost(self, x: np.ndarray) -> float:
        return float(np.dot(self.costs, x))


def decisions_only(realised: Realised | None) -> Realised | None:
    """The decisions of ``realised`` without its observations (they only set the weights)."""
    return None if realised is None else Realised(realised.file, realised.as_of, realised.decisions, ())


def build_problem(scenario: Scenario, pool: tuple[str, ...], realised: Realised | None, *, paths: int, seed: int,
                  head: tuple[str, int] | None = None, threads: int | None = None,
                  plan: tuple[str, ...] | None = None) -> tuple[Problem, Conditioned]:
    """Simulate each measure alone and none at all (common random numbers): the linear model.

    Weights come from the conditioned run of the plan (``plan``, default the whole pool): the
    likelihoods depend on the path's inputs, the same in every run.
    """
    # what was observed happened under the plan, not under a package with candidates in it
    full = run_conditioned(scenario, realised, paths=paths, seed=seed, threads=threads,
                           active=frozenset(plan if plan is not None else pool))
    decided = decisions_only(realised)
    none = run_conditioned(scenario, decided, paths=paths, seed=seed, threads=threads, active=frozenset())
    base, labels = margins(none.dataset)
    if base.size == 0:
        raise KeyError("the scenario has no target or budget to choose measures for")
    contrib, costs = [], []
    for j in pool:
        one = run_conditioned(scenario, decided, paths=paths, seed=seed, threads=threads, active=frozenset({j}))
        m, _ = margins(one.dataset)
        contrib.append(m - base)
        c = one.dataset["measure_costs"].sel(measure=j).sum("year").values
        costs.append(float(np.dot(full.weights, c)))
    # default: the first goal in its last year (the reserve a council holds for the horizon's end)
    first = labels[0][0]
    row = labels.index(head) if head is not None else max(
        (i for i, (g, _) in enumerate(labels) if g == first), key=lambda i: labels[i][1])
    fixed = {} if realised is None else {d.measure: d.go_ahead for d in realised.decisions if d.measure in pool}
    return Problem(tuple(pool), base, np.array(contrib), np.array(costs), full.weights, tuple(labels), row,
                   fixed), full


# --- exact: a mixed-integer programme over the paths ---------------------------------------


def solve_milp(pb: Problem, *, budget: float, objective: str = "chance", certainty: float = CERTAINTY,
               time_limit: float = MILP_SECONDS) -> tuple[np.ndarray | None, bool]:
    """The optimal package on the linear model, and whether HiGHS proved it optimal."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, hstack, vstack

    J, (G, n) = len(pb.ids), pb.base.shape
    lb_x = np.array([1.0 if pb.fixed.get(j) is True else 0.0 for j in pb.ids])
    ub_x = np.array([0.0 if pb.fixed.get(j) is False else 1.0 for j in pb.ids])
    cost_row = coo_matrix(np.concatenate([pb.costs, np.zeros(n + int(objective == "reserve"))])[None, :])
    constraints = [LinearConstraint(cost_row, -np.inf, budget)]
    if objective == "chance":
        worst = pb.base + np.minimum(pb.contrib, 0).sum(axis=0)
        best = pb.base + np.maximum(pb.contrib, 0).sum(axis=0)
        big = np.maximum(-worst, 0.0)  # (G, n)
        possible = (best >= 0).all(axis=0)
        blocks = []
        lows = []
        for g in range(G):
            need = big[g] > 0  # rows only where the goal can fail
            idx = np.nonzero(need)[0]
            if idx.size == 0:
                continue
            a = pb.contrib[:, g, idx].T  # (rows, J)
            y = coo_matrix((-big[g, idx], (np.arange(idx.size), idx)), shape=(idx.size, n))
            blocks.append(hstack([coo_matrix(a), y]))
            lows.append(-pb.base[g, idx] - big[g, idx])
        if blocks:
            constraints.append(LinearConstraint(vstack(blocks).tocsr(), np.concatenate(lows), np.inf))
        c = np.concatenate([np.zeros(J), -pb.weights])
        lb = np.concatenate([lb_x, np.zeros(n)])
        ub = np.concatenate([ub_x, possible.astype(np.float64)])
    else:
        g = pb.head
        worst = pb.base[g] + np.minimum(pb.contrib[:, g], 0).sum(axis=0)
        best = pb.base[g] + np.maximum(pb.contrib[:, g], 0).sum(axis=0)
        big = np.maximum(-worst, 0.0) - np.maximum(-best, 0.0)
        # r + sum_j a_j x_j - big y >= -base - big   (y = 1: r >= shortfall)
        a = pb.contrib[:, g, :].T
        y = coo_matrix((-big, (np.arange(n), np.arange(n))), shape=(n, n))
        r = coo_matrix(np.ones((n, 1)))
        constraints.append(LinearConstraint(hstack([coo_matrix(a), y, r]).tocsr(), -pb.base[g] - big, np.inf))
        constraints.append(LinearConstraint(coo_matrix(np.concatenate([np.zeros(J), pb.weights, [0.0]])[None, :]),
                                            certainty - 1e-9, np.inf))
        c = np.concatenate([np.zeros(J + n), [1.0]])
        lb = np.concatenate([lb_x, np.zeros(n), [0.0]])
        ub = np.concatenate([ub_x, np.ones(n), [np.inf]])
    integrality = np.concatenate([np.ones(J + n), np.zeros(int(objective == "reserve"))])
    res = milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(lb, ub),
               options={"time_limit": time_limit, "disp": False})
    if res.x is None:
        return None, False
    return np.round(res.x[:J]).astype(bool), res.status == 0


# --- heuristic: greedy, then local search ---------------------------------------------------


def solve_heuristic(pb: Problem, *, budget: float, objective: str = "chance", certainty: float = CERTAINTY,
                    start: np.ndarray | None = None, max_rounds: int = 200) -> np.ndarray:
    """Greedy additions, then single additions, removals and swaps while one improves."""
    J = len(pb.ids)
    free = np.array([j not in pb.fixed for j in pb.ids])
    base_x = np.array([pb.fixed.get(j) is True for j in pb.ids])

    def ok(x):
        return pb.cost(x) <= budget + 1e-6

    def val(x):
        return pb.value(x, objective, certainty)

    starts = [base_x.copy()]
    if start is not None:
        s = np.where(free, start, base_x)
        while not ok(s) and s[free].any():  # drop the costliest free measure until within budget
            k = max((j for j in range(J) if s[j] and free[j]), key=lambda j: pb.costs[j])
            s[k] = False
        starts.append(s)
    best_x: np.ndarray | None = None
    best_v: tuple[float, float] | None = None
    for x in starts:
        if not ok(x):
            continue
        v = val(x)
        while True:  # greedy additions
            moves = [(val(y), y) for j in range(J) if free[j] and not x[j]
                     for y in [_flip(x, j)] if ok(y)]
            if not moves:
                break
            mv, my = max(moves, key=lambda t: t[0])
            if mv <= v:
                break
            x, v = my, mv
        for _ in range(max_rounds):  # local search
            candidates: list[np.ndarray] = []
            on = [j for j in range(J) if free[j] and x[j]]
            off = [j for j in range(J) if free[j] and not x[j]]
            for j in on + off:
                candidates.append(_flip(x, j))
            for i, j in itertools.product(on, off):
                candidates.append(_flip(_flip(x, i), j))
            scored = [(val(y), y) for y in candidates if ok(y)]
            if not scored:
                break
            mv, my = max(scored, key=lambda t: t[0])
            if mv <= v:
                break
            x, v = my, mv
        if best_v is None or v > best_v:
            best_x, best_v = x, v
    return best_x if best_x is not None else base_x


def _flip(x: np.ndarray, j: int) -> np.ndarray:
    y = x.copy()
    y[j] = not y[j]
    return y


# --- judging packages by full re-simulation -------------------------------------------------


def evaluate(scenario: Scenario, package: frozenset[str], realised: Realised | None, weights: np.ndarray, *,
             paths: int, seed: int, head: tuple[str, int], certainty: float = CERTAINTY,
             threads: int | None = None) -> dict:
    """P(every goal met) and the reserve for the head goal-year, by re-simulating the package."""
    c = run_conditioned(scenario, decisions_only(realised), paths=paths, seed=seed, threads=threads, active=package)
    m, labels = margins(c.dataset)
    ess = float(1.0 / np.sum(weights * weights))
    p, se = weighted_probability(np.asarray((m >= 0).all(axis=0)), weights)
    short = np.maximum(-m[labels.index(head)], 0.0)
    r, lo, hi = quantile_with_interval(short, weights, certainty, ess)
    return {"p_every_goal": p, "p_every_goal_se": se, "reserve": r, "reserve_interval": (lo, hi)}


def _better(a: dict, b: dict | None, objective: str) -> bool:
    if b is None:
        return True
    if objective == "chance":
        return (a["p_every_goal"], -a["reserve"]) > (b["p_every_goal"], -b["reserve"])
    return (-a["reserve"], a["p_every_goal"]) > (-b["reserve"], b["p_every_goal"])


def choose(scenario: Scenario, plan: tuple[str, ...], candidates: tuple[str, ...], *, paths: int = 2000,
           seed: int = 0, budget: float | None = None, objective: str = "chance", certainty: float = CERTAINTY,
           realised: Realised | None = None, head: tuple[str, int] | None = None, exact: bool | None = None,
           pareto_levels: int = 8, threads: int | None = None) -> dict:
    """The package to choose, how it was found, the alternatives and the Pareto front.

    ``budget`` [EUR, expected implementation costs over the horizon]: default the plan's own
    cost. ``exact``: force (True) or forbid (False) the MILP; None: by size.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}")
    pool = plan + candidates
    pb, full = build_problem(scenario, pool, realised, paths=paths, seed=seed, head=head, threads=threads,
                             plan=plan)
    head = pb.labels[pb.head]
    plan_x = np.array([j in plan for j in pool])
    if budget is None:
        budget = pb.cost(plan_x)
    use_milp = exact if exact is not None else len(pool) * paths <= MILP_LIMIT
    found, proved = _packages(pb, pool, plan_x, budget, objective, certainty, use_milp)
    cache: dict[frozenset[str], dict] = {}

    def judge(x: np.ndarray) -> dict:
        key = frozenset(m for m, on in zip(pool, x, strict=True) if on)
        if key not in cache:
            cache[key] = evaluate(scenario, key, realised, pb.weights, paths=paths, seed=seed, head=head,
                                  certainty=certainty, threads=threads)
        return cache[key]

    rows = []
    best_name, best = None, None
    for name, x in found.items():
        sim = judge(x)
        row = _row(pb, pool, name, x, sim, certainty)
        rows.append(row)
        if _better(sim, best, objective):
            best_name, best = name, sim
    chosen = next(r for r in rows if r["name"] == best_name)
    singles = [r for r in rows if r["name"].startswith(("with ", "without "))]
    best_single = max(singles, key=lambda r: (r["p_every_goal"], -r["reserve"]) if objective == "chance"
                      else (-r["reserve"], r["p_every_goal"]), default=None)
    front = pareto(pb, scenario, realised, pool, objective=objective, certainty=certainty, levels=pareto_levels,
                   use_milp=use_milp, judge=judge, plan_x=plan_x)
    # the package was chosen on these paths, which flatters it a little: judge it, and the plan,
    # once more on fresh paths (the next seed) for an estimate free of that selection
    fresh_seed = seed + 1
    fresh = run_conditioned(scenario, realised, paths=paths, seed=fresh_seed, threads=threads,
                            active=frozenset(plan))
    fresh_head = {name: evaluate(scenario, frozenset(r["measures"]), realised, fresh.weights, paths=paths,
                                 seed=fresh_seed, head=head, certainty=certainty, threads=threads)
                  for name, r in (("chosen", chosen), ("plan", next((a for a in rows if a["name"] == "plan"), None)))
                  if r is not None}
    return {"objective": objective, "certainty": certainty, "budget": budget, "paths": paths, "seed": seed,
            "ess": full.ess, "pool": list(pool), "plan": list(plan), "candidates": list(candidates),
            "costs": dict(zip(pool, pb.costs.tolist(), strict=True)), "head": list(head),
            "method": ("milp (proved optimal on the linear model)" if proved else
                       "milp (time limit: best found) and heuristic" if use_milp else "heuristic"),
            "chosen": chosen, "alternatives": rows, "best_single_change": best_single, "pareto": front,
            "linear_gap": {"p": chosen["linear_p"] - chosen["p_every_goal"]},
            "fresh_paths": {"seed": fresh_seed, **fresh_head}}


def _packages(pb: Problem, pool: tuple[str, ...], plan_x: np.ndarray, budget: float, objective: str,
              certainty: float, use_milp: bool) -> tuple[dict[str, np.ndarray], bool]:
    """The packages worth simulating: the MILP's, the heuristic's, the plan and every single change.

    Returns package name -> x (bool per pool measure) and whether the MILP proved its package optimal.
    """
    found: dict[str, np.ndarray] = {}  # package name -> x (bool per pool measure)
    proved = False
    if use_milp:
        x, proved = solve_milp(pb, budget=budget, objective=objective, certainty=certainty)
        if x is not None:
            found["milp"] = x
    found["heuristic"] = solve_heuristic(pb, budget=budget, objective=objective, certainty=certainty, start=plan_x)
    if pb.cost(plan_x) <= budget + 1e-6:
        found["plan"] = plan_x
    for j, mid in enumerate(pool):
        if mid in pb.fixed:
            continue
        y = _flip(plan_x, j)
        if pb.cost(y) <= budget + 1e-6:
            found[("without " if plan_x[j] else "with ") + mid] = y
    return found, proved


def _row(pb: Problem, pool: tuple[str, ...], name: str, x: np.ndarray, sim: dict, certainty: float) -> dict:
    """One alternative's row: its measures, cost [EUR], the linear model's figures and the simulated ones."""
    return {"name": name, "measures": [m for m, on in zip(pool, x, strict=True) if on],
            "cost": pb.cost(x), "linear_p": float(np.dot(pb.weights, (pb.margin(x) >= 0).all(axis=0))),
            "linear_reserve": float(weighted_quantile(np.maximum(-pb.margin(x)[pb.head], 0.0), pb.weights,
                                                      certainty)),
            **sim}


def pareto(pb: Problem, scenario: Scenario, realised: Realised | None, pool: tuple[str, ...], *, objective: str,
           certainty: float, levels: int, use_milp: bool, judge, plan_x: np.ndarray) -> list[dict]:
    """Cost against chance: the best package at ``levels`` budgets, non-dominated ones kept."""
    free_cost = float(np.sum(np.maximum(pb.costs, 0)))
    points = []
    for b in np.linspace(0.0, free_cost, levels):
        x = None
        if use_milp:
            x, _ = solve_milp(pb, budget=float(b), objective=objective, certainty=certainty)
        if x is None:
            x = solve_heuristic(pb, budget=float(b), objective=objective, certainty=certainty, start=plan_x)
        sim = judge(x)
        points.append({"budget": float(b), "cost": pb.cost(x),
                       "measures": [m for m, on in zip(pool, x, strict=True) if on], **sim})
    points.sort(key=lambda p: (p["cost"], -p["p_every_goal"]))
    front, best_p = [], -np.inf
    for p in points:
        key = p["p_every_goal"] if objective == "chance" else -p["reserve"]
        if key > best_p + 1e-12:
            front.append(p)
            best_p = key
    return front
