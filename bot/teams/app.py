"""The Teams SDK's App, served by kpibot's own HTTP front door (bot/slack/server.py's
`wsgi_app`, at POST /api/messages) rather than the SDK's FastAPI server.

Per worker process: one asyncio loop in a daemon thread (bot.teams.bridge), the App built and
initialised on it with every option given explicitly from the settings (the SDK otherwise reads
CLIENT_ID, TENANT_ID, SERVICE_URL, DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS and a .env from
the environment), the listeners (bot.teams.listeners) and the messenger for the outbox
(bot.teams.messenger). The front door hands each activity over as its parsed body and headers
(`TeamsEdge.handle`); the SDK verifies the Bot Framework's JWT before anything runs, and answers
401 to anything unverified.

TEAMS_ALLOW_UNAUTHENTICATED (local testing only; bot.settings refuses it unless PUBLIC_BASE_URL
is on this machine): activities are taken unsigned and replies sent without asking Entra ID for
a token. It is said at start and on /readyz.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.messaging import Messenger
from bot.runtime import Runtime, utc_now
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.teams.bridge import Loop
    from bot.teams.messenger import TeamsMessenger

log = logging.getLogger("kpibot.teams")

PATH = "/api/messages"
SETUP_HELP = "See docs/teams-setup.md for where to find it in Entra ID and the Azure Bot resource."
UNAUTHENTICATED_WARNING = (
    "TEAMS_ALLOW_UNAUTHENTICATED is on: Teams activities are taken WITHOUT checking Microsoft's "
    "signature. For local testing only."
)

# The Bot Framework's token provider: (scope, tenant) -> a token, or None to send no token.
TokenProvider = Callable[..., Any]


class TeamsSetupError(RuntimeError):
    """The Teams settings are incomplete; the message says which one and where to find it."""


def configured(settings: Settings) -> bool:
    return bool(settings.teams_client_id)


def check_settings(settings: Settings) -> None:
    """Refuse to start Teams without what it needs, saying which setting and where to find it."""
    missing = []
    if not settings.teams_client_id:
        missing.append("TEAMS_CLIENT_ID (the app registration's Application (client) ID)")
    if not settings.teams_allow_unauthenticated:
        if not settings.teams_client_secret:
            missing.append("TEAMS_CLIENT_SECRET (a client secret of the app registration)")
        if not settings.teams_tenant_id:
            missing.append("TEAMS_TENANT_ID (the Directory (tenant) ID)")
    if not settings.teams_members_channel:
        missing.append(
            "TEAMS_MEMBERS_CHANNEL (the conversation ID of the members' channel, 19:...@thread.tacv2)"
        )
    if missing:
        raise TeamsSetupError(f"Teams is not set up: set {' and '.join(missing)}. {SETUP_HELP}")


def preflight(settings: Settings) -> None:
    """Everything `kpibot serve` can check before its workers start: the settings, and that the
    environment holds none of the SDK's own variables (TeamsSetupError, one line, if not)."""
    check_settings(settings)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import microsoft_teams.apps  # noqa: F401  # loads a .env, as the workers' import will

    _refuse_sdk_environment()


class TeamsEdge:
    """The App on its loop, its listeners registered, and the messenger sharing it."""

    def __init__(self, app: Any, loop: Loop, messenger: TeamsMessenger, *, unauthenticated: bool) -> None:
        self.app = app
        self.loop = loop
        self.messenger = messenger
        self.unauthenticated = unauthenticated

    def handle(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[int, Any]:
        """One activity (a parsed JSON object, with its headers): the HTTP status and the body."""
        request = {"body": dict(body), "headers": {"authorization": headers.get("authorization", "")}}
        response = self.loop.run(self.app.server.handle_request(request))
        return int(response.get("status") or 200), response.get("body")

    def stop(self) -> None:
        self.loop.stop()


def create_edge(
    settings: Settings,
    runtime: Runtime,
    *,
    clock: Callable[[], datetime] = utc_now,
    token: TokenProvider | None = None,
    cloud: Any = None,
    messengers: list[Messenger] | None = None,
) -> TeamsEdge:
    """The Teams edge for this process (call in each worker, after the fork). `token` and
    `cloud` stand in for Entra ID and Microsoft's signing keys in tests."""
    check_settings(settings)
    from bot.teams.listeners import Listeners
    from bot.teams.services import Services

    testing = settings.teams_allow_unauthenticated
    if testing:
        log.warning(UNAUTHENTICATED_WARNING)
    app, loop, messenger = _build(settings, token=token, cloud=cloud)
    shared = messengers if messengers is not None else []  # this copy's, shared with Slack's
    shared.append(messenger)
    Listeners(app, Services(runtime, shared, clock), messenger).register()
    return TeamsEdge(app, loop, messenger, unauthenticated=testing)


def create_messenger(settings: Settings) -> TeamsMessenger:
    """A Teams messenger on its own loop, for a copy that only sends (the CLI's commands)."""
    return _build(settings)[2]


def _build(settings: Settings, *, token: TokenProvider | None = None,
           cloud: Any = None) -> tuple[Any, Loop, TeamsMessenger]:
    """The App, every option explicit, initialised on a new loop; and a messenger on it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK's ExperimentalWarning at import
        from microsoft_teams.apps import App

    from microsoft_teams.api.auth.cloud_environment import PUBLIC

    from bot.teams.bridge import Loop
    from bot.teams.messenger import TeamsMessenger

    _refuse_sdk_environment()
    testing = settings.teams_allow_unauthenticated
    options: dict[str, Any] = {
        "client_id": settings.teams_client_id,
        "tenant_id": settings.teams_tenant_id or None,
        "service_url": settings.teams_service_url,
        "http_server_adapter": NoServer(),
        "dangerously_allow_unauthenticated_requests": testing,
    }
    if token is not None:
        options["token"] = token
    elif testing:
        options["token"] = lambda scope, tenant_id=None: None  # no token asked for, none sent
    else:
        options["client_secret"] = settings.teams_client_secret
    options["cloud"] = cloud if cloud is not None else PUBLIC
    loop = Loop()

    async def build() -> Any:
        app = App(**options)
        await app.initialize()
        return app

    app = loop.run(build())
    messenger = TeamsMessenger(app, loop, service_url=settings.teams_service_url,
                               tenant_id=settings.teams_tenant_id)
    return app, loop, messenger


# What the SDK reads from the environment (and from a .env it loads at import) for an option we
# leave empty: each is refused, so that only TEAMS_* settings decide who the bot is.
SDK_ENVIRONMENT = ("CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "MANAGED_IDENTITY_CLIENT_ID", "SERVICE_URL",
                   "CLOUD", "DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS")


def _refuse_sdk_environment() -> None:
    """Refuse the SDK's own variables (call after importing the SDK: its import loads .env)."""
    import os

    found = [name for name in SDK_ENVIRONMENT if os.environ.get(name)]
    if found:
        raise TeamsSetupError(
            f"{' and '.join(found)} {'is' if len(found) == 1 else 'are'} set in the environment (or a .env "
            "file): the Teams SDK would use it in place of kpibot's settings. Unset it and use the "
            "TEAMS_* settings (TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET, TEAMS_TENANT_ID, TEAMS_SERVICE_URL)."
        )


class NoServer:
    """The SDK's HttpServerAdapter for an App served by kpibot's own front door: it keeps the
    route the SDK registers and serves nothing itself."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {}

    def register_route(self, method: str, path: str, handler: Any) -> None:
        self.routes[(str(method), path)] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("kpibot serves no static pages through the Teams SDK")

    async def start(self, port: int) -> None:
        raise NotImplementedError("kpibot's own HTTP server serves /api/messages")

    async def stop(self) -> None:
        return None
