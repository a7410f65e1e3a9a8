"""The Teams app package a Teams admin uploads: teams/manifest.json with the council's ids and
addresses filled in, and its two icons, in one zip (manifest.json, color.png, outline.png).

The template's `${{NAME}}` placeholders are filled here and nowhere else; a bad id or address
is refused with a sentence saying what is wrong, before anything is written.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "teams"
MANIFEST = "manifest.json"
ICONS = ("color.png", "outline.png")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
# A fixed timestamp for the zip's entries: the same inputs give the same bytes.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """What is wrong with the package's inputs, in words for the person building it."""


@dataclass(frozen=True, slots=True)
class PackageInputs:
    app_id: str  # the Teams app's own id (a GUID, new for each council's app)
    bot_id: str  # the bot's Microsoft App ID: the Entra app registration's client id (TEAMS_CLIENT_ID)
    website_url: str
    privacy_url: str
    terms_url: str
    version: str


def check_guid(value: str, what: str) -> str:
    """`value` as a GUID, or PackageError. The all-zero GUID is a placeholder, not an id."""
    value = value.strip()
    if not _GUID.match(value):
        raise PackageError(
            f"The {what} must be a GUID such as 1a2b3c4d-0000-4000-8000-123456789abc "
            f"(36 characters, hexadecimal in groups of 8-4-4-4-12); '{value}' is not one."
        )
    if set(value.replace("-", "")) == {"0"}:
        raise PackageError(f"The {what} is all zeros: that is a placeholder, not a real id.")
    return value.lower()


def check_https(value: str, what: str) -> str:
    value = value.strip()
    if not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", value):
        raise PackageError(f"The {what} must be an https:// address, such as https://kpibot.example.gov.uk; "
                           f"'{value}' is not one.")
    return value


def check_version(value: str) -> str:
    if not _SEMVER.match(value.strip()):
        raise PackageError(f"The app version must be three numbers, such as 1.0.0; '{value}' is not.")
    return value.strip()


def manifest(inputs: PackageInputs, template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The template with every placeholder filled; PackageError if one is left unfilled."""
    values = {
        "TEAMS_APP_ID": check_guid(inputs.app_id, "Teams app id (--app-id)"),
        "BOT_ID": check_guid(inputs.bot_id, "bot id (--bot-id, the app registration's client id)"),
        "WEBSITE_URL": check_https(inputs.website_url, "website address (--website-url)"),
        "PRIVACY_URL": check_https(inputs.privacy_url, "privacy notice address (--privacy-url)"),
        "TERMS_URL": check_https(inputs.terms_url, "terms of use address (--terms-url)"),
        "APP_VERSION": check_version(inputs.version),
    }
    text = _template(template_dir)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"The manifest template asks for {name}, which this command does not fill.")
        # json.dumps then strip the quotes: the value is written as JSON string content.
        return json.dumps(values[name])[1:-1]

    filled: dict[str, Any] = json.loads(_PLACEHOLDER.sub(fill, text))
    return filled


def _template(template_dir: Path) -> str:
    path = template_dir / MANIFEST
    if not path.is_file():
        raise PackageError(
            f"The Teams app template is not at {path}: run this from a checkout of kpibot, "
            "or say where the teams/ folder is with --template."
        )
    missing = [name for name in ICONS if not (template_dir / name).is_file()]
    if missing:
        raise PackageError(f"The icons {', '.join(missing)} are missing from {template_dir}.")
    return path.read_text(encoding="utf-8")


def build(inputs: PackageInputs, output: Path, template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """Write the zip at `output` (manifest.json and the icons at its root, as Teams wants them)
    and return the manifest in it. Nothing is written if an input is refused."""
    filled = manifest(inputs, template_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as package:
        _add(package, MANIFEST, (json.dumps(filled, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        for name in ICONS:
            _add(package, name, (template_dir / name).read_bytes())
    partial.replace(output)
    return filled


def _add(package: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    package.writestr(entry, data)
