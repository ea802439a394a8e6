"""One handler per kind of refusal: each becomes a status code and a JSON body listing the problems, and
nothing else reaches the caller (an unexpected error is logged here, the caller gets its id-less summary)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.security import AuthError, ForbiddenError
from explain import ExplainError
from explain.reasons import NoBaselineError
from fraudscore.errors import FraudError
from model_store import ConflictError, NotFoundError, PublishError, RejectedError

log = logging.getLogger("fraudscore.api")


class BodyTooLargeError(FraudError):
    """A request body over the configured limit: 413."""


_STATUS = {
    NotFoundError: 404,
    ConflictError: 409,
    NoBaselineError: 409,  # before ExplainError, its parent
    ExplainError: 422,
    RejectedError: 422,
    PublishError: 503,
    AuthError: 401,
    ForbiddenError: 403,
    BodyTooLargeError: 413,
}


def problem(status: int, error: str, problems: list[str] | None = None, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "problems": problems or []}, status_code=status, headers=headers or None)


def install(app: FastAPI) -> None:
    @app.exception_handler(FraudError)
    async def refused(request: Request, exc: FraudError) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
        if isinstance(exc, RejectedError):
            return problem(status, exc.summary, exc.problems)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return problem(status, str(exc), **headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return problem(422, "the request is not valid", problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return problem(500, "internal error: the API log has the details")
