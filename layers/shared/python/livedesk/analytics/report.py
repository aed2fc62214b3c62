"""The KPI report as one self-contained HTML page: numbers and inline SVG charts, no scripts or
external files, so it can be mailed or archived as it is."""

from __future__ import annotations

import math
from html import escape

from livedesk.analytics.kpis import Kpis

WIDTH, HEIGHT, PAD = 640, 220, 36
COLOURS = ("#2f6fde", "#e8833a", "#3aa76d", "#c44e52", "#8172b2")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def bars(title: str, labels: list[str], series: list[tuple[str, list[float]]], line: tuple[str, list[float | None]] | None = None) -> str:
    """Grouped vertical bars, one group per label, with an optional line over them (a forecast)."""
    values = [v for _, vs in series for v in vs] + [v for v in (line[1] if line else []) if v is not None]
    top = max(values, default=0) or 1
    group = (WIDTH - 2 * PAD) / max(1, len(labels))
    width = group * 0.8 / max(1, len(series))
    longest = max((len(label) for label in labels), default=1)
    label_every = max(1, math.ceil((longest * 6 + 8) / group))  # a 10 px label is about 6 px a character: never overlap
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 40}" width="{WIDTH}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<text x="{PAD}" y="16" font-size="14" font-weight="bold">{escape(title)}</text>')
    parts.append(f'<line x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH - PAD}" y2="{HEIGHT}" stroke="#999"/>')
    for n, label in enumerate(labels):
        x0 = PAD + n * group + group * 0.1
        for s, (_, vs) in enumerate(series):
            height = (HEIGHT - 30) * vs[n] / top
            parts.append(
                f'<rect x="{x0 + s * width:.1f}" y="{HEIGHT - height:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{COLOURS[s]}"/>'
            )
        if n % label_every == 0:
            parts.append(f'<text x="{x0:.1f}" y="{HEIGHT + 14}" font-size="10" class="axis-label">{escape(label)}</text>')
    if line:
        points = [
            f"{PAD + n * group + group / 2:.1f},{HEIGHT - (HEIGHT - 30) * v / top:.1f}" for n, v in enumerate(line[1]) if v is not None
        ]
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#222" stroke-dasharray="4 3" stroke-width="2"/>')
    legend = [*(name for name, _ in series), *([line[0]] if line else [])]
    for n, name in enumerate(legend):
        colour = COLOURS[n] if n < len(series) else "#222"
        parts.append(f'<rect x="{PAD + n * 150}" y="{HEIGHT + 24}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{PAD + n * 150 + 14}" y="{HEIGHT + 33}" font-size="11">{escape(name)}</text>')
    parts.append(f'<text x="4" y="{HEIGHT - (HEIGHT - 30) + 4}" font-size="10">{top:g}</text></svg>')
    return "".join(parts)


def html_report(brand_id: str, kpis: Kpis) -> str:
    rows = [
        ("Messages routed", f"{kpis.messages}"),
        ("Tickets created / resolved", f"{kpis.tickets_created} / {kpis.tickets_resolved}"),
        ("First response p50 / p90", f"{_seconds(kpis.first_response_seconds.p50)} / {_seconds(kpis.first_response_seconds.p90)}"),
        ("Queue wait p50 / p90", f"{_seconds(kpis.queue_wait_seconds.p50)} / {_seconds(kpis.queue_wait_seconds.p90)}"),
        ("Average handle time", _seconds(kpis.handle_seconds.mean)),
        ("Resolution rate", _percent(kpis.resolution_rate)),
        ("First-contact resolution", _percent(kpis.first_contact_resolution)),
        ("Repeat contact within 7 days", _percent(kpis.repeat_contact_rate_7d)),
        ("Abandonment", _percent(kpis.abandonment_rate)),
        ("Bot containment", _percent(kpis.bot_containment)),
        ("Human transfer", _percent(kpis.human_transfer_rate)),
        ("Negative emotion", _percent(kpis.negative_emotion_share)),
        ("CSAT (answers)", f"{kpis.csat.average if kpis.csat.average is not None else '—'} ({kpis.csat.answers})"),
        ("NPS", "—" if kpis.csat.nps is None else f"{kpis.csat.nps:+.0f}"),
    ]
    if kpis.quality is not None:
        top = ", ".join(f"{rule} {n}" for rule, n in list(kpis.quality.findings_by_rule.items())[:3]) or "none"
        score = "—" if kpis.quality.average_score is None else f"{kpis.quality.average_score:.1f}"
        rows.append(("Quality score (conversations inspected)", f"{score} ({kpis.quality.conversations_inspected})"))
        rows.append(("Most frequent quality findings", top))
    table = "".join(f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in rows)
    hours = [v.hour.strftime("%d %H:00") for v in kpis.volume]
    tiers = sorted(kpis.sla_attainment)
    charts = [
        bars(
            "Messages per hour against the forecast",
            hours,
            [("messages", [float(v.messages) for v in kpis.volume])],
            ("forecast", [v.forecast for v in kpis.volume]),
        ),
        bars(
            "First response times",
            list(kpis.first_response_histogram),
            [("tickets", [float(n) for n in kpis.first_response_histogram.values()])],
        ),
        bars(
            "SLA attainment by tier (%)",
            tiers,
            [
                ("first response", [100 * (kpis.sla_attainment[t].first_response or 0) for t in tiers]),
                ("resolution", [100 * (kpis.sla_attainment[t].resolution or 0) for t in tiers]),
            ],
        ),
        bars("CSAT answers", [f"{s}★" for s in kpis.csat.distribution], [("answers", [float(n) for n in kpis.csat.distribution.values()])]),
    ]
    title = f"LiveDesk KPIs — {brand_id}, {kpis.window_from:%Y-%m-%d %H:%M} to {kpis.window_to:%Y-%m-%d %H:%M} UTC"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>body{{font-family:system-ui,sans-serif;margin:24px;max-width:760px}}"
        "table{border-collapse:collapse}th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}"
        "section{margin:24px 0}</style></head><body>"
        f"<h1>{escape(title)}</h1><table>{table}</table>" + "".join(f"<section>{chart}</section>" for chart in charts) + "</body></html>"
    )
