"""What did the member mean? Text -> an indicator (with period and ward), a cluster, a command,
a glossary term, a scrutiny question, a short did-you-mean list, or "not found".

Members type what they remember: acronyms (`CLA rate`), plain words (`kids missing school`),
the catalogue's aliases, typos, an indicator code, a cluster name, a ward and a period, in any
order. The rule that shapes everything here (chat-and-workflow.md): a wrong indicator answered
confidently is worse than a question back. So an indicator comes back on its own only when
every meaningful word the member typed is explained by it and no other indicator comes close;
otherwise a did-you-mean list; and nothing at all unless some domain word matched.

How: the catalogue and the query go through the same normalisation (words.py: words, singulars,
a light stem, then the vocabulary's acronyms and synonyms rewritten to one canonical spelling;
typos.py mends misspellings), so matching is on canonical tokens, weighted by how rare a token
is across the catalogue (index.py: IDF) and decided in ranking.py. Periods (periods_asked.py),
wards and councils (places.py) and glossary questions (glossary_questions.py) are taken out
first; resolve.py says in which order. The vocabulary is data (`vocabulary.toml`,
`Vocabulary.from_toml`, vocabulary.py), read by the caller.
Pure: no I/O and no clock (`today` comes in), stdlib and rapidfuzz only.

The public surface is what this file imports. The modules import one another one way only
(resolve, then ranking and glossary_questions, index, places and typos, words, resolution,
periods_asked and vocabulary: an import-linter contract in pyproject.toml), never this file.
"""

from scorecard.scrutiny_words import Scrutiny, ScrutinyKind
from scorecard.understanding.periods_asked import PeriodKind, RequestedPeriod, extract_period
from scorecard.understanding.places import COUNCILS_FILE, parse_places
from scorecard.understanding.resolution import (
    Choices,
    ClusterMatch,
    Command,
    GlossaryMatch,
    IndicatorMatch,
    NotFound,
    Resolution,
)
from scorecard.understanding.resolve import QueryIndex, resolve
from scorecard.understanding.vocabulary import (
    DEFAULT_VOCABULARY_FILE,
    CommandName,
    Vocabulary,
    VocabularyError,
)

__all__ = [
    "COUNCILS_FILE",
    "DEFAULT_VOCABULARY_FILE",
    "Choices",
    "ClusterMatch",
    "Command",
    "CommandName",
    "GlossaryMatch",
    "IndicatorMatch",
    "NotFound",
    "PeriodKind",
    "QueryIndex",
    "RequestedPeriod",
    "Resolution",
    "Scrutiny",
    "ScrutinyKind",
    "Vocabulary",
    "VocabularyError",
    "extract_period",
    "parse_places",
    "resolve",
]
