"""teams/manifest.json, filled in by the real `kpibot teams package`, is a valid Teams app
manifest 1.29 (the vendored official schema); the zip holds what a Teams admin uploads."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli import build
from bot.teams.package import TEMPLATE_DIR
from tests.teams.schemas import manifest_errors

APP_ID = "6d1f3c2a-8b4e-4f6a-9c1d-2e3f4a5b6c7d"
BOT_ID = "0f9e8d7c-6b5a-4948-8372-615049382716"


def package(tmp_path: Path, *options: str, name: str = "kpibot-teams.zip") -> tuple[Any, Path]:
    output = tmp_path / name
    result = CliRunner().invoke(build(), ["teams", "package", *options, "--output", str(output)])
    return result, output


def unzipped(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def test_the_package_is_a_valid_manifest_with_the_ids_filled_in_and_the_two_icons(tmp_path: Path) -> None:
    result, output = package(tmp_path, "--app-id", APP_ID, "--bot-id", BOT_ID.upper(),
                             "--website-url", "https://kpibot.brackenford.gov.uk")
    assert result.exit_code == 0, result.output
    assert f"Teams app {APP_ID}" in result.output
    files = unzipped(output)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(files["manifest.json"])
    assert manifest_errors(manifest) == []
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["manifestVersion"] == "1.29" and manifest["version"] == "0.1.0"
    assert manifest["developer"]["privacyUrl"] == "https://kpibot.brackenford.gov.uk"
    assert "${{" not in files["manifest.json"].decode()
    for name in ("color.png", "outline.png"):
        assert files[name] == (TEMPLATE_DIR / name).read_bytes()
        assert manifest["icons"][name.removesuffix(".png")] == name


def test_the_bot_answers_kpi_scorecard_concern_and_help_in_every_scope(tmp_path: Path) -> None:
    result, output = package(tmp_path, "--app-id", APP_ID, "--bot-id", BOT_ID)
    assert result.exit_code == 0, result.output
    bot = json.loads(unzipped(output)["manifest.json"])["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    by_scope = {scope: [command["title"] for command in listed["commands"]]
                for listed in bot["commandLists"] for scope in listed["scopes"]}
    commands = ["kpi", "scorecard", "concern", "help"]
    assert by_scope == {scope: commands for scope in ("personal", "team", "groupChat")}


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--app-id", "kpibot", "--bot-id", BOT_ID], "Teams app id (--app-id) must be a GUID"),
        (["--app-id", APP_ID, "--bot-id", BOT_ID[:-1]], "bot id (--bot-id"),
        (["--app-id", APP_ID, "--bot-id", "{" + BOT_ID + "}"], "bot id (--bot-id"),
        (["--app-id", "00000000-0000-0000-0000-000000000000", "--bot-id", BOT_ID], "all zeros"),
        (["--app-id", APP_ID, "--bot-id", BOT_ID, "--website-url", "http://kpibot.example.gov.uk"],
         "must be an https:// address"),
        (["--app-id", APP_ID, "--bot-id", BOT_ID, "--app-version", "1.0"], "three numbers"),
    ],
)
def test_a_bad_id_or_address_is_refused_clearly_and_nothing_is_written(
    tmp_path: Path, options: list[str], said: str
) -> None:
    result, output = package(tmp_path, *options)
    assert result.exit_code == 2
    assert "Cannot build the Teams package" in result.output and said in result.output
    assert not output.exists() and not list(tmp_path.iterdir())


def test_a_missing_template_is_said_not_a_traceback(tmp_path: Path) -> None:
    result, _ = package(tmp_path, "--app-id", APP_ID, "--bot-id", BOT_ID, "--template", str(tmp_path / "no"))
    assert result.exit_code == 2 and "run this from a checkout of kpibot" in result.output


def test_the_same_inputs_give_the_same_zip(tmp_path: Path) -> None:
    first = package(tmp_path, "--app-id", APP_ID, "--bot-id", BOT_ID, name="a.zip")[1].read_bytes()
    second = package(tmp_path, "--app-id", APP_ID, "--bot-id", BOT_ID, name="b.zip")[1].read_bytes()
    assert first == second


def test_the_committed_icons_are_what_the_script_draws_and_what_teams_asks_for() -> None:
    spec = importlib.util.spec_from_file_location("teams_icons", TEMPLATE_DIR / "icons.py")
    assert spec is not None and spec.loader is not None
    icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(icons)
    color = Image.open(TEMPLATE_DIR / "color.png")
    outline = Image.open(TEMPLATE_DIR / "outline.png")
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert color.tobytes() == icons.color_icon().tobytes()
    assert outline.tobytes() == icons.outline_icon().tobytes()
    # The outline icon: white on a transparent background, nothing else.
    pixels = set(outline.convert("RGBA").get_flattened_data())
    assert pixels == {(255, 255, 255, 255), (0, 0, 0, 0)}
    # The colour icon is fully opaque, in the manifest's accent colour and white.
    manifest = (TEMPLATE_DIR / "manifest.json").read_text()
    accent = json.loads(manifest)["accentColor"]
    assert accent == icons.ACCENT
    rgb = tuple(int(accent[i : i + 2], 16) for i in (1, 3, 5))
    assert set(color.convert("RGBA").get_flattened_data()) == {(*rgb, 255), (255, 255, 255, 255)}


def test_the_schema_refuses_the_template_until_its_placeholders_are_filled() -> None:
    """The check above can fail: the unfilled template is not a manifest Teams would take."""
    errors = manifest_errors(json.loads((TEMPLATE_DIR / "manifest.json").read_text()))
    assert any(error.startswith("id:") for error in errors)
    assert any(error.startswith("bots/0/botId:") for error in errors)
    assert any(error.startswith("developer/websiteUrl:") for error in errors)
