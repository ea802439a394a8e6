"""Bearer tokens and their roles: who may read, who may change models, who may rebuild the control topic."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fraudscore.errors import FraudError
from fraudscore.settings import ApiToken

ROLES = ("viewer", "operator", "admin")  # each may do what the ones before it may


class AuthError(FraudError):
    """No token, or one this API does not know: 401."""


class ForbiddenError(FraudError):
    """A known token whose role is too low for the request: 403."""


@dataclass(frozen=True)
class Caller:
    name: str
    role: str


class Tokens:
    """The configured tokens; a presented token is compared in constant time with each.

    >>> tokens = Tokens([ApiToken(name="ops", token="s3cret", role="operator")])
    >>> tokens.authorise("s3cret", "viewer").name
    'ops'
    >>> tokens.authorise("s3cret", "admin")
    Traceback (most recent call last):
    ...
    api.security.ForbiddenError: token 'ops' has the role operator; this needs admin
    """

    def __init__(self, tokens: list[ApiToken]) -> None:
        self._tokens = [(t.token.encode(), Caller(t.name, t.role)) for t in tokens if t.token]

    def authorise(self, presented: str | None, needed: str) -> Caller:
        if not presented:
            raise AuthError("this needs a bearer token (Authorization: Bearer <token>)")
        caller = None
        for secret, candidate in self._tokens:
            if hmac.compare_digest(secret, presented.encode()):
                caller = candidate
        if caller is None:
            raise AuthError("unknown token")
        if ROLES.index(caller.role) < ROLES.index(needed):
            raise ForbiddenError(f"token {caller.name!r} has the role {caller.role}; this needs {needed}")
        return caller
