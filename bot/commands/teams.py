"""`kpibot teams package`: the zip a Teams admin uploads to add kpibot to a council's tenant.

docs/teams-setup.md says where the ids come from: the bot id is the Entra app registration's
Application (client) ID (the same as TEAMS_CLIENT_ID); the app id is a new GUID for the Teams
app itself. Heavy work happens inside the command so `kpibot --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

teams_app = typer.Typer(
    help="Microsoft Teams: build the app package a Teams admin uploads.", no_args_is_help=True
)

DEFAULT_WEBSITE = "https://kpibot.example.gov.uk"


def register(app: typer.Typer) -> None:
    # build() may run more than once in one process (tests): add the group once.
    if not any(group.typer_instance is teams_app for group in app.registered_groups):
        app.add_typer(teams_app, name="teams")


@teams_app.command("package")
def package(
    app_id: Annotated[
        str, typer.Option("--app-id", help="The Teams app's id: a new GUID for your council's app (uuidgen).")
    ],
    bot_id: Annotated[
        str,
        typer.Option("--bot-id", help="The Azure Bot's Microsoft App ID: the app registration's client id "
                     "(TEAMS_CLIENT_ID)."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the zip.")] = Path(
        "kpibot-teams.zip"
    ),
    website_url: Annotated[
        str, typer.Option("--website-url", help="Shown in Teams as the app's website: your kpibot address.")
    ] = DEFAULT_WEBSITE,
    privacy_url: Annotated[
        str | None, typer.Option("--privacy-url", help="Your privacy notice (default: the website address).")
    ] = None,
    terms_url: Annotated[
        str | None, typer.Option("--terms-url", help="Your terms of use (default: the website address).")
    ] = None,
    app_version: Annotated[
        str | None,
        typer.Option("--app-version", help="The app's version, three numbers; raise it for each new upload "
                     "(default: kpibot's version)."),
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="The teams/ folder with manifest.json and the icons.")
    ] = None,
) -> None:
    """Build the Teams app package: manifest.json with your ids filled in, and the two icons."""
    from importlib.metadata import version

    from bot.teams.package import TEMPLATE_DIR, PackageError, PackageInputs, build

    inputs = PackageInputs(
        app_id=app_id,
        bot_id=bot_id,
        website_url=website_url,
        privacy_url=privacy_url or website_url,
        terms_url=terms_url or website_url,
        version=app_version or version("kpibot"),
    )
    try:
        manifest = build(inputs, output, template or TEMPLATE_DIR)
    except PackageError as refused:
        typer.echo(f"Cannot build the Teams package: {refused}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"Wrote {output}: Teams app {manifest['id']} version {manifest['version']}, "
        f"bot {manifest['bots'][0]['botId']}.\n"
        "Upload it in the Teams admin centre (Teams apps > Manage apps > Upload new app), "
        "as docs/teams-setup.md describes."
    )
