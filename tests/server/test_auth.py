"""Staff sign-in (`/api/auth/...`) and who may use the agent and admin APIs: cookies, CSRF,
origins, roles and the rate limit on sign-in attempts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.persistence.models import Conversation
from assistant.server.staff import AdminCaller
from assistant.staff.accounts import add_account
from tests.protocol_frames import ORIGIN, Chat

PASSWORD = "correct horse battery"
OWN = {"Origin": "http://testserver"}


@pytest.fixture
def staff(session_factory: sessionmaker[Session], client: TestClient) -> None:
    for email, role in (("dana@shop.example", "agent"), ("ari@shop.example", "admin")):
        name = email.split("@")[0].title()
        add_account(session_factory, email=email, name=name, role=role, password=PASSWORD)


def _login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=OWN
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_signing_in_sets_a_strict_httponly_cookie_and_answers_a_csrf_token(
    client: TestClient, staff: None
) -> None:
    response = client.post(
        "/api/auth/login", json={"email": "DANA@shop.example ", "password": PASSWORD}, headers=OWN
    )
    assert response.status_code == 200, response.text
    assert response.json()["user"] == {
        "id": 1,
        "email": "dana@shop.example",
        "name": "Dana",
        "role": "agent",
    }
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    me = client.get("/api/auth/me", headers=OWN)
    assert me.status_code == 200 and me.json() == response.json()


@pytest.mark.parametrize("email", ["dana@shop.example", "nobody@shop.example"])
def test_a_wrong_password_and_an_unknown_address_get_the_same_401(
    client: TestClient, staff: None, email: str
) -> None:
    response = client.post(
        "/api/auth/login", json={"email": email, "password": "not the password"}, headers=OWN
    )
    assert response.status_code == 401
    assert response.json()["error"] == {
        "message": "wrong email address or password",
        "type": "Unauthorized",
        "code": "unauthorized",
    }
    assert "set-cookie" not in response.headers
    assert client.get("/api/auth/me", headers=OWN).status_code == 401


def test_sign_in_attempts_are_rate_limited_per_client_even_with_the_right_password(
    make_settings: Callable[..., Settings], session_factory: sessionmaker[Session]
) -> None:
    from assistant.server.app import create_app

    settings = make_settings(**{"security.login_rate_limit_per_client": "3/minute"})
    with TestClient(create_app(settings)) as client:
        add_account(
            session_factory, email="dana@shop.example", name="Dana", role="agent", password=PASSWORD
        )
        for attempt in range(3):
            wrong = client.post(
                "/api/auth/login",
                json={"email": f"guess{attempt}@shop.example", "password": "guess"},
                headers=OWN,
            )
            assert wrong.status_code == 401
        limited = client.post(
            "/api/auth/login",
            json={"email": "dana@shop.example", "password": PASSWORD},
            headers=OWN,
        )
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert limited.json()["error"]["details"]["retry_after_s"] >= 1


def test_another_sites_page_cannot_sign_in_or_use_a_session(
    client: TestClient, staff: None
) -> None:
    evil = {"Origin": "https://evil.example"}
    refused = client.post(
        "/api/auth/login", json={"email": "dana@shop.example", "password": PASSWORD}, headers=evil
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "origin_not_allowed"
    _login(client, "dana@shop.example")
    used = client.get("/api/agent/handoffs", headers=evil)
    assert used.status_code == 403 and used.json()["error"]["code"] == "origin_not_allowed"


def test_state_changes_need_the_sessions_csrf_token(client: TestClient, staff: None) -> None:
    csrf = _login(client, "dana@shop.example")
    assert client.get("/api/agent/handoffs", headers=OWN).status_code == 200
    url = "/api/agent/conversations/0123456789abcdef0123456789abcdef/handback"
    for sent in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.post(url, headers={**OWN, **sent})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_refused"
    # With it, the request gets past the door (and finds no such conversation).
    allowed = client.post(url, headers={**OWN, "X-CSRF-Token": csrf})
    assert allowed.status_code == 404, allowed.text


def test_signing_out_ends_the_session_on_the_server(client: TestClient, staff: None) -> None:
    csrf = _login(client, "dana@shop.example")
    stolen = dict(client.cookies)
    assert client.post("/api/auth/logout", headers=OWN).status_code == 403  # no CSRF token
    out = client.post("/api/auth/logout", headers={**OWN, "X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert client.get("/api/auth/me", headers=OWN).status_code == 401
    # A copy of the cookie taken before signing out opens nothing.
    client.cookies.update(stolen)
    assert client.get("/api/agent/handoffs", headers=OWN).status_code == 401


def _routes(client: TestClient, prefix: str) -> Iterator[tuple[str, str]]:
    """Every documented route under `prefix` (the OpenAPI document lists them all)."""
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in sorted(paths.items()):
        if path.startswith(prefix):
            concrete = path.replace("{conversation_id}", "0123456789abcdef0123456789abcdef")
            for method in sorted(operations):
                yield method.upper(), concrete


def test_every_agent_route_needs_a_signed_in_agent_or_the_api_token(
    client: TestClient, staff: None, auth_headers: dict[str, str]
) -> None:
    routes = list(_routes(client, "/api/agent/"))
    assert len(routes) >= 6
    for method, path in routes:
        anonymous = client.request(method, path, headers=OWN)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        wrong_token = client.request(method, path, headers={**OWN, "Authorization": "Bearer x"})
        assert wrong_token.status_code == 401, (method, path)
        machine = client.request(
            method, path, headers=auth_headers, json={"agent": "Bot", "text": "hi"}
        )
        assert machine.status_code not in (401, 403), (method, path, machine.text)
    for email in ("dana@shop.example", "ari@shop.example"):  # an agent, and an admin
        csrf = _login(client, email)
        for method, path in routes:
            answer = client.request(
                method,
                path,
                headers={**OWN, "X-CSRF-Token": csrf},
                json={"agent": "A", "text": "hi"},
            )
            assert answer.status_code not in (401, 403), (email, method, path, answer.text)


def test_the_admin_role_is_checked_and_an_agent_is_refused(
    make_settings: Callable[..., Settings],
    session_factory: sessionmaker[Session],
    auth_headers: dict[str, str],
) -> None:
    from assistant.server.app import create_app

    app = create_app(make_settings())

    # A probe behind the admin check, beside whatever admin routes the app has.
    @app.get("/api/admin/probe")
    async def probe(caller: AdminCaller) -> dict[str, str | None]:
        return {"name": caller.name}

    with TestClient(app) as client:
        for email, role in (("dana@shop.example", "agent"), ("ari@shop.example", "admin")):
            name = email.split("@")[0].title()
            add_account(session_factory, email=email, name=name, role=role, password=PASSWORD)
        routes = list(_routes(client, "/api/admin/"))
        assert ("GET", "/api/admin/probe") in routes
        assert client.get("/api/admin/probe", headers=auth_headers).json() == {"name": None}
        csrf = _login(client, "dana@shop.example")
        for method, path in routes:
            answer = client.request(method, path, headers={**OWN, "X-CSRF-Token": csrf})
            assert answer.status_code == 403, (method, path)
            assert answer.json()["error"]["code"] == "role_required"
        _login(client, "ari@shop.example")
        assert client.get("/api/admin/probe", headers=OWN).json() == {"name": "Ari"}


def test_a_signed_in_agent_speaks_under_their_own_name(
    client: TestClient, staff: None, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat", headers=ORIGIN) as ws:
        chat = Chat(ws)
        chat.hello()
        assert {"type": "status", "status": "handoff"} in chat.say("h1", "a real person please")
        with session_factory() as session:
            conversation = session.scalars(select(Conversation.id)).one()
        csrf = _login(client, "dana@shop.example")
        url = f"/api/agent/conversations/{conversation}"
        headers = {**OWN, "X-CSRF-Token": csrf}
        claimed = client.post(f"{url}/claim", json={"agent": "Store Manager"}, headers=headers)
        assert claimed.status_code == 200 and claimed.json()["agent"] == "Dana"
        assert chat.receive()["text"] == "Dana joined the conversation."
        said = client.post(
            f"{url}/messages", json={"text": "Hi!", "agent": "Ari"}, headers=headers
        ).json()["message"]
        assert said["author"] == "Dana"


def test_failed_sign_ins_lock_that_address_out_of_that_account_only(
    make_settings: Callable[..., Settings], session_factory: sessionmaker[Session]
) -> None:
    from assistant.server.app import create_app

    settings = make_settings(**{"security.login_rate_limit_per_account": "2/hour"})
    with TestClient(create_app(settings)) as client:
        for email in ("dana@shop.example", "ari@shop.example"):
            add_account(session_factory, email=email, name="X", role="agent", password=PASSWORD)
        _login(client, "dana@shop.example")  # a success counts for nothing
        for _ in range(2):
            wrong = {"email": "dana@shop.example", "password": "guess"}
            assert client.post("/api/auth/login", json=wrong, headers=OWN).status_code == 401
        right = {"email": "dana@shop.example", "password": PASSWORD}
        limited = client.post("/api/auth/login", json=right, headers=OWN)
        assert limited.status_code == 429, limited.text
        _login(client, "ari@shop.example")  # another account from the same address


def test_signing_in_again_ends_the_earlier_session(client: TestClient, staff: None) -> None:
    _login(client, "dana@shop.example")
    earlier = dict(client.cookies)
    _login(client, "dana@shop.example")
    later = dict(client.cookies)
    assert earlier != later
    client.cookies.clear()
    client.cookies.update(earlier)
    assert client.get("/api/auth/me", headers=OWN).status_code == 401
    client.cookies.clear()
    client.cookies.update(later)
    assert client.get("/api/auth/me", headers=OWN).status_code == 200


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://testserver", True),  # a proxy ended TLS: the same host, over https
        ("https://testserver:8443", True),
        ("http://testserver:8080", False),
        ("https://testserver.evil.example", False),
        ("null", False),
    ],
)
def test_the_consoles_own_pages_are_recognised_behind_a_tls_proxy(
    client: TestClient, staff: None, origin: str, allowed: bool
) -> None:
    answer = client.post(
        "/api/auth/login",
        json={"email": "dana@shop.example", "password": PASSWORD},
        headers={"Origin": origin},
    )
    assert (answer.status_code == 200) is allowed, answer.text
