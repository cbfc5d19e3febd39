"""The admin console's analytics: `GET /api/admin/analytics` (the report as JSON, the same
object `assistant analytics report --json` prints) and `GET /api/admin/analytics.csv`.
Every figure's definition is in docs/analytics.md. Admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import Response

from assistant.analytics import AnalyticsReport, parse_period, report, stop_flows
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses
from assistant.server.staff import AdminCaller
from assistant.services import Components

router = APIRouter(prefix="/api/admin", tags=["admin"])

Day = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (UTC)")]
Days = Annotated[int | None, Query(ge=1, le=3660)]
WindowHours = Annotated[float, Query(gt=0, le=24 * 90)]


async def _report(
    components: Components, since: str | None, until: str | None, days: int | None, hours: float
) -> AnalyticsReport:
    period = parse_period(since, until, days)  # InvalidPeriod: 400
    flows = stop_flows(components.dialogue.flows)
    return await anyio.to_thread.run_sync(
        lambda: report(
            components.sessions,
            start=period.start,
            end=period.end,
            window=timedelta(hours=hours),
            stop_flows=flows,
        )
    )


@router.get("/analytics", responses=error_responses(400, 401, 403, 422))
async def analytics(
    _: AdminCaller,
    components: ComponentsDep,
    since: Day = None,
    until: Day = None,
    days: Days = None,
    window_hours: WindowHours = 24.0,
) -> dict[str, Any]:
    """The period's figures (the last 30 days by default; `until` is included)."""
    found = await _report(components, since, until, days, window_hours)
    return found.as_dict()


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "every figure as section,name,value rows",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/analytics.csv",
    response_class=Response,
    responses={**CSV_RESPONSE, **error_responses(400, 401, 403, 422)},
)
async def analytics_csv(
    _: AdminCaller,
    components: ComponentsDep,
    since: Day = None,
    until: Day = None,
    days: Days = None,
    window_hours: WindowHours = 24.0,
) -> Response:
    """The same figures as CSV rows: section, name, value."""
    found = await _report(components, since, until, days, window_hours)
    start, end = found.period.start.date(), (found.period.end - timedelta(days=1)).date()
    name = f"aisle-analytics-{start}-{end}.csv"
    return Response(
        found.to_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
