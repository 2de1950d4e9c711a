"""The GS1 Digital Link resolver: the consumer's page, a JSON API, QR images, served from the index.

:func:`create_app` builds the FastAPI app (the routes, this module) around a
:class:`~.service.Resolver`: the SQLite index (written by :mod:`.indexer`, read by :mod:`.queries`),
the durable scan queue (see :mod:`.scans`), and a worker thread that alternates index passes with
scan flushes. Requests never call the chain: an item page is a few primary-key lookups (batch facts
are cached per batch until the index changes), one membership lookup, one committed INSERT for the
scan, and one count. The shapes returned are in :mod:`.views`, the page's rendering in :mod:`.pages`.

Routes:

- ``GET /01/{gtin}/10/{lot}/21/{serial}`` — the item page (HTML, Chinese with English beside it);
  each view of a proven item is a scan, committed before the page is returned.
- ``GET /api/v1/items/{gtin}/{lot}/{serial}`` — the same facts as JSON (:class:`ItemView`); does
  not count as a scan.
- ``GET /qr/01/{gtin}/10/{lot}/21/{serial}`` — the item's QR code (PNG) pointing at this resolver.
- ``GET /verify`` — the verification page: a person drops a file, the browser digests it (SHA-256
  and SM3, with hash-wasm served from ``/static``, never a CDN) and asks the API below;
  ``GET /verify/{kind}/{id}`` — the same page for the record a QR code names (evidence, licence,
  work); ``GET /qr/verify/{kind}/{id}`` — that QR code (PNG).
- ``GET /api/v1/verify/{digest}`` and ``GET /api/v1/verify/{kind}/{id}`` — what the chain says, as
  JSON (:class:`VerifyView`): evidence records, the licence, the work, or none.
- ``GET /healthz`` — index and scan-queue state; ``GET /hello`` — a baseline for the benchmark."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from typing import Annotated, Any, AsyncIterator, Literal

from fastapi import FastAPI, Request
from fastapi import Path as FastPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from shanglian import gs1, qr
from shanglian.errors import InputError
from shanglian.resolver.hall_views import VerifyView
from shanglian.resolver.pages import STATIC, ItemPages, VerifyPage
from shanglian.resolver.service import Resolver
from shanglian.resolver.views import Health, ItemView, Problem
from shanglian.verification import RECORD_KINDS, record_url

__all__ = ["ItemView", "Resolver", "create_app"]

# What the path accepts, declared so the schema says it; gs1 checks the rest (check digit,
# character set) and answers 400 naming the field.
Gtin = Annotated[str, FastPath(pattern=r"^([0-9]{8}|[0-9]{12,14})$", description="GTIN-8/12/13/14")]
Lot = Annotated[str, FastPath(min_length=1, max_length=20, description="batch/lot (GS1 AI 10)")]
Serial = Annotated[str, FastPath(min_length=1, max_length=20, description="serial (GS1 AI 21)")]
Digest = Annotated[str, FastPath(pattern=r"^(0x)?[0-9a-fA-F]{64}$", description="a document's digest, 64 hex digits")]
RecordKind = Annotated[Literal["evidence", "licence", "work"], FastPath(description="what the id names")]


class _AsgiEndpoint:
    """An ASGI callable that Starlette's Route mounts as it is (a bare function it would wrap)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


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

    app = FastAPI(
        title="shanglian resolver",
        version="1",
        summary="GS1 Digital Link resolver: where a product really came from, and how often its code was scanned",
        lifespan=lifespan,
    )
    pages = ItemPages(resolver)

    verify_page = VerifyPage(pages.templates)

    def wants_html(request: Request) -> bool:
        return request.url.path.startswith(("/01/", "/verify"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = (
            "no such page: an item's page is /01/<gtin>/10/<lot>/21/<serial>, its data /api/v1/items/<gtin>/<lot>/<serial>"
            if exc.status_code == 404 else str(exc.detail)
        )
        if wants_html(request):
            page = pages.problem(request, exc.status_code, message)
            page.headers.update(exc.headers or {})
            return page
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ("", "request"))[-1])
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if wants_html(request):
            return pages.problem(request, 400, message)
        return JSONResponse({"error": message, "field": where}, status_code=400)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if wants_html(request):
            return pages.problem(request, 400, str(exc))
        return JSONResponse({"error": str(exc), "field": exc.field}, status_code=400)

    errors: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "a malformed GTIN, lot or serial"}}

    page_responses = {**errors, 404: {"content": {"text/html": {}}, "description": "the lot is not registered on chain"}}

    @app.get("/01/{gtin}/10/{lot}/21/{serial}", response_class=HTMLResponse, responses=page_responses,
             summary="The item's page")
    async def item_page(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        counted = await resolver.page_counted(gtin, lot, serial)
        if counted is not None:
            return HTMLResponse(pages.proven(counted))
        view = await resolver.item_counted(gtin, lot, serial)
        return HTMLResponse(pages.render(view), status_code=404 if view.batch is None else 200)

    # Why a second route for the same page: with FastAPI's per-request machinery (parameter
    # models, dependency solving) on its hot path, the item page measured below its target of half
    # the same server's hello-world throughput (bench/resolver.py, page/hello >= 0.5). So a plain
    # ASGI route stands ahead of the declared one: it answers a GET of a proven serial that the declared route would accept, and
    # hands every other request to the declared route, which answers it as before (and is the one
    # /openapi.json describes). Keep it the first route for this path.
    declared = app.router.routes[-1]
    assert isinstance(declared, APIRoute) and declared.endpoint is item_page
    gtin_pattern = re.compile(r"([0-9]{8}|[0-9]{12,14})")
    proven = pages.proven

    async def item_page_fast(scope: Any, receive: Any, send: Any) -> None:
        params = scope["path_params"]
        gtin, lot, serial = params["gtin"], params["lot"], params["serial"]
        counted = None
        if scope["method"] == "GET" and gtin_pattern.fullmatch(gtin) and 0 < len(lot) <= 20 and 0 < len(serial) <= 20:
            counted = await resolver.page_counted(gtin, lot, serial)
        if counted is None:
            await declared.handle(scope, receive, send)
            return
        body = proven(counted)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode("ascii")), (b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body})

    app.router.routes.insert(len(app.router.routes) - 1, Route(
        declared.path, _AsgiEndpoint(item_page_fast), methods=["GET"], name="item_page_fast", include_in_schema=False))

    @app.get("/api/v1/items/{gtin}/{lot}/{serial}", response_model=ItemView, responses=errors, summary="The item's facts")
    async def item_api(gtin: Gtin, lot: Lot, serial: Serial) -> ItemView:
        return resolver.item(gtin, lot, serial, count_scan=False)

    @app.get(
        "/qr/01/{gtin}/10/{lot}/21/{serial}",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "QR code (PNG)"}, **errors},
        summary="The item's QR code",
    )
    async def item_qr(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        base = str(request.base_url).rstrip("/")
        link = gs1.DigitalLink(gtin=gtin, lot=lot, serial=serial, base=base)
        return Response(qr.png(link.uri), media_type="image/png")

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

    @app.get("/healthz", response_model=Health, summary="Index and scan-queue state")
    async def healthz() -> Health:
        return resolver.health()

    @app.get("/hello", response_class=PlainTextResponse, summary="Hello world (benchmark baseline)")
    async def hello() -> str:
        return "hello"

    return app
