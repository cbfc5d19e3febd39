"""The command line: `python -m assistant`, and `train --if-stale`."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from assistant.cli.progress import progress_bar
from assistant.config import load_settings
from assistant.engine.nlu import model as nlu_model
from assistant.engine.nlu.model import ensure_trained
from assistant.engine.nlu.training_data import load_training_data

ROOT = Path(__file__).resolve().parents[1]


def test_python_dash_m_assistant_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "train", "db", "store", "eval", "kb", "users", "protocol-schema"):
        assert command in result.stdout


def test_an_invalid_config_stops_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("server:\n  port: 99999\n")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--config", str(config), "train"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "server.port" in result.stderr


def test_train_if_stale_retrains_only_when_the_data_changes(
    tmp_path: Path, nlu_model_path: Path
) -> None:
    data = tmp_path / "nlu_data"
    shutil.copytree(ROOT / "nlu_data", data)
    model = tmp_path / "nlu.joblib"
    shutil.copy(nlu_model_path, model)
    settings = load_settings(
        ROOT / "config.yml",
        environ={},
        overrides={"nlu.training_data": str(data), "nlu.model_path": str(model)},
    )
    assert ensure_trained(settings)[0] is False
    with (data / "basics.yml").open("a") as handle:
        handle.write("\n- intent: greet\n  examples: |\n    - howdy partner\n")
    reported: list[tuple[int, int]] = []
    assert ensure_trained(settings, progress=lambda *at: reported.append(at))[0] is True
    examples = len(load_training_data(data).examples)
    assert reported[0] == (0, examples) and reported[-1] == (examples, examples)
    assert len(reported) == 2 + (examples - 1) // nlu_model.PROGRESS_BATCH
    assert ensure_trained(settings)[0] is False


class _Embedder:
    """Vectors from the text alone, whatever the batch it comes in."""

    dimension = 8

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [[(hash(text) >> shift) % 7 / 7 for shift in range(8)] for text in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 8)


def test_training_by_batches_for_its_progress_trains_the_same_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = load_training_data(ROOT / "nlu_data")
    data = replace(full, examples=full.examples[::4])
    monkeypatch.setattr(nlu_model, "PROGRESS_BATCH", 100)
    reported: list[tuple[int, int]] = []
    batched = nlu_model.NLUModel.train(
        data, _Embedder(), threshold=0.4, progress=lambda *at: reported.append(at)
    )
    whole = nlu_model.NLUModel.train(data, _Embedder(), threshold=0.4)
    total = len(data.examples)
    assert reported == [(0, total), *((min(n, total), total) for n in range(100, total + 100, 100))]
    texts = ["where is my order", "I want to return the boots"]
    assert [r.intent for r in batched.parse_many(texts)] == [
        r.intent for r in whole.parse_many(texts)
    ]


def _drawn(*, terminal: bool, quiet: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=100)
    with progress_bar("embedding", quiet=quiet, console=console, finishing="fitting") as advance:
        advance(5, 10)
        advance(10, 10)
    return out.getvalue()


def test_progress_is_drawn_on_a_terminal_unless_quiet() -> None:
    drawn = _drawn(terminal=True, quiet=False)
    assert "fitting" in drawn and "10/10" in drawn
    assert _drawn(terminal=True, quiet=True) == ""
    # Off a terminal (a pipe, a log file, CI) nothing is drawn.
    assert _drawn(terminal=False, quiet=False) == ""


def test_no_bar_when_there_is_nothing_to_do() -> None:
    out = io.StringIO()
    with progress_bar("embedding", quiet=False, console=Console(file=out, force_terminal=True)):
        pass
    assert out.getvalue() == ""


def test_kb_ingest_is_incremental_and_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    policies = tmp_path / "knowledge_base" / "policies"
    policies.mkdir(parents=True)
    (policies / "returns.md").write_text(
        "---\nid: returns\ntitle: Returns\n---\n## Refunds\n\nRefunds take 5 days.\n"
    )
    (policies / "bad.md").write_bytes(b"\xff\xfe broken")
    command = [sys.executable, "-m", "assistant", "--config", str(tmp_path / "config.yml")]

    def run(*flags: str) -> dict[str, object]:
        result = subprocess.run(
            [*command, "kb", "ingest", "--json", *flags],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "AISLE_LOG_FORMAT": "json"},
        )
        # Logs in JSON lines on stderr, and nothing else there: no bars off a terminal.
        logs = [json.loads(line) for line in result.stderr.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(line) for line in logs)
        return dict(json.loads(result.stdout))

    first = run()
    assert (first["added"], first["unchanged"]) == (1, 0)
    assert [p["path"] for p in first["problems"]] == ["policies/bad.md"]  # type: ignore[attr-defined]
    second = run("--quiet")
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 1)
