"""The agenda pack printed as a committee clerk would: `kpibot concerns agenda --format html` on
the sample council with three escalated concerns (one answered, one never sent, one sent and
not answered; one member's words hold a long web address and a 200-letter word), opened in real
headless Chromium: a screenshot of the first page, a print to PDF that is A4 with every
concern's words in it, and the page laid out at the printable width with the print rules on,
where no element is wider than the paper.

Chromium is a system package (scripts/test-setup.sh installs it); without it these tests skip
and say so.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bot.test_concerns_cli import kpibot, london
from tests.handlers.test_scorecard_show import _chromium

MEMBER, OTHER_MEMBER, ADVISOR = "U0DEMOMEMB1", "U0DEMOMEMB2", "U0DEMOGOV01"
SEND_OFFICER = "U0DEMOSVC01"
LONG_ADDRESS = "https://www.example.gov.uk/" + "very-long-path-segment-" * 12 + "end"
LONG_WORD = "Supercalifragilisticexpialidocious" * 6

# A4 in PDF points (1/72 inch): 210 mm x 297 mm.
A4_POINTS = (595.28, 841.89)
# A4's width less the print stylesheet's @page margins (15 mm each side), in CSS pixels
# (96 to the inch): 180 mm.
PRINTABLE_WIDTH_PX = round(180 / 25.4 * 96)
# A4 at 96 CSS pixels to the inch: the window the first page's screenshot is taken in.
A4_WINDOW = (794, 1123)


@dataclass(frozen=True)
class Concern:
    reference: str
    member: str
    words: tuple[str, ...]  # what must be printed of it: the member's text, answer, reason


@dataclass(frozen=True)
class Pack:
    page: Path
    concerns: tuple[Concern, ...]


def _browser() -> str:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium not found (/usr/bin/chromium or on PATH): run `bash scripts/test-setup.sh`")
    return browser


def _run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def pack(sample_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """The 8 December 2026 meeting's pack, made at the terminal after three concerns' lives."""
    folder = tmp_path_factory.mktemp("pack")
    shutil.copyfile(sample_database, folder / "store.sqlite")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    monday = london(2026, 11, 2, 10, 0)
    steps: list[tuple[Any, ...]] = [  # (when, the command's words...)
        (monday, "raise", "--as", MEMBER, "--indicator", "SEND-01",
         "EHC plans keep slipping past 20 weeks: families in my ward wait months."),
        (monday, "raise", "--as", OTHER_MEMBER,
         f"The figures page at {LONG_ADDRESS} is unreadable. {LONG_WORD}"),
        (monday, "raise", "--as", MEMBER, "--indicator", "DEM-03", "Re-referrals are up again."),
        (monday, "send", "C-1", "SEND", "--note", "Please answer", "--as", ADVISOR),
        (monday, "send", "C-3", "Children's social care", "--as", ADVISOR),
        (london(2026, 11, 10, 9, 0), "answer", "C-1",
         "Two more caseworkers start in January; the backlog should clear by March.", "--as", SEND_OFFICER),
        (london(2026, 11, 20, 9, 0), "escalate", "C-1", "--note",
         "The answer does not say when families will see the difference.", "--as", ADVISOR),
        (london(2026, 11, 20, 9, 5), "escalate", "C-2", "--note",
         "Accessibility of published figures is a matter for the commission.", "--as", ADVISOR),
        (london(2026, 11, 26, 9, 5), "escalate", "C-3", "--note",
         "No answer after 10 working days. The member asked for it to be heard.", "--as", ADVISOR),
    ]
    for at, *args in steps:
        done = kpibot(url, at, *args)
        assert done.exit_code == 0, done.output
    # The names directory knew the member and the advisor (bot.names keeps them in the store);
    # the other member it did not, so the pack shows them by id.
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from data import people

    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        people.remember(session, "slack", MEMBER, now=monday, display_name="Cllr Jo Bloggs")
        people.remember(session, "slack", ADVISOR, now=monday, display_name="Sam Okafor")
    engine.dispose()
    page = folder / "pack.html"
    made = kpibot(
        url, london(2026, 12, 1, 9, 0), "agenda", "--meeting", "2026-12-08", "--format", "html",
        "--output", str(page),
    )
    assert made.exit_code == 0, made.output
    return Pack(
        page,
        (
            Concern("C-1", "Cllr Jo Bloggs", (
                "EHC plans keep slipping past 20 weeks: families in my ward wait months.",
                "Two more caseworkers start in January; the backlog should clear by March.",
                "The answer does not say when families will see the difference.",
                "Sent to SEND by Sam Okafor on 2 November 2026, for a written answer by 16 November 2026.",
            )),
            Concern("C-2", OTHER_MEMBER, (
                f"The figures page at {LONG_ADDRESS} is unreadable. {LONG_WORD}",
                "No written answer before the meeting.",
                "Accessibility of published figures is a matter for the commission.",
            )),
            Concern("C-3", "Cllr Jo Bloggs", (
                "Re-referrals are up again.",
                "No answer after 10 working days. The member asked for it to be heard.",
                "Sent to Children's social care by Sam Okafor on 2 November 2026",
            )),
        ),
    )


def test_the_first_page_seen_in_chromium_is_the_packs_front_page(pack: Pack, tmp_path: Path) -> None:
    from PIL import Image

    browser = _browser()
    shot = tmp_path / "first-page.png"

    _run_chromium(
        browser, tmp_path / "profile", f"--window-size={A4_WINDOW[0]},{A4_WINDOW[1]}",
        f"--screenshot={shot}", pack.page.as_uri(),
    )

    assert shot.exists()
    with Image.open(shot) as image:
        assert image.size == A4_WINDOW
        grey = image.convert("L")
        pixels = grey.width * grey.height
        dark = sum(count for level, count in enumerate(grey.histogram()) if level < 128)
        # Text, tables and the first concern's dark heading band: far from blank, far from solid.
        assert 0.02 < dark / pixels < 0.5
        title = grey.crop((0, 0, grey.width, 100))
        darkest = title.getextrema()[0]  # one band ("L"): (darkest, lightest)
        assert isinstance(darkest, int | float) and darkest < 64  # the title's black letters at the top
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 50  # anti-aliased text


def _pdf(pack: Pack, tmp_path: Path) -> Path:
    printed = tmp_path / "pack.pdf"
    _run_chromium(
        _browser(), tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={printed}",
        pack.page.as_uri(),
    )
    assert printed.exists()
    return printed


def _squeezed(text: str) -> str:
    """Text without white space: the PDF's lines break where the page wrapped them."""
    return re.sub(r"\s+", "", text)


def test_the_pack_prints_on_a4_with_every_concern_in_full(pack: Pack, tmp_path: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(_pdf(pack, tmp_path))

    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - A4_POINTS[0]) < 1 and abs(float(box.height) - A4_POINTS[1]) < 1
    texts = [page.extract_text() for page in reader.pages]
    # The first page lists the items; each concern starts a page of its own.
    assert len(texts) >= 1 + len(pack.concerns)
    assert "Members' concerns for the Children and Young People Scrutiny" in texts[0]
    starts = [i for i, text in enumerate(texts) if text.lstrip().startswith("Item ")]
    assert [texts[i].lstrip()[:11] for i in starts] == [f"Item {n}. C-{n}" for n in (1, 2, 3)]
    whole = _squeezed("\n".join(texts))
    for concern in pack.concerns:
        for words in (f"Raised by {concern.member}", *concern.words):
            assert _squeezed(words) in whole, f"{concern.reference}: not in the PDF: {words[:60]}"
    assert "with_service" not in whole and "->" not in whole


# Run in the page after it loads: switch the stylesheet's print rules on for the screen (as
# printing does), then list every element that reaches past the window's width or whose
# content overflows it. The window is as wide as A4's printable width.
_WIDTH_PROBE = """<script>
addEventListener("load", () => {
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (rule instanceof CSSMediaRule && rule.media.mediaText.includes("print")) {
        rule.media.mediaText = "all";
      }
    }
  }
  const limit = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    const overflows = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    if (box.right > limit + 0.5 || box.left < -0.5 || overflows) {
      const words = el.textContent.trim().slice(0, 40);
      wide.push(`${el.tagName} ${Math.round(box.left)}-${Math.round(box.right)}: ${words}`);
    }
  }
  const out = document.createElement("pre");
  out.id = "width-probe";
  out.textContent = JSON.stringify({limit, page: document.documentElement.scrollWidth,
                                    font: getComputedStyle(document.body).fontSize, wide});
  document.body.appendChild(out);
});
</script>
"""


def test_nothing_is_wider_than_the_printable_width_of_a4(pack: Pack, tmp_path: Path) -> None:
    browser = _browser()
    probed = tmp_path / "probed.html"
    probed.write_text(pack.page.read_text(encoding="utf-8").replace("</head>", _WIDTH_PROBE + "</head>"))

    dumped = _run_chromium(
        browser, tmp_path / "profile", f"--window-size={PRINTABLE_WIDTH_PX},1000", "--dump-dom",
        probed.as_uri(),
    )

    found = re.search(r'<pre id="width-probe">(.*?)</pre>', dumped.stdout, re.DOTALL)
    assert found is not None, dumped.stdout[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["font"] == "14px"  # 10.5pt: the print rules were on
    assert probe["limit"] == PRINTABLE_WIDTH_PX
    assert probe["wide"] == [] and probe["page"] == PRINTABLE_WIDTH_PX
