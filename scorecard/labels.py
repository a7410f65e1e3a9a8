"""The words, symbols and colours every picture and page uses for RAG, DOT and units.

One place, so the scorecard image, the card chart and the newsletter page say the same thing.
Colour is never the only signal: each RAG has a word and a shape, each DOT an arrow and a word.
Colours are dark enough for black text on their tints, and the three RAG tints differ in
lightness as well as hue so they stay apart in greyscale and for colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.model import Dot, Rag, Unit

__all__ = [
    "DOT_WORDS",
    "RAG_STYLES",
    "TONE_COLOURS",
    "RagStyle",
    "dot_text",
    "rag_style",
    "short_period",
    "unit_axis_label",
]


@dataclass(frozen=True, slots=True)
class RagStyle:
    """How a RAG rating is drawn: a strong colour (lines, markers), a light tint (cell fill),
    a marker shape (matplotlib code) and its text symbol, so the rating reads without colour."""

    colour: str
    tint: str
    marker: str
    symbol: str
    hatch: str


# Strong colours from the Okabe-Ito palette family where possible (bluish green, orange,
# vermilion); tints are light enough for black text. Shapes: green circle, amber diamond,
# red square; not rated: an open circle.
RAG_STYLES: dict[Rag, RagStyle] = {
    Rag.GREEN: RagStyle("#1a7f4e", "#c7ead2", "o", "●", ""),
    Rag.AMBER: RagStyle("#c77700", "#ffe0a3", "D", "◆", ".."),
    Rag.RED: RagStyle("#c0392b", "#f6c1bb", "s", "■", "xx"),
    Rag.NA: RagStyle("#6b6b6b", "#ececec", "o", "○", ""),
}


def rag_style(result: Rag | str) -> RagStyle:
    """The style of a RAG (accepts the enum or its value, as frozen in a snapshot)."""
    return RAG_STYLES[Rag(result)]


# The word shown beside a DOT arrow: what happened to performance (or the number, for `none`).
DOT_WORDS: dict[Dot, str] = {
    Dot.IMPROVED: "Improved",
    Dot.DECLINED: "Declined",
    Dot.NO_CHANGE: "No change",
    Dot.UP: "Up",
    Dot.DOWN: "Down",
    Dot.NA: "Not available",
}

# DOT tone (rules.DotResult.tone) -> colour of the arrow. Neutral is a blue-grey, never green
# or red: for a demand measure, up is neither good nor bad.
TONE_COLOURS: dict[str, str] = {
    "good": "#1a7f4e",
    "bad": "#c0392b",
    "neutral": "#4a5d75",
    "none": "#6b6b6b",
}


def dot_text(result: Dot | str, arrow: str) -> str:
    """The arrow and its word: "▲ Improved", "▼ Down", "► No change", "Not available"."""
    word = DOT_WORDS[Dot(result)]
    return f"{arrow} {word}" if arrow else word


_UNIT_AXIS = {
    Unit.PERCENT: "Per cent (%)",
    Unit.COUNT: "Number",
    Unit.RATE_PER_10K: "Rate per 10,000 children",
    Unit.DAYS: "Days",
    Unit.GBP: "Pounds (£)",
    Unit.SCORE: "Score",
}


def unit_axis_label(unit: Unit | str) -> str:
    """What a chart's value axis says: "Per cent (%)", "Rate per 10,000 children", "Pounds (£)"."""
    return _UNIT_AXIS[Unit(unit)]


def short_period(label: str) -> str:
    """A period label shortened for a narrow column: "March 2024" -> "Mar 2024"; others as they are."""
    month, _, year = label.partition(" ")
    if year.isdigit() and len(month) > 3 and month.isalpha():
        return f"{month[:3]} {year}"
    return label
