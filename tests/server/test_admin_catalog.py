"""Catalog import from the admin console: the CSV checked against its mapping before anything
is written, products embedded in the background with progress any worker can report, the
rejected rows reported with their reasons, and the import in the audit log."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import CatalogImport

CSV = (
    "sku,title,cost,type\n"
    "t1,Linen Tea Towel,12.50,Kitchen\n"
    "t2,,9.00,Kitchen\n"
    "t3,Copper Kettle,not a price,Kitchen\n"
    "t4,Oak Bread Board,34.00,Kitchen\n"
)
MAPPING = {"id": "sku", "name": "title", "price": "cost", "category": "type"}


def _finished(client: TestClient, job: int, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        state: dict[str, Any] = client.get(
            f"/api/admin/catalog/imports/{job}", headers=headers
        ).json()
        if state["status"] != "running":
            return state
        assert time.monotonic() < deadline, state
        time.sleep(0.2)


def test_an_import_reports_its_progress_and_the_rows_it_rejected(
    client: TestClient, auth_headers: dict[str, str]
) -> None:
    started = client.post(
        "/api/admin/catalog/imports",
        json={"name": "kitchen", "mapping": MAPPING, "csv": CSV},
        headers=auth_headers,
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert (job["status"], job["rows"], job["total"]) == ("running", 4, 2)
    done = _finished(client, job["id"], auth_headers)
    assert done["status"] == "done", done
    assert (done["done"], done["total"]) == (2, 2)  # both new: both embedded
    assert done["report"]["imported"] == 2
    assert job["report"]["skipped"] == done["report"]["skipped"] == 2  # known before embedding
    assert done["report"]["skipped_rows"] == [
        {"row": 3, "id": "t2", "reason": "no name"},
        {"row": 4, "id": "t3", "reason": "price 'not a price': not a number"},
    ]
    listed = client.get("/api/admin/catalog/imports", headers=auth_headers).json()["imports"]
    assert listed[0]["id"] == job["id"]
    found = client.post(
        "/api/admin/kb/test", json={"question": "do you sell a bread board?"}, headers=auth_headers
    ).json()
    assert any("Oak Bread Board" in p["text"] for p in found["passages"])
    audit = client.get("/api/admin/audit", headers=auth_headers).json()["entries"]
    assert (audit[0]["action"], audit[0]["target"], audit[0]["details"]["products"]) == (
        "catalog.import",
        "kitchen",
        2,
    )


def test_a_mapping_the_file_does_not_fit_is_refused_and_nothing_starts(
    client: TestClient, auth_headers: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    answer = client.post(
        "/api/admin/catalog/imports",
        json={"name": "kitchen", "mapping": {"id": "sku", "name": "missing"}, "csv": CSV},
        headers=auth_headers,
    )
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]["message"]
    assert "missing" in message
    assert "/tmp" not in message  # the admin's file, not the server's copy of it
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CatalogImport)) == 0


def test_a_file_with_no_usable_row_fails_and_says_why(
    client: TestClient, auth_headers: dict[str, str]
) -> None:
    started = client.post(
        "/api/admin/catalog/imports",
        json={"name": "broken", "mapping": MAPPING, "csv": "sku,title,cost,type\nb1,,1,x\n"},
        headers=auth_headers,
    )
    assert started.status_code == 202, started.text
    failed = _finished(client, started.json()["id"], auth_headers)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("broken.csv: no product could be imported from 1 rows")
