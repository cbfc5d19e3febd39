"""The language-model layer: one small interface (`LanguageModel`), providers chosen in
`config.yml` (`llm.provider`): `none` (extractive answers, no model), `openai` (vLLM or any
OpenAI-compatible server), `llamacpp` (a local llama.cpp server the assistant starts).

The engine never imports LangChain; only `openai_compat` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.llm.base import ChatMessage, LanguageModel, ModelState

if TYPE_CHECKING:
    from assistant.config import Settings

__all__ = [
    "ChatMessage",
    "LanguageModel",
    "ModelState",
    "build_language_model",
    "build_measured_model",
    "openai_model",
    "with_llm",
]


def _options(settings: Settings) -> dict[str, object]:
    llm = settings.llm
    return {
        "timeout_s": llm.timeout_s,
        "first_token_timeout_s": llm.first_token_timeout_s,
        "max_retries": llm.max_retries,
        "max_tokens": llm.max_tokens,
        "temperature": llm.temperature,
        "breaker_failures": llm.breaker_failures,
        "breaker_reset_s": llm.breaker_reset_s,
        "fold_system": llm.fold_system_prompt,
    }


def openai_model(settings: Settings) -> LanguageModel:
    """The model of provider `openai` (vLLM or any OpenAI-compatible server). Nothing is
    called until it is used, so it may be built outside an event loop."""
    from assistant.llm.openai_compat import OpenAICompatibleModel

    llm = settings.llm
    assert llm.base_url is not None and llm.model is not None  # checked by the settings
    return OpenAICompatibleModel(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key,
        structured_output=(
            "json_schema" if llm.structured_output == "auto" else llm.structured_output
        ),
        **_options(settings),  # type: ignore[arg-type]
    )


def with_llm(settings: Settings, **updates: object) -> Settings:
    """`settings` with some `llm.*` keys replaced (what a measuring command runs with)."""
    return settings.model_copy(update={"llm": settings.llm.model_copy(update=updates)})


async def build_measured_model(settings: Settings) -> LanguageModel:
    """The configured model for `eval`/`bench`, which need one."""
    model = await build_language_model(settings)
    if model is None:
        raise ValueError("llm.provider is none: choose a model with --provider")
    return model


async def build_language_model(settings: Settings) -> LanguageModel | None:
    """The configured model, ready to call; None with provider `none`. A `llamacpp` server is
    started here and stopped by the model's `aclose()`."""
    from assistant.config import LLMProvider
    from assistant.llm.llamacpp import LlamaCppServer
    from assistant.llm.openai_compat import OpenAICompatibleModel

    llm = settings.llm
    if llm.provider == LLMProvider.none:
        return None
    if llm.provider == LLMProvider.openai:
        return openai_model(settings)
    options = _options(settings)

    server = LlamaCppServer(llm.llamacpp, log_path=settings.data_path / "logs" / "llamacpp.log")
    await server.start()
    options["fold_system"] = llm.fold_system_prompt or llm.llamacpp.chat_format == "gemma"
    return OpenAICompatibleModel(
        base_url=server.base_url,
        model=server.model_name,
        provider="llamacpp",
        structured_output=(
            "json_object" if llm.structured_output == "auto" else llm.structured_output
        ),
        on_close=server.stop,
        **options,  # type: ignore[arg-type]
    )
