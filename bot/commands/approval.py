"""`kpibot scorecard prepare|submit|approve|return|status QUARTER --as USER` and `publish-due`.

The scorecard's life at the terminal, on the `scorecard` sub-app beside `show`: each command
takes the step as the user given with --as (their roles from the roles table), prints what
happened in plain words, and exits 1 on a refusal (which says what role is needed).
`publish-due` publishes every approved scorecard whose time has come and delivers the outbox:
the scheduler's job, run once (through Slack when SLACK_BOT_TOKEN is set, else printed).
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.commands.scorecard import DatabaseUrl, Quarter, parse_quarter, scorecard_app
from bot.commands.scorecard import register as register_scorecard

AsStaff = Annotated[
    str, typer.Option("--as", help="Who is taking the step (a user id from the roles table).")
]
Comment = Annotated[str, typer.Option("--comment", help="What you want to say with this step.")]


def register(app: typer.Typer) -> None:
    register_scorecard(app)


def _step(
    step_name: str, quarter: str, as_user: str, comment: str, now: bool, database_url: str | None
) -> None:
    from rich.console import Console

    from bot import composition
    from bot.runtime import open_runtime, utc_now, viewer_for
    from bot.settings import publication_for
    from data.scorecards import ChangedMeanwhile
    from handlers.approval import take_step
    from handlers.reply import Request
    from handlers.scorecard import queue_for_approvers
    from scorecard.approval import ApprovalRefused, Step

    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    period = parse_quarter(quarter)
    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    try:
        with runtime.session() as session:
            viewer = viewer_for(session, as_user)
            at = utc_now()
            outcome = take_step(
                session,
                Step(step_name),
                period,
                viewer,
                now=at,
                publication=publication_for(settings),
                comment=comment,
                publish_now=now,
            )
            # A submission tells the board approvers, as from Slack: queued with the step; an
            # approval or a return tells the submitter and changes the approvers' messages.
            queued = [*outcome.queued, *queue_for_approvers(Request("", viewer, at), session, outcome)]
    except (ApprovalRefused, ChangedMeanwhile) as refused:
        err.print(f"Not done: {refused}")
        raise typer.Exit(1) from None
    finally:
        runtime.engine.dispose()
    out.print(outcome.message)
    if queued:
        err.print(
            f"Queued {len(queued)} direct message(s): the running bot sends them, or run "
            "kpibot scorecard publish-due."
        )


@scorecard_app.command("prepare")
def prepare(
    quarter: Quarter, as_user: AsStaff, comment: Comment = "", database_url: DatabaseUrl = None
) -> None:
    """Prepare the quarter's scorecard as a draft (performance officers)."""
    _step("prepare", quarter, as_user, comment, False, database_url)


@scorecard_app.command("submit")
def submit(
    quarter: Quarter, as_user: AsStaff, comment: Comment = "", database_url: DatabaseUrl = None
) -> None:
    """Submit the draft to the Performance Board (performance officers)."""
    _step("submit", quarter, as_user, comment, False, database_url)


@scorecard_app.command("approve")
def approve(
    quarter: Quarter,
    as_user: AsStaff,
    comment: Comment = "",
    now: Annotated[
        bool, typer.Option("--now", help="Publish at once instead of the next working day at 09:00.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Approve a submitted scorecard: its figures are frozen and publication is scheduled
    (board approvers who did not submit it)."""
    _step("approve", quarter, as_user, comment, now, database_url)


@scorecard_app.command("return")
def return_(
    quarter: Quarter,
    as_user: AsStaff,
    comment: Annotated[str, typer.Option("--comment", help="What the performance team should change.")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Return a submitted scorecard to the performance team with a comment (board approvers)."""
    _step("return", quarter, as_user, comment, False, database_url)


@scorecard_app.command("status")
def status(quarter: Quarter, as_user: AsStaff, database_url: DatabaseUrl = None) -> None:
    """Where the quarter's scorecard stands and every step so far (staff)."""
    from rich.console import Console

    from bot import composition
    from bot.runtime import open_runtime, viewer_for
    from handlers.approval import status_words

    out = Console(soft_wrap=True, highlight=False)
    period = parse_quarter(quarter)
    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    try:
        with runtime.session() as session:
            if not viewer_for(session, as_user).is_staff:
                Console(stderr=True, highlight=False).print(
                    "Not shown: a scorecard's progress is for the performance team, the Performance Board "
                    "and the governance advisor. Published scorecards are in /scorecard."
                )
                raise typer.Exit(1)
            lines = status_words(session, period)
    finally:
        runtime.engine.dispose()
    for line in lines:
        out.print(line)


@scorecard_app.command("publish-due")
def publish_due(database_url: DatabaseUrl = None) -> None:
    """Publish every approved scorecard whose time has come and send what is waiting, once."""
    from rich.console import Console

    from bot import composition
    from bot.composition import messengers_for
    from bot.publisher import run_publication
    from bot.runtime import open_runtime, utc_now

    out = Console(soft_wrap=True, highlight=False)
    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    try:
        report = run_publication(runtime, messengers_for(settings), now=utc_now(), holder="kpibot-cli")
    finally:
        runtime.engine.dispose()
    if report.published:
        out.print(f"Published: {', '.join(report.published)}.")
    waiting = sum(report.waiting.values())
    if not (report.published or report.sent or report.found or report.failed or waiting):
        out.print("Nothing is due.")
    else:
        out.print(
            f"Messages sent: {len(report.sent)}; already there: {len(report.found)}; "
            f"failed (to be tried again): {len(report.failed)}."
        )
    if waiting:
        out.print(
            f"{waiting} {'message waits' if waiting == 1 else 'messages wait'} for Slack, unsent: "
            "set SLACK_BOT_TOKEN to send them from here, or leave them to the running bot (kpibot serve)."
        )
    if report.failed:
        raise typer.Exit(1)
