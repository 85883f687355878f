"""The dashboard in a real browser (Debian's chromium driven by Playwright): a Dinkes user signs
in from the link the bot sends and opens every page on a phone and a desktop screen. No page
logs a console error or asks any other host for anything; the heat-map has one cell per
puskesmas and day; the figures are the database's; axe-core finds no serious accessibility
violation. Screenshots land in tests/artifacts/ (ignored by git) for a person to look at."""

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from dashboard_steps import dashboard_on, free_port, link_in
from report_steps import quick
from sqlalchemy import select

from bot.web import create_app
from db.models import Puskesmas
from handlers.reports.indicators import DAILY, catalog, short_name

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENS = {"phone": (360, 740), "desktop": (1280, 800)}
PAGES = ("ringkasan", "capaian", "pws", "puskesmas", "dana", "unduh")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="chromium not installed (.ci/run installs it)"
    ),
]


@pytest.fixture
async def served(runtime, db_url):
    """The web app with the dashboard on, served by uvicorn on a local port."""
    port = free_port()
    app = dashboard_on(runtime, db_url, public_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(app, channels=[]), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_a_dinkes_user_opens_every_page_on_a_phone_and_a_desktop(
    served, registered, runtime, db
):
    from playwright.async_api import async_playwright

    siti = await registered("petugas", chat_id="304")
    k3 = {c: 0 for c, i in catalog(runtime.flows).items() if i.klaster.key == "3"}
    await siti.send(quick("K3", k3 | {"HTLAYAN": 3, "HTSPM": 2}))
    await siti.press("Kirim")
    dinkes = await registered("dinkes", chat_id="300", name="Rina Dinkes")
    link = link_in(await dinkes.send("/dasbor"))
    async with db.transaction() as session:
        puskesmas = len((await session.execute(select(Puskesmas.id))).all())
    ARTIFACTS.mkdir(exist_ok=True)
    host = urlsplit(served).netloc

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = await browser.new_context()
        page = await context.new_page()
        errors, elsewhere = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request", lambda r: elsewhere.append(r.url) if urlsplit(r.url).netloc != host else None
        )

        await page.goto(link)
        assert page.url.endswith("/dasbor/ringkasan")
        for screen, (width, height) in SCREENS.items():
            await page.set_viewport_size({"width": width, "height": height})
            for name in PAGES:
                response = await page.goto(f"{served}/dasbor/{name}")
                assert response.status == 200, name
                assert "script-src 'none'" in response.headers["content-security-policy"]
                await page.screenshot(
                    path=str(ARTIFACTS / f"dasbor-{name}-{screen}.png"), full_page=True
                )
        await page.goto(f"{served}/dasbor/ringkasan")
        for klaster in [short_name(k) for k in DAILY]:
            cells = await page.locator(f'svg[data-klaster="{klaster}"] rect.cell').count()
            assert cells == puskesmas * 14, klaster
        await page.goto(f"{served}/dasbor/capaian")
        assert await page.locator('tfoot td[data-total="2"]').count() >= 1
        assert errors == [] and elsewhere == []

        # axe-core needs its script in the page: a context that lets the test inject it
        audit = await browser.new_context(bypass_csp=True)
        audit_page = await audit.new_page()
        await audit_page.goto(link_in(await dinkes.send("/dasbor")))
        for name in PAGES:
            await audit_page.goto(f"{served}/dasbor/{name}")
            await audit_page.add_script_tag(path=str(AXE))
            result = await audit_page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => ['serious', 'critical'].includes(v.impact))"
                ".map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))"
            )
            assert result == [], (name, result)
        await browser.close()
