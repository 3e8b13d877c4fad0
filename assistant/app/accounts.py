"""``lobby users`` (who may sign in to the web app) and ``lobby feedback`` (users' ratings, exported).

Passwords are asked for twice at a hidden prompt (or read from ``LOBBY_NEW_PASSWORD`` for scripts), never
taken as an argument: an argument ends up in the shell history and the process list.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from assistant.services.users import UserStore

users_app = typer.Typer(help="Gebruikers van de webapp (inloggen, rollen).", no_args_is_help=True)
feedback_app = typer.Typer(help="Oordelen van gebruikers over antwoorden en bronnen.", no_args_is_help=True)


def _store() -> UserStore:
    """The users file of the configured home (imported lazily: `lobby --help` stays fast)."""
    from assistant.core.settings import load_settings
    from assistant.services.users import user_store

    return user_store(load_settings())


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    rol: Annotated[
        str, typer.Option("--rol", help="lezer (openbaar), medewerker (intern) of beheerder (alles).")
    ] = "lezer",
    vervang: Annotated[
        bool, typer.Option("--vervang", help="Een bestaande gebruiker overschrijven.")
    ] = False,
) -> None:
    """Voeg een gebruiker toe; het wachtwoord wordt (twee keer) gevraagd en alleen als hash bewaard."""
    from assistant.services.users import UsersError

    password = os.environ.get("LOBBY_NEW_PASSWORD") or typer.prompt(
        "Wachtwoord", hide_input=True, confirmation_prompt="Nog een keer"
    )
    store = _store()
    try:
        user = store.add(name, password, rol, replace=vervang)
    except UsersError as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"Gebruiker '{user.name}' ({user.role}, ziet t/m {user.access}) staat in {store.path}.", err=True
    )


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="Gebruikersnaam.")]) -> None:
    """Verwijder een gebruiker."""
    from assistant.services.users import UsersError

    try:
        _store().remove(name)
    except UsersError as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Gebruiker '{name}' verwijderd.", err=True)


@users_app.command("list")
def users_list() -> None:
    """Toon de gebruikers met hun rol (zonder wachtwoorden)."""
    for user in _store().list():
        typer.echo(f"{user.name}\t{user.role}\t{user.access}\t{user.created[:10]}")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[
        Path | None, typer.Option("--out", help="Schrijf naar dit bestand (standaard stdout).")
    ] = None,
) -> None:
    """Schrijf alle oordelen als JSON lines: kandidaten voor de gold set (vraag, antwoord, bron, oordeel)."""
    from assistant.core.settings import load_settings
    from assistant.services.wiring import Services

    store = Services(load_settings()).conversations
    lines = [json.dumps(record, ensure_ascii=False) for record in store.export_feedback()]
    if out is None:
        sys.stdout.write("".join(f"{line}\n" for line in lines))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        typer.echo(f"{len(lines)} oordeel/oordelen geschreven naar {out}", err=True)
