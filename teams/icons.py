"""Draws the Teams app's two icons: `color.png` (192x192, full colour) and `outline.png`
(32x32, white on transparent), as Teams asks. Run from the repository: python teams/icons.py

The picture is three rising bars, the bot's subject (performance figures), in white on the
app's accent colour; the outline icon is the same bars, white, on nothing.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = "#1F5C99"  # also the manifest's accentColor
WHITE = (255, 255, 255, 255)


def bars(draw: ImageDraw.ImageDraw, left: float, bottom: float, width: float, height: float) -> None:
    """Three bars of rising height filling the box (left, bottom-height)-(left+width, bottom)."""
    bar = width / 4.2
    gap = (width - 3 * bar) / 2
    for n, share in enumerate((0.45, 0.7, 1.0)):
        x = left + n * (bar + gap)
        top = round(bottom - height * share)
        draw.rectangle((round(x), top, round(x + bar) - 1, round(bottom) - 1), fill=WHITE)


def color_icon() -> Image.Image:
    """192x192: the accent colour, the bars within the central safe area."""
    image = Image.new("RGBA", (192, 192), ACCENT)
    bars(ImageDraw.Draw(image), left=48, bottom=148, width=96, height=104)
    return image


def outline_icon() -> Image.Image:
    """32x32: white bars on a transparent background, with the margin Teams leaves around it."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    bars(ImageDraw.Draw(image), left=5, bottom=27, width=22, height=22)
    return image


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
