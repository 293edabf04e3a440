"""Web pages, the JSON API and outgoing feeds, served by one ASGI app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.errors import InputError, TidingsError
from tidings.models import headline_text
from tidings.settings import Settings
from tidings.store import Store, open_store
from tidings.web import present

if TYPE_CHECKING:
    from tidings.pipeline import Pipeline

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
T = TypeVar("T")
MEMO_ENTRIES = 4096  # results kept at most (per-event related lists are the many small ones)
ERROR_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    422: "ValidationError",
}


class SecurityHeaders:
    """A strict Content-Security-Policy and friends on every response (plain ASGI: no per-request task)."""

    HEADERS = (
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def refuse_nul(request: Request) -> None:
    """Refuse a NUL character in the path or a query parameter: no stored text holds one, and PostgreSQL
    cannot even compare with such a string (a server error before this check)."""
    given = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in given:
        if "\x00" in name or "\x00" in str(value):
            raise InputError("contains a NUL character", where=name.replace("\x00", "?"))


def make_templates() -> Jinja2Templates:
    """Jinja2 templates (autoescaped) with the presentation filters."""
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters["language"] = present.language_name
    env.filters["when"] = present.when
    env.filters["counts"] = present.counts_line
    env.filters["headline_text"] = headline_text
    env.filters["interval"] = present.interval
    env.filters["shared"] = present.shared_features
    env.filters["paragraphs"] = present.paragraphs
    env.filters["web_url"] = present.web_url
    env.globals["language_name"] = present.language_name
    return templates


class Work:
    """The pipeline the app shares with the scheduler, and the lock that keeps their stage runs apart."""

    def __init__(self, store: Store, settings: Settings, pipeline: Pipeline | None = None) -> None:
        self.store = store
        self.settings = settings
        self._pipeline = pipeline
        self.lock = threading.Lock()

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline (built on first use: loading its stages is slow and reads never need it)."""
        if self._pipeline is None:
            from tidings.pipeline import Pipeline

            self._pipeline = Pipeline(self.store, self.settings)
        return self._pipeline


class Memo:
    """Read results shared between requests for a few seconds: listings every visitor sees alike."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._values: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, ttl_s: float, read: Callable[[Connection], T]) -> T:
        """`read(conn)`, or its result from less than `ttl_s` seconds ago."""
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl_s:
            return cast(T, hit[1])
        with self.store.read() as conn:
            value = read(conn)
        with self._lock:
            if len(self._values) >= MEMO_ENTRIES:  # bounded: drop the oldest half
                for old in sorted(self._values, key=lambda k: self._values[k][0])[: MEMO_ENTRIES // 2]:
                    del self._values[old]
            self._values[key] = (time.monotonic(), value)
        return value


def app_from_env() -> FastAPI:
    """The app over the store named by TIDINGS_DB and the config file (for `uvicorn --factory`)."""
    from tidings.settings import load_settings

    return create_app(load_settings())


def create_app(settings: Settings, store: Store | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """The tidings web application over one store (sharing `pipeline` with a scheduler, if given)."""
    from tidings.web import api, feeds_out, manage, pages

    store = store or open_store(settings.database_url)
    app = FastAPI(
        title="tidings",
        version="1",
        description="Read the world's news in English: articles, events with their briefs, search, feeds.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = make_templates()
    app.state.store = store
    app.state.settings = settings
    app.state.templates = templates
    app.state.work = Work(store, settings, pipeline)

    def error(request: Request, status: int, name: str, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": name, "message": message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"message": message, "status": status}, status_code=status
        )

    @app.exception_handler(TidingsError)
    async def tidings_error(request: Request, exc: TidingsError) -> Response:
        return error(request, exc.status, type(exc).__name__, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, ERROR_NAMES.get(exc.status_code, "HTTPError"), str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()
        )
        return error(request, 422, "ValidationError", where or "invalid request")

    app.state.memo = Memo(store)
    app.include_router(pages.router)
    app.include_router(manage.router)
    app.include_router(feeds_out.router)
    app.include_router(api.router)
    schema = app.openapi

    def documented() -> dict[str, Any]:
        """The OpenAPI document, saying what `refuse_nul` refuses: every string parameter's pattern."""
        if app.openapi_schema is None:
            for item in schema()["paths"].values():
                for operation in item.values():
                    for parameter in operation.get("parameters", []):
                        _no_nul(parameter.get("schema", {}), api.NO_NUL)
        return app.openapi_schema or {}

    app.openapi = documented  # type: ignore[method-assign]
    return app


def _no_nul(schema: dict[str, Any], pattern: str) -> None:
    """Give a parameter's string schemas (an optional one's among its `anyOf`) the pattern, unless they
    have their own."""
    if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema:
        schema["pattern"] = pattern
    for option in schema.get("anyOf", []):
        _no_nul(option, pattern)
