"""Every figure of the report on tests/analytics/history.py, worked out by hand, and the
edge cases: an empty period, a period that cannot be."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics import InvalidPeriod, report
from assistant.analytics.report import AnalyticsReport
from tests.analytics.history import END, START, at, seed_history


def _rate(numerator: int, denominator: int) -> dict[str, Any]:
    value = numerator / denominator if denominator else 0.0
    return {"value": value, "numerator": numerator, "denominator": denominator}


@pytest.fixture
def week(session_factory: sessionmaker[Session]) -> AnalyticsReport:
    seed_history(session_factory)
    return report(session_factory, start=START, end=END)


def test_the_period_and_the_conversations_it_holds(week: AnalyticsReport) -> None:
    figures = week.as_dict()
    assert figures["period"] == {
        "start": "2025-03-01T00:00:00+00:00",
        "end": "2025-03-08T00:00:00+00:00",
        "window_hours": 24.0,
    }
    # c1..c8 were created in the period (not `before`, a second early, nor `after`, at the
    # end); c7 has no shopper message.
    assert figures["conversations"] == {"opened": 8, "with_messages": 7, "silent": 1}


def test_containment_and_hand_offs(week: AnalyticsReport) -> None:
    figures = week.as_dict()
    # Hand-offs in c2, c3 (two), c5 and c8; c1, c4 and c6 stayed with the assistant.
    assert figures["containment"] == _rate(3, 7)
    handoff = figures["handoff"]
    assert {k: handoff[k] for k in ("value", "numerator", "denominator")} == _rate(4, 7)
    assert handoff["handoffs"] == 5
    # First agent replies: c2 90 s, c8 120 s, c3's first 300 s, c5 600 s; c3's second
    # closed unanswered (the agent wrote only after it closed).
    assert handoff["first_agent_reply"] == {
        "replied": 4,
        "unanswered": 1,
        "median_seconds": 210.0,  # (120 + 300) / 2
        "p90_seconds": 600.0,  # rank ceil(0.9 * 4) = 4
    }


def test_csat_from_the_ratings(week: AnalyticsReport) -> None:
    # Rated: c1 5, c2 2, c3 4, c5 1, c8 5; c4, c6 unrated (and `before`'s 1 is outside).
    assert week.as_dict()["csat"] == {
        **_rate(3, 5),
        "rated": _rate(5, 7),
        "mean": 3.4,
        "ratings": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 2},
    }


def test_the_intents_read(week: AnalyticsReport) -> None:
    intents = week.as_dict()["intents"]
    assert intents["read"] == 20
    assert intents["top"] == [
        {"name": "human_handoff", "count": 5},
        {"name": "cancel_order", "count": 3},
        {"name": "inform", "count": 3},
        {"name": "greet", "count": 2},
        {"name": "modify_order_items", "count": 1},
        {"name": "order_status", "count": 1},
        {"name": "out_of_scope", "count": 1},
        {"name": "policy_question", "count": 1},
        {"name": "return_order", "count": 1},
        {"name": "search_products", "count": 1},
        # "stop" (1) is the eleventh: beyond the top ten; `goodbye` is outside the period.
    ]


def _flow(
    name: str, started: int, completed: int = 0, handed_off: int = 0, **abandoned_at: int
) -> dict[str, Any]:
    return {
        "name": name,
        "started": started,
        "completed": completed,
        "handed_off": handed_off,
        "abandoned": sum(abandoned_at.values()),
        "abandoned_at": [{"step": step, "count": n} for step, n in abandoned_at.items()],
    }


def test_the_flows_and_where_they_were_abandoned(week: AnalyticsReport) -> None:
    flows = week.as_dict()["flows"]
    assert flows["top"] == [
        # c2, c3 twice, c5, c8: each on the stack when a person took over.
        _flow("human_handoff", 5, handed_off=5),
        # c2: handed off; c4: still waiting for the order when its events end (the
        # policy question on top of it resumed it); c6: switched for modify_order_items.
        _flow("cancel_order", 3, handed_off=1, action_ask_order_id=2),
        _flow("greet", 2, completed=2),
        _flow("modify_order_items", 1, completed=1),
        # c6: asked who the shopper is again after the switched task ended; never answered.
        _flow("order_status", 1, action_authenticate=1),
        _flow("out_of_scope", 1, completed=1),
        _flow("policy_question", 1, completed=1),
        _flow("product_search", 1, completed=1),
        # c3: "never mind" (the stop pattern) while it asked for the order.
        _flow("return_order", 1, action_ask_order_id=1),
        _flow("stop", 1, completed=1),
    ]
    assert flows["started"] == 17
    assert flows["completed"] == 7
    assert flows["handed_off"] == 6
    assert flows["abandoned"] == _rate(4, 17)


def test_search_to_cart_and_chat_to_purchase(week: AnalyticsReport) -> None:
    figures = week.as_dict()
    # Searching sessions s1..s5 (s6 searched before, s7 at the end); carts within a day:
    # s1, s2 (exactly a day) and s5 (after the period, within the window).
    assert figures["search_to_cart"] == _rate(3, 5)
    # Linked: c1, c2, c4, c5, c6, c8 (c3 anonymous). Bought within a day of the chat: c1
    # (event), c2 (event, exactly a day after), c8 (order); c4's purchases fall before and a
    # minute after, its cancelled order counts for nothing; c5 and c6 bought nothing after.
    assert figures["chat_to_purchase"] == {**_rate(3, 6), "anonymous": 1}


def test_rfm_segments_and_their_use_of_the_chat(week: AnalyticsReport) -> None:
    # As of 8 March: ana R5 F5 M5 (champions), ben R3 F4 M2 (loyal), dan R1 F3 M4
    # (at_risk), eve R4 F1 M1 (new), cara R2 F2 M3 and fay R1 F1 M1 (others). gus ordered
    # only after the end; fay's undated and cara's cancelled orders do not count.
    assert week.as_dict()["segments"] == {
        "customers": 6,
        "rows": [
            {
                "name": "champions",
                "customers": 1,
                "chatted": _rate(1, 1),
                "conversations": 2,  # c1 and c8
                "handoff": _rate(1, 2),
            },
            {
                "name": "loyal",
                "customers": 1,
                "chatted": _rate(1, 1),
                "conversations": 1,
                "handoff": _rate(1, 1),
            },
            {
                "name": "at_risk",
                "customers": 1,
                "chatted": _rate(1, 1),
                "conversations": 1,
                "handoff": _rate(1, 1),
            },
            {
                "name": "new",
                "customers": 1,
                "chatted": _rate(1, 1),
                "conversations": 1,
                "handoff": _rate(0, 1),
            },
            {
                "name": "others",
                "customers": 2,
                "chatted": _rate(1, 2),  # cara (c4); fay never chatted
                "conversations": 1,
                "handoff": _rate(0, 1),
            },
        ],
    }


def test_the_profiles_behind_the_segments(session_factory: sessionmaker[Session]) -> None:
    from assistant.analytics.queries import load_orders
    from assistant.analytics.segments import profiles

    seed_history(session_factory)
    with session_factory() as session:
        people = profiles(load_orders(session, before=END), end=END)
    assert {
        p.customer_id: (p.recency_days, p.frequency, str(p.monetary), p.r, p.f, p.m, p.segment)
        for p in people.values()
    } == {
        "ana": (1, 5, "500.00", 5, 5, 5, "champions"),
        "ben": (3, 4, "200.00", 3, 4, 2, "loyal"),
        "cara": (10, 2, "300.00", 2, 2, 3, "others"),
        "dan": (60, 3, "400.00", 1, 3, 4, "at_risk"),
        "eve": (2, 1, "50.00", 4, 1, 1, "new"),
        "fay": (30, 1, "100.00", 1, 1, 1, "others"),
    }


def test_a_shorter_window_and_top(session_factory: sessionmaker[Session]) -> None:
    seed_history(session_factory)
    figures = report(
        session_factory, start=START, end=END, window=timedelta(hours=3), top=2
    ).as_dict()
    assert figures["period"]["window_hours"] == 3.0
    # Within three hours: s1's cart (30 min) and s5's (2 h); c1's purchase (2 h 55 min
    # after its last message), not c2's (a day) nor c8's order (11 h).
    assert figures["search_to_cart"] == _rate(2, 5)
    assert figures["chat_to_purchase"] == {**_rate(1, 6), "anonymous": 1}
    assert [row["name"] for row in figures["intents"]["top"]] == ["human_handoff", "cancel_order"]
    assert [row["name"] for row in figures["flows"]["top"]] == ["human_handoff", "cancel_order"]
    # The totals do not shrink with the list.
    assert figures["intents"]["read"] == 20
    assert figures["flows"]["abandoned"] == _rate(4, 17)


def test_naive_times_are_utc(session_factory: sessionmaker[Session]) -> None:
    seed_history(session_factory)
    naive = report(session_factory, start=START.replace(tzinfo=None), end=END.replace(tzinfo=None))
    assert naive.as_dict() == report(session_factory, start=START, end=END).as_dict()


def test_an_empty_period_gives_zeros(session_factory: sessionmaker[Session]) -> None:
    seed_history(session_factory)
    figures = report(session_factory, start=at(1, month=6), end=at(2, month=6)).as_dict()
    zero = _rate(0, 0)
    assert figures["conversations"] == {"opened": 0, "with_messages": 0, "silent": 0}
    assert figures["containment"] == zero
    assert figures["handoff"] == {
        **zero,
        "handoffs": 0,
        "first_agent_reply": {
            "replied": 0,
            "unanswered": 0,
            "median_seconds": 0.0,
            "p90_seconds": 0.0,
        },
    }
    assert figures["csat"] == {
        **zero,
        "rated": zero,
        "mean": 0.0,
        "ratings": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }
    assert figures["intents"] == {"read": 0, "top": []}
    assert figures["flows"] == {
        "started": 0,
        "completed": 0,
        "handed_off": 0,
        "abandoned": zero,
        "top": [],
    }
    assert figures["search_to_cart"] == zero
    assert figures["chat_to_purchase"] == {**zero, "anonymous": 0}
    # Every dated order (gus's of 10 March included) is before June: all seven profiled.
    assert figures["segments"]["customers"] == 7
    assert all(row["conversations"] == 0 for row in figures["segments"]["rows"])


def test_an_empty_database_gives_zeros(session_factory: sessionmaker[Session]) -> None:
    figures = report(session_factory, start=START, end=END).as_dict()
    assert figures["segments"] == {
        "customers": 0,
        "rows": [
            {
                "name": name,
                "customers": 0,
                "chatted": _rate(0, 0),
                "conversations": 0,
                "handoff": _rate(0, 0),
            }
            for name in ("champions", "loyal", "at_risk", "new", "others")
        ],
    }
    assert figures["conversations"]["opened"] == 0


def test_a_period_that_ends_before_it_starts_is_refused(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(InvalidPeriod) as refused:
        report(session_factory, start=END, end=START)
    assert refused.value.code == "invalid_period" and refused.value.status_code == 400
    with pytest.raises(InvalidPeriod, match="window"):
        report(session_factory, start=START, end=END, window=timedelta(0))


def test_the_rows_for_a_csv_hold_every_figure(week: AnalyticsReport) -> None:
    rows = week.rows()
    assert ("containment", "numerator", 3) in rows
    assert ("handoff", "first_agent_reply.median_seconds", 210.0) in rows
    assert ("csat", "ratings.5", 2) in rows
    assert ("intents", "top.human_handoff.count", 5) in rows
    assert ("flows", "top.cancel_order.abandoned_at.action_ask_order_id.count", 2) in rows
    assert ("segments", "rows.champions.conversations", 2) in rows
    assert len(rows) == len({(section, name) for section, name, _ in rows})
