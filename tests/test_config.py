"""Typed settings: config.yml, environment overrides, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import LLMProvider, load_settings
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_config_loads_with_embedded_defaults() -> None:
    settings = load_settings(ROOT / "config.yml", environ={})
    assert settings.llm.provider is LLMProvider.none
    assert settings.database_url == f"sqlite:///{ROOT / 'data' / 'aisle.db'}"
    assert settings.channels.max_message_bytes == 4096


def test_environment_overrides_are_typed(tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config.yml",
        environ={
            "AISLE_PORT": "9001",
            "AISLE_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "AISLE_ALLOWED_ORIGINS": "https://shop.example, https://www.shop.example",
        },
    )
    assert settings.server.port == 9001
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.channels.allowed_origins == ["https://shop.example", "https://www.shop.example"]


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"AISLE_PORT": "not-a-port"}, "server.port"),
        ({"AISLE_LLM_PROVIDER": "gpt"}, "llm.provider"),
        ({"AISLE_DATABASE_URL": "mysql://x"}, "database.url"),
        ({"AISLE_ALLOWED_ORIGINS": "shop.example"}, "channels.allowed_origins"),
        # An OpenAI-compatible server needs its address and model name.
        ({"AISLE_LLM_PROVIDER": "openai"}, "llm.base_url"),
    ],
)
def test_an_invalid_value_names_its_key(environ: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ROOT / "config.yml", environ=environ)
    assert key in caught.value.message


def test_unknown_keys_and_bad_files_are_refused(tmp_path: Path) -> None:
    typo = tmp_path / "config.yml"
    typo.write_text("servr:\n  port: 1\n")
    with pytest.raises(ConfigError, match="servr"):
        load_settings(typo, environ={})
    broken = tmp_path / "broken.yml"
    broken.write_text("server: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(broken, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.yml", environ={})


def test_production_refuses_a_placeholder_token() -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        load_settings(
            ROOT / "config.yml",
            environ={
                "AISLE_ENVIRONMENT": "production",
                "AISLE_API_TOKEN": "changeme-changeme-changeme",
            },
        )


def test_the_identity_secret_comes_from_the_environment_and_empty_disables_it() -> None:
    secret = "s" * 32
    settings = load_settings(ROOT / "config.yml", environ={"AISLE_IDENTITY_SECRET": secret})
    assert settings.channels.identity_secret == secret
    assert load_settings(ROOT / "config.yml", environ={}).channels.identity_secret is None
    empty = load_settings(ROOT / "config.yml", environ={"AISLE_IDENTITY_SECRET": ""})
    assert empty.channels.identity_secret is None


def test_a_short_or_placeholder_identity_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"channels\.identity_secret"):
        load_settings(ROOT / "config.yml", environ={"AISLE_IDENTITY_SECRET": "too-short"})
    with pytest.raises(ConfigError, match=r"channels\.identity_secret is a placeholder"):
        load_settings(
            ROOT / "config.yml",
            environ={
                "AISLE_ENVIRONMENT": "production",
                "AISLE_IDENTITY_SECRET": "changeme-changeme-changeme-changeme",
            },
        )
