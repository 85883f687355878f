"""The digest in words: a pure function of the digest data, short enough for one screen."""

from __future__ import annotations

from conversations.forms.report_common import KLASTER_BY_KEY
from conversations.forms.spm import SPM_BY_KEY
from conversations.model import N_, Money, Text
from handlers.core.text import Texts, format_day
from handlers.dana.budget import ROUTE_NAMES
from handlers.digest.build import Digest, Figure

MAX_NAMES = 10
SPM_LINES = 3


def names_list(texts: Texts, locale: str, names: list[str], limit: int = MAX_NAMES) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        shown += " " + texts(N_("… and {count} more"), locale, count=len(names) - limit)
    return shown


def mark(value: float, average: float) -> str:
    """▲ more than 10 % above the average, ▼ more than 10 % below, = about the same."""
    if value > average * 1.1 and value - average >= 1:
        return "▲"
    if value < average * 0.9 and average - value >= 1:
        return "▼"
    return "="


def render(digest: Digest, texts: Texts, locale: str, deadline: str) -> str:
    t = texts
    lines = [t(N_("📊 ILP digest for {day}"), locale, day=format_day(digest.day, locale))]
    lines += _kelengkapan(digest, t, locale, deadline)
    lines.append(t(N_("Key figures (average of the 7 days before):"), locale))
    figures = [_figure(f, t, locale) for f in digest.figures if f.value or f.average]
    lines += figures or [t(N_("No figures reported yet."), locale)]
    lines += _alerts(digest, t, locale)
    d = digest.dana
    lines.append(
        t(
            N_(
                "Dana desa: {new} new, {decided} decided, {waiting} waiting more than 3 days; "
                "approved this month {amount}"
            ),
            locale,
            new=d.new,
            decided=d.decided,
            waiting=d.waiting_long,
            amount=Money(d.approved_rupiah),
        )
        + _routes(d.routes, t, locale)
    )
    lines += _spm(digest, t, locale)
    return "\n".join(lines)


def _routes(routes: tuple[tuple[str, int], ...], texts: Texts, locale: str) -> str:
    """ " (APBDes 2, RKP Desa 1)": the month's decisions by budget route, when there are any."""
    if not routes:
        return ""
    parts = [f"{texts(ROUTE_NAMES[r], locale)} {n}" for r, n in routes if r in ROUTE_NAMES]
    return f" ({', '.join(parts)})"


def headline(digest: Digest, texts: Texts, locale: str) -> str:
    """One line for a notice (the WhatsApp template outside the 24-hour window)."""
    complete = digest.puskesmas - len(digest.missing)
    alerts = len(digest.outbreaks) + len(digest.above_pattern) + (1 if digest.silent else 0)
    return texts(
        N_("{complete} of {count} puskesmas filed every daily form; {alerts} alerts"),
        locale,
        complete=complete,
        count=digest.puskesmas,
        alerts=alerts,
    )


def _kelengkapan(digest: Digest, t: Texts, locale: str, deadline: str) -> list[str]:
    lines = [
        t(
            N_("Reports filed ({count} puskesmas; on time = before {deadline}):"),
            locale,
            count=digest.puskesmas,
            deadline=deadline,
        )
    ]
    if digest.day_off is not None:
        lines.append(
            t(
                N_(
                    "Day off ({reason}): only rawat-inap puskesmas are expected to report "
                    "(working-day rules to be confirmed by the Dinkes)."
                ),
                locale,
                reason=digest.day_off,
            )
        )
    for k in digest.klaster:
        lines.append(
            t(
                N_("• {klaster}: {filed}/{count}, on time {on_time}"),
                locale,
                klaster=Text(KLASTER_BY_KEY[k.klaster].name),
                filed=k.filed,
                count=digest.puskesmas,
                on_time=k.on_time,
            )
        )
    if not digest.missing:
        lines.append(t(N_("Every puskesmas filed every daily form."), locale))
        return lines
    everything = len(digest.klaster)
    names = [
        t(N_("{name} (nothing)"), locale, name=m.puskesmas)
        if len(m.klaster) == everything
        else f"{m.puskesmas} ({', '.join(m.klaster)})"
        for m in digest.missing
    ]
    lines.append(t(N_("Not complete: {names}"), locale, names=names_list(t, locale, names)))
    return lines


def _figure(f: Figure, t: Texts, locale: str) -> str:
    return t(
        N_("{mark} {label}: {value} ({average})"),
        locale,
        mark=mark(f.value, f.average),
        label=Text(f.label),
        value=f.value,
        average=round(f.average),
    )


def _alerts(digest: Digest, t: Texts, locale: str) -> list[str]:
    lines = [t(N_("Alerts:"), locale)]
    for o in digest.outbreaks:
        lines.append(
            t(
                N_(
                    "⚠️ Suspected outbreak (KLB): Puskesmas {puskesmas}, {desa}: {disease}, {cases} cases"
                ),
                locale,
                puskesmas=o.puskesmas,
                desa=o.desa or "-",
                disease=o.disease or "-",
                cases="-" if o.cases is None else o.cases,
            )
        )
    for f in digest.above_pattern:
        lines.append(
            t(
                N_("⚠️ {label}: {value}, above its 28-day pattern (average {average})"),
                locale,
                label=Text(f.label),
                value=f.value,
                average=round(f.average),
            )
        )
    if digest.silent:
        lines.append(
            t(
                N_("⚠️ No report at all for 3 days: {names}"),
                locale,
                names=names_list(t, locale, list(digest.silent)),
            )
        )
    if len(lines) == 1:
        lines.append(t(N_("No alerts."), locale))
    return lines


def _spm(digest: Digest, t: Texts, locale: str) -> list[str]:
    if not digest.spm:
        return [
            t(
                N_("SPM capaian: no sasaran imported for {year} yet."),
                locale,
                year=str(digest.day.year),
            )
        ]
    lines = [
        t(
            N_("SPM capaian since January, lowest first (the year so far: {pace}%):"),
            locale,
            pace=round(digest.spm_pace),
        )
    ]
    shown = digest.spm[:SPM_LINES]
    lines += [spm_line(line, t, locale) for line in shown]
    lines += spm_footnote(shown, t, locale)
    return lines


def spm_line(line, texts: Texts, locale: str) -> str:
    """One SPM service: its capaian and the puskesmas lowest on it; * when how it is counted
    still needs the Dinkes' confirmation (the table in conversations/forms/spm.py)."""
    service = SPM_BY_KEY[line.service]
    return texts(
        N_("• {service}: {percent}% (lowest: {puskesmas} {lowest}%)"),
        locale,
        service=texts.render(Text(service.label), locale) + ("*" if service.confirm else ""),
        percent=round(line.percent),
        puskesmas=line.lowest or "-",
        lowest=round(line.lowest_percent),
    )


def spm_footnote(lines, texts: Texts, locale: str) -> list[str]:
    """The note under SPM lines of which one is marked *."""
    if not any(SPM_BY_KEY[line.service].confirm for line in lines):
        return []
    return [texts(N_("* how it is counted awaits the Dinkes' confirmation: /bantuan SPM"), locale)]
