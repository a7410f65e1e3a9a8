"""Typos: a word the bot has never seen, read as the nearest word it knows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from scorecard.understanding.words import Normaliser

__all__ = ["Corrector"]


class Corrector:
    """Typos: a word the bot has never seen becomes the nearest word it knows, if one is an
    edit or two away and starts with the same letter (typos rarely touch the first letter,
    and the rule keeps `bins` from becoming `pins`). Results are remembered."""

    def __init__(self, known: Iterable[str], frequency: Mapping[str, int], normaliser: Normaliser) -> None:
        self.known = sorted(set(known))
        self.known_set = set(self.known)
        self.frequency = frequency
        self.normaliser = normaliser
        self.cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < 4 or not word.isalpha() or word in self.known_set:
            return word
        if self.normaliser.word(word) in self.known_set:
            return word
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(word, self.known, scorer=OSA.distance, score_cutoff=limit, limit=8)
        candidates = [
            (int(d), -self.frequency.get(w, 0), w)
            for w, d, _ in found
            if w[:1] == word[:1] and (len(word) > 6 or _slip(word, w))
        ]
        best = min(candidates)[2] if candidates else word
        self.cache[word] = best
        return best


def _slip(word: str, known: str) -> bool:
    """A short word's typo is a letter missed, doubled or swapped, not changed: a changed letter
    in a short word is usually another word ("leader" is not "leaver")."""
    return Indel.distance(word, known) <= 1 or sorted(word) == sorted(known)

