"""`catalog schema [--out DIR]`: print the catalog's JSON Schemas, or write them into DIR.

Editors with the YAML language server use them to complete and check catalog files as they are
typed (see the `# yaml-language-server: $schema=...` line at the top of each file).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.catalog.schema import SCHEMA_NAMES, schema, schema_file
from reconciler.replace_file import replace_file
from reconciler.resources import SCHEMAS_DIR

EXAMPLES = """\b
Examples:
  catalog schema offers                 # the schema of offers/*.yaml files
  catalog schema --out schemas          # write the three .schema.json files for an editor
"""


@click.command("schema", epilog=EXAMPLES)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write catalog/offers/operations .schema.json into this folder instead of printing.",
)
@click.argument("name", required=False, type=click.Choice(SCHEMA_NAMES))
def command(out: Path | None, name: str | None) -> None:
    """Print the JSON Schemas (Draft 2020-12) of catalog files (one JSON object), or schema NAME."""
    names = [name] if name else list(SCHEMA_NAMES)
    if out is None and name:
        click.echo((SCHEMAS_DIR / schema_file(name)).read_text(encoding="utf-8"), nl=False)
        return
    if out is None:  # all three as one JSON document: file name -> schema
        every = {schema_file(n): schema(n) for n in names}
        click.echo(json.dumps(every, indent=2, ensure_ascii=False))
        return
    out.mkdir(parents=True, exist_ok=True)
    for each in names:
        text = (SCHEMAS_DIR / schema_file(each)).read_text(encoding="utf-8")
        replace_file(out / schema_file(each), text)
        click.echo(f"wrote {out / schema_file(each)}")
