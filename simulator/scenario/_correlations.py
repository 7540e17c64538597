"""``[[correlation]]``: rank correlations between random inputs, checked to be able to hold together."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.scenario._builder import _Builder
from simulator.scenario._context import _Ctx, _known, _list, _number, _shown, _table, _text, _unknown
from simulator.scenario.model import Correlation


def _read_correlations(ctx: _Ctx, v: Any, b: _Builder) -> tuple[Correlation, ...]:

    out = []
    used = set()
    for i, c in enumerate(_list(ctx.at("correlation"), v)):
        cctx = ctx.at(f"correlation[{i}]")
        c = _table(cctx, c, {"between", "rank", "matrix", "reason"}, {"between", "reason"})
        members = c["between"]
        if not isinstance(members, list) or len(members) < 2:
            raise cctx.at("between").error("name two or more random inputs")
        for mname in members:
            if _unknown(mname, b.inputs):
                raise cctx.at("between").error(
                    f"{_shown(mname)} is not a random input; "
                    f"{_known(mname, sorted(b.inputs), 'random inputs')}")
            if b.inputs[mname].per_year:
                raise cctx.at("between").error(f"{mname!r} is drawn per year and cannot be correlated")
            if mname in used:
                raise cctx.at("between").error(f"{mname!r} is already in another correlation group")
        if len(set(members)) != len(members):
            raise cctx.at("between").error("a name appears twice")
        used.update(members)
        n = len(members)
        if ("rank" in c) == ("matrix" in c):
            raise cctx.error("give rank = r (one common correlation) or matrix = [[...]]")
        if "rank" in c:
            r = _number(cctx.at("rank"), c["rank"], low=-1.0, high=1.0)
            mat = np.full((n, n), r)
            np.fill_diagonal(mat, 1.0)
        else:
            rows = c["matrix"]
            square = isinstance(rows, list) and len(rows) == n
            if not square or any(not isinstance(r, list) or len(r) != n for r in rows):
                raise cctx.at("matrix").error(f"an {n} x {n} matrix, one row per member")
            mat = np.array([[_number(cctx.at("matrix"), x, low=-1, high=1) for x in r] for r in rows])
            if not np.allclose(mat, mat.T) or not np.allclose(np.diag(mat), 1.0):
                raise cctx.at("matrix").error("the matrix must be symmetric with ones on the diagonal")
        try:
            np.linalg.cholesky(mat + 1e-12 * np.eye(n))
        except np.linalg.LinAlgError:
            raise cctx.error("these correlations cannot hold together "
                             "(matrix not positive definite)") from None
        out.append(Correlation(tuple(members), tuple(tuple(float(x) for x in r) for r in mat),
                               _text(cctx.at("reason"), c["reason"])))
    return tuple(out)
