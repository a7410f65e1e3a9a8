"""Catalogues for query understanding, built the real way: files -> loader -> SQLite -> store."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from real_councils import UNSEEN_COUNCIL, Council, load_council, read_rows
from sqlalchemy.orm import Session

from data import store
from data.db import ensure_schema, make_engine
from data.lait import lait_frames
from data.load import load_frames, load_path
from scorecard.model import Indicator
from scorecard.understanding import DEFAULT_VOCABULARY_FILE, QueryIndex, Vocabulary

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
QUERIES = Path(__file__).with_name("queries.tsv")


def read_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package, read as the handlers read it."""
    text = resources.files("scorecard").joinpath(DEFAULT_VOCABULARY_FILE).read_text(encoding="utf-8")
    return Vocabulary.from_toml(text)


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return read_vocabulary()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Indicator], list[str]]:
    """The sample council loaded into a SQLite file: its catalogue and glossary terms."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sample')}/store.db")
    load_path(engine, SAMPLE)
    with Session(engine) as session:
        result = store.catalogue(session), [entry.term for entry in store.glossary(session)]
    engine.dispose()
    return result


@pytest.fixture(scope="session")
def sample_catalogue(sample_store: tuple[list[Indicator], list[str]]) -> list[Indicator]:
    return sample_store[0]


@pytest.fixture(scope="session")
def sample_glossary(sample_store: tuple[list[Indicator], list[str]]) -> list[str]:
    return sample_store[1]


@pytest.fixture(scope="session")
def lait_catalogue(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Indicator]:
    """DfE LAIT's measures as a catalogue (the indicators only: figures are not needed to
    understand a query), loaded through the same loader and store as a council's databook."""
    frames = lait_frames(lait_dir / "bds_long_0.parquet", la="Rotherham").frames
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('lait')}/store.db")
    ensure_schema(engine)
    with Session(engine) as session:
        load_frames(session, {"indicators": frames["indicators"]}, "LAIT")
        session.commit()
        catalogue = store.catalogue(session)
    engine.dispose()
    return catalogue


@pytest.fixture(scope="session")
def sample_index(sample_catalogue: list[Indicator], vocabulary: Vocabulary) -> QueryIndex:
    return QueryIndex.build(sample_catalogue, vocabulary)


@pytest.fixture(scope="session")
def lait_index(lait_catalogue: list[Indicator], vocabulary: Vocabulary) -> QueryIndex:
    return QueryIndex.build(lait_catalogue, vocabulary)


@pytest.fixture(scope="session")
def real_councils(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Council]]:
    """The councils of real_councils.tsv, each loaded once with the real `kpibot load-lait`."""
    names = sorted({row.council for row in read_rows()})
    loaded = {name: load_council(lait_dir, name, tmp_path_factory.mktemp(name)) for name in names}
    yield loaded
    for council in loaded.values():
        council.engine.dispose()


@pytest.fixture(scope="session")
def unseen_council(lait_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Council]:
    """The council of unseen_council.tsv, loaded with the real `kpibot load-lait`."""
    (name,) = {row.council for row in read_rows(UNSEEN_COUNCIL)}
    council = load_council(lait_dir, name, tmp_path_factory.mktemp(name))
    yield council
    council.engine.dispose()
