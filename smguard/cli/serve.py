"""``smguard serve`` (the HTTP API and review desk) and ``smguard tokens`` (the API's tokens)."""

from __future__ import annotations

import os

import click

from smguard.cli.common import actor_option, open_store, resolve_actor
from smguard.cli.main import Problem, State
from smguard.cli.output import echo_json, format_option


def _need_server_extra() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise Problem(
            'smguard serve needs the server extra: pip install "smguard[server]"'
        ) from None


@click.command()
@click.option("--host", help="Address to listen on (default: [server] host, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: [server] port, 8750).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes ([server] workers).")
@click.pass_obj
def serve(state: State, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API and the review desk (docs/server.md).

    \b
    Examples:
      smguard serve
      smguard serve --host 0.0.0.0 --port 8750 --workers 4
    """
    _need_server_extra()
    import uvicorn

    settings = state.config.server
    open_store(state)  # migrate (and fail clearly) before any worker starts
    workers = workers or settings.workers
    if state.config_path is not None:
        os.environ["SMGUARD_CONFIG"] = str(state.config_path.resolve())
    uvicorn.run(
        "smguard.server.app:app_from_environment",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


@click.group()
def tokens() -> None:
    """API tokens of smguard serve: one per tool, with scopes (check, record, review, admin)."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["check", "record", "review", "admin"]),
    help="What the token may do; repeat for several.",
)
@actor_option()
@format_option()
@click.pass_obj
def create(state: State, name: str, scopes: tuple[str, ...], actor: str | None, fmt: str) -> None:
    """Create a token for the tool NAME; it is shown once, store it now.

    \b
    Example:
      smguard tokens create scheduler --scope check --scope record
    """
    from smguard.server.tokens import create_token

    made = create_token(open_store(state), name, scopes, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json({**made.info.to_dict(), "token": made.token})
        return
    click.echo(made.token)
    click.echo(
        f"Token {made.info.id} for {name} ({', '.join(made.info.scopes)}); shown only now.",
        err=True,
    )


@tokens.command("list")
@click.option("--all", "everything", is_flag=True, help="Revoked tokens too.")
@format_option()
@click.pass_obj
def list_(state: State, everything: bool, fmt: str) -> None:
    """The tokens (never their secrets) and when each was last used."""
    from smguard.server.tokens import list_tokens

    found = list_tokens(open_store(state), include_revoked=everything)
    if fmt == "json":
        echo_json([t.to_dict() for t in found])
        return
    for t in found:
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never used"
        revoked = " REVOKED" if t.revoked_at else ""
        click.echo(f"{t.id}  {t.name:<20} {','.join(t.scopes):<22} {used}{revoked}")


@tokens.command("revoke")
@click.argument("token")
@actor_option()
@format_option()
@click.pass_obj
def revoke(state: State, token: str, actor: str | None, fmt: str) -> None:
    """Revoke TOKEN (its id, or its name); workers stop accepting it within seconds."""
    from smguard.server.tokens import revoke_token

    info = revoke_token(open_store(state), token, actor=resolve_actor(actor))
    if fmt == "json":
        echo_json(info.to_dict())
        return
    click.echo(f"Revoked token {info.id} ({info.name}).")
