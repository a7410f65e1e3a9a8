"""The vendored official schemas (tests/vendor/) as validators that work offline."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft6Validator
from jsonschema import _keywords as keywords
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import extend

VENDOR = Path(__file__).resolve().parents[1] / "vendor"
CARD_SCHEMA = VENDOR / "adaptive-card-1.5.schema.json"
MANIFEST_SCHEMA = VENDOR / "teams-app-manifest-1.29.schema.json"

# The manifest schema says draft-04 but uses draft-06's `const` (manifestVersion "1.29"), which a
# plain draft-04 validator ignores: this one checks it.
Draft4WithConst = extend(Draft4Validator, {"const": keywords.const})


@cache
def card_validator() -> Draft6Validator:
    schema = json.loads(CARD_SCHEMA.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    # The root is `anyOf: [{allOf: [AdaptiveCard]}]`; naming AdaptiveCard directly is the same
    # schema and gives errors that say which property is wrong.
    assert schema.pop("anyOf") == [{"allOf": [{"$ref": "#/definitions/AdaptiveCard"}]}]
    schema["$ref"] = "#/definitions/AdaptiveCard"
    return Draft6Validator(schema)


@cache
def manifest_validator() -> Any:
    # Not check_schema: one pattern (an extension function's name, which our manifest has not)
    # is written with ECMAScript's \p{L}, which Python's re cannot compile.
    schema = json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8"))
    return Draft4WithConst(schema)


def _said(error: ValidationError) -> str:
    """The deepest reason under an anyOf, where the schema says "not valid under any"."""
    reason = best_match(error.context) if error.context else error
    where = "/".join(map(str, reason.absolute_path)) or "(card)"
    return f"{where}: {reason.message[:300]}"


def card_errors(card: dict[str, Any]) -> list[str]:
    """What the Adaptive Card 1.5 schema finds wrong with `card`, after removing the card-level
    `msteams` property, which Teams reads and the 1.5 schema does not know."""
    checked = copy.deepcopy(card)
    checked.pop("msteams", None)
    return [_said(error) for error in card_validator().iter_errors(checked)]


def manifest_errors(manifest: dict[str, Any]) -> list[str]:
    return [_said(error) for error in manifest_validator().iter_errors(manifest)]
