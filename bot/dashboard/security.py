"""The dashboard's cookie, CSRF token and response headers. The session cookie carries a random
token and its HMAC under SECRET_KEY: a forged or altered cookie is refused before any query."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import Response

from handlers.dashboard.access import IDLE_LIMIT

COOKIE = "ilp_sesi"
# No script, no other host: the pages are server-rendered HTML, CSS and inline SVG.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the login link's token never leaves in a Referer
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


class Signer:
    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    def _mac(self, value: str, purpose: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def cookie_value(self, token: str) -> str:
        return f"{token}.{self._mac(token, 'session')}"

    def token_of(self, cookie: str | None) -> str | None:
        """The session token of a cookie whose signature holds, else None."""
        if not cookie or "." not in cookie:
            return None
        token, _, mac = cookie.rpartition(".")
        return token if hmac.compare_digest(mac, self._mac(token, "session")) else None

    def csrf(self, token: str) -> str:
        return self._mac(token, "csrf")[:32]

    def csrf_ok(self, token: str, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf(token), sent or "")


def set_cookie(response: Response, value: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(IDLE_LIMIT.total_seconds()),
        path="/dasbor",
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def clear_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/dasbor", httponly=True, secure=secure, samesite="lax")


def cookie_of(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def harden(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
