"""Settings: read from LEARNHUB_* variables, and every one of them documented in the README."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hub.settings import ENV_PREFIX, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    missing = [f.name for f in dataclasses.fields(Settings)
               if f.name != "extra" and f"`{ENV_PREFIX}{f.name.upper()}`" not in text]
    assert missing == []


def test_environment_values_are_typed_and_overrides_win() -> None:
    settings = Settings.from_env({"LEARNHUB_PORT": "9090", "LEARNHUB_LOG_JSON": "false",
                                  "LEARNHUB_QUERY_TIMEOUT_SECONDS": "2.5"}, port=7070)
    assert settings.port == 7070 and settings.log_json is False and settings.query_timeout_seconds == 2.5


def test_invalid_environment_value_names_the_variable() -> None:
    with pytest.raises(SystemExit, match="LEARNHUB_PORT"):
        Settings.from_env({"LEARNHUB_PORT": "eighty"})
