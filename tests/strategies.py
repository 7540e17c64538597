"""Hypothesis strategies for valid scenario documents (dicts fed to the loader)."""

from __future__ import annotations

from hypothesis import strategies as st

SRC = "assumption: generated"
money = st.floats(1_000, 50_000_000, allow_nan=False, allow_infinity=False)
fraction = st.floats(0.0, 0.6, allow_nan=False)


@st.composite
def pert(draw, low=0.0, high=0.5):
    a = draw(st.floats(low, high))
    b = draw(st.floats(a, high))
    c = draw(st.floats(b, high))
    return {"pert": [a, b, c]}


@st.composite
def measure(draw, post_ids, index):
    post = draw(st.sampled_from(post_ids))
    kind = draw(st.sampled_from(["fraction", "amount", "pert"]))
    if kind == "fraction":
        effect = {"fraction": draw(fraction)}
    elif kind == "amount":
        effect = {"amount": draw(st.floats(0, 2_000_000))}
    else:
        effect = {"fraction": draw(pert())}
    m = {"id": f"m{index}", "post": post, "effect": effect, "source": SRC}
    if draw(st.booleans()):
        m["go_ahead"] = draw(st.floats(0, 1))
    if draw(st.booleans()):
        m["costs"] = draw(st.floats(0, 500_000))
    if draw(st.booleans()):
        m["delay"] = {"p": draw(st.floats(0, 1)), "years": draw(st.sampled_from([0.5, 1, 2]))}
    if draw(st.booleans()):
        m["phase_in"] = {"2025": draw(st.floats(0, 1)), "2026": 1.0}
    return m


@st.composite
def scenario_doc(draw, max_posts=4, max_measures=6):
    n_posts = draw(st.integers(1, max_posts))
    posts = []
    for i in range(n_posts):
        p = {"id": f"p{i}", "law": draw(st.sampled_from(["wmo", "jeugdwet", "other"])),
             "base": draw(money), "source": SRC}
        if draw(st.booleans()):
            p["growth"] = draw(pert(-0.02, 0.06))
        posts.append(p)
    ids = [p["id"] for p in posts]
    n_measures = draw(st.integers(1, max_measures))
    measures = [draw(measure(ids, j)) for j in range(n_measures)]
    doc = {
        "scenario": {"name": "generated", "base_year": 2024, "years": [2025, 2026, 2027]},
        "post": posts,
        "measure": measures,
    }
    if draw(st.booleans()):
        doc["target"] = [{"scope": "all", "amounts": {"2025": draw(st.floats(0, 5e6)),
                                                       "2027": draw(st.floats(0, 5e6))}, "source": SRC,
                          "basis": "counterfactual",
                          "price_level": "nominal" if any("price_growth" in p for p in posts) else 2024}]
    return doc
