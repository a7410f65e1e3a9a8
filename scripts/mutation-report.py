"""The mutation score of each mutated scorecard file, from mutmut's results in mutants/.

Run after `mutmut run` (`make mutate` does both). For each file: mutants killed (a test failed,
or the mutant hung and timed out) of all generated; the mutants listed as equivalent in
tests/scorecard/equivalent_mutants.md (a change that cannot alter behaviour, with the reason);
and the score after them: killed / (total - equivalent). Then the survivors not listed.

Exits 1 when a file named in REQUIRED scores below 90%, or a listed equivalent mutant was
killed (the list is then wrong: that mutant is not equivalent).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENT_LIST = ROOT / "tests" / "scorecard" / "equivalent_mutants.md"
# The business rules a wrong number would come from: each must keep 90% of its mutants killed.
REQUIRED = {"rules.py", "periods.py", "card.py", "quarterly.py"}
THRESHOLD = 0.90

# mutmut's exit codes: 1 and 3 a test failed; timeouts mean the mutant was noticed (it hung).
KILLED = {1, 3, 36, 24, -24, 152, 255}
NOT_RUN = {None}
NO_TESTS = {5, 33}
# A listed mutant, anywhere in the list: `scorecard.rules.x_round_half_up__mutmut_12`.
LISTED = re.compile(r"`(scorecard\.[\w.]+__mutmut_\d+)`")


def equivalent_mutants() -> set[str]:
    if not EQUIVALENT_LIST.exists():
        return set()
    return set(LISTED.findall(EQUIVALENT_LIST.read_text("utf-8")))


def main() -> int:
    metas = sorted(MUTANTS.glob("scorecard/*.py.meta"))
    if not metas:
        print("No mutation results in mutants/: run `make mutate` first.")
        return 1
    equivalent = equivalent_mutants()
    failing = False
    survivors: list[tuple[str, str]] = []
    wrongly_listed: list[str] = []
    unknown = set(equivalent)
    print(f"{'file':<16}{'killed':>8}{'total':>8}{'survived':>10}{'no tests':>10}{'equiv.':>8}{'score':>9}")
    for meta in metas:
        name = meta.name.removesuffix(".meta")
        codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        killed = sum(1 for code in codes.values() if code in KILLED)
        no_tests = sum(1 for code in codes.values() if code in NO_TESTS)
        listed = {key for key in codes if key in equivalent}
        unknown -= set(codes)
        wrongly_listed += sorted(key for key in listed if codes[key] in KILLED)
        counted = len(codes) - len(listed - {key for key in listed if codes[key] in KILLED})
        score = killed / counted if counted else 1.0
        for key, code in sorted(codes.items(), key=lambda item: _mutant_order(item[0])):
            if code not in KILLED and key not in equivalent:
                status = "not run" if code in NOT_RUN else "no tests" if code in NO_TESTS else "survived"
                survivors.append((key, status))
        flag = ""
        if name in REQUIRED and score < THRESHOLD:
            failing = True
            flag = f"  below {THRESHOLD:.0%}"
        survived = len(codes) - killed - no_tests
        print(
            f"{name:<16}{killed:>8}{len(codes):>8}{survived:>10}{no_tests:>10}{len(listed):>8}"
            f"{score:>9.1%}{flag}"
        )
    if survivors:
        print(f"\n{len(survivors)} mutants not killed and not listed as equivalent (`mutmut show NAME`):")
        for key, status in survivors:
            print(f"  {key}: {status}")
    if wrongly_listed:
        failing = True
        print("\nListed as equivalent but killed by a test (remove them from the list):")
        for key in wrongly_listed:
            print(f"  {key}")
    if unknown:
        print("\nListed as equivalent but no longer generated (the code changed; review the list):")
        for key in sorted(unknown):
            print(f"  {key}")
    return 1 if failing else 0


def _mutant_order(key: str) -> tuple[str, int]:
    function, _, number = key.rpartition("__mutmut_")
    return function, int(number) if number.isdigit() else 0


if __name__ == "__main__":
    sys.exit(main())
