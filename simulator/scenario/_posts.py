"""``[[post]]`` (with its stock of clients), ``[[municipality]]`` and ``[[cost_group]]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.scenario._builder import _Builder
from simulator.scenario._context import _Ctx, _frozen, _ident, _list, _number, _source, _table, _text
from simulator.scenario.domains import DOMAINS
from simulator.scenario.model import LAWS, Const, CostGroup, Municipality, Post, Quantity, Stock

POST_KEYS = {"id", "name", "law", "base", "clients", "growth", "volume_growth",
             "price_growth", "combine", "stock", "source"}


def _read_posts(ctx: _Ctx, v: Any, b: _Builder) -> tuple[Post, ...]:
    posts: list[Post] = []
    seen: set[str] = set()
    for i, p in enumerate(_list(ctx.at("post"), v)):
        pid = p.get("id") if isinstance(p, Mapping) else None
        pctx = ctx.at(f'post "{pid}"' if isinstance(pid, str) else f"post[{i}]")
        posts.append(_read_post(pctx, p, b, seen))
    if not posts:
        raise ctx.at("post").error("a scenario needs at least one post")
    return tuple(posts)


def _read_post(pctx: _Ctx, p: Any, b: _Builder, seen: set[str]) -> Post:
    p = _table(pctx, p, POST_KEYS, {"id", "law", "source"})
    pid = _ident(pctx.at("id"), p["id"])
    if pid in seen:
        raise pctx.at("id").error(f"duplicate post id {pid!r}")
    seen.add(pid)
    law = p["law"]
    if law not in LAWS:
        raise pctx.at("law").error(f"law must be one of {', '.join(LAWS)}, got {law!r}")
    if "base" not in p and not (isinstance(p.get("stock"), Mapping) and "cost_per_client" in p["stock"]):
        raise pctx.error("missing required key 'base' (base-year expenditure; or give "
                         "[post.stock] clients and cost_per_client)")
    base = _number(pctx.at("base"), p["base"], low=0.0, high=1e12) if "base" in p else None
    clients = _number(pctx.at("clients"), p["clients"], low=0.0, high=1e8) if "clients" in p else None
    growth = _read_growth(pctx, p, b, pid)
    combine = p.get("combine", "multiplicative")
    if combine not in ("multiplicative", "additive"):
        raise pctx.at("combine").error("combine must be 'multiplicative' or 'additive'")
    stock = None
    if "stock" in p:
        stock, base = _read_stock(pctx.at("stock"), p["stock"], b, pid, clients, base)
    assert base is not None  # checked above: 'base' or a stock's cost_per_client
    return Post(pid, _text(pctx.at("name"), p.get("name", pid), limit=200, line=True), law, base, clients,
                growth.get("volume_growth"), growth.get("price_growth"), combine, stock,
                _source(pctx.at("source"), p["source"]))


def _read_growth(pctx: _Ctx, p: dict[str, Any], b: _Builder, pid: str) -> dict[str, Quantity]:
    """Volume and price growth (yearly rates); ``growth`` is the older name of ``volume_growth``."""
    if "growth" in p and "volume_growth" in p:
        raise pctx.error("give growth or volume_growth, not both (they are the same)")
    growth = {}
    for key, gkey in (("volume_growth", p.get("volume_growth", p.get("growth"))),
                      ("price_growth", p.get("price_growth"))):
        if gkey is not None:
            growth[key] = b.quantity(pctx.at(key if key in p or key == "price_growth" else "growth"),
                                     gkey, f"{pid}.{key}", "growth", deterministic="mean",
                                     low=DOMAINS["growth"][0], high=DOMAINS["growth"][1])
    return growth


def _read_stock(sctx: _Ctx, v: Any, b: _Builder, pid: str, clients: float | None,
                base: float | None) -> tuple[Stock, float | None]:
    """``[post.stock]``; returns the stock and the post's base (clients x cost_per_client if given)."""
    s = _table(sctx, v, {"clients", "duration", "outflow_rate", "inflow", "cost_per_client"})
    n0 = s.get("clients", clients)
    if n0 is None:
        raise sctx.error("a stock needs clients (here or on the post)")
    n0 = _number(sctx.at("clients"), n0, low=1e-9, high=1e8)
    if ("duration" in s) == ("outflow_rate" in s):
        raise sctx.error("give exactly one of duration (years) or "
                         "outflow_rate (share leaving per year)")
    rate: Quantity
    if "duration" in s:
        dur = _number(sctx.at("duration"), s["duration"], low=0.01, high=100.0)
        rate = Const(min(1.0, 1.0 / dur))
    else:
        rate = b.quantity(sctx.at("outflow_rate"), s["outflow_rate"], f"{pid}.outflow_rate",
                          "stock", low=DOMAINS["outflow_rate"][0], high=DOMAINS["outflow_rate"][1])
    low, high = DOMAINS["inflow"]
    inflow = (b.quantity(sctx.at("inflow"), s["inflow"], f"{pid}.inflow", "stock", low=low, high=high)
              if "inflow" in s else None)
    stock = Stock(n0, rate, inflow)
    if "cost_per_client" in s:
        cpc = _number(sctx.at("cost_per_client"), s["cost_per_client"], low=0.0, high=1e8)
        if base is not None and abs(base - n0 * cpc) > max(1.0, 1e-6 * base):
            raise sctx.error(f"clients x cost_per_client = {n0 * cpc:,.0f} contradicts the post's "
                             f"base {base:,.0f}; give one of them")
        base = n0 * cpc
    return stock, base


def _read_municipalities(ctx: _Ctx, v: Any) -> tuple[Municipality, ...]:
    out, seen = [], set()
    for i, m in enumerate(_list(ctx.at("municipality"), v)):
        mid = m.get("id") if isinstance(m, Mapping) else None
        mctx = ctx.at(f'municipality "{mid}"' if isinstance(mid, str) else f"municipality[{i}]")
        m = _table(mctx, m, {"id", "name", "share", "source"}, {"id", "share", "source"})
        mid = _ident(mctx.at("id"), m["id"])
        if mid in seen:
            raise mctx.at("id").error(f"duplicate municipality id {mid!r}")
        seen.add(mid)
        share = m["share"]
        if isinstance(share, Mapping):
            shares = {}
            for k, s in share.items():
                if k not in (*LAWS, "default"):
                    raise mctx.at("share", k).error(f"share keys are {', '.join(LAWS)} or default")
                shares[k] = _number(mctx.at("share", k), s, low=0.0, high=1.0)
        else:
            shares = {"default": _number(mctx.at("share"), share, low=0.0, high=1.0)}
        out.append(Municipality(mid, _text(mctx.at("name"), m.get("name", mid), limit=200, line=True),
                                _frozen(shares), _source(mctx.at("source"), m["source"])))
    for law in (*LAWS,):
        total = sum(m.share(law) for m in out)
        if out and total > 1.0 + 1e-6:
            raise ctx.at("municipality").error(f"shares for {law} add up to {total:.4f}, more than 1")
    return tuple(out)


def _read_cost_groups(ctx: _Ctx, v: Any, b: _Builder, known: set[str]) -> tuple[CostGroup, ...]:
    out, seen = [], set()
    for i, g in enumerate(_list(ctx.at("cost_group"), v)):
        gid = g.get("id") if isinstance(g, Mapping) else None
        gctx = ctx.at(f'cost_group "{gid}"' if isinstance(gid, str) else f"cost_group[{i}]")
        g = _table(gctx, g, {"id", "name", "costs", "law", "source"}, {"id", "costs", "source"})
        gid = _ident(gctx.at("id"), g["id"])
        if gid in seen:
            raise gctx.at("id").error(f"duplicate cost group id {gid!r}")
        seen.add(gid)
        law = g.get("law", "other")
        if law not in LAWS:
            raise gctx.at("law").error(f"law must be one of {', '.join(LAWS)}")
        costs = b.quantity(gctx.at("costs"), g["costs"], f"{gid}.costs", "cost", low=-1e12, high=1e12)
        out.append(CostGroup(gid, costs, law, _source(gctx.at("source"), g["source"])))
    return tuple(out)
