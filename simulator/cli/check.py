"""taaksim check: the document's own figures in deterministic mode."""

from __future__ import annotations

import sys

import click

from simulator.cli.format import dumps
from simulator.cli.options import load_scenario, scenario_arg


@click.command("check")
@scenario_arg
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def check_cmd(scenario, as_json):
    """Deterministic mode against the figures published in SCENARIO's document.

    Exit 0 when every consistent figure is reproduced within the document's rounding, 1
    otherwise; contradictions inside the document are listed, not counted as failures.
    """
    from simulator.results.check import check, format_text

    result = check(load_scenario(scenario))
    if as_json:
        click.echo(dumps(result.to_json(), indent=1))
    else:
        click.echo(format_text(result))
    sys.exit(0 if result.ok else 1)
