"""CI only checks that the asv benchmarks still run (with the smallest parameters)."""

import inspect

import pytest

from benchmarks import benchmarks as bm

CLASSES = [bm.Floor, bm.Sampling, bm.Engine, bm.Summaries, bm.FullRun, bm.DatasetRun, bm.KernelRun]


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_benchmark_methods_run(cls):
    params = cls.params if isinstance(cls.params, tuple) else (cls.params,)
    args = [p[0] if isinstance(p, list) else p for p in params]
    args[0] = min(args[0], 1000) if isinstance(args[0], int) else args[0]
    obj = cls()
    obj.setup(*args)
    methods = [m for name, m in inspect.getmembers(obj, inspect.ismethod)
               if name.startswith(("time_", "peakmem_"))]
    assert methods
    for m in methods:
        m(*args)
    if hasattr(obj, "teardown"):
        obj.teardown(*args)


def test_every_benchmark_class_is_checked():
    found = {c for _, c in inspect.getmembers(bm, inspect.isclass)
             if c.__module__ == bm.__name__ and any(n.startswith(("time_", "peakmem_")) for n in dir(c))}
    assert found == set(CLASSES)
