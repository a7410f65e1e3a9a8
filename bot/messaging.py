"""What a platform must offer to carry the outbox's messages: a `Messenger`.

The outbox's sender (bot.publisher) knows no platform. It routes each message (a person: to an
account of theirs on a platform this copy reaches, most recently seen first; a channel: to its
platform's messenger), then asks that platform's messenger to `send` it, or, when an earlier
attempt may have sent it before dying, to `find` it first. How a platform finds an earlier
send is its own business (Slack: the key in the message's metadata, read back from history).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol

from handlers.reply import Reply

__all__ = ["Address", "Directory", "Entry", "Image", "Messenger", "Outgoing"]


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to go with a message: PNG bytes, a file name, a title and alt text."""

    png: bytes
    filename: str
    title: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class Address:
    """Where on one platform: a person's account (their user id there, and what reaching them
    unprompted needs) or a channel."""

    kind: Literal["person", "channel"]
    id: str
    reference: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message: its plain words (notifications, screen readers), the reply drawn in full with
    its buttons when there is one, and a picture."""

    text: str
    reply: Reply | None = None
    image: Image | None = None


class Messenger(Protocol):
    """One platform's delivery: `platform` names it ("slack", "teams")."""

    platform: ClassVar[str]

    def find(self, to: Address, key: str, *, since: datetime) -> str | None:
        """The id of a message already sent there carrying `key` (since `since`), if any."""
        ...

    def send(self, to: Address, message: Outgoing, *, key: str) -> str:
        """Send, carrying `key` so that `find` can see it later; the message's id there."""
        ...

    def update(self, to: Address, message_id: str, message: Outgoing, *, key: str) -> str:
        """Change a message sent before (its id there) to `message`, in place, now carrying
        `key`; the message's id."""
        ...


@dataclass(frozen=True, slots=True)
class Entry:
    """What a platform's directory says of a user: the name people know them by, and their
    e-mail where the platform shares it."""

    name: str
    email: str | None = None


class Directory(Protocol):
    """One platform's directory of people (Slack: users.info)."""

    platform: ClassVar[str]

    def look_up(self, user_id: str) -> Entry | None:
        """The user's entry; None when the directory does not know them or cannot answer now
        (it never raises: a name is a courtesy, never a reason for a step to fail)."""
        ...
