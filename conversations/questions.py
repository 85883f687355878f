"""What the engine shows: the question for a step, the summary, the small confirmations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from conversations.answers import choice_options
from conversations.model import N_, Choice, Day, Flow, Money, Month, Reply, State, Step, Text

# Button values are codes; the label a user reads comes from the catalogue, the words a user
# may type instead from the word list (conversations.words).
YES_NO = (Choice("yes", Text(N_("Yes"))), Choice("no", Text(N_("No"))))
SKIP = Choice("skip", Text(N_("Skip")))
REVIEW_CHOICES = (
    Choice("send", Text(N_("Send"))),
    Choice("change", Text(N_("Change"))),
    Choice("cancel", Text(N_("Cancel"))),
)
RESUME_CHOICES = (
    Choice("continue", Text(N_("Continue"))),
    Choice("restart", Text(N_("Start over"))),
)
REQUESTS = {"location": "location", "contact": "contact"}


def step_choices(step: Step, context: dict[str, Any]) -> tuple[Choice, ...]:
    if step.type == "yes_no":
        choices: tuple[Choice, ...] = YES_NO
    elif step.provider:
        choices = tuple(
            Choice(v, Text.raw(label or v)) for v, label in choice_options(step, context)
        )
    else:
        choices = step.choices
    if not step.required:
        choices = (*choices, SKIP)
    return choices


def prompt_text(step: Step, state: State) -> Text:
    """Prompts may name earlier plain answers and the caller's context params."""
    answers = {k: v for k, v in state.answers.items() if isinstance(v, str | int) and k[0] != "_"}
    params = {**answers, **state.context.get("params", {})}
    return Text(step.prompt, tuple(sorted(params.items())))


def ask(flow: Flow, step: Step, state: State, lead: tuple[Text, ...] = ()) -> Reply:
    return Reply(
        parts=(*lead, prompt_text(step, state)),
        choices=step_choices(step, state.context),
        request=REQUESTS.get(step.type),
    )


def display(
    step: Step, value: Any, context: dict[str, Any]
) -> Text | Money | Day | Month | str | int:
    """A stored answer as the user should read it back."""
    if value is None:
        return Text(N_("(skipped)"))
    if step.type == "yes_no":
        return Text(N_("Yes") if value else N_("No"))
    if step.type == "money":
        return Money(Decimal(value))
    if step.type == "date":
        return Day(date.fromisoformat(value))
    if step.type == "month":
        return Month(value)
    if step.type in ("choice", "multi_choice"):
        labels = {c.value: c.label for c in step_choices(step, context)}
        values = value if isinstance(value, list) else [value]
        shown = [labels.get(v, Text.raw(str(v))) for v in values]
        return shown[0] if len(shown) == 1 else Text.raw(", ".join(s.msgid for s in shown))
    if step.type == "photo":
        return Text(N_("photo received"))
    if step.type == "location":
        return Text.raw(f"{value['lat']:.5f}, {value['lon']:.5f}")
    if step.type == "contact":
        return Text.raw(value["phone"])
    return value if isinstance(value, int) else str(value)


def summary_lines(flow: Flow, state: State) -> tuple[Text, ...]:
    lines = []
    for step in flow.steps:
        if step.key in state.answers:
            value = display(step, state.answers[step.key], state.context)
            label = Text(step.label or step.prompt)
            if step.code:  # the quick-entry code, so the summary teaches it
                lines.append(
                    Text.of(
                        N_("{code} · {label}: {value}"), code=step.code, label=label, value=value
                    )
                )
            else:
                lines.append(Text.of(N_("{label}: {value}"), label=label, value=value))
    return tuple(lines)


def review(flow: Flow, state: State, lead: tuple[Text, ...] = ()) -> Reply:
    head = Text.of(N_("Please check your answers ({title}):"), title=Text(flow.title))
    tail = Text(N_("Send now, change an answer, or cancel?"))
    return Reply(parts=(*lead, head, *summary_lines(flow, state), tail), choices=REVIEW_CHOICES)


def edit_menu(flow: Flow, state: State) -> Reply:
    choices = tuple(
        Choice(s.key, Text(s.label or s.prompt)) for s in flow.steps if s.key in state.answers
    )
    return Reply(parts=(Text(N_("Which answer do you want to change?")),), choices=choices)


def confirm_cancel() -> Reply:
    return Reply(
        parts=(Text(N_("Cancel this form? The answers you gave will be lost.")),), choices=YES_NO
    )


def resume_offer(flow: Flow, state: State) -> Reply:
    head = Text.of(
        N_("You have an unfinished form ({title}) with {count} answers. Continue or start over?"),
        title=Text(flow.title),
        count=len(state.answers),
    )
    return Reply(parts=(head,), choices=RESUME_CHOICES)


def soft_warning(step: Step, value: Any) -> Reply:
    head = Text.of(
        N_("{value} is much higher than usual for “{label}”. Are you sure?"),
        value=value,
        label=Text(step.label or step.prompt),
    )
    return Reply(parts=(head,), choices=YES_NO)


def ambiguity(options: list[Any], step: Step, context: dict[str, Any], lead: Text) -> Reply:
    choices = tuple(Choice(str(i), _option_label(step, o, context)) for i, o in enumerate(options))
    return Reply(parts=(lead,), choices=choices)


def _option_label(step: Step, option: Any, context: dict[str, Any]) -> Text:
    if step.type in ("choice", "multi_choice"):
        shown = display(step, option, context)
        return shown if isinstance(shown, Text) else Text.raw(str(shown))
    if step.type == "money":
        return Text.of("{value}", value=Money(Decimal(option)))
    return Text.raw(str(option).replace(".", ","))
