"""GET /metrics on the public port: the counts tell who uses the bot and how much, so only a
scraper holding METRICS_TOKEN reads them; without a token set the route does not exist there.
(METRICS_PORT, where set, stays a listener of its own: tests/test_scale_out.py scrapes it.)"""

import httpx
import pytest

from bot.app import App
from bot.web import create_app

TOKEN = "metrics-token-for-tests"


async def scrape(whatsapp, token: str | None, headers: dict[str, str] | None = None):
    settings = whatsapp.app.settings.model_copy(update={"metrics_token": token})
    web = create_app(App(settings, whatsapp.app.db, whatsapp.app.runtime), channels=[])
    transport = httpx.ASGITransport(web)
    async with httpx.AsyncClient(transport=transport, base_url="http://ilpbot.test") as http:
        return await http.get("/metrics", headers=headers or {})


async def test_without_a_token_there_is_no_metrics_route(whatsapp):
    assert (await scrape(whatsapp, None)).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer guess-guess-guess-guess", f"bearer{TOKEN}", TOKEN, "Bearer é".encode()],
    ids=["none", "wrong", "no-space", "no-scheme", "not-ascii"],
)
async def test_a_scrape_without_the_token_is_a_401(whatsapp, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await scrape(whatsapp, TOKEN, headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "ilpbot_" not in response.text


async def test_the_scraper_with_the_token_reads_the_counts(whatsapp):
    await scrape(whatsapp, TOKEN, {"Authorization": "Bearer guess-guess-guess-guess"})
    response = await scrape(whatsapp, TOKEN, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "ilpbot_updates_total" in response.text
    assert 'ilpbot_refused_total{channel="metrics",why="bad_token"}' in response.text
