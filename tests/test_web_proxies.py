"""Who sent a request, as `ilpbot web` logs it: X-Forwarded-For is believed only from the proxies in
FORWARDED_ALLOW_IPS (default 127.0.0.1). Believing everyone let a forger choose the address his
refusals were logged under."""

import asyncio
import logging
import threading

import httpx
import pytest
import uvicorn

from bot.processes import uvicorn_options
from fakes.server import free_port


async def refused_from(whatsapp, caplog, allowed: str | None) -> str:
    """Posts an unsigned payload from 127.0.0.1 claiming to come from 203.0.113.9 through a
    proxy, to the real app under uvicorn with `ilpbot web`'s options; returns the address the
    refusal was logged with."""
    settings = whatsapp.app.settings.model_copy(update={"port": free_port()})
    if allowed is not None:
        settings = settings.model_copy(update={"forwarded_allow_ips": allowed})
    options = uvicorn_options(settings) | {"host": "127.0.0.1", "lifespan": "off"}
    server = uvicorn.Server(uvicorn.Config(whatsapp.web, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        await asyncio.sleep(0.01)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.metrics"):
            async with httpx.AsyncClient() as http:
                response = await http.post(
                    f"http://127.0.0.1:{settings.port}/whatsapp/webhook",
                    content=b"{}",
                    headers={"X-Forwarded-For": "203.0.113.9"},
                )
    finally:
        server.should_exit = True
        thread.join()
    assert response.status_code == 403
    [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    return line.rsplit(" ", 1)[1]


@pytest.mark.parametrize(
    ("allowed", "logged"),
    [
        ("10.0.0.1", "127.0.0.1"),  # not our proxy: its header is ignored
        (None, "203.0.113.9"),  # the default trusts a proxy on this machine
        ("127.0.0.0/8,10.0.0.1", "203.0.113.9"),
    ],
    ids=["other-proxy", "default", "network"],
)
async def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(
    whatsapp, caplog, allowed, logged
):
    assert await refused_from(whatsapp, caplog, allowed) == logged


def test_the_default_trusts_only_this_machine(whatsapp):
    assert uvicorn_options(whatsapp.app.settings)["forwarded_allow_ips"] == "127.0.0.1"
