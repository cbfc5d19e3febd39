"""The command line: `python -m assistant`, and `train --if-stale`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.cli.train import ensure_trained
from assistant.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_python_dash_m_assistant_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "train", "db", "store", "eval", "kb", "protocol-schema"):
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
    assert ensure_trained(settings)[0] is True
    assert ensure_trained(settings)[0] is False


def test_kb_ingest_is_incremental_and_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    policies = tmp_path / "knowledge_base" / "policies"
    policies.mkdir(parents=True)
    (policies / "returns.md").write_text(
        "---\nid: returns\ntitle: Returns\n---\n## Refunds\n\nRefunds take 5 days.\n"
    )
    (policies / "bad.md").write_bytes(b"\xff\xfe broken")
    command = [sys.executable, "-m", "assistant", "--config", str(tmp_path / "config.yml")]

    def run() -> dict[str, object]:
        result = subprocess.run(
            [*command, "kb", "ingest", "--json"], capture_output=True, text=True, check=True
        )
        return dict(json.loads(result.stdout))

    first = run()
    assert (first["added"], first["unchanged"]) == (1, 0)
    assert [p["path"] for p in first["problems"]] == ["policies/bad.md"]  # type: ignore[attr-defined]
    second = run()
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 1)
