"""Web pages, the JSON API and outgoing feeds, served by one ASGI app."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from tidings.errors import TidingsError
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
ERROR_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 422: "ValidationError"}  # fmt: skip


class SecurityHeaders(BaseHTTPMiddleware):
    """A strict Content-Security-Policy and friends on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response


def make_templates() -> Jinja2Templates:
    """Jinja2 templates (autoescaped) with the presentation filters."""
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters["language"] = present.language_name
    env.filters["when"] = present.when
    env.filters["counts"] = present.counts_line
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

    app.include_router(pages.router)
    app.include_router(manage.router)
    app.include_router(feeds_out.router)
    app.include_router(api.router)
    return app
