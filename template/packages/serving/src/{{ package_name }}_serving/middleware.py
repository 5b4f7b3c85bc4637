"""Request middleware and exception handlers: request ids, metrics, audit, error bodies.

Every error leaves as the same body, `{"detail": ..., "errors": [...]}` (the
`Problem` model of the OpenAPI document), the framework's own 400, 404 and 405
included; input values are never echoed, since they may be personal data.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .audit import AuditLog
from .dependencies import serving_state
from .errors import ModelNotReadyError, RequestRejectedError
from .routes import PREDICTION_ROUTES, ROUTES

logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
BODY_ENCODING_RULE = "must be JSON text encoded in UTF-8"
CallNext = Callable[[Request], Awaitable[Response]]


def install(app: FastAPI) -> None:
    """Observe every request of `app` and answer its errors with a problem body."""
    app.middleware("http")(observe)
    app.exception_handler(HTTPException)(http_error)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(RequestRejectedError)(rejected)
    app.exception_handler(ModelNotReadyError)(not_ready)


def problem(
    status: int,
    detail: str,
    errors: list[dict[str, str]],
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error body: what went wrong, and the fields and rules it concerns."""
    return JSONResponse(
        status_code=status,
        content={"detail": detail, "errors": errors},
        headers=headers,
    )


async def observe(request: Request, call_next: CallNext) -> Response:
    """Give the request an id, count and time it, and audit it if it predicts."""
    given = request.headers.get("x-request-id", "")
    request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    request.state.request_id = request_id
    request.state.records = 0
    request.state.model_version = None
    route = request.url.path if request.url.path in ROUTES else "other"
    state = serving_state(request)
    started = time.perf_counter()
    response = await _respond(request, call_next, route)
    state.metrics.latency.labels(route).observe(time.perf_counter() - started)
    state.metrics.requests.labels(route, str(response.status_code)).inc()
    response.headers["X-Request-ID"] = request_id
    if state.audit is not None and route in PREDICTION_ROUTES:
        await _audit(state.audit, request, route, response.status_code)
    return response


async def _respond(request: Request, call_next: CallNext, route: str) -> Response:
    """The route's response, or a 500 that names the request id if it crashed."""
    try:
        return await call_next(request)
    except Exception:
        request_id = request.state.request_id
        logger.exception("request %s to %s failed", request_id, route)
        return problem(
            500, f"internal error; the server log has request id {request_id}", []
        )


async def _audit(audit: AuditLog, request: Request, route: str, status: int) -> None:
    """One audit line for a prediction request, with the status it got."""
    # The write is flushed to disk: off the event loop, so that other requests
    # are not held up while it waits.
    await run_in_threadpool(
        audit.record,
        request_id=request.state.request_id,
        endpoint=route,
        records=request.state.records,
        model_version=request.state.model_version,
        status=status,
    )


def _describe(error: Mapping[str, Any]) -> dict[str, str]:
    """One validation error as field, rule and type, without the input value."""
    if error["type"] == "json_invalid":
        # FastAPI puts the character offset where a field name would be.
        position = error["loc"][-1]
        reason = error.get("ctx", {}).get("error", "malformed JSON")
        rule = f"must be valid JSON ({reason} at character {position})"
        return {"field": "body", "rule": rule, "type": "json_invalid"}
    field = ".".join(str(p) for p in error["loc"] if p != "body")
    return {
        "field": field or "body",
        "rule": str(error["msg"]),
        "type": str(error["type"]),
    }


async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
    """The framework's refusals (unknown path, method, unreadable body) as problems.

    FastAPI answers 400 when the body cannot even be decoded (bytes that are not
    UTF-8); a body that decodes but is not JSON is a 422 (`invalid_request`).
    """
    if exc.status_code == 400:
        error = {"field": "body", "rule": BODY_ENCODING_RULE, "type": "body_encoding"}
        return problem(400, f"invalid request: body: {BODY_ENCODING_RULE}", [error])
    return problem(exc.status_code, str(exc.detail), [], exc.headers)


async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    """A request the models refuse: 422 naming each field and its rule."""
    errors = [_describe(error) for error in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['rule']}" for e in errors[:5])
    return problem(422, f"invalid request: {summary}", errors)


async def rejected(_: Request, exc: RequestRejectedError) -> JSONResponse:
    """A request that breaks a rule of this server (the batch limit, a feature)."""
    error = {"field": exc.field, "rule": exc.rule, "type": "rejected"}
    return problem(422, f"invalid request: {exc}", [error])


async def not_ready(_: Request, exc: ModelNotReadyError) -> JSONResponse:
    """No model to predict with: 503 and the reason."""
    return problem(503, str(exc), [])
