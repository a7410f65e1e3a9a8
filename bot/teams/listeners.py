"""The Teams listeners: messages ("kpi SEND timeliness", "scorecard", "concern ...", "help",
"home"), the bot's installation (the home card), and every button and form (Action.Execute,
invoke `adaptiveCard/action`), calling the same handlers as Slack's listeners.

Answers are private: in a 1:1 chat they come back there; asked in a channel (@kpibot ...) they
go to the asker's 1:1 chat with the bot (created if needed) and the channel gets a short note.
A card answered that way carries the channel in its buttons' data, so Share posts it there.
Handlers are synchronous: they run in threads (`asyncio.to_thread`) so the loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from microsoft_teams.api.activities.conversation.conversation_update import ConversationUpdateActivity
from microsoft_teams.api.activities.install_update.add import InstalledActivity
from microsoft_teams.api.activities.invoke.adaptive_card.action import AdaptiveCardInvokeActivity
from microsoft_teams.api.activities.message import MessageActivity
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.apps.utils.activity_utils import extract_tenant_id

from bot.teams import cards
from bot.teams.forms import SUBMIT_VERB, form_card, submission_of
from bot.teams.messenger import CARD, TeamsMessenger, card_message, personal_chat
from bot.teams.roster import Member, member_of, read_roster
from bot.teams.services import PLATFORM, Services
from data.scorecards import ChangedMeanwhile
from handlers import concern_views as views
from handlers import concerns, help, home, kpi, scorecard, sharing
from handlers.approval import take_step
from handlers.forms import Form, FormId, Refusal, concern_form, scorecard_form, step_form
from handlers.reply import ActionId, Reply
from handlers.sharing import card_value
from handlers.submissions import OUT_OF_DATE, Invalid, quarter_of, submit
from scorecard.approval import ApprovalRefused, Step

log = logging.getLogger("kpibot.teams")

MESSAGE = "application/vnd.microsoft.activity.message"
# Seconds a message's answer may take inside the POST (Teams wants the POST answered within 15).
ANSWER_BUDGET = 8.0
POLITE_ERROR = (
    "Sorry, something went wrong and I could not do that. Please try again in a minute. "
    "If it keeps happening, tell the performance team and quote reference {reference}."
)
ANSWERED_PRIVATELY = "I have answered you privately, in our 1:1 chat."
NOT_SHAREABLE = "Ask me in a channel (@kpibot kpi ...) to share a card there: this chat is only ours."

STEP_FORMS = {
    ActionId.SEND_CONCERN: FormId.SEND,
    ActionId.ESCALATE_CONCERN: FormId.ESCALATE,
    ActionId.CLOSE_CONCERN: FormId.CLOSE,
    ActionId.ANSWER_CONCERN: FormId.ANSWER,
}
STEPS = {ActionId.PREPARE_SCORECARD: Step.PREPARE, ActionId.SUBMIT_SCORECARD: Step.SUBMIT}
OPENERS = {ActionId.APPROVE_SCORECARD: Step.APPROVE, ActionId.RETURN_SCORECARD: Step.RETURN}


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote or pressed, as stored: their account id, and how to reach them."""

    user: str
    reference: dict[str, Any]
    channel: str  # the channel's conversation id, or "" in a 1:1 chat


def card_response(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CARD, "value": card}


def message_response(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def with_channel(card: dict[str, Any], channel: str) -> dict[str, Any]:
    """The card with `channel` in each button's data (for Share from the 1:1 chat)."""
    if channel:
        for element in card.get("body", []):
            for action in element.get("actions", []) if element.get("type") == "ActionSet" else []:
                if action.get("type") == "Action.Execute":
                    action.setdefault("data", {})["channel"] = channel
    return card


def command_words(text: str) -> tuple[str, str]:
    """The command and its words: a leading "/" dropped, the first word lower-cased."""
    words = " ".join(text.split()).removeprefix("/").strip()
    first, _, rest = words.partition(" ")
    return first.lower(), rest.strip()


class Listeners:
    def __init__(self, app: App, services: Services, messenger: TeamsMessenger) -> None:
        self.app = app
        self.services = services
        self.messenger = messenger
        # Answers still being worked on after the POST was answered (kept so they finish).
        self._late: set[asyncio.Future[None]] = set()

    def register(self) -> None:
        app = self.app

        @app.on_message
        async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
            await self.on_message(ctx)

        @app.on_card_action
        async def on_card_action(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Any:
            # A plain dict is the invoke's body as it is (the SDK's response models would put
            # our card through its own card model).
            try:
                return await self.on_card_action(ctx)
            except Exception as error:
                reference = secrets.token_hex(3).upper()
                log.error("a Teams button failed [ref %s]: %r", reference, error, exc_info=error)
                return card_response(cards.refusal(POLITE_ERROR.format(reference=reference)))

        @app.on_install_add
        async def on_install(ctx: ActivityContext[InstalledActivity]) -> None:
            sender = await self.know(ctx)
            if not sender.channel:
                replies = await asyncio.to_thread(self._home, sender.user)
                for reply in replies:
                    await ctx.send(card_message(cards.card(reply)))
                return
            await self.soon(self._roster(ctx, team_of(ctx.activity)))

        @app.on_conversation_update
        async def on_conversation_update(ctx: ActivityContext[ConversationUpdateActivity]) -> None:
            activity = ctx.activity
            added = activity.members_added or []
            if not added or str(activity.conversation.conversation_type or "personal") == "personal":
                return
            team = team_of(activity)
            if any(account.id == activity.recipient.id for account in added):
                await self.soon(self._roster(ctx, team))
                return
            await self.soon(self._joined(ctx, team, [account.id for account in added]))

    async def soon(self, work: Coroutine[Any, Any, None]) -> None:
        """`work` within the POST if done within `ANSWER_BUDGET` seconds (nearly always);
        otherwise the POST is answered at once (Teams wants it within 15) and the work goes on."""
        running = asyncio.ensure_future(work)
        try:
            await asyncio.wait_for(asyncio.shield(running), timeout=ANSWER_BUDGET)
        except TimeoutError:
            log.info("Teams work takes over %.0f s: it follows the acknowledgement", ANSWER_BUDGET)
            self._late.add(running)
            running.add_done_callback(self._late.discard)

    # --- who ---------------------------------------------------------------------------------

    async def _roster(self, ctx: ActivityContext[Any], team: str) -> None:
        """Everyone in the team the bot was added to, remembered (bot.teams.roster)."""
        activity = ctx.activity

        async def keep(members: Sequence[Member]) -> None:
            await asyncio.to_thread(self.services.remember_all, members)

        try:
            await read_roster(ctx.api, team, service_url=activity.service_url,
                              tenant=extract_tenant_id(activity), keep=keep)
        except Exception:  # the roster is a head start, never a reason to fail
            log.warning("could not read a team's roster", exc_info=True)

    async def _joined(self, ctx: ActivityContext[Any], team: str, added: list[str]) -> None:
        """People who joined a team the bot is in, remembered as its roster shows them."""
        activity = ctx.activity
        found = []
        for teams_id in added:
            try:
                account = await ctx.api.conversations.get_member_by_id(team, teams_id)
            except Exception:
                log.info("Teams did not say who joined a team", exc_info=True)
                continue
            member = member_of(account, service_url=activity.service_url, tenant=extract_tenant_id(activity))
            if member is not None:
                found.append(member)
        if found:
            await asyncio.to_thread(self.services.remember_all, found)

    async def know(self, ctx: ActivityContext[Any]) -> Sender:
        """Remember the sender (e-mail asked of Teams once a process), in its own write session
        when something is new (Services.remembered), before anything is answered."""
        activity = ctx.activity
        account = activity.from_
        user = account.aad_object_id or account.id
        personal = str(activity.conversation.conversation_type or "personal") == "personal"
        email: str | None = None
        if user not in self.services.asked:
            self.services.asked.add(user)
            try:
                member = await ctx.api.conversations.get_member_by_id(activity.conversation.id, account.id)
                email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
            except Exception:  # a name and an e-mail are a courtesy, never a reason to fail
                log.info("Teams did not say who %s is", user, exc_info=True)
        reference = {"conversation": activity.conversation.id if personal else "",
                     "serviceUrl": activity.service_url, "tenant": extract_tenant_id(activity),
                     "user": account.id}
        # Nearly always stored already, by this process: then no thread and no session.
        kept = self.services.remembered(user, email=email, name=account.name, reference=reference)
        if kept is None:
            kept = await asyncio.to_thread(self.services.remember, user, email=email, name=account.name,
                                           reference=reference)
        return Sender(user, kept, "" if personal else activity.conversation.id)

    async def chat_of(self, sender: Sender) -> str:
        """The sender's 1:1 chat with the bot, created (and remembered) when there is none."""
        chat = str(sender.reference.get("conversation") or "")
        if chat:
            return chat
        chat = await personal_chat(self.app, sender.reference["serviceUrl"], sender.reference["user"],
                                   sender.reference.get("tenant"))
        sender.reference["conversation"] = chat
        await asyncio.to_thread(self.services.remember, sender.user, email=None, name=None,
                                reference=sender.reference)
        return chat

    async def tell(self, ctx: ActivityContext[Any], sender: Sender, found: list[dict[str, Any]]) -> None:
        """Cards for the sender alone: here in a 1:1 chat; from a channel, in their 1:1 chat."""
        if not sender.channel:
            for card in found:
                await ctx.send(card_message(card))
            return
        chat = await self.chat_of(sender)
        for card in found:
            await self.app.send(chat, card_message(with_channel(card, sender.channel)),
                                service_url=sender.reference["serviceUrl"])

    # --- messages ----------------------------------------------------------------------------

    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        """Answered within the POST when ready within `ANSWER_BUDGET` seconds (nearly always);
        otherwise the POST is answered at once (Teams wants it within 15) and the reply follows."""
        await self.soon(self._reply(ctx))

    async def _reply(self, ctx: ActivityContext[MessageActivity]) -> None:
        try:
            sender = await self.know(ctx)
            text = ctx.activity.strip_mentions_text().text or ""
            found = await asyncio.to_thread(self.answer, sender, text)
            await self.tell(ctx, sender, found)
            if sender.channel:
                await ctx.send(ANSWERED_PRIVATELY)
        except Exception as error:
            reference = secrets.token_hex(3).upper()
            log.error("a Teams message failed [ref %s]: %r", reference, error, exc_info=error)
            try:
                await ctx.send(POLITE_ERROR.format(reference=reference))
            except Exception:
                log.warning("could not say so either [ref %s]", reference, exc_info=True)

    def answer(self, sender: Sender, text: str) -> list[dict[str, Any]]:
        command, words = command_words(text)
        services, user = self.services, sender.user
        if command == "kpi":
            return [cards.card(services.answer(user, words, kpi.answer))]
        if command == "scorecard":
            base = services.settings.public_base_url
            return [cards.card(services.reply_to(
                user, words,
                lambda request, session: scorecard.answer(request, session, page_base_url=base)))]
        if command == "concern":
            if concerns.is_list(words):
                return [cards.card(services.reply_to(user, words, views.list_reply))]
            if concerns.is_notices(words):  # the advisor's choice: each concern, or a daily digest
                return [cards.card(services.reply_to(user, words, concerns.notices_reply))]
            with services.runtime.session() as session:
                form = concern_form(services.request(session, user, words), session, place=sender.channel)
            return [form_card(form)]
        if command == "home":
            return [cards.card(reply) for reply in self._home(user)]
        if command in ("help", ""):
            return [cards.card(services.answer(user, words, lambda request, _session: help.answer(request)))]
        # Any other words are a question about the figures, as "kpi <words>".
        return [cards.card(services.answer(user, f"{command} {words}".strip(), kpi.answer))]

    def _home(self, user: str) -> tuple[Reply, ...]:
        with self.services.runtime.reading() as session:
            return home.sections(self.services.request(session, user, ""), session)

    # --- buttons and forms -------------------------------------------------------------------

    async def on_card_action(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> dict[str, Any]:
        sender = await self.know(ctx)
        action = ctx.activity.value.action
        data: dict[str, Any] = dict(action.data or {})
        verb = str(action.verb or "")
        channel = str(data.get("channel") or sender.channel)
        message = str(ctx.activity.reply_to_id or "")
        if verb == SUBMIT_VERB:
            return await self.on_submit(sender, data)
        try:
            pressed = ActionId(verb)
        except ValueError:
            return message_response(OUT_OF_DATE)
        value = str(data.get("value") or "")
        if pressed is ActionId.SHARE:
            return await self.share(sender, channel, message, value)
        if pressed in (ActionId.SHOW_CHART, ActionId.SHOW_SCORECARD_IMAGE):
            picture = await asyncio.to_thread(self.picture, sender, pressed, message, value, channel)
            if isinstance(picture, str):
                return message_response(picture)
            if picture:
                await ctx.send(card_message(picture))
            return message_response("Here is the picture.")
        drawn = await asyncio.to_thread(self.press, sender, pressed, value, channel)
        if isinstance(drawn, str):
            return message_response(drawn)
        if sender.channel:
            # Pressed on a card in a channel (a shared one): the form or answer is the presser's
            # alone, so it goes to their 1:1 chat and the channel's card stays as it is.
            await self.tell(ctx, sender, [drawn])
            return message_response(ANSWERED_PRIVATELY)
        return card_response(with_channel(drawn, channel))

    async def share(self, sender: Sender, channel: str, message: str, value: str) -> dict[str, Any]:
        """The card posted for everyone in the channel it was asked from, once."""
        if not channel:
            return message_response(NOT_SHAREABLE)

        def post() -> str:
            with self.services.runtime.session() as session:
                request = self.services.request(session, sender.user, "")
                place = sharing.Place(PLATFORM, channel, message, private=True)
                shared = sharing.shared_card(request, session, place, value)
                if isinstance(shared, str):
                    return shared
                # Posted inside the claim's transaction: if Teams refuses, the claim is undone.
                self.messenger.send_card_blocking(channel, cards.card(shared), sender.reference["serviceUrl"])
            return "Shared in the channel."

        return message_response(await asyncio.to_thread(post))

    def picture(self, sender: Sender, pressed: ActionId, message: str, value: str,
                channel: str) -> dict[str, Any] | str | None:
        services = self.services
        place = sharing.Place(PLATFORM, channel or "personal", message, private=True)
        if pressed is ActionId.SHOW_SCORECARD_IMAGE:
            with services.runtime.session() as session:
                request = services.request(session, sender.user, "")
                claimed = sharing.claim_scorecard_picture(session, request, place, value)
            if claimed is None or isinstance(claimed, str):
                return claimed
            picture = sharing.scorecard_picture(claimed, value)
            return cards.picture(picture.title, picture.png, alt_text=picture.alt_text)
        with services.runtime.session() as session:
            request = services.request(session, sender.user, "")
            chart = sharing.chart_for(request, session, value)
        if isinstance(chart, str):
            return chart
        with services.runtime.session() as session:
            if not sharing.claim_chart(session, request, place, value):
                return None
        return cards.picture(chart.title, chart.png, alt_text=chart.alt_text)

    def press(self, sender: Sender, pressed: ActionId, value: str, channel: str) -> dict[str, Any] | str:
        """A button that answers with a card in its place (a form, a card, a result)."""
        services, user = self.services, sender.user
        if pressed is ActionId.CHOOSE:
            code, period_end = card_value(value)
            return cards.card(services.answer(
                user, "", lambda request, session: kpi.card_for(request, session, code, period_end)))
        if pressed is ActionId.SHOW_CLUSTER:
            return cards.card(services.answer(user, value, kpi.answer))
        if pressed is ActionId.RAISE_CONCERN:
            code, _ = card_value(value)
            with services.runtime.session() as session:
                form = concern_form(services.request(session, user, ""), session, code=code, place=channel)
            return form_card(form)
        if pressed in STEP_FORMS:
            concern_id = views.parse_reference(value) or 0
            with services.runtime.session() as session:
                request = services.request(session, user, "")
                opened = step_form(STEP_FORMS[pressed], request, session, concern_id, services.policy)
            return cards.refusal(opened.text) if isinstance(opened, Refusal) else form_card(opened)
        period = quarter_of(value)
        if (pressed in STEPS or pressed in OPENERS) and period is None:
            return cards.refusal(OUT_OF_DATE)
        if pressed in OPENERS and period is not None:
            step = OPENERS[pressed]
            with services.runtime.session() as session:
                request = services.request(session, user, "")
                refused = scorecard.refusal_for(session, step, period, request.viewer, request)
            if refused is not None:
                return cards.refusal(f"Not done: {refused}")
            return form_card(scorecard_form(step, period))
        if pressed in STEPS and period is not None:
            try:
                with services.runtime.session() as session:
                    request = services.request(session, user, "")
                    outcome = take_step(session, STEPS[pressed], period, request.viewer, now=request.now,
                                        publication=services.publication)
                    queued = scorecard.queue_for_approvers(request, session, outcome)
            except (ApprovalRefused, ChangedMeanwhile) as refused:
                return cards.refusal(f"Not done: {refused}")
            services.deliver_now(queued)
            return cards.notice(outcome.message)
        return OUT_OF_DATE

    async def on_submit(self, sender: Sender, data: dict[str, Any]) -> dict[str, Any]:
        submission = submission_of(data)
        if submission is None:
            return card_response(cards.refusal(OUT_OF_DATE))
        services = self.services

        def take() -> tuple[dict[str, Any], tuple[str, ...]]:
            result = submit(services.runtime.session, services.asker(sender.user), submission,
                            policy=services.policy, publication=services.publication)
            if isinstance(result, Invalid):
                return self._again(sender, submission.form, submission.context, data, result.message), ()
            drawn = cards.card(result.reply) if result.reply is not None else cards.notice(
                f"{result.title}\n\n{result.text}" if result.text else result.title)
            return drawn, result.queued

        drawn, queued = await asyncio.to_thread(take)
        if queued:
            await asyncio.to_thread(services.deliver_now, queued)
        return card_response(drawn)

    def _again(self, sender: Sender, form_id: FormId, context: Any, data: dict[str, Any],
               message: str) -> dict[str, Any]:
        """The form again, as submitted, with the refusal shown above its fields."""
        form = self._reopen(sender, form_id, context)
        if form is None:
            return cards.refusal(message)
        values = {key: value for key, value in data.items() if isinstance(value, str)}
        drawn = form_card(form, refusal=message, showing=str(data.get("showing") or ""))
        for element in drawn["body"]:
            if element.get("id") in values:
                element["value"] = values[element["id"]]
        return drawn

    def _reopen(self, sender: Sender, form_id: FormId, context: Any) -> Form | None:
        services = self.services
        with services.runtime.session() as session:
            request = services.request(session, sender.user, "")
            if form_id is FormId.CONCERN:
                return concern_form(request, session, place=str(context.get("channel", "")))
            if form_id in (FormId.APPROVE_SCORECARD, FormId.RETURN_SCORECARD):
                period = quarter_of(str(context.get("quarter", "")))
                step = Step.APPROVE if form_id is FormId.APPROVE_SCORECARD else Step.RETURN
                return scorecard_form(step, period) if period is not None else None
            opened = step_form(form_id, request, session, int(context.get("id") or 0), services.policy)
            return None if isinstance(opened, Refusal) else opened


def team_of(activity: Any) -> str:
    """The team (or group chat) an activity came from: whose roster to read."""
    team = getattr(getattr(activity, "channel_data", None), "team", None)
    return str(getattr(team, "id", None) or activity.conversation.id.split(";", 1)[0])

