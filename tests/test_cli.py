"""The command line: `python -m assistant`, and `train --if-stale`."""

from __future__ import annotations

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
    for command in ("serve", "train", "db", "store", "eval", "protocol-schema"):
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
