"""The HTTP intake API: POST /api/v1/leads and /api/v1/calls (DESIGN.md §6).

Bearer-token auth compared in constant time; no API_TOKEN configured refuses everything. Bad input is a
JSON `{"error", "fields"}` with 400/401/413/415/422 and writes nothing; the 2xx answer is sent only
after the lead (and its alert) is committed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from leadbot.errors import (
    DomainError,
    IdempotencyConflict,
    InvalidEmail,
    InvalidPhone,
    NotFound,
    TooLong,
    UnknownCode,
)
from leadbot.intake.json_body import BadRequest, header_bytes, json_object, problem
from leadbot.intake.schemas import CallIn, LeadIn
from leadbot.services.calls import CallEvent, CallStatus, Direction
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services

log = logging.getLogger("leadbot.api")
SERVICES = web.AppKey("services", Services)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)
FIELD_OF_ERROR = {InvalidEmail: "email", InvalidPhone: "phone", UnknownCode: "source", NotFound: "assignee"}


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Auth for /api/, and JSON errors instead of HTML pages or 500s."""
    if request.path.startswith("/api/"):
        token = request.app[SERVICES].ctx.settings.api_token
        given = header_bytes(request.headers.get("Authorization", ""))
        if not token or not hmac.compare_digest(given, f"Bearer {token}".encode()):
            return problem(401, "a valid Authorization: Bearer token is required")
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return problem(413, "the request body is too large")
    except web.HTTPException as error:
        if error.status >= 400:
            return problem(error.status, error.reason)
        raise


async def read_body(request: web.Request, model: type[M]) -> M:
    """JSON object → validated model; raises a ready error response."""
    if request.content_type != "application/json":
        raise BadRequest(problem(415, "send the body as application/json"))
    data = await json_object(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in error.errors()}
        raise BadRequest(problem(422, "the lead is not valid", fields)) from None


def _domain_problem(error: DomainError) -> web.Response:
    field = next((name for kind, name in FIELD_OF_ERROR.items() if isinstance(error, kind)), None)
    if isinstance(error, TooLong):
        field = str(error.params.get("field", "body")).lower()
    status = 409 if isinstance(error, IdempotencyConflict) else 422  # 409: that key holds another lead
    return problem(status, error.render(), {field: error.render()} if field else {})


async def post_lead(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        body = await read_body(request, LeadIn)
    except BadRequest as bad:
        return bad.response
    try:
        assignee_id = None
        if body.assignee is not None:
            assignee = await services.users.find(body.assignee)
            if assignee is None:
                return problem(422, "unknown assignee", {"assignee": "no active user with this Telegram id"})
            assignee_id = assignee.id
        outcome = await services.leads.create(_draft(body, assignee_id))
    except DomainError as error:
        return _domain_problem(error)
    if outcome.excluded or outcome.lead is None:
        return web.json_response({"excluded": True}, status=200)
    lead = outcome.lead
    matches = [{"type": m.type.value, "id": m.id, "name": m.name} for m in outcome.matches]
    answer: dict[str, Any] = {
        "id": lead.id,
        "status": lead.status_code,
        "repeat": lead.is_repeat,
        "matches": matches,
    }
    return web.json_response(answer, status=201 if outcome.created else 200)


def _draft(body: LeadIn, assignee_id: int | None) -> LeadDraft:
    return LeadDraft(
        title=body.title,
        name=body.name,
        last_name=body.last_name,
        company_title=body.company,
        phones=body.all_phones(),
        emails=body.all_emails(),
        source_code=body.source.upper(),
        comment=body.comment,
        amount=body.amount,
        currency=body.currency,
        external_id=body.external_id,
        assignee_id=assignee_id,
    )


async def post_call(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        body = await read_body(request, CallIn)
    except BadRequest as bad:
        return bad.response
    event = CallEvent(
        caller=body.caller,
        callee=body.callee,
        direction=Direction(body.direction),
        status=CallStatus(body.status),
        duration=body.duration,
        external_id=body.external_id,
    )
    try:
        outcome = await services.calls.handle(event)
    except DomainError as error:
        return _domain_problem(error)
    if outcome.excluded:
        return web.json_response({"excluded": True})
    if outcome.lead is not None:
        answer = {"lead": {"id": outcome.lead.id, "status": outcome.lead.status_code}}
        return web.json_response(answer, status=201 if outcome.created else 200)
    if outcome.matched is not None:
        match = outcome.matched
        return web.json_response({"known": {"type": match.type.value, "id": match.id, "name": match.name}})
    return web.json_response({"duplicate": True})


def mount_api(app: web.Application, services: Services) -> None:
    app[SERVICES] = services
    app.middlewares.append(api_errors)
    app.router.add_post("/api/v1/leads", post_lead)
    app.router.add_post("/api/v1/calls", post_call)
