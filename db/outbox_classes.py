"""Priority classes of outbox rows: who waits for whom when a platform's rate is the limit.

A reply to the person who just wrote goes first; then alerts and decisions for third parties
(KLB, deaths, early-warning rules, a kades' request and its answer); bulk (reminders, digests,
summaries, broadcasts) takes only the capacity the others leave. Within a chat the order is
always the order of writing, whatever the class (see handlers/core/outbox.py `claim`).
"""

from __future__ import annotations

REPLY, ALERT, BULK = 0, 1, 2
NAMES = {REPLY: "reply", ALERT: "alert", BULK: "bulk"}

# The outbox kind → its class. A kind not listed is bulk: a new kind of message never overtakes
# a reply by accident; a new alert adds its line here.
BY_KIND: dict[str, int] = {
    "reply": REPLY,
    "notice": REPLY,
    "export": REPLY,
    "klb_alert": ALERT,
    "death_alert": ALERT,
    "ews_alert": ALERT,
    "staff": ALERT,  # a move, a deactivation, a handover told to the person it concerns
    "link": ALERT,
    "dana_kades": ALERT,
    "dana_requester": ALERT,
    "dana_dinkes": ALERT,
    "dana_info": ALERT,
    "dana_escalation": ALERT,
    "reminder": BULK,
    "digest": BULK,
    "summary_weekly": BULK,
    "summary_monthly": BULK,
    "broadcast": BULK,
    "desa_profile": BULK,
}


def class_of(kind: str) -> int:
    return BY_KIND.get(kind, BULK)
