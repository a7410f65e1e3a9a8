"""Under mutation testing (`make mutate`), property tests run a fixed, smaller set of examples.

mutmut sets MUTANT_UNDER_TEST before it imports the tests. Each mutant then meets the same 30
examples per property (derandomized: the score does not change from run to run), with no
deadline, so a mutant is never counted as killed merely because the machine was busy.
"""

from __future__ import annotations

import os

from hypothesis import settings

if "MUTANT_UNDER_TEST" in os.environ:
    settings.register_profile("mutation", max_examples=30, deadline=None, derandomize=True, database=None)
    settings.load_profile("mutation")
