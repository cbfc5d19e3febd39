"""The widget's JavaScript unit tests (web_widget/test/, node's built-in test runner) pass: its
state (seqs, acks, pending sends, what is persisted) and its connection (hello, resume,
back-off, resend) against a fake socket."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[2] / "web_widget"


def test_the_widget_unit_tests_pass() -> None:
    node = shutil.which("node")
    assert node, "node is not on PATH: install Node.js (CI installs npm, which brings it)"
    # The same command as `npm test` in web_widget/.
    args = shlex.split(json.loads((WIDGET / "package.json").read_text())["scripts"]["test"])
    assert args[:2] == ["node", "--test"], args
    result = subprocess.run(
        [node, *args[1:]], cwd=WIDGET, capture_output=True, text=True, timeout=120, check=False
    )
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"`npm test` in web_widget/ failed:\n{output}"
