"""taaksim validate: is the scenario file valid, and which inputs are uncertain."""

from __future__ import annotations

import click

from simulator.cli.options import load_scenario, scenario_arg


@click.command()
@scenario_arg
@click.option("--inputs", "list_inputs", is_flag=True, help="List the uncertain inputs (keys for --variant).")
def validate(scenario, list_inputs):
    """Validate SCENARIO: exit 0 when valid, else 2 with file, key path and problem."""
    s = load_scenario(scenario)
    n_inputs = len(s.inputs)
    click.echo(f"{scenario}: valid: {len(s.posts)} posts, {len(s.measures)} measures, "
               f"{n_inputs} uncertain inputs, {len(s.targets)} targets, {len(s.budgets)} budgets")
    if list_inputs:
        from simulator.results.analysis import describe_input

        width = max((len(i.key) for i in s.inputs), default=0)
        for i in s.inputs:
            click.echo(f"  {i.key:<{width}}  @{i.role:<12} {describe_input(s, i, 'en')}")
