"""Typed settings: config.yml, environment overrides, errors that name the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.config import LLMProvider, load_settings
from assistant.config.production import GENERATE
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
# Secrets as `secrets.token_urlsafe(32)` makes them (fixed here, so every run checks the same).
STRONG = "Qm3vT9xK2pLr7WcN8bZy4HdF6jGs1AeU0oIqVw5tRkE"
STRONG_2 = "h7D2kP9sLq4WzX1cVb8NmR3tYf6GjU0eAo5iKwTnQrS"


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
    ("environ", "named"),
    [
        ({"AISLE_PORT": "not-a-port"}, "AISLE_PORT (server.port): "),
        ({"AISLE_LOG_FORMAT": "xml"}, "AISLE_LOG_FORMAT (server.log_format): "),
        (
            {"AISLE_ALLOWED_ORIGINS": "shop.example"},
            "AISLE_ALLOWED_ORIGINS (channels.allowed_origins): ",
        ),
        ({"AISLE_API_TOKEN": "short"}, "AISLE_API_TOKEN (security.api_token): "),
        # A section's own check names the variables that set values in it.
        ({"AISLE_LLM_PROVIDER": "openai"}, "AISLE_LLM_PROVIDER (llm): "),
    ],
)
def test_a_bad_value_from_the_environment_is_named_by_its_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ROOT / "config.yml", environ=environ)
    assert named in caught.value.message


def test_a_bad_value_from_the_file_or_an_override_names_only_its_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("server:\n  port: not-a-port\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "server.port: " in caught.value.message and "AISLE_PORT" not in caught.value.message
    # An explicit override wins over the environment, and so is not reported under its name.
    with pytest.raises(ConfigError) as caught:
        load_settings(
            ROOT / "config.yml", environ={"AISLE_PORT": "9000"}, overrides={"server.port": "x"}
        )
    assert "server.port: " in caught.value.message and "AISLE_PORT" not in caught.value.message


def _production(**environ: str) -> dict[str, str]:
    return {"AISLE_ENVIRONMENT": "production", "AISLE_API_TOKEN": STRONG, **environ}


def test_production_starts_with_real_secrets() -> None:
    settings = load_settings(
        ROOT / "config.yml",
        environ=_production(
            AISLE_IDENTITY_SECRET=STRONG_2,
            AISLE_ALLOWED_ORIGINS="https://shop.example.com",
        ),
    )
    assert settings.environment == "production"
    assert settings.security.api_token == STRONG


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("CHANGE_ME_CHANGE_ME_CHANGE_ME_CHANGE_ME", "placeholder word 'changeme'"),
        ("Change-Me-Please-9f8e7d6c5b4a3f2e1d0c", "placeholder word 'changeme'"),
        ("my-PLACEHOLDER-token-9f8e7d6c5b4a3f2e1d0c", "placeholder word 'placeholder'"),
        ("example-key-0123456789abcdefghijklmnop", "placeholder word 'example'"),
        ("super_Secret_value_0123456789abcdefghij", "placeholder word 'secret'"),
        ("Password1234567890abcdefghijklmnopqrst", "placeholder word 'password'"),
        ("test-token-0123456789abcdefghijklmnopq", "placeholder ('test'"),
        ("sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder ('xxxx'"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "placeholder ('aaaa'"),
        ("Qm3vT9xK2pLr7WcN8bZy4HdF6jG", "32 characters"),
        ("ab12ab12ab12ab12ab12ab12ab12ab12ab12", "fewer than 10 distinct characters"),
    ],
)
def test_production_refuses_a_weak_secret_wherever_it_is(secret: str, why: str) -> None:
    for variable, key in (
        ("AISLE_API_TOKEN", "security.api_token"),
        ("AISLE_IDENTITY_SECRET", "channels.identity_secret"),
        ("AISLE_LLM_API_KEY", "llm.api_key"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings(ROOT / "config.yml", environ=_production(**{variable: secret}))
        assert f"{variable} ({key}): " in caught.value.message
        assert why in caught.value.message
        # The message says why, never what the secret is.
        assert secret not in caught.value.message


def test_production_names_the_key_of_a_weak_secret_from_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("environment: production\nsecurity:\n  api_token: CHANGE_ME_CHANGE_ME\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "security.api_token: contains the placeholder word" in caught.value.message
    assert "AISLE_API_TOKEN (" not in caught.value.message


def test_development_and_test_keep_short_tokens() -> None:
    for environment in ("development", "test"):
        settings = load_settings(
            ROOT / "config.yml",
            environ={
                "AISLE_ENVIRONMENT": environment,
                "AISLE_API_TOKEN": "test-token-0123456789",
                "AISLE_ALLOWED_ORIGINS": "*",
            },
        )
        assert settings.security.api_token == "test-token-0123456789"


def test_production_needs_an_api_token() -> None:
    with pytest.raises(ConfigError, match=r"security\.api_token: required in production"):
        load_settings(ROOT / "config.yml", environ={"AISLE_ENVIRONMENT": "production"})


def test_production_refuses_any_origin() -> None:
    with pytest.raises(
        ConfigError, match=r"AISLE_ALLOWED_ORIGINS \(channels\.allowed_origins\): '\*'"
    ):
        load_settings(
            ROOT / "config.yml",
            environ=_production(AISLE_ALLOWED_ORIGINS="https://shop.example.com,*"),
        )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            ROOT / "config.yml",
            environ={
                "AISLE_ENVIRONMENT": "production",
                "AISLE_API_TOKEN": "aaaaaaaaaaaaaaaa",
                "AISLE_ALLOWED_ORIGINS": "*",
            },
        )
    assert "AISLE_API_TOKEN (security.api_token)" in caught.value.message
    assert "AISLE_ALLOWED_ORIGINS (channels.allowed_origins)" in caught.value.message


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
    with pytest.raises(ConfigError, match=r"AISLE_IDENTITY_SECRET \(channels\.identity_secret\)"):
        load_settings(
            ROOT / "config.yml",
            environ={
                "AISLE_ENVIRONMENT": "production",
                "AISLE_API_TOKEN": STRONG,
                "AISLE_IDENTITY_SECRET": "changeme-changeme-changeme-changeme",
            },
        )


def test_the_documented_production_setup_starts_only_with_real_secrets() -> None:
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = deploy.split("## A production setup", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    exported = dict(re.findall(r"(AISLE_[A-Z_]+)=(\"[^\"]*\"|\S+)", block))
    # Secrets come from outside the page (a secret store, the store's own key)...
    secrets = {name for name, value in exported.items() if "$" in value}
    assert {"AISLE_API_TOKEN", "AISLE_IDENTITY_SECRET"} <= secrets
    settings = {name: value for name, value in exported.items() if name not in secrets}
    assert settings["AISLE_ENVIRONMENT"] == "production"
    # ...and the page shows how to make one.
    assert GENERATE in deploy
    real = dict(zip(sorted(secrets), (STRONG, STRONG_2), strict=True))
    started = load_settings(ROOT / "config.yml", environ={**settings, **real})
    assert started.environment == "production"
    for placeholder in ("CHANGE_ME_CHANGE_ME", "aaaaaaaaaaaaaaaa", "changeme-" * 4):
        with pytest.raises(ConfigError, match="AISLE_API_TOKEN"):
            load_settings(
                ROOT / "config.yml",
                environ={**settings, **real, "AISLE_API_TOKEN": placeholder},
            )
