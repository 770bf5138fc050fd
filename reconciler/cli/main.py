"""The `catalog` command: a group whose sub-commands live one per module in reconciler.cli.

Each command module exposes `command` (a click.Command). Commands are imported only when used,
so `catalog validate` does not pay for the sandbox server or the HTTP client.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import sys
import traceback

import click

from reconciler.errors import CatalogInvalid, ExitCode, ReconcilerError, printable

# What a shell reports for a program stopped by SIGPIPE (`yes | head -1`), as Unix tools do
SIGPIPE_EXIT = 128 + signal.SIGPIPE

COMMANDS = {
    "validate": "reconciler.cli.validate",
    "schema": "reconciler.cli.schema",
    "plan": "reconciler.cli.plan",
    "show": "reconciler.cli.show",
    "apply": "reconciler.cli.apply",
    "package": "reconciler.cli.package",
    "packages": "reconciler.cli.packages",
    "demo": "reconciler.cli.demo",
    "sandbox": "reconciler.cli.sandbox",
    "operations": "reconciler.cli.operations",
    "import": "reconciler.cli.import_shop",
    "comment": "reconciler.cli.comment",
    "reviewed-plan": "reconciler.cli.reviewed",
    "doctor": "reconciler.cli.doctor",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, mod in COMMANDS.items() if importlib.util.find_spec(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None or importlib.util.find_spec(module) is None:
            return None
        return importlib.import_module(module).command

    def make_context(self, *args, **kwargs) -> click.Context:  # noqa: ANN002, ANN003
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as err:  # an unknown option or a bad value given to `catalog`
            raise _usage(err) from None

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        try:
            return super().invoke(ctx)
        except click.UsageError as err:  # a sub-command's options, or an unknown command
            raise _usage(err) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # `catalog show plan.json | head -1`: the reader has had enough
            _quiet_stdout()
            ctx.exit(SIGPIPE_EXIT)
        except CatalogInvalid as err:
            report_problems(err)
            ctx.exit(err.exit_code)
        except ReconcilerError as err:
            lines = f"Error: {err}".splitlines()  # some say what to do on lines of their own
            click.echo("\n".join(printable(line) for line in lines), err=True)
            ctx.exit(err.exit_code)
        except Exception as err:  # the promise: never a traceback unless asked for
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                click.echo(
                    f"Unexpected error: {type(err).__name__}: {err} (run with --debug for details)",
                    err=True,
                )
            ctx.exit(ExitCode.UNEXPECTED)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (tests capture it)
        pass
    finally:
        os.close(devnull)


def _usage(err: click.UsageError) -> click.UsageError:
    """Click exits 2 on a usage error, which CI reads as "changes present": give it its own code."""
    err.exit_code = ExitCode.USAGE
    return err


def report_problems(err: CatalogInvalid) -> None:
    for problem in err.problems:
        click.echo(printable(str(problem)), err=True)  # a file name may hold a newline
    click.echo(f"{len(err.problems)} error(s): the catalog is invalid.", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="catalog-reconciler")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Catalog-as-code for Octopia and Cdiscount sellers.

    Offers and commercial operations live as YAML files in git; `plan` shows the difference with
    the live marketplace, `apply` pushes exactly that difference.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main() -> None:
    sys.exit(cli.main(standalone_mode=True))


if __name__ == "__main__":
    main()
