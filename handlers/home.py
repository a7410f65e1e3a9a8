"""App Home: what a person sees when they open the bot: the published scorecard (or that there
is none yet) and their concerns; the governance advisor also sees the open concerns queue."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers import concern_views as views
from handlers import scorecard
from handlers.reply import Kind, Reply, Request
from scorecard.model import Role, Viewer

WELCOME = Reply(
    kind=Kind.HELP,
    heading="Children's services performance",
    summary=(
        "Ask about any indicator with /kpi and a few words, for example /kpi SEND timeliness. "
        "/kpi help lists what you can ask; /concern raises a concern with the governance advisor."
    ),
)


def sections(request: Request, session: Session) -> tuple[Reply, ...]:
    """The home page's parts, top to bottom: welcome, the published scorecard, the advisor's
    queue with its buttons (advisors only), the concerns waiting for a service officer's answer
    (service officers only), and the person's own concerns."""
    # The home page is what members see (no drafts); the queue is the advisor's addition.
    member = Request(
        text="",
        viewer=Viewer(user=request.viewer.user, roles=frozenset({Role.MEMBER})),
        now=request.now,
        suppress_below=request.suppress_below,
    )
    parts = [WELCOME, scorecard.answer(member, session)]
    if Role.GOVERNANCE_ADVISOR in request.viewer.roles:
        parts.extend(views.advisor_queue(request, session))
    if Role.SERVICE_OFFICER in request.viewer.roles:
        parts.extend(views.service_queue(request, session))
    parts.append(views.list_reply(member, session))
    return tuple(parts)
