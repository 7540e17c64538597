"""Monte Carlo statistics shared by full and streamed runs: one rule each."""

from __future__ import annotations

import numpy as np

QUANTILES = {"p5": 0.05, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p95": 0.95}


def probability_se(p: float, n: int) -> float:
    """Standard error of a Monte Carlo probability estimate from ``n`` paths."""
    return float(np.sqrt(max(p * (1.0 - p), 0.0) / n)) if n > 0 else float("nan")
