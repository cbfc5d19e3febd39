"""The widget bundle the assistant serves is the one its sources build, and it stays small."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

WIDGET = Path(__file__).resolve().parents[2] / "web_widget"
ESBUILD = WIDGET / "node_modules" / ".bin" / "esbuild"
# The bundle budget: the widget must stay a small script on every store page.
MAX_GZIP_BYTES = 50 * 1024


def _build_to(out: Path) -> None:
    assert ESBUILD.exists(), "run `make install-dev` (it runs `npm ci` in web_widget/)"
    command = json.loads((WIDGET / "package.json").read_text())["scripts"]["build"]
    args = shlex.split(command)
    assert args[0] == "esbuild" and "--outfile=dist/widget.js" in args
    args = [
        str(ESBUILD),
        *(a if a != "--outfile=dist/widget.js" else f"--outfile={out}" for a in args[1:]),
    ]
    subprocess.run(args, cwd=WIDGET, check=True, capture_output=True)


def test_the_committed_bundle_is_what_the_sources_build(tmp_path: Path) -> None:
    out = tmp_path / "widget.js"
    _build_to(out)
    committed = (WIDGET / "dist" / "widget.js").read_bytes()
    assert out.read_bytes() == committed, (
        "web_widget/dist is stale: run `npm run build` in web_widget/"
    )


def test_the_bundle_fits_its_budget() -> None:
    size = len(gzip.compress((WIDGET / "dist" / "widget.js").read_bytes(), 9))
    assert 0 < size <= MAX_GZIP_BYTES


def test_the_assistant_serves_the_bundle_and_the_store_page(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.content == (WIDGET / "dist" / "widget.js").read_bytes()
    page = client.get("/")
    assert page.status_code == 200
    assert '<script src="/widget.js" defer></script>' in page.text
    assert client.get("/static/store.js").status_code == 200
