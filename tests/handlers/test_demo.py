"""`make demo` runs `kpibot demo`: the sample council in the console, answering piped questions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_demo(url: str, questions: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--database-url", url],
        input=questions, capture_output=True, text=True, timeout=120, check=True,
    )


def test_demo_loads_the_sample_once_and_answers_piped_questions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"

    first = run_demo(url, "/kpi SEND timeliness\n")
    second = run_demo(url, "/kpi SEND timeliness\n")

    assert "Loaded the sample council" in first.stderr
    assert "Loaded the sample council" not in second.stderr
    for run in (first, second):
        assert "New EHC plans issued within 20 weeks" in run.stdout
        assert "SEND-01" in run.stdout
