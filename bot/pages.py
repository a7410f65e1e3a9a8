"""The published scorecards' newsletter pages, served by every running copy from the store.

A page is drawn from the scorecard's snapshot frozen at approval, so it is the same whichever
copy draws it and whenever; each copy keeps the pages it has drawn (a handful of quarters) and
only asks the store, on each request, whether the page's scorecard is published and which one
it is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.runtime import Runtime
from handlers.approval import published_page

# A council publishes four scorecards a year; a few years of pages is plenty to keep drawn.
KEPT_PAGES = 16


@dataclass
class NewsletterPages:
    """`pages("2024-25-Q2.html")`: the page's HTML (UTF-8), or None when nothing is published there."""

    runtime: Runtime
    _drawn: OrderedDict[int, bytes] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, name: str) -> bytes | None:
        with self.runtime.session() as session:
            found = published_page(session, name)
        if found is None or found.record.id is None:
            return None
        key = found.record.id
        with self._lock:
            if key in self._drawn:
                self._drawn.move_to_end(key)
                return self._drawn[key]
        from scorecard.newsletter import newsletter_html
        from scorecard.quarterly import scorecard_from_snapshot

        page = newsletter_html(scorecard_from_snapshot(found.snapshot)).encode("utf-8")
        with self._lock:
            self._drawn[key] = page
            while len(self._drawn) > KEPT_PAGES:
                self._drawn.popitem(last=False)
        return page
