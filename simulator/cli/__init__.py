"""The command line: parse arguments, call the library, format the answer. Nothing else.

One module per command (validate, check, run, report, compare, bench, monitor + seek, optimise); their
shared options in ``options``, terminal formatting in ``format``. Heavy imports (numpy, xarray, scipy) happen inside
the commands, so ``taaksim --help`` answers at once.
"""

from __future__ import annotations

import os
import sys
import warnings

import click

from simulator.cli import bench, check, compare, monitor, optimise, register, report, run, validate
from simulator.cli.options import fail, usage
from simulator.errors import TaaksimError


class _Group(click.Group):
    """Turns every taaksim error into a one-line message and exit code 2 (--debug: traceback)."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            usage(exc)

    def invoke(self, ctx):
        from simulator.report.writers import WRITTEN

        WRITTEN.clear()  # what this command writes; an interrupt message owns up to exactly that

        def show(message, category, *args, **kwargs):
            # taaksim's own warnings (a correlation that cannot hold) read like its errors: one line
            if category.__module__.startswith("simulator."):
                click.echo(f"warning: {message}", err=True)
            else:
                default_show(message, category, *args, **kwargs)

        default_show = warnings.showwarning
        warnings.showwarning = show
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            usage(exc)
        except TaaksimError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _interrupted()
        except MemoryError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            fail("out of memory: use fewer --paths (summaries converge long before that)")
        finally:
            warnings.showwarning = default_show


def _interrupted():
    from simulator.report.writers import WRITTEN

    if WRITTEN:
        done = ", ".join(str(p) for p in dict.fromkeys(WRITTEN))
        click.echo(f"interrupted: {done} written completely before the interrupt; nothing else was changed",
                   err=True)
    else:
        click.echo("interrupted: no output was written", err=True)
    sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks (for developers).")
@click.option("--engine", type=click.Choice(["numba", "numpy"]), default=None,
              help="Simulation engine: the compiled kernel (numba, the default) or the numpy reference. "
                   "Also TAAKSIM_ENGINE.")
@click.version_option(package_name="taaksim", prog_name="taaksim")
@click.pass_context
def main(ctx, debug, engine):
    """taaksim: savings programmes in the social domain (Wmo, Jeugdwet) as ranges, not points.

    \b
    taaksim validate SCENARIO      check a scenario file
    taaksim check SCENARIO         reproduce the document's own figures
    taaksim run SCENARIO           Monte Carlo ranges, P(target met), P(within budget)
    taaksim report SCENARIO        risk paragraph; --out report.html for the full report
    taaksim compare SCENARIO       what-if variants side by side (--variant NAME=CHANGE)
    taaksim register SCENARIO      each goal's risk as risk-register lines (csv, xlsx)
    """
    ctx.obj = {"debug": debug}
    if engine:
        os.environ["TAAKSIM_ENGINE"] = engine  # read by simulator.core.compiled.runner, also in dask workers


for _command in (validate.validate, check.check_cmd, run.run, report.report, compare.compare, register.register,
                 bench.bench):
    main.add_command(_command)
for _command, _name in ((monitor.monitor, "monitor"), (monitor.seek, "seek"), (optimise.optimise, "optimise"),
                       (optimise.optimise, "choose")):
    main.add_command(_command, _name)
