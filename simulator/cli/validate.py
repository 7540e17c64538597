"""taaksim validate: is the scenario file valid, and which inputs are uncertain."""

from __future__ import annotations

import click

from simulator.cli.format import w
from simulator.cli.options import lang_option, load_scenario, scenario_arg


@click.command()
@scenario_arg
@click.option("--inputs", "list_inputs", is_flag=True, help="List the uncertain inputs (keys for --variant).")
@lang_option(help="Language of the terminal text.")
def validate(scenario, list_inputs, lang):
    """Validate SCENARIO: exit 0 when valid, else 2 with file, key path and problem."""
    s = load_scenario(scenario)
    n_inputs = len(s.inputs)
    counts = ((len(s.posts), "post"), (len(s.measures), "measure"), (n_inputs, "input"), (len(s.targets), "target"),
              (len(s.budgets), "budget"))
    items = ", ".join(f"{n} {w(key + ('.1' if n == 1 else '.n'), lang)}" for n, key in counts)
    click.echo(w("valid", lang).format(file=scenario, items=items))
    if list_inputs:
        from simulator.results.analysis import describe_input

        width = max((len(i.key) for i in s.inputs), default=0)
        for i in s.inputs:
            click.echo(f"  {i.key:<{width}}  @{i.role:<12} {describe_input(s, i, lang)}")
