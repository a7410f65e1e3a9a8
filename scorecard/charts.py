"""Pictures: an indicator card's trend chart and the whole quarterly scorecard as one image.

Pure functions returning PNG bytes; nothing is written to disk. matplotlib is imported inside
the functions (Agg canvas, no pyplot, no global state) so importing this module, and starting
the bot, stays fast. The same input gives the same bytes (fixed size, dpi, fonts, no
"Software" metadata), so pictures can be cached and compared.

Nothing is told by colour alone: RAG has a word and a shape (● Green, ◆ Amber, ■ Red), DOT an
arrow and a word, this year and last year differ in line style and marker, the amber band is
hatched. Suppressed ("c", "<5") and missing figures are never plotted.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from scorecard.card import Figure as CardFigure
from scorecard.card import IndicatorCard
from scorecard.comparison import Comparison
from scorecard.labels import TONE_COLOURS, dot_text, rag_style, short_period, unit_axis_label
from scorecard.model import Benchmark, Comparator, Dot, Polarity, Rag, Unit
from scorecard.periods import Frequency, Period, months_of
from scorecard.quarterly import BenchmarkCell, QuarterlyScorecard, ScorecardRow
from scorecard.rules import round_half_up

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["card_chart", "card_chart_alt_text", "scorecard_image"]

FONT = "DejaVu Sans"  # ships with matplotlib, so every machine draws the same glyphs
CARD_DPI = 120
SCORECARD_DPI = 144

INK = "#1a1a1a"
MUTED = "#5a5a5a"
THIS_YEAR = "#1f4e79"
LAST_YEAR = "#7a7a7a"
HEADING = "#1f3b57"

# Benchmarks: a shape, a colour and a short name each (the label says which is which anyway).
_BENCHMARK_STYLE: dict[str, tuple[str, str, str]] = {
    Comparator.STATISTICAL_NEIGHBOURS.value: ("h", "#0072b2", "SN"),
    Comparator.ENGLAND.value: ("*", "#8e3b86", "England"),
    Comparator.REGION.value: ("p", "#117a8b", "Region"),
}


@contextmanager
def _drawing() -> Iterator[None]:
    """Fixed drawing settings, whatever the user's matplotlibrc says, for repeatable bytes."""
    import matplotlib

    rc: dict[str, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "axes.unicode_minus": False,
        "hatch.linewidth": 0.8,
        "path.simplify": False,
    }
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        yield


def _png(figure: Figure, dpi: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _plottable(point: CardFigure) -> float | None:
    """The value to plot, or None: missing, suppressed ("c") or small ("<5") figures never are."""
    if point.value is None or point.display == "c" or point.display.startswith("<"):
        return None
    return float(point.value)


def _number_format(unit: Unit, top: float) -> str:
    if unit is Unit.PERCENT:
        return "{:g}%"
    if unit is Unit.GBP:
        return "£{:,.1f}m" if top >= 1_000_000 else "£{:,.0f}"
    return "{:,g}"


def _spread(wanted: list[float], gap: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Move label positions (axes fractions) apart by at least `gap`, keeping order, within bounds."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [wanted[i] for i in order]
    for i in range(len(placed)):
        placed[i] = max(placed[i], low if i == 0 else placed[i - 1] + gap)
    for i in range(len(placed) - 1, -1, -1):
        placed[i] = min(placed[i], high if i == len(placed) - 1 else placed[i + 1] - gap)
    result = [0.0] * len(wanted)
    for rank, index in enumerate(order):
        result[index] = placed[rank]
    return result


def _card_heading(card: IndicatorCard) -> tuple[str, str]:
    title = textwrap.fill(f"{card.code}  {card.title}", 64)
    if card.period is None:
        return title, "No figures have been published for this indicator yet."
    target = ""
    if card.target_value is not None:
        target = f"  ·  Target {card.target_display}"
        if card.amber_display:
            target += f" (amber from {card.amber_display})"
    return title, f"{card.period_label}: {card.display}{target}  ·  {card.good_is}"


def card_chart(card: IndicatorCard) -> bytes:
    """The card's trend as a PNG: this year beside last year, target, amber band, benchmarks.

    Monthly and quarterly cards plot this year's series (solid, filled circles) beside the same
    periods last year (dashed, open squares); annual cards plot the last five years. The target
    is a dashed line and the amber band (between the amber threshold and the target) is hatched;
    the latest figure carries its RAG shape, colour and word; each benchmark is a marker at the
    right with its name, period and value. The title names the indicator and the period.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with _drawing():
        figure = Figure(figsize=(8.4, 5.0), dpi=CARD_DPI, facecolor="white")
        title, subtitle = _card_heading(card)
        title_lines = title.count("\n") + 1
        figure.text(0.02, 0.975, title, fontsize=11.5, fontweight="bold", color=INK, va="top")
        figure.text(0.02, 0.975 - 0.052 * title_lines, subtitle, fontsize=9, color=MUTED, va="top")
        if card.dot is not None:
            figure.text(
                0.02,
                0.975 - 0.052 * title_lines - 0.045,
                f"Direction of travel: {card.dot.arrow} {card.dot.words}".replace(":  ", ": "),
                fontsize=9,
                fontweight="bold",
                color=TONE_COLOURS[card.dot.tone],
                va="top",
            )
        style = rag_style(card.rag)
        figure.text(
            0.975,
            0.975,
            f"RAG: {style.symbol} {card.rag_label}",
            fontsize=10.5,
            fontweight="bold",
            color=INK,
            ha="right",
            va="top",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": style.tint, "edgecolor": style.colour, "lw": 1.5},
        )
        top = 0.975 - 0.052 * title_lines - 0.11
        ax = figure.add_axes((0.1, 0.2, 0.6, top - 0.2))
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

        positions = card.trend.positions
        plotted: list[float] = []
        handles: list[Line2D | Patch] = []
        n = len(positions)
        if card.period is not None and n:
            for number, series in enumerate(card.trend.series):
                ys = [_plottable(p) for p in series.points]
                plotted.extend(y for y in ys if y is not None)
                current = number == 0
                line = ax.plot(
                    range(n),
                    [math.nan if y is None else y for y in ys],
                    color=THIS_YEAR if current else LAST_YEAR,
                    linestyle="-" if current else (0, (5, 3)),
                    linewidth=2.2 if current else 1.6,
                    marker="o" if current else "s",
                    markersize=5.5 if current else 5,
                    markerfacecolor=THIS_YEAR if current else "white",
                    zorder=4 if current else 3,
                    label=series.label if len(card.trend.series) > 1 or not current else "Each year",
                )
                handles.append(line[0])
            ax.set_xticks(range(n), list(positions), fontsize=8.5)
            kind = {"monthly": "Month", "quarterly": "Quarter"}.get(card.indicator.frequency.value, "Year")
            ax.set_xlabel(kind, fontsize=9, color=MUTED)

        side_labels: list[tuple[float, str, str]] = []  # (value, text, colour)
        if card.target_value is not None:
            target = float(card.target_value)
            plotted.append(target)
            ax.axhline(target, color=INK, linestyle=(0, (7, 3)), linewidth=1.3, zorder=2)
            handles.append(
                Line2D([], [], color=INK, linestyle=(0, (7, 3)), label=f"Target {card.target_display}")
            )
            side_labels.append((target, f"Target {card.target_display}", INK))
            if card.amber_threshold is not None and card.amber_threshold != card.target_value:
                amber = float(card.amber_threshold)
                plotted.append(amber)
                amber_style = rag_style(Rag.AMBER)
                low_edge, high_edge = (
                    (card.amber_display, card.target_display)
                    if amber < target
                    else (card.target_display, card.amber_display)
                )
                ax.axhspan(
                    min(amber, target),
                    max(amber, target),
                    facecolor=amber_style.tint,
                    edgecolor=amber_style.colour,
                    hatch="//",
                    linewidth=0,
                    alpha=0.55,
                    zorder=1,
                )
                handles.append(
                    Patch(
                        facecolor=amber_style.tint,
                        edgecolor=amber_style.colour,
                        hatch="//",
                        label=f"Amber band: between {low_edge} and {high_edge}",
                    )
                )
                side_labels.append((amber, f"Amber from {card.amber_display}", amber_style.colour))

        for place, result in enumerate(card.benchmarks):
            value = float(result.value)
            plotted.append(value)
            marker, colour, short = _BENCHMARK_STYLE[result.comparator.value]
            # Side by side, so close benchmarks don't hide each other.
            x = (n - 1 + 0.65 + 0.3 * place) if n else 0.0
            ax.plot([x], [value], marker=marker, markersize=10, color=colour, markeredgecolor=INK,
                    markeredgewidth=0.6, linestyle="none", zorder=5, clip_on=False)
            side_labels.append((value, f"{short} {result.period.short_label}: {result.display}", colour))

        # The latest figure: its RAG shape and colour, and its value and RAG in words.
        latest_x: int | None = None
        if card.period is not None and card.value is not None and card.trend.series:
            for i, point in enumerate(card.trend.series[0].points):
                if point.period == card.period and _plottable(point) is not None:
                    latest_x = i
            if latest_x is not None:
                y = float(card.value)
                ax.plot([latest_x], [y], marker=style.marker, markersize=12, color=style.colour,
                        markeredgecolor=INK, markeredgewidth=1.2, linestyle="none", zorder=6)
                ax.annotate(
                    f"{card.display}\n{style.symbol} {card.rag_label}",
                    (latest_x, y),
                    xytext=(0, 14),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    fontweight="bold",
                    color=INK,
                    zorder=7,
                    bbox={
                        "boxstyle": "round,pad=0.25",
                        "facecolor": "white",
                        "edgecolor": style.colour,
                        "lw": 1,
                    },
                )

        if plotted:
            low, high = min(plotted), max(plotted)
            pad = (high - low) * 0.12 or max(abs(high) * 0.1, 1.0)
            ax.set_ylim(low - pad, high + pad * 2.2)
            fmt = _number_format(card.indicator.unit, max(abs(low), abs(high)))
            scale = 1_000_000 if "m" in fmt else 1
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.format(v / scale)))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        else:
            ax.set_yticks([])
            ax.text(0.5, 0.5, "No figures to chart", transform=ax.transAxes, ha="center", va="center",
                    fontsize=11, color=MUTED)
        ax.set_xlim(-0.5, (n - 1 + 0.5 + 0.3 * len(card.benchmarks)) if n else 1.0)
        ax.tick_params(axis="y", labelsize=8.5)
        ax.set_ylabel(unit_axis_label(card.indicator.unit), fontsize=9, color=MUTED)
        ax.grid(axis="y", color="#dddddd", linewidth=0.7, zorder=0)

        # Labels for the horizontal things (target, amber, benchmarks) in the margin at right.
        if side_labels and plotted:
            bottom, upper = ax.get_ylim()
            wanted = [(value - bottom) / (upper - bottom) for value, _text, _colour in side_labels]
            for (value, text, colour), y in zip(side_labels, _spread(wanted, 0.085), strict=True):
                ax.annotate(
                    text,
                    xy=(1.0, (value - bottom) / (upper - bottom)),
                    xycoords="axes fraction",
                    xytext=(1.04, y),
                    textcoords="axes fraction",
                    fontsize=8.5,
                    color=colour,
                    va="center",
                    annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "shrinkA": 0, "shrinkB": 2},
                )

        if handles:
            figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.06, 0.01), ncol=4,
                          fontsize=8.5, frameon=False)
        return _png(figure, CARD_DPI)


def _series_words(card: IndicatorCard) -> list[str]:
    words = []
    for series in card.trend.series:
        shown = []
        for position, point in zip(card.trend.positions, series.points, strict=True):
            if point.value is not None and _plottable(point) is not None:
                shown.append(f"{position} {point.display}")
            elif point.display in ("c",) or point.display.startswith("<"):
                shown.append(f"{position} {point.display} (suppressed, not plotted)")
        if shown:
            words.append(f"{series.label}: {', '.join(shown)}.")
    return words


def card_chart_alt_text(card: IndicatorCard) -> str:
    """A text alternative for `card_chart`: what it shows, the latest figure, its RAG and DOT.

    "Line chart of SEND-01 New EHC plans issued within 20 weeks, monthly. September 2024:
    78.9%, RAG Red (target 82.0%, amber from 79.0%). Direction of travel: ▲ Improved ..."
    """
    kind = "Line chart" if card.indicator.frequency is not Frequency.ANNUAL else "Line chart by year"
    parts = [f"{kind} of {card.code} {card.title}, {card.frequency_label.lower()}."]
    if card.period is None:
        parts.append("No figures have been published for this indicator yet.")
        return " ".join(parts)
    rated = f"RAG {card.rag_label}"
    if card.target_value is not None:
        rated += f" (target {card.target_display}"
        rated += f", amber from {card.amber_display})" if card.amber_display else ")"
    parts.append(f"{card.period_label}: {card.display}, {rated}. {card.good_is}.")
    if card.dot is not None:
        parts.append(f"Direction of travel: {card.dot.arrow} {card.dot.words}.".replace(":  ", ": "))
    parts.extend(_series_words(card))
    if card.benchmarks:
        parts.append("Benchmarks: " + "; ".join(b.words for b in card.benchmarks) + ".")
    return " ".join(parts)


# --- The whole scorecard as one image --------------------------------------------------------

# Layout in points (1/72 inch); the image is drawn at SCORECARD_DPI (2 pixels a point).
_MARGIN = 18.0
_BODY = 8.5
_SMALL = 7.0
_ROW = 26.0
_CLUSTER_ROW = 20.0
_HEADER_ROW = 34.0

# (key, heading, width). The three figure columns are the quarter's months.
_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("code", "Code", 50),
    ("title", "Indicator", 300),
    ("frequency", "How\noften", 58),
    ("good", "Good\nis", 50),
    ("m1", "", 66),
    ("m2", "", 66),
    ("m3", "", 66),
    ("ytd", "Year to\ndate", 66),
    ("target", "Target", 66),
    ("amber", "Amber\nthreshold", 66),
    ("rag", "RAG", 78),
    ("dot", "Direction\nof travel", 92),
    ("last_year", "Same period\nlast year", 72),
    ("sn", "Statistical\nneighbours", 72),
    ("england", "England", 72),
    ("note", "Note", 32),
)
_WIDTH = _MARGIN * 2 + sum(width for _key, _heading, width in _COLUMNS)
_COLUMN_WIDTH = {key: width for key, _heading, width in _COLUMNS}
_LEFT = dict(
    zip(_COLUMN_WIDTH, accumulate([_MARGIN, *_COLUMN_WIDTH.values()]), strict=False)
)

_GOOD_IS = {Polarity.HIGH.value: "Higher", Polarity.LOW.value: "Lower", Polarity.NONE.value: "Neither"}
_FREQUENCY = {"monthly": "Monthly", "quarterly": "Quarterly", "annual": "Annual"}


def _fit(text: str, width: float, size: float, lines: int = 1) -> list[str]:
    """Wrap `text` to a column `width` points wide at font `size`, at most `lines` lines (… if cut)."""
    chars = max(4, int(width / (size * 0.5)))
    wrapped = textwrap.wrap(text, chars) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = textwrap.shorten(wrapped[-1] + " …", chars, placeholder=" …")
        if not wrapped[-1].endswith("…"):
            wrapped[-1] = wrapped[-1][: chars - 1] + "…"
    return wrapped


def _benchmark(row: ScorecardRow, comparator: Comparator) -> BenchmarkCell | None:
    for cell in row.benchmarks:
        if cell.comparator == comparator.value:
            return cell
    return None


def _notes_lines(scorecard: QuarterlyScorecard) -> list[str]:
    lines = []
    for note in scorecard.data_notes:
        wrapped = textwrap.wrap(f"[{note.marker}] {note.code}: {note.text}", 118)
        lines.extend([wrapped[0], *("      " + rest for rest in wrapped[1:])])
    return lines


_KEY = (
    "How to read it. RAG compares the latest figure with its target: ● Green meets the target; "
    "◆ Amber is short of it but within the amber threshold; ■ Red is beyond the threshold; "
    "Not rated: a measure of demand or context, or no target this year. Direction of travel shows "
    "performance since the previous period (or the same period last year for yearly figures), not "
    "the number: ▲ Improved, ▼ Declined, ► No change; for demand measures ▲ Up and ▼ Down are "
    "neither good nor bad. Benchmarks are the latest published, with their period; c means "
    "suppressed to protect children's identities. Numbers in the Note column refer to the data "
    "notes below."
)


def scorecard_image(scorecard: QuarterlyScorecard) -> bytes:
    """The whole quarterly scorecard as one PNG for a chat message: a table, cluster by cluster.

    Per indicator: code and title, how often, what good is, the quarter's figures (three months,
    or the quarter, or the latest year with its label), YTD, target and amber threshold, RAG
    (word, shape and tint), DOT (arrow and word, coloured by tone), the same period last year,
    statistical neighbours and England with their periods, and the data note marker. A summary
    line of counts at the top; a key and the data notes beneath. About 2,600 pixels wide.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    rows = scorecard.rows
    key_lines = textwrap.wrap(_KEY, 235)
    note_lines = _notes_lines(scorecard)
    note_columns = 2
    notes_per_column = math.ceil(len(note_lines) / note_columns) if note_lines else 0
    head = 92.0
    body = _HEADER_ROW + _CLUSTER_ROW * len(scorecard.clusters) + _ROW * len(rows)
    foot = 14 + 10.5 * len(key_lines) + (16 + 9.5 * notes_per_column if note_lines else 0) + _MARGIN
    height = _MARGIN + head + body + foot

    with _drawing():
        figure = Figure(figsize=(_WIDTH / 72, height / 72), dpi=SCORECARD_DPI, facecolor="white")
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, _WIDTH)
        ax.set_ylim(height, 0)
        ax.axis("off")

        def text(x: float, y: float, value: str, **style: object) -> None:
            ax.text(x, y, value, va=style.pop("va", "center"), fontsize=style.pop("size", _BODY),
                    color=style.pop("color", INK), **style)  # type: ignore[arg-type]

        def box(x: float, y: float, w: float, h: float, colour: str, **style: object) -> None:
            ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, **style))  # type: ignore[arg-type]

        # Title and summary.
        y = _MARGIN
        text(_MARGIN, y + 10, f"Children's services scorecard: {scorecard.quarter_label}", size=17,
             weight="bold")
        quarter_end = date.fromisoformat(scorecard.quarter_end)
        prepared = scorecard.prepared_at[:10]
        prepared_words = ""
        if prepared:
            day = date.fromisoformat(prepared)
            prepared_words = f"  ·  figures as at {day.day} {day:%B %Y}"
        text(_MARGIN, y + 32, f"Quarter ending {quarter_end.day} {quarter_end:%B %Y}  ·  "
             f"{scorecard.summary.indicators} indicators{prepared_words}", size=9.5, color=MUTED)
        summary = scorecard.summary
        chips: list[tuple[str, str, str]] = [
            (f"{rag_style(Rag.GREEN).symbol} {summary.green} Green", rag_style(Rag.GREEN).tint, INK),
            (f"{rag_style(Rag.AMBER).symbol} {summary.amber} Amber", rag_style(Rag.AMBER).tint, INK),
            (f"{rag_style(Rag.RED).symbol} {summary.red} Red", rag_style(Rag.RED).tint, INK),
            (f"{rag_style(Rag.NA).symbol} {summary.not_rated} Not rated", rag_style(Rag.NA).tint, INK),
            (f"▲ {summary.improved} Improved", "white", TONE_COLOURS["good"]),
            (f"▼ {summary.declined} Declined", "white", TONE_COLOURS["bad"]),
            (f"► {summary.no_change} No change", "white", TONE_COLOURS["neutral"]),
        ]
        x = _MARGIN
        for label, fill, colour in chips:
            width = len(label) * 10.5 * 0.6 + 16
            box(x, y + 48, width, 22, fill, edgecolor="#9a9a9a", linewidth=0.6)
            text(x + 8, y + 59, label, size=10.5, weight="bold", color=colour)
            x += width + 8
        y += head

        # Column headings.
        box(_MARGIN, y, _WIDTH - 2 * _MARGIN, _HEADER_ROW, "#e4e9ef", edgecolor="none")
        months = [m.short_label for m in months_of(scorecard.quarter)]
        for key, heading, width in _COLUMNS:
            left = _LEFT[key]
            if key in ("m1", "m2", "m3"):
                heading = months[int(key[1]) - 1]
                text(left + width / 2, y + 25, heading, ha="center", weight="bold")
                continue
            centred = key not in ("code", "title")
            text(left + (width / 2 if centred else 4), y + _HEADER_ROW / 2, heading,
                 ha="center" if centred else "left", weight="bold", linespacing=1.1)
        text(_LEFT["m1"] + 99, y + 10, "Figures in the quarter", ha="center", weight="bold",
             size=_SMALL + 0.5, color=MUTED)
        y += _HEADER_ROW

        for section in scorecard.clusters:
            counts = {r: sum(1 for row in section.rows if row.rag is r) for r in Rag}
            box(_MARGIN, y, _WIDTH - 2 * _MARGIN, _CLUSTER_ROW, HEADING, edgecolor="none")
            text(_MARGIN + 4, y + _CLUSTER_ROW / 2, section.name, size=10, weight="bold", color="white")
            text(_WIDTH - _MARGIN - 6, y + _CLUSTER_ROW / 2,
                 f"{counts[Rag.GREEN]} green, {counts[Rag.AMBER]} amber, {counts[Rag.RED]} red, "
                 f"{counts[Rag.NA]} not rated", size=_SMALL + 0.5, color="white", ha="right")
            y += _CLUSTER_ROW
            for number, row in enumerate(section.rows):
                _draw_row(ax, row, y, shaded=number % 2 == 1, text=text, box=box)
                y += _ROW

        # Key and data notes.
        y += 14
        for line in key_lines:
            text(_MARGIN, y, line, size=_SMALL + 0.5, color=MUTED)
            y += 10.5
        if note_lines:
            y += 6
            text(_MARGIN, y, "Data notes", size=_BODY, weight="bold")
            y += 10
            column_width = (_WIDTH - 2 * _MARGIN) / note_columns
            for i, line in enumerate(note_lines):
                column, place = divmod(i, notes_per_column)
                text(_MARGIN + column * column_width, y + place * 9.5, line, size=_SMALL, color=INK)
        return _png(figure, SCORECARD_DPI)


def _draw_row(ax: Axes, row: ScorecardRow, y: float, *, shaded: bool, text: _Text, box: _Box) -> None:
    """One indicator's row of the scorecard image, `y` its top edge (points)."""
    middle = y + _ROW / 2
    if shaded:
        box(_MARGIN, y, _WIDTH - 2 * _MARGIN, _ROW, "#f4f6f8", edgecolor="none")
    ax.plot([_MARGIN, _WIDTH - _MARGIN], [y + _ROW, y + _ROW], color="#d5dbe1", linewidth=0.5)

    def centre(key: str, value: str, **style: object) -> None:
        text(_LEFT[key] + _COLUMN_WIDTH[key] / 2, middle, value, ha="center", **style)

    def two_lines(key: str, first: str, second: str) -> None:
        x = _LEFT[key] + _COLUMN_WIDTH[key] / 2
        if second:
            text(x, middle - 5, first, ha="center")
            text(x, middle + 6.5, second, ha="center", size=_SMALL - 0.5, color=MUTED)
        else:
            text(x, middle, first, ha="center")

    text(_LEFT["code"] + 4, middle, row.code, weight="bold", size=_BODY - 0.5)
    title = _fit(row.title, _COLUMN_WIDTH["title"] - 8, _BODY, lines=2)
    text(_LEFT["title"] + 4, middle, "\n".join(title), linespacing=1.15)
    centre("frequency", _FREQUENCY.get(row.frequency, row.frequency.capitalize()))
    centre("good", _GOOD_IS.get(row.polarity, ""))

    if row.frequency == Frequency.MONTHLY.value and len(row.periods) == 3:
        for key, cell in zip(("m1", "m2", "m3"), row.periods, strict=True):
            weight = "bold" if cell.period_end == row.latest.period_end else "normal"
            centre(key, cell.display, weight=weight)
    else:
        cell = row.periods[-1] if row.periods else row.latest
        x = _LEFT["m1"] + 99
        text(x, middle - 5, cell.display, ha="center", weight="bold")
        text(x, middle + 6.5, cell.period, ha="center", size=_SMALL - 0.5, color=MUTED)

    two_lines("ytd", row.ytd_display or "–", "")
    centre("target", row.target_display if row.target is not None else "No target",
           color=INK if row.target is not None else MUTED)
    centre("amber", row.amber_display or "–")

    style = rag_style(row.rag)
    inset = 3.0
    box(_LEFT["rag"] + inset, y + inset, _COLUMN_WIDTH["rag"] - 2 * inset, _ROW - 2 * inset, style.tint,
        edgecolor=style.colour, linewidth=1.0)
    centre("rag", f"{style.symbol} {row.rag_label}", weight="bold")

    rated = row.dot.result is not Dot.NA
    text(_LEFT["dot"] + 6, middle, dot_text(row.dot.result, row.dot.arrow),
         color=TONE_COLOURS.get(row.dot.tone, INK), weight="bold" if rated else "normal")
    two_lines("last_year", row.last_year.display, short_period(row.last_year.period))
    for key, comparator in (("sn", Comparator.STATISTICAL_NEIGHBOURS), ("england", Comparator.ENGLAND)):
        benchmark = _benchmark(row, comparator)
        if benchmark is None:
            centre(key, "–", color=MUTED)
        else:
            two_lines(key, benchmark.display, short_period(benchmark.period))
    if row.note_marker:
        centre("note", row.note_marker, weight="bold")


if TYPE_CHECKING:
    from typing import Protocol

    class _Text(Protocol):
        def __call__(self, x: float, y: float, value: str, **style: object) -> None: ...

    class _Box(Protocol):
        def __call__(self, x: float, y: float, w: float, h: float, colour: str, **style: object) -> None: ...


# --- How we compare (issue 13) -------------------------------------------------------------

OURS = "#d55e00"
NEIGHBOUR = "#9ab3c9"


def comparison_chart(comparison: Comparison, council: str = "Our council") -> bytes:
    """Our council against each statistical neighbour for the ranked period, as a PNG.

    One bar per council, best first by polarity (highest first for `none`), ours in a strong
    colour and named; England's figure for the same period is a dashed vertical line, unless it
    was flagged (outside every council's figure: it is then named in the footnote, not drawn).
    The title names the indicator, the period and our rank in words.
    """
    from matplotlib.figure import Figure

    indicator = comparison.indicator
    period = comparison.period
    bars: list[tuple[str, float, bool]] = [(f.council, float(f.value), False) for f in comparison.neighbours]
    if comparison.value is not None:
        bars.append((council, float(comparison.value), True))
    descending = indicator.polarity is not Polarity.LOW
    bars.sort(key=lambda bar: (-bar[1] if descending else bar[1], bar[0]))
    england = next(
        (b for b in comparison.comparators if b.comparator is Comparator.ENGLAND and b.period == period), None
    )
    height = 2.2 + 0.34 * max(len(bars), 3)
    with _drawing():
        figure = Figure(figsize=(7.6, height))
        # Inches kept for the title and subtitle above, the axis and footnote below.
        bottom, top = 0.85 / height, 1.45 / height
        ax = figure.add_axes((0.3, bottom, 0.62, 1 - bottom - top))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        labels = [name for name, _value, _ours in bars]
        values = [value for _name, value, _ours in bars]
        colours = [OURS if ours else NEIGHBOUR for _name, _value, ours in bars]
        positions = list(range(len(bars)))[::-1]
        ax.barh(positions, values, color=colours, edgecolor=INK, linewidth=0.5, zorder=3)
        ax.set_yticks(positions, [textwrap.shorten(label, 28) for label in labels], fontsize=8.5)
        for tick, (_name, _value, ours) in zip(ax.get_yticklabels(), bars, strict=True):
            if ours:
                tick.set_fontweight("bold")
        fmt = _number_format(indicator.unit, max(values, default=0.0))
        scale = 1_000_000 if indicator.unit is Unit.GBP and max(values, default=0.0) >= 1_000_000 else 1
        for y, value in zip(positions, values, strict=True):
            ax.annotate(fmt.format(value / scale), (value, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8, color=INK)
        footnotes = []
        if england is not None and england.note:
            footnotes.append(f"England {england.period.label} ({england.display}): {england.note}.")
        elif england is not None:
            line = float(england.value)
            ax.axvline(line, color="#8e3b86", linestyle=(0, (5, 3)), linewidth=1.4, zorder=4)
            ax.annotate(f"England {england.display}", (line, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, 2), textcoords="offset points", fontsize=8, color="#8e3b86")
        if not bars:
            ax.text(0.5, 0.5, "No councils' figures to chart", transform=ax.transAxes, ha="center",
                    va="center", color=MUTED)
        ax.grid(axis="x", color="#dddddd", linewidth=0.7, zorder=0)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel(unit_axis_label(indicator.unit), fontsize=9, color=MUTED)
        when = period.label if period is not None else ""
        figure.suptitle(textwrap.fill(f"{indicator.code}  {indicator.title}", 70), x=0.03, ha="left",
                        fontsize=10.5, fontweight="bold", color=HEADING)
        subtitle = f"{when}: ours and our statistical neighbours, best first"
        if comparison.rank_words:
            subtitle += f"  ·  {comparison.rank_words}"
        figure.text(
            0.03, 1 - 0.72 / height, textwrap.fill(subtitle, 110), fontsize=8.5, color=MUTED, va="top"
        )
        if footnotes:
            figure.text(0.03, 0.02, " ".join(footnotes), fontsize=8, color=MUTED)
        return _png(figure, CARD_DPI)


def comparison_chart_alt_text(comparison: Comparison, council: str = "Our council") -> str:
    """What the comparison chart shows, in words: ours, the rank, each neighbour, England."""
    period = "" if comparison.period is None else f" in {comparison.period.label}"
    parts = [f"{comparison.indicator.title}{period}: {council} {comparison.display}."]
    if comparison.rank_words:
        parts.append(f"Rank: {comparison.rank_words}.")
    if comparison.neighbours:
        listed = ", ".join(f"{f.council} {f.display}" for f in comparison.neighbours)
        parts.append(f"Statistical neighbours, best first: {listed}.")
    for benchmark in comparison.comparators:
        if benchmark.comparator is Comparator.ENGLAND:
            note = f" ({benchmark.note})" if benchmark.note else ""
            parts.append(f"{benchmark.label}: {benchmark.display}{note}.")
    return " ".join(parts)


def comparators_trend_chart(
    card: IndicatorCard, ours: Mapping[Period, Decimal | None], benchmarks: Sequence[Benchmark]
) -> bytes:
    """Ours and each comparator across the years, as a PNG: one line each (ours solid, the
    comparators dashed in their own colour and shape), at every period a comparator has a
    figure for (`ours`: our rounded figure by period), so the comparators' own trend shows, not
    only their latest figure. A count's comparators are totals for other populations, so they
    are left out and the chart says so.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    indicator = card.indicator
    places = indicator.effective_decimals
    periods = sorted({b.period for b in benchmarks if b.code == indicator.code}, key=lambda p: p.end)
    if card.period is not None:
        periods = [p for p in periods if p.end <= card.period.end]
    counted = indicator.unit is Unit.COUNT
    with _drawing():
        figure = Figure(figsize=(7.6, 4.0))
        ax = figure.add_axes((0.1, 0.16, 0.86, 0.66))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        xs = list(range(len(periods)))
        plotted: list[float] = []
        mine = [ours.get(p) for p in periods]
        points = [(x, float(v)) for x, v in zip(xs, mine, strict=True) if v is not None]
        if points:
            ax.plot([x for x, _ in points], [v for _, v in points], color=THIS_YEAR, marker="o",
                    linewidth=2.2, label="Ours", zorder=4)
            plotted.extend(v for _, v in points)
        if not counted:
            for comparator in Comparator:
                found = {
                    b.period: b.value
                    for b in benchmarks
                    if b.comparator is comparator and b.code == indicator.code
                }
                line = [
                    (x, float(round_half_up(found[p], places)))
                    for x, p in zip(xs, periods, strict=True)
                    if p in found
                ]
                if not line:
                    continue
                marker, colour, short = _BENCHMARK_STYLE[comparator.value]
                ax.plot([x for x, _ in line], [v for _, v in line], color=colour, marker=marker,
                        linestyle=(0, (5, 3)), linewidth=1.5, label=short, zorder=3)
                plotted.extend(v for _, v in line)
        ax.set_xticks(xs, [short_period(p.label) for p in periods], fontsize=8.5)
        if plotted:
            low, high = min(plotted), max(plotted)
            pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
            ax.set_ylim(low - pad, high + pad)
            fmt = _number_format(indicator.unit, high)
            scale = 1_000_000 if indicator.unit is Unit.GBP and high >= 1_000_000 else 1
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.format(v / scale)))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=4, bbox_to_anchor=(0, 1.12))
        else:
            ax.text(0.5, 0.5, "No comparator figures to chart", transform=ax.transAxes, ha="center",
                    va="center", color=MUTED)
        ax.grid(axis="y", color="#dddddd", linewidth=0.7, zorder=0)
        ax.set_ylabel(unit_axis_label(indicator.unit), fontsize=9, color=MUTED)
        figure.suptitle(textwrap.fill(f"{indicator.code}  {indicator.title}", 70), x=0.03, ha="left",
                        fontsize=10.5, fontweight="bold", color=HEADING)
        if counted:
            figure.text(0.03, 0.02, "England's and the region's counts are totals for other populations: "
                        "not drawn beside ours.", fontsize=8, color=MUTED)
        return _png(figure, CARD_DPI)
