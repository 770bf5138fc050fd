"""The `catalog` command: a group whose sub-commands live one per module in reconciler.cli.

Each command module exposes `command` (a click.Command). Commands are imported only when used,
so `catalog validate` does not pay for the sandbox server or the HTTP client.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback

import click

from reconciler.errors import CatalogInvalid, ExitCode, ReconcilerError

COMMANDS = {
    "validate": "reconciler.cli.validate",
    "schema": "reconciler.cli.schema",
    "plan": "reconciler.cli.plan",
    "show": "reconciler.cli.show",
    "apply": "reconciler.cli.apply",
    "package": "reconciler.cli.package",
    "demo": "reconciler.cli.demo",
    "sandbox": "reconciler.cli.sandbox",
    "operations": "reconciler.cli.operations",
    "import": "reconciler.cli.import_shop",
    "comment": "reconciler.cli.comment",
    "reviewed-plan": "reconciler.cli.reviewed",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, mod in COMMANDS.items() if importlib.util.find_spec(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None or importlib.util.find_spec(module) is None:
            return None
        return importlib.import_module(module).command

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except CatalogInvalid as err:
            report_problems(err)
            ctx.exit(err.exit_code)
        except ReconcilerError as err:
            click.echo(f"Error: {err}", err=True)
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


def report_problems(err: CatalogInvalid) -> None:
    for problem in err.problems:
        click.echo(str(problem), err=True)
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
