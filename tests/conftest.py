"""Shared fixtures: where ../shared is, and a clean environment for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LAIT = SHARED / "data" / "lait"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's real tokens or database must never leak into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "KPIBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(scope="session")
def lait_dir() -> Path:
    """DfE LAIT data beside the project; tests that need it skip cleanly without it."""
    if not (LAIT / "bds_long_0.parquet").exists():
        pytest.skip(f"DfE LAIT data not found at {LAIT} (../shared is absent)")
    return LAIT


# --------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server for the store's tests: one per test session (per xdist worker).


def _postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    import shutil

    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


# The test server's one role that logs in with a password (see `PostgresServer`).
PASSWORD_ROLE = "kpibot_password"


class PostgresServer:
    """A throwaway PostgreSQL server in a temporary folder that a test may stop and start again.

    initdb refuses to run as root, so as root the server runs as the `postgres` system user.
    """

    def __init__(self) -> None:
        import shutil
        import subprocess
        import tempfile

        bin_dir = _postgres_bin()
        if bin_dir is None:
            pytest.skip(
                "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
                "/usr/lib/postgresql/*/bin: install the postgresql package to run these tests"
            )
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="kpibot-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            import pwd

            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.folder, ignore_errors=True)
                pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        subprocess.run(
            [*self.prefix, str(bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"],
            check=True, capture_output=True,
        )
        # One role must give its password (the rest are trusted), so that a test can try a wrong one.
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        import subprocess
        import time

        ports = [self.port] if self.port else [free_port() for _ in range(5)]
        for port in ports:
            options = (
                f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=80"
            )
            started = subprocess.run(
                [*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                 "-o", options, "-w", "-t", "60", "start"],
                capture_output=True,
            )
            if started.returncode == 0:
                self.port = port
                return
            time.sleep(0.2)  # another worker took the port between probing and binding
        message = self.log.read_text() if self.log.exists() else started.stderr.decode()
        pytest.fail(f"PostgreSQL did not start:\n{message}")

    def stop(self, mode: str = "fast") -> None:
        import subprocess

        subprocess.run(
            [*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            capture_output=True,
        )

    def remove(self) -> None:
        import shutil

        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the session (per xdist worker); yields the URL of its `postgres`
    database."""
    server = PostgresServer()
    try:
        server.start()
        yield server.url
    finally:
        server.remove()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server for one test; dropped afterwards."""
    import uuid

    import psycopg

    name = f"kpibot_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SAMPLE_COUNCIL = REPO / "data" / "sample"


@pytest.fixture(scope="session")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample council loaded once into a SQLite file: a template to copy, never to write."""
    from data.db import make_engine
    from data.load import load_path

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    load_path(engine, SAMPLE_COUNCIL)
    engine.dispose()
    return path


@pytest.fixture
def sample_store_url(sample_database: Path, tmp_path: Path) -> str:
    """A private copy of the loaded sample council for one test: its URL."""
    import shutil

    path = tmp_path / "store.sqlite"
    shutil.copyfile(sample_database, path)
    return f"sqlite:///{path}"
