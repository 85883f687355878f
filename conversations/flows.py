"""The registry of flows and their load-time validation."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from conversations.model import INPUT_TYPES, Flow

CHOICE_TYPES = ("choice", "multi_choice")


class FlowError(ValueError):
    pass


def msgids(flow: Flow) -> set[str]:
    """Every msgid a flow shows, so a caller can check them against its catalogue."""
    ids = {flow.title} | ({flow.intro} if flow.intro else set())
    for step in flow.steps:
        ids.update(x for x in (step.prompt, step.help, step.label) if x)
        ids.update(c.label.msgid for c in step.choices if not c.label.literal)
    ids.update(rule.message for rule in flow.rules)
    return ids


def validate(flow: Flow, known: Iterable[str] | None = None) -> Flow:
    keys = [s.key for s in flow.steps]
    if len(set(keys)) != len(keys):
        raise FlowError(f"{flow.name}: step keys are not unique")
    for step in flow.steps:
        _check_step(flow, step, set(keys))
    for rule in flow.rules:
        if rule.scope not in ("answers", "context"):
            raise FlowError(f"{flow.name}: unknown rule scope {rule.scope}")
        if rule.key not in keys or (rule.scope == "answers" and rule.other not in keys):
            raise FlowError(f"{flow.name}: rule names an unknown step")
    if known is not None:
        missing = msgids(flow) - set(known)
        if missing:
            raise FlowError(f"{flow.name}: untranslated msgids {sorted(missing)}")
    return flow


def _check_step(flow: Flow, step, keys: set[str]) -> None:
    if not step.key.isidentifier() or step.key.startswith("_"):
        raise FlowError(f"{flow.name}: bad step key {step.key!r}")
    if step.type not in INPUT_TYPES:
        raise FlowError(f"{flow.name}.{step.key}: unknown type {step.type}")
    if step.type in CHOICE_TYPES and not (step.choices or step.provider):
        raise FlowError(f"{flow.name}.{step.key}: a choice needs choices or a provider")
    cond = step.skip_if
    if cond and cond.scope not in ("answers", "context"):
        raise FlowError(f"{flow.name}.{step.key}: unknown condition scope {cond.scope}")
    if cond and cond.scope == "answers" and cond.key not in keys:
        raise FlowError(f"{flow.name}.{step.key}: skip condition names an unknown step")


def load_all() -> dict[str, Flow]:
    """Every `FLOW` (or `FLOWS`) in conversations/forms, validated, by name."""
    from conversations import forms

    found: dict[str, Flow] = {}
    for info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"conversations.forms.{info.name}")
        for flow in getattr(module, "FLOWS", ()) or (getattr(module, "FLOW", None),):
            if flow is not None:
                if flow.name in found:
                    raise FlowError(f"flow {flow.name} defined twice")
                found[flow.name] = validate(flow)
    return found
