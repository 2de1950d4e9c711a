"""The GS1 Digital Link resolver: the consumer's page, a JSON API, QR images, served from the index.

:func:`create_app` builds the FastAPI app (the routes, this module) around a
:class:`~.service.Resolver`: the SQLite index (written by :mod:`.indexer`, read by :mod:`.queries`),
the durable scan queue (see :mod:`.scans`), and a worker thread that alternates index passes with
scan flushes. Requests never call the chain: an item page is a few primary-key lookups (batch facts
are cached per batch until the index changes), one membership lookup, one committed INSERT for the
scan, and one count. The shapes returned are in :mod:`.views`, the page's rendering in :mod:`.pages`.

Routes:

- ``GET /01/{gtin}[/22/{variant}][/10/{lot}][/21/{serial}]`` — the pages of GS1 Digital Links (HTML,
  Chinese with English beside it): an item by lot and serial, an item by serial alone (found
  through the lots whose serial lists hold it), a lot (the batch's story; not a scan). A person's
  view of a proven item is a scan (:mod:`.clients` says whose view is one), committed before the
  page is returned.
- ``GET /api/v1/items/{gtin}/{lot}/{serial}`` and ``GET /api/v1/lots/{gtin}/{lot}`` — the same
  facts as JSON (:class:`ItemView`); never a scan.
- ``GET /qr/01/…`` — the QR code (PNG) of a Digital Link pointing at this resolver.
- ``GET /verify`` — the verification page: a person drops a file, the browser digests it (SHA-256
  and SM3, with hash-wasm served from ``/static``, never a CDN) and asks the API below;
  ``GET /verify/{kind}/{id}`` — the same page for the record a QR code names (evidence, licence,
  work); ``GET /qr/verify/{kind}/{id}`` — that QR code (PNG).
- ``GET /api/v1/verify/{digest}`` and ``GET /api/v1/verify/{kind}/{id}`` — what the chain says, as
  JSON (:class:`VerifyView`): evidence records, the licence, the work, or none.
- ``GET /healthz`` — index and scan-queue state, 503 while the node cannot be reached;
  ``GET /hello`` — a baseline for the benchmark; ``/docs`` — the API's documentation, its assets
  served from here (no CDN).

Encoded slashes. A lot or serial may hold "/" (GS1 AI character set 82), written %2F in a link.
Starlette decodes the path before routing, so the handlers here read the values from the raw path
(``scope["raw_path"]``), split on real slashes and then decoded; a path that only matches a route
once decoded reaches the catch-all routes, which do the same.
"""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from typing import Annotated, Any, AsyncIterator, Literal
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi import Path as FastPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from shanglian import gs1, qr
from shanglian.errors import InputError
from shanglian.resolver.clients import Viewers
from shanglian.resolver.hall_views import VerifyView
from shanglian.resolver.pages import STATIC, ItemPages, VerifyPage
from shanglian.resolver.service import Resolver
from shanglian.resolver.views import Health, ItemView, Problem
from shanglian.verification import RECORD_KINDS, record_url

__all__ = ["ItemView", "Resolver", "create_app"]

# What the path accepts, declared so the schema says it; gs1 checks the rest (check digit,
# character set, length once decoded) and answers 400 naming the field.
Gtin = Annotated[str, FastPath(pattern=r"^([0-9]{8}|[0-9]{12,14})$", description="GTIN-8/12/13/14")]
Lot = Annotated[str, FastPath(min_length=1, description="batch/lot (GS1 AI 10, up to 20 characters), percent-encoded")]
Serial = Annotated[str, FastPath(min_length=1, description="serial (GS1 AI 21, up to 20 characters), percent-encoded")]
Rest = Annotated[str, FastPath(description="the rest of the path")]

Digest = Annotated[str, FastPath(pattern=r"^(0x)?[0-9a-fA-F]{64}$", description="a document's digest, 64 hex digits")]
RecordKind = Annotated[Literal["evidence", "licence", "work"], FastPath(description="what the id names")]

FAVICON = STATIC / "favicon.svg"


class _AsgiEndpoint:
    """An ASGI callable that Starlette's Route mounts as it is (a bare function it would wrap)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def raw_path(request: Request, prefix: str = "") -> str:
    """The request's path as sent, percent-escapes kept, without the app's root path and `prefix`."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    root = request.scope.get("root_path") or ""
    if root and path.startswith(root):
        path = path[len(root):]
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def link_of(request: Request, prefix: str = "") -> gs1.DigitalLink:
    """The Digital Link the request's raw path holds (after `prefix`); InputError naming the field."""
    return gs1.parse_digital_link(raw_path(request, prefix))


def api_values(request: Request, prefix: str, names: tuple[str, ...]) -> list[str]:
    """The segments of the raw path after `prefix`, split on real slashes, then decoded."""
    segments = raw_path(request, prefix).strip("/").split("/")
    if len(segments) != len(names):
        raise StarletteHTTPException(404)
    return [unquote(segment) for segment in segments]


def _digest(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x").removeprefix("0X"))


assert RECORD_KINDS == ("evidence", "licence", "work")  # RecordKind spells them out for the schema


def create_app(resolver: Resolver, run_worker: bool = True) -> FastAPI:
    """The FastAPI app serving `resolver`; the worker runs while the app does (`run_worker`)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            resolver.start()
        try:
            yield
        finally:
            resolver.stop()

    app = FastAPIOffline(
        title="shanglian resolver",
        version="1",
        summary="GS1 Digital Link resolver: where a product really came from, and how often its code was scanned",
        lifespan=lifespan,
        redoc_url=None,
        favicon_url="/favicon.ico",
        # FastAPI's native OpenTelemetry asks the global providers (reading the environment) on
        # every request whether it is on: about 30 µs a request measured here, a twentieth of an
        # item page's time. The resolver sets up no OpenTelemetry, so the question is not asked.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    pages = ItemPages(resolver)
    viewers = Viewers()

    verify_page = VerifyPage(pages.templates)

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith(("/api/", "/qr/", "/healthz", "/openapi.json"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = (
            "no such page: an item's page is /01/<gtin>/10/<lot>/21/<serial>, its data /api/v1/items/<gtin>/<lot>/<serial>"
            if exc.status_code == 404 else str(exc.detail)
        )
        if wants_html(request):
            page = pages.problem(request, exc.status_code, None)
            page.headers.update(exc.headers or {})
            return page
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ("", "request"))[-1])
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if wants_html(request):
            return pages.problem(request, 400, where)
        return JSONResponse({"error": message, "field": where}, status_code=400)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if wants_html(request):
            return pages.problem(request, 400, exc.field)
        return JSONResponse({"error": str(exc), "field": exc.field}, status_code=400)

    errors: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "a malformed GTIN, lot or serial"}}
    page_responses: dict[int | str, dict[str, Any]] = {
        **errors, 404: {"content": {"text/html": {}}, "description": "the lot or serial is not registered on chain"}}

    async def link_page(request: Request) -> Response:
        """The page of the Digital Link in the request's raw path, whatever it names."""
        link = link_of(request)
        if link.level == "product":
            raise InputError("lot", f"{link.uri} names a product; a page needs its lot or its serial")
        if link.level == "serial":
            assert link.serial is not None
            lots = resolver.lots_of_serial(link.gtin, link.serial)
            if len(lots) > 1:
                return pages.choose_lot(request, link, lots)
            if not lots:
                view = resolver.view_unknown_serial(link)
                return HTMLResponse(pages.render(view), status_code=404)
            link = gs1.DigitalLink(link.gtin, lots[0], link.serial, base="", cpv=link.cpv)
        view = await resolver.link_counted(link, viewers.client(request.scope))
        return HTMLResponse(pages.render(view), status_code=404 if view.batch is None else 200)

    @app.get("/01/{gtin}/10/{lot}/21/{serial}", response_class=HTMLResponse, responses=page_responses,
             summary="An item's page (a person's view is a scan)")
    async def item_page(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        return await link_page(request)

    # Why a second route for the same page: with FastAPI's per-request machinery (parameter
    # models, dependency solving) on its hot path, the item page measured below its target of half
    # the same server's hello-world throughput (bench/resolver.py, page/hello >= 0.5). So a plain
    # ASGI route stands ahead of the declared one: it answers a GET of a proven serial whose path
    # holds no percent-escape (so the decoded path Starlette routed on is the path as sent), and
    # hands every other request to the declared route, which answers it as before (and is the one
    # /openapi.json describes). Keep it the first route for this path.
    declared = app.router.routes[-1]
    assert isinstance(declared, APIRoute) and declared.endpoint is item_page
    gtin_pattern = re.compile(r"([0-9]{8}|[0-9]{12,14})")
    proven = pages.proven
    client_of = viewers.client

    async def item_page_fast(scope: Any, receive: Any, send: Any) -> None:
        params = scope["path_params"]
        gtin, lot, serial = params["gtin"], params["lot"], params["serial"]
        counted = None
        if (scope["method"] == "GET" and b"%" not in scope.get("raw_path", b"%") and gtin_pattern.fullmatch(gtin)
                and 0 < len(lot) <= 20 and 0 < len(serial) <= 20):
            counted = await resolver.page_counted(gtin, lot, serial, client_of(scope))
        if counted is None:
            await (declared if scope["method"] == "GET" else declared_head).handle(scope, receive, send)
            return
        body = proven(counted)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode("ascii")), (b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body})

    app.router.routes.insert(len(app.router.routes) - 1, Route(
        declared.path, _AsgiEndpoint(item_page_fast), methods=["GET"], name="item_page_fast", include_in_schema=False))

    @app.get("/01/{gtin}/10/{lot}", response_class=HTMLResponse, responses=page_responses,
             summary="A lot's page: the batch's story (not a scan)")
    async def lot_page(request: Request, gtin: Gtin, lot: Lot) -> Response:
        return await link_page(request)

    @app.get("/01/{gtin}/21/{serial}", response_class=HTMLResponse, responses={
                 **page_responses, 300: {"content": {"text/html": {}}, "description": "several lots hold the serial"}},
             summary="An item's page by GTIN and serial (a person's view is a scan)")
    async def serial_page(request: Request, gtin: Gtin, serial: Serial) -> Response:
        return await link_page(request)

    # Links the routes above do not match once Starlette decoded them: a "/" (%2F) in a value, the
    # AI 22 qualifier, a trailing slash, a malformed link (answered 400 naming what is wrong).
    @app.get("/01/{rest:path}", response_class=HTMLResponse, include_in_schema=False)
    async def any_link_page(request: Request, rest: Rest) -> Response:
        return await link_page(request)

    # HEAD of a page: answered like GET (uvicorn sends no body), never a scan (see clients.py).
    for route in [r for r in app.router.routes if isinstance(r, APIRoute) and r.path.startswith("/01/")]:
        app.add_api_route(route.path, route.endpoint, methods=["HEAD"], response_class=HTMLResponse,
                          include_in_schema=False, name=f"{route.name}_head")
    declared_head = app.router.routes[-4]
    assert isinstance(declared_head, APIRoute) and declared_head.name == "item_page_head"

    @app.get("/api/v1/items/{gtin}/{lot}/{serial}", response_model=ItemView, responses=errors, summary="An item's facts")
    async def item_api(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> ItemView:
        gtin, lot, serial = api_values(request, "/api/v1/items/", ("gtin", "lot", "serial"))
        return resolver.item(gtin, lot, serial)

    @app.get("/api/v1/items/{rest:path}", response_model=ItemView, include_in_schema=False)
    async def any_item_api(request: Request, rest: Rest) -> ItemView:
        gtin, lot, serial = api_values(request, "/api/v1/items/", ("gtin", "lot", "serial"))
        return resolver.item(gtin, lot, serial)

    @app.get("/api/v1/lots/{gtin}/{lot}", response_model=ItemView, responses=errors,
             summary="A lot's facts and batch-level story")
    async def lot_api(request: Request, gtin: Gtin, lot: Lot) -> ItemView:
        gtin, lot = api_values(request, "/api/v1/lots/", ("gtin", "lot"))
        return resolver.item(gtin, lot, None)

    @app.get("/api/v1/lots/{rest:path}", response_model=ItemView, include_in_schema=False)
    async def any_lot_api(request: Request, rest: Rest) -> ItemView:
        gtin, lot = api_values(request, "/api/v1/lots/", ("gtin", "lot"))
        return resolver.item(gtin, lot, None)

    qr_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"image/png": {}}, "description": "QR code (PNG)"}, **errors}

    def qr_image(request: Request) -> Response:
        link = link_of(request, "/qr")
        base = str(request.base_url).rstrip("/")
        return Response(qr.png(gs1.DigitalLink(link.gtin, link.lot, link.serial, base, link.cpv).uri),
                        media_type="image/png")

    @app.get("/qr/01/{gtin}/10/{lot}/21/{serial}", response_class=Response, responses=qr_responses,
             summary="An item's QR code")
    async def item_qr(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        return qr_image(request)

    @app.get("/qr/01/{gtin}/10/{lot}", response_class=Response, responses=qr_responses, summary="A lot's QR code")
    async def lot_qr(request: Request, gtin: Gtin, lot: Lot) -> Response:
        return qr_image(request)

    # Any other Digital Link of this resolver (by serial alone, with AI 22, with "/" in a value).
    @app.get("/qr/01/{rest:path}", response_class=Response, include_in_schema=False)
    async def any_qr(request: Request, rest: Rest) -> Response:
        return qr_image(request)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/verify", response_class=HTMLResponse, summary="The verification page: drop a file")
    async def verify_page_route() -> Response:
        return HTMLResponse(verify_page.render(""))

    @app.get("/verify/{kind}/{record_id}", response_class=HTMLResponse, responses=errors,
             summary="The verification page of the record a QR code names")
    async def verify_record_page(kind: RecordKind, record_id: Digest) -> Response:
        return HTMLResponse(verify_page.render(f"{kind}/0x{_digest(record_id).hex()}"))

    @app.get("/api/v1/verify/{digest}", response_model=VerifyView, responses=errors,
             summary="What the chain says about a document, by its digest")
    async def verify_api(digest: Digest, algorithm: Literal["sha256", "sm3"] | None = None) -> Response:
        return Response(resolver.verify(_digest(digest), algorithm), media_type="application/json")

    @app.get("/api/v1/verify/{kind}/{record_id}", response_model=VerifyView, responses=errors,
             summary="What the chain says about the record a QR code names")
    async def verify_record_api(kind: RecordKind, record_id: Digest) -> Response:
        return Response(resolver.verify_record(kind, _digest(record_id)), media_type="application/json")

    @app.get("/qr/verify/{kind}/{record_id}", response_class=Response, summary="The QR code of a record's verification page",
             responses={200: {"content": {"image/png": {}}, "description": "QR code (PNG)"}, **errors})
    async def verify_qr(request: Request, kind: RecordKind, record_id: Digest) -> Response:
        url = record_url(kind, _digest(record_id), str(request.base_url))
        return Response(qr.url_png(url), media_type="image/png")

    @app.get("/healthz", response_model=Health, summary="Index and scan-queue state",
             responses={503: {"model": Health, "description": "degraded: the node cannot be reached"}})
    async def healthz() -> Response:
        health = resolver.health()
        return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(FAVICON.read_bytes(), media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})

    @app.get("/hello", response_class=PlainTextResponse, summary="Hello world (benchmark baseline)")
    async def hello() -> str:
        return "hello"

    return app
