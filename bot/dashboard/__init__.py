"""The dashboard (`/dasbor/…` on `ilpbot web`): server-rendered pages in Indonesian, one login
path (a one-time link from `/dasbor` in chat), the role's scope checked on the server for every
page and download. The figures come from handlers/dashboard; this module only renders."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot import metrics
from bot.app import App
from bot.dashboard import security
from bot.dashboard.render import environment
from bot.dashboard.svg import heat_svg, line_svg
from bot.media_store import media_store
from db.dashboard_queries import DanaFilter
from handlers.dana.budget import ROUTE_NAMES
from handlers.dashboard import access, downloads, views
from handlers.dashboard.places import service_named
from handlers.dashboard.scope import Page, Viewer

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
Handler = Callable[[Request, Viewer], Awaitable[Response]]


def routes(app: App) -> list[BaseRoute]:
    settings, runtime = app.settings, app.runtime
    signer = security.Signer(settings.dashboard_secret_key())
    secure = (settings.public_url or "").startswith("https://")
    env = environment(runtime.texts)
    store = media_store(settings)  # the evidence photos, as the media worker keeps them
    now = runtime.clock  # the one clock of the process (a test's, in the stories)

    def page(name: str, status: int = 200, viewer: Viewer | None = None, **data: Any) -> Response:
        data.setdefault("csrf", "")
        html = env.get_template(name).render(viewer=viewer, pages=Page, **data)
        return security.harden(HTMLResponse(html, status_code=status))

    def refused(request: Request, why: str) -> None:
        metrics.refused("dashboard", why, request.client)
        log.info("dashboard: %s refused (%s)", request.url.path, why)

    async def login(request: Request) -> Response:
        token = request.query_params.get("t", "")
        session_token = await access.sign_in(app.db, token, now()) if token else None
        if session_token is None:
            refused(request, "bad_login_link")
            return page("masuk.html", 400, expired=bool(token))
        response = RedirectResponse("/dasbor", status_code=303)
        security.set_cookie(response, signer.cookie_value(session_token), secure)
        return security.harden(response)

    async def viewer_of(request: Request) -> tuple[str, Viewer] | None:
        token = signer.token_of(security.cookie_of(request))
        if token is None:
            if security.cookie_of(request):
                refused(request, "forged_cookie")
            return None
        viewer = await access.who(app.db, token, now())
        return None if viewer is None else (token, viewer)

    def guarded(wanted: Page | None, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            found = await viewer_of(request)
            if found is None:
                response = page("masuk.html", 401)
                security.clear_cookie(response, secure)
                return response
            token, viewer = found
            if wanted is not None and not viewer.may(wanted):
                refused(request, "out_of_scope")
                return page("tolak.html", 403, viewer=viewer, csrf=signer.csrf(token))
            request.state.csrf = signer.csrf(token)
            request.state.token = token
            try:
                return await handler(request, viewer)
            except (ValueError, KeyError):
                return page("salah.html", 400, viewer=viewer, csrf=request.state.csrf)

        return endpoint

    def show(name: str, request: Request, viewer: Viewer, status: int = 200, **data) -> Response:
        current = request.url.path.split("/")[2] if request.url.path.count("/") >= 2 else ""
        return page(name, status, viewer=viewer, csrf=request.state.csrf, current=current, **data)

    async def home(request: Request, viewer: Viewer) -> Response:
        return RedirectResponse(f"/dasbor/{viewer.pages[0].value}", status_code=303)

    async def ringkasan(request: Request, viewer: Viewer) -> Response:
        data = await views.ringkasan(runtime, viewer, now())
        heat = [(h, heat_svg(h)) for h in data.heat]
        return show("ringkasan.html", request, viewer, data=data, heat=heat, now=now())

    async def capaian(request: Request, viewer: Viewer) -> Response:
        data = await views.capaian(runtime, viewer, now())
        return show("capaian.html", request, viewer, data=data, chart=line_svg(data))

    async def pws(request: Request, viewer: Viewer) -> Response:
        service = service_named(request.query_params.get("layanan"))
        month = _month(request.query_params.get("bulan"), runtime.texts.today(now()))
        chosen = _int(request.query_params.get("puskesmas"))
        if chosen is not None and not viewer.sees_puskesmas(chosen):
            refused(request, "out_of_scope")
            return show("tolak.html", request, viewer, 403)
        data = await views.pws(runtime, viewer, service, month, chosen)
        names = await views.puskesmas_list(runtime, viewer)
        return show(
            "pws.html",
            request,
            viewer,
            data=data,
            services=views.SERVICES,
            names=names,
            chosen=chosen,
        )

    async def puskesmas(request: Request, viewer: Viewer) -> Response:
        names = await views.puskesmas_list(runtime, viewer)
        chosen = request.query_params.get("id")
        if chosen is None and len(names) == 1:
            chosen = str(next(iter(names)))
        data = None
        if chosen is not None:
            data = await views.puskesmas(runtime, viewer, int(chosen), now())
            if data is None:
                refused(request, "out_of_scope")
                return show("tolak.html", request, viewer, 403)
        return show("puskesmas.html", request, viewer, data=data, names=names)

    async def dana(request: Request, viewer: Viewer) -> Response:
        q = request.query_params
        f = DanaFilter(
            status=q.get("status") or None,
            year=_int(q.get("tahun")),
            desa=_int(q.get("desa")),
            kecamatan=_int(q.get("kecamatan")),
            route=q.get("jalur") if q.get("jalur") in ROUTE_NAMES else None,
        )
        data = await views.dana_list(runtime, viewer, f)
        return show("dana.html", request, viewer, data=data, chosen=f, statuses=views.STATUSES)

    async def dana_one(request: Request, viewer: Viewer) -> Response:
        data = await views.dana_one(runtime, viewer, request.path_params["ref"])
        if data is None:
            refused(request, "out_of_scope")
            return show("tolak.html", request, viewer, 404)
        return show("dana_satu.html", request, viewer, data=data, statuses=views.STATUSES)

    async def photo(request: Request, viewer: Viewer) -> Response:
        found = await views.evidence(runtime, viewer, int(request.path_params["item"]))
        if found is None:
            refused(request, "out_of_scope")
            return show("tolak.html", request, viewer, 404)
        key, mime = found
        if not mime.startswith("image/") and mime != "application/pdf":
            mime = "application/octet-stream"
        return security.harden(Response(await store.get(key), media_type=mime))

    async def desa(request: Request, viewer: Viewer) -> Response:
        data = await views.desa(runtime, viewer, now())
        return show("desa.html", request, viewer, data=data, statuses=views.STATUSES)

    async def unduh(request: Request, viewer: Viewer) -> Response:
        names = await downloads.choices(runtime, viewer)
        today = runtime.texts.today(now())
        return show("unduh.html", request, viewer, names=names, today=today, kinds=downloads.KINDS)

    async def unduh_file(request: Request, viewer: Viewer) -> Response:
        q = request.query_params
        try:
            made = await downloads.download(
                runtime,
                viewer,
                q["jenis"],
                date.fromisoformat(q["dari"]),
                date.fromisoformat(q["sampai"]),
                _int(q.get("puskesmas")),
            )
        except downloads.NotAllowed:
            refused(request, "out_of_scope")
            return show("tolak.html", request, viewer, 403)
        disposition = f'attachment; filename="{made.name}"'
        response = Response(made.body, media_type=made.media_type)
        response.headers["Content-Disposition"] = disposition
        return security.harden(response)

    async def logout(request: Request) -> Response:
        found = await viewer_of(request)
        # one urlencoded field: the standard library reads it (no multipart parser needed)
        form = parse_qs((await request.body())[:4096].decode("latin-1"))
        sent = (form.get("csrf") or [""])[0]
        if found is not None and signer.csrf_ok(found[0], sent):
            await access.sign_out(app.db, found[0], now())
        elif found is not None:
            refused(request, "bad_csrf")
            return page("tolak.html", 403, viewer=found[1], csrf=signer.csrf(found[0]))
        response = RedirectResponse("/dasbor/keluar", status_code=303)
        security.clear_cookie(response, secure)
        return security.harden(response)

    async def logged_out(_request: Request) -> Response:
        return page("keluar.html")

    return [
        Route("/dasbor", guarded(None, home), methods=["GET"]),
        Route("/dasbor/masuk", login, methods=["GET"]),
        Route("/dasbor/keluar", logout, methods=["POST"]),
        Route("/dasbor/keluar", logged_out, methods=["GET"]),
        Route("/dasbor/ringkasan", guarded(Page.RINGKASAN, ringkasan), methods=["GET"]),
        Route("/dasbor/capaian", guarded(Page.CAPAIAN, capaian), methods=["GET"]),
        Route("/dasbor/pws", guarded(Page.PWS, pws), methods=["GET"]),
        Route("/dasbor/puskesmas", guarded(Page.PUSKESMAS, puskesmas), methods=["GET"]),
        Route("/dasbor/dana", guarded(Page.DANA, dana), methods=["GET"]),
        Route("/dasbor/dana/{ref}", guarded(Page.DANA, dana_one), methods=["GET"]),
        Route("/dasbor/desa", guarded(Page.DESA, desa), methods=["GET"]),
        Route("/dasbor/foto/{item:int}", guarded(Page.DANA, photo), methods=["GET"]),
        Route("/dasbor/unduh", guarded(Page.UNDUH, unduh), methods=["GET"]),
        Route("/dasbor/unduh/file", guarded(Page.UNDUH, unduh_file), methods=["GET"]),
        Mount("/dasbor/static", StaticFiles(directory=STATIC), name="dasbor-static"),
    ]


def _int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    year, month = (int(x) for x in value.split("-"))
    return date(year, month, 1)
