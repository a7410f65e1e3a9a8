"""requirements.lock, which the image installs from, covers pyproject.toml: every runtime dependency and
the build backend pinned at a version its range allows, each with hashes (pip --require-hashes)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def pins() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the lock's `name==version \\ --hash=...` entries."""
    text = (ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    found: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)(.*)", line)
        if match:
            name, version, rest = match.groups()
            found[canonicalize_name(name)] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", rest))
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [Requirement(spec) for spec in
            [*project["project"]["dependencies"], *project["build-system"]["requires"]]]


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_within_its_range() -> None:
    locked = pins()
    problems = []
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{requirement.name}=={locked[name][0]} is outside {requirement.specifier}")
        for extra in requirement.extras:  # psycopg[binary] brings psycopg-binary
            if name == "psycopg" and canonicalize_name(f"psycopg-{extra}") not in locked:
                problems.append(f"psycopg-{extra} (psycopg[{extra}]) is not in requirements.lock")
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def test_every_pin_in_the_lock_has_hashes() -> None:
    locked = pins()
    assert len(locked) > 20
    assert not [name for name, (_, hashes) in locked.items() if not hashes]
