"""`kpibot concerns ...`: members' concerns at the terminal, through the same handlers as Slack.

    kpibot concerns list --as U0DEMOGOV01 [--all] [--json]
    kpibot concerns show C-3 --as U0DEMOMEMB1 [--json]
    kpibot concerns send C-3 SEND --note "Please answer" --as U0DEMOGOV01
    kpibot concerns answer C-3 "We have added caseworkers" --as U0DEMOSVC01
    kpibot concerns escalate C-3 --note "Officer to attend" --as U0DEMOGOV01
    kpibot concerns close C-3 "Member satisfied" --as U0DEMOGOV01
    kpibot concerns raise --as U0DEMOMEMB1 --indicator SEND-01 "SEND timeliness keeps slipping"
    kpibot concerns agenda --meeting 2026-12-08 --format csv --output pack.csv

Who may do what is the domain's rule, as in Slack: a refusal is printed (exit code 1) saying
which role is needed. Heavy imports happen inside the commands so `kpibot --help` stays fast.

The messages a step causes (the service officer's copy with the Answer button, the member's
answer, escalation or outcome, the member's confirmation of a raised concern) are queued in
the outbox with the step, as in Slack, and not sent from the terminal: the running bot
(`kpibot serve`) sends them within a minute, or `kpibot scorecard publish-due` does, which
delivers everything waiting in the outbox. The command says on stderr what it queued, so its
stdout (and --json) stays the answer alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.runtime import Runtime
    from handlers.concern_steps import StepDone
    from handlers.reply import Reply, Request

concerns_app = typer.Typer(
    help="Members' concerns: list, show, send to a service, answer, escalate, close, the agenda pack.",
    no_args_is_help=True,
)

AsUser = Annotated[str, typer.Option("--as", help="Who is acting (a user id from the roles table).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object.")]
Ref = Annotated[str, typer.Argument(help="The concern's reference, like C-3 (or just 3).")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="The store to use (default: the settings' database_url).")
]


class PackFormat(StrEnum):
    CSV = "csv"
    HTML = "html"


def register(app: typer.Typer) -> None:
    # build() may run more than once in one process (tests): add the group once.
    if not any(group.typer_instance is concerns_app for group in app.registered_groups):
        app.add_typer(concerns_app, name="concerns")


def _names(runtime: Runtime, person_ids: set[str]) -> dict[str, str]:
    """The people's names: looked up first where this terminal has a platform token (bot.names),
    then as the store keeps them; a person with no name known is left out (shown by id)."""
    from bot.composition import directories_for
    from bot.names import refresh_names
    from bot.runtime import utc_now
    from data import people

    refresh_names(runtime, directories_for(runtime.settings), person_ids, now=utc_now())
    with runtime.reading() as session:
        return people.names_of(session, person_ids)


def _refresh_names(runtime: Runtime) -> None:
    """With a platform token at hand, everyone's name is brought up to date first (only those
    missing or a week old are asked for), so what is printed names people."""
    from bot.composition import directories_for
    from bot.names import refresh_everyone
    from bot.runtime import utc_now

    directories = directories_for(runtime.settings)
    if directories:
        refresh_everyone(runtime, directories, now=utc_now())


def _runtime(database_url: str | None) -> Runtime:
    from bot import composition
    from bot.runtime import open_runtime

    return open_runtime(composition.settings(database_url=database_url))


def _run(
    database_url: str | None, as_user: str, as_json: bool, work: Callable[[Request, Session], Reply]
) -> None:
    """Run one conversation in one transaction; print the reply, or the refusal (exit 1)."""
    from bot.console import as_json_line, print_reply
    from bot.runtime import utc_now, viewer_for
    from handlers.reply import Request
    from scorecard.concerns import ConcernError

    runtime = _runtime(database_url)
    try:
        _refresh_names(runtime)
        with runtime.session() as session:
            request = Request(text="", viewer=viewer_for(session, as_user), now=utc_now())
            reply = work(request, session)
    except ConcernError as refused:
        if as_json:
            import json

            print(json.dumps({"kind": "error", "message": str(refused)}, ensure_ascii=False))
        else:
            typer.echo(str(refused), err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.engine.dispose()
    if as_json:
        print(as_json_line(reply), flush=True)
    else:
        print_reply(reply)


def _queued_note(keys: list[str]) -> None:
    """Say on stderr which direct messages the step queued, and how they are sent."""
    if not keys:
        return
    people = sorted({key.rsplit(":", 1)[-1] for key in keys})
    count = f"{len(keys)} direct message{'s' if len(keys) != 1 else ''}"
    typer.echo(
        f"Queued {count} to {', '.join(people)}: the running bot sends "
        f"{'them' if len(keys) != 1 else 'it'} within a minute, or run `kpibot scorecard publish-due`.",
        err=True,
    )


def _step(
    database_url: str | None,
    as_user: str,
    as_json: bool,
    take: Callable[[Request, Session], StepDone],
) -> None:
    """Take a step as `_run` does, then say what it queued for the outbox."""
    queued: list[str] = []

    def work(request: Request, session: Session) -> Reply:
        done = take(request, session)
        queued.extend(done.queued)
        return done.reply

    _run(database_url, as_user, as_json, work)
    _queued_note(queued)


def _id(ref: str) -> int:
    from handlers.concern_views import parse_reference

    found = parse_reference(ref)
    if found is None:
        raise typer.BadParameter(f"'{ref}' is not a concern's reference: write it like C-3.")
    return found


@concerns_app.command("list")
def list_concerns(
    as_user: AsUser,
    include_closed: Annotated[bool, typer.Option("--all", help="Closed concerns too.")] = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """The concerns you may see and where each stands (members: their own)."""
    from handlers.concern_views import listing

    _run(database_url, as_user, as_json, lambda r, s: listing(r, s, include_closed=include_closed))


class Notices(StrEnum):
    DAILY = "daily"
    NOW = "now"


@concerns_app.command("notices")
def notices(
    how: Annotated[
        Notices, typer.Argument(help="daily: one message each working morning; now: one per concern.")
    ],
    as_user: AsUser,
    database_url: DatabaseUrl = None,
) -> None:
    """How the governance advisor hears of new concerns: each as it is raised, or a daily digest."""
    from dataclasses import replace

    from handlers.concerns import notices_reply

    _run(database_url, as_user, False, lambda r, s: notices_reply(replace(r, text=f"notices {how.value}"), s))


@concerns_app.command("show")
def show(ref: Ref, as_user: AsUser, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """One concern with its whole history."""
    from handlers.concern_views import show as show_concern

    concern_id = _id(ref)
    _run(database_url, as_user, as_json, lambda r, s: show_concern(r, s, concern_id))


@concerns_app.command("send")
def send(
    ref: Ref,
    service_area: Annotated[str, typer.Argument(help="The service area, as in the roles table (e.g. SEND).")],
    as_user: AsUser,
    note: Annotated[str, typer.Option("--note", help="A note for the service.")] = "",
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Send a concern to a service area for a written answer (the governance advisor)."""
    from bot import composition
    from bot.settings import policy_for
    from handlers import concern_steps as steps

    concern_id = _id(ref)
    policy = policy_for(composition.settings(database_url=database_url))
    _step(
        database_url,
        as_user,
        as_json,
        lambda r, s: steps.send(r, s, concern_id, service_area, note, policy=policy),
    )


@concerns_app.command("answer")
def answer(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="The service's answer, for the member.")],
    as_user: AsUser,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Answer a concern sent to your service area (a service officer of that area)."""
    from handlers import concern_steps as steps

    concern_id = _id(ref)
    _step(database_url, as_user, as_json, lambda r, s: steps.answer(r, s, concern_id, text))


@concerns_app.command("escalate")
def escalate(
    ref: Ref,
    as_user: AsUser,
    note: Annotated[str, typer.Option("--note", help="Why it goes to the commission.")] = "",
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Escalate a concern to the next commission meeting open for items (the governance advisor);
    the `commission` setting names the committee when meetings.csv has several."""
    from bot import composition
    from bot.settings import policy_for
    from handlers import concern_steps as steps

    concern_id = _id(ref)
    policy = policy_for(composition.settings(database_url=database_url))
    _step(
        database_url, as_user, as_json, lambda r, s: steps.escalate(r, s, concern_id, note, policy=policy)
    )


@concerns_app.command("close")
def close(
    ref: Ref,
    outcome: Annotated[str, typer.Argument(help="The outcome, for the member and the record.")],
    as_user: AsUser,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Close a concern with its outcome (the governance advisor)."""
    from handlers import concern_steps as steps

    concern_id = _id(ref)
    _step(database_url, as_user, as_json, lambda r, s: steps.close(r, s, concern_id, outcome))


@concerns_app.command("raise")
def raise_concern(
    text: Annotated[str, typer.Argument(help="The concern, in the member's words.")],
    as_user: AsUser,
    indicator: Annotated[
        str | None,
        typer.Option(
            "--indicator",
            help="The indicator's code (default: the scorecard in general); an unknown code is refused.",
        ),
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="A key for this submission: the same key never raises twice.")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Raise a concern as a member would (for scripts and demonstrations)."""
    import hashlib

    from handlers.concerns import keep_and_confirm, prepare

    digest = hashlib.sha256(f"{as_user}\0{indicator or ''}\0{text}".encode()).hexdigest()[:32]
    submission = key or f"cli:{digest}"
    queued: list[str] = []

    def work(request: Request, session: Session) -> Reply:
        kept = keep_and_confirm(
            session, *prepare(request, session, text, indicator), submission, now=request.now
        )
        queued.extend(kept.queued)
        return kept.reply

    _run(database_url, as_user, as_json, work)
    _queued_note(queued)


@concerns_app.command("agenda")
def agenda(
    meeting: Annotated[str, typer.Option("--meeting", help="The meeting's date, like 2026-12-08.")],
    output_format: Annotated[
        PackFormat, typer.Option("--format", help="csv (for a spreadsheet) or html (to print or send).")
    ] = PackFormat.CSV,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write to this file instead of the terminal.", dir_okay=False),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The agenda pack for a meeting, as a clerk would print it: each escalated concern with the
    member's name, the figure they saw when raising it, the service's answer, the reason for
    escalation and every step dated in words (html prints on A4)."""
    from bot.runtime import utc_now
    from handlers.concern_reminders import agenda as agenda_of
    from scorecard.agenda import agenda_csv, agenda_html
    from scorecard.concerns import council_day

    try:
        on = date.fromisoformat(meeting)
    except ValueError:
        raise typer.BadParameter(f"'{meeting}' is not a date: write it like 2026-12-08.") from None
    runtime = _runtime(database_url)
    try:
        with runtime.session() as session:
            try:
                found, items = agenda_of(session, on)
            except LookupError as missing:
                typer.echo(str(missing), err=True)
                raise typer.Exit(1) from None
        names = _names(runtime, {item.concern.member for item in items} | {
            event.who for item in items for event in item.events
        })
    finally:
        runtime.engine.dispose()
    text = (
        agenda_csv(items, names)
        if output_format is PackFormat.CSV
        else agenda_html(found, items, names, prepared_on=council_day(utc_now()))
    )
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        # newline="" keeps the CSV's own CRLF line ends as they are.
        with output.open("w", encoding="utf-8", newline="") as file:
            file.write(text)
        count = f"{len(items)} concern{'s' if len(items) != 1 else ''}"
        typer.echo(
            f"Wrote the agenda pack for {on.isoformat()} ({count}, {output_format.value}) to {output}.",
            err=True,
        )

