"""The admin API as the CLI calls it: one request, and a refusal turned into its message and an exit code."""

from __future__ import annotations

from typing import Any

import httpx

from fraudscore.errors import FraudError

# Exit codes of `fraudscore models|features`: scripts tell a refusal from a missing model from a bad token.
EXIT_REFUSED, EXIT_NOT_FOUND, EXIT_AUTH, EXIT_UNAVAILABLE = 1, 3, 4, 5


class ApiError(FraudError):
    """The API refused, or could not be reached; `exit_code` says which kind."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ApiClient:
    def __init__(self, url: str, token: str | None, timeout_s: float = 60) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=url, headers=headers, timeout=timeout_s)
        self._url = url

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, **kwargs: Any) -> Any:
        return self._call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self._call("PUT", path, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(f"the API at {self._url} cannot be reached: {exc}", EXIT_UNAVAILABLE) from None
        if response.is_success:
            return response.json()
        raise ApiError(_message(response), _exit_code(response.status_code))


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    lines = [f"{body.get('error', 'refused')} (HTTP {response.status_code})"]
    lines += [f"  - {problem}".replace("\n", "\n    ") for problem in body.get("problems", [])]
    return "\n".join(lines)


def _exit_code(status: int) -> int:
    if status == 404:
        return EXIT_NOT_FOUND
    if status in (401, 403):
        return EXIT_AUTH
    if status >= 500:
        return EXIT_UNAVAILABLE
    return EXIT_REFUSED
