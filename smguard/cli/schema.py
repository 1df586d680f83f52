"""``smguard schema``: the JSON Schema of ``smguard.toml`` and of the check contract.

The configuration's schema includes the tables the installed plugins declare (their
``[plugins.NAME]`` tables and the options of their alert sink types).

For editors (a TOML language server with a schema), for tools that validate what they send to
``smguard check`` and read back, and for reviewers of a configuration change.
"""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("what", type=click.Choice(["config", "post", "verdict"]))
def schema(what: str) -> None:
    """Print a JSON Schema: of smguard.toml (config), of an input post, or of a verdict.

    \b
    smguard schema config > smguard.schema.json    # for your editor's TOML support
    smguard schema verdict                         # what `check --format json` prints
    """
    if what == "config":
        from smguard.config.file import config_schema
        from smguard.config.plugins import declared_settings
        from smguard.manager import get_plugin_manager

        declared = declared_settings(get_plugin_manager())
        out = config_schema(declared.plugins, declared.sink_options)
    else:
        from smguard.contract import schema as contract_schema

        out = contract_schema("post" if what == "post" else "verdict")
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))
