"""What routes depend on: the store, the caller's token checked for a role, the request's settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.activity import RecentActivity
from api.security import Caller, Tokens
from fraudscore.settings import Settings
from model_store import ModelStore

_bearer = HTTPBearer(auto_error=False, description="a token from FRAUDSCORE_API__TOKENS")


def get_store(request: Request) -> ModelStore:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_activity(request: Request) -> RecentActivity:
    return request.app.state.activity


def _require(role: str) -> Callable[..., Caller]:
    def check(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Caller:
        tokens: Tokens = request.app.state.tokens
        return tokens.authorise(credentials.credentials if credentials else None, role)

    return check


StoreDep = Annotated[ModelStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ActivityDep = Annotated[RecentActivity, Depends(get_activity)]
Viewer = Annotated[Caller, Depends(_require("viewer"))]
Operator = Annotated[Caller, Depends(_require("operator"))]
Admin = Annotated[Caller, Depends(_require("admin"))]
