"""Web pages and the JSON API, served by one ASGI app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from tidings.errors import TidingsError
from tidings.settings import Settings
from tidings.store import Store, open_store
from tidings.store import articles as article_rows

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """A strict Content-Security-Policy and friends on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The tidings web application over one store."""
    store = store or open_store(settings.database_url)
    app = FastAPI(
        title="tidings", version="1", openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    app.state.store = store
    app.state.settings = settings

    @app.exception_handler(TidingsError)
    async def tidings_error(request: Request, exc: TidingsError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": type(exc).__name__, "message": exc.message}, status_code=exc.status)
        return templates.TemplateResponse(
            request, "error.html", {"message": exc.message, "status": exc.status}, status_code=exc.status
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def front(request: Request) -> Response:
        with store.read() as conn:
            rows = article_rows.list_articles(conn, limit=100)
        return templates.TemplateResponse(request, "index.html", {"articles": rows})

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: int) -> Response:
        with store.read() as conn:
            row = article_rows.get(conn, article_id)
        return templates.TemplateResponse(request, "article.html", {"a": row})

    @app.get("/api/v1/articles")
    def api_articles(limit: int = 50, cursor: int | None = None) -> dict[str, Any]:
        """Articles, newest first; pass `next_cursor` back as `cursor` for the next page."""
        with store.read() as conn:
            rows = article_rows.list_articles(conn, limit=min(limit, 200), before_id=cursor)
        return {"items": rows, "next_cursor": rows[-1]["id"] if len(rows) == min(limit, 200) else None}

    @app.get("/api/v1/articles/{article_id}")
    def api_article(article_id: int) -> dict[str, Any]:
        """One article."""
        with store.read() as conn:
            return article_rows.get(conn, article_id)

    return app
