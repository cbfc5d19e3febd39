"""The bundles the assistant serves — the shopper's widget, the agents' and the admins'
consoles — are the ones their sources build, and the widget stays small."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

WIDGET = Path(__file__).resolve().parents[2] / "web_widget"
ESBUILD = WIDGET / "node_modules" / ".bin" / "esbuild"
# The bundle budget: the widget must stay a small script on every store page.
MAX_GZIP_BYTES = 50 * 1024
# Each bundle, and the npm script that builds it (`npm run build` runs both).
BUNDLES = {"widget.js": "build", "agent.js": "build:agent", "admin.js": "build:admin"}


def _build_to(bundle: str, out: Path) -> None:
    assert ESBUILD.exists(), "run `make install-dev` (it runs `npm ci` in web_widget/)"
    script = BUNDLES[bundle]
    command = json.loads((WIDGET / "package.json").read_text())["scripts"][script]
    args = shlex.split(command)
    target = f"--outfile=dist/{bundle}"
    assert args[0] == "esbuild" and target in args
    args = [str(ESBUILD), *(a if a != target else f"--outfile={out}" for a in args[1:])]
    subprocess.run(args, cwd=WIDGET, check=True, capture_output=True)


@pytest.mark.parametrize("bundle", sorted(BUNDLES))
def test_the_committed_bundle_is_what_the_sources_build(bundle: str, tmp_path: Path) -> None:
    out = tmp_path / bundle
    _build_to(bundle, out)
    committed = (WIDGET / "dist" / bundle).read_bytes()
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


@pytest.mark.parametrize("console", ["agent", "admin"])
def test_a_console_page_runs_only_its_own_script(console: str, client: TestClient) -> None:
    page = client.get(f"/{console}")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert f'<script src="/{console}.js"' in page.text
    assert "<script>" not in page.text  # nothing inline: the policy would refuse it
    script = client.get(f"/{console}.js")
    assert script.status_code == 200
    assert script.content == (WIDGET / "dist" / f"{console}.js").read_bytes()
