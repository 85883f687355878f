"""Counters read back from an app's /metrics, as the refusal bench and tests check them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


async def refused_counts(http, token: str) -> dict[tuple[str, str], float]:
    """ilpbot_refused_total by (channel, why), as an app's /metrics shows it."""
    text = (await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})).text
    return {
        (s.labels["channel"], s.labels["why"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "ilpbot_refused"
        for s in family.samples
        if s.name == "ilpbot_refused_total"
    }
