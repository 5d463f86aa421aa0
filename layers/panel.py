"""HTML for the evidence panel, tooltips and popups.  Pure functions; every string that came
from data goes through :func:`esc` (or :func:`link`) before it reaches HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .evidence import group_by_side, is_contested
from .load import Dataset, ResolvedEvidence
from .model import (
    BASIS_HELP,
    SIDE_LABELS,
    STATUS_HELP,
    Feature,
    PartialDate,
    Side,
)
from .registry import BY_ID

SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def link(url: str, text: str) -> str:
    """An outbound link that opens in a new tab; anything but http(s) is shown as plain text."""
    if not SAFE_URL.match(url or ""):
        return esc(text)
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def precision_label(metres: float) -> str:
    return f"±{metres:,.0f} m" if metres < 1000 else f"±{metres / 1000:,.3g} km"


def date_range_label(start: PartialDate | None, end: PartialDate | None) -> str:
    if start and end:
        return f"{start.label()} – {end.label()}" if start != end else start.label()
    if start:
        return f"since {start.label()}"
    if end:
        return f"until {end.label()}"
    return "undated"


def evidence_item_html(e: ResolvedEvidence, highlight: bool = False) -> str:
    src = e.source
    body = (f'<q class="gw-quote">{esc(e.quote)}</q>' if e.quote is not None
            else f'<span class="gw-note">{esc(e.note)}</span>')
    extra = f'<div class="gw-comment">{esc(e.note)}</div>' if e.quote is not None and e.note else ""
    cite = (f'<div class="gw-cite">— <b>{esc(e.speaker)}</b> · <i>{e.stance.value}</i> · '
            f'{link(src.url, src.title)}, {esc(src.publisher)}, {esc(src.date_label())}</div>')
    cls = "gw-ev gw-hl" if highlight else "gw-ev"
    kind = "quote" if e.quote is not None else "note"
    return f'<li class="{cls}" data-stance="{e.stance.value}" data-kind="{kind}">{body}{extra}{cite}</li>'


def evidence_list_html(evidence: Iterable[ResolvedEvidence], by_side: bool = True) -> str:
    items = list(evidence)
    if not items:
        return '<p class="gw-muted">No evidence matches the current filter.</p>'
    if not by_side:
        return '<ul class="gw-evlist">' + "".join(evidence_item_html(e) for e in items) + "</ul>"
    parts = []
    for side, group in group_by_side(items):
        parts.append(f'<div class="gw-side" data-side="{side.value}"><h5>{esc(SIDE_LABELS[side])}</h5>'
                     '<ul class="gw-evlist">' + "".join(evidence_item_html(e) for e in group)
                     + "</ul></div>")
    return "".join(parts)


PANEL_CSS = """
<style>
.gw-panel{font-size:0.92rem;line-height:1.45}
.gw-panel h3{margin:0 0 .2rem 0;font-size:1.25rem}
.gw-kind{color:#555;margin-bottom:.4rem}
.gw-badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.78rem;margin-right:.3rem;
  border:1px solid #999;background:#f4f4f4}
.gw-badge.gw-contested{border-color:#d62728;color:#d62728;background:#fff0f0}
.gw-badge.gw-notcn{border-color:#7f8c8d;color:#444}
.gw-facts{margin:.4rem 0;padding:0;list-style:none}
.gw-facts li{margin:.1rem 0}
.gw-side h5{margin:.6rem 0 .2rem 0;font-size:.95rem;border-bottom:1px solid #ddd}
.gw-evlist{padding-left:1rem;margin:.2rem 0}
.gw-ev{margin:.35rem 0}
.gw-hl{background:#fff7c2}
.gw-quote{font-style:normal}
.gw-cite{color:#444;font-size:.82rem}
.gw-comment,.gw-muted{color:#666;font-size:.85rem}
.gw-events{padding-left:1rem}
</style>
"""


def feature_panel_html(ds: Dataset, feature: Feature, sides: set[Side] | None = None) -> str:
    """The side panel for one feature: what, when, how sure, where from — and every quote."""
    p = feature.props
    layer = BY_ID[p.layer]
    all_ev = ds.evidence(feature, include_events=False)
    every = ds.evidence(feature)
    shown = [e for e in all_ev if sides is None or e.side in sides]
    badges = [f'<span class="gw-badge" title="{esc(STATUS_HELP[p.status])}">{esc(p.status.value)}</span>']
    if is_contested(every):
        badges.append('<span class="gw-badge gw-contested" title="claims and denials from '
                      'different sides">contested</span>')
    if p.chinese_funded:
        badges.append('<span class="gw-badge">Chinese-funded</span>')
    elif p.chinese_built:
        badges.append('<span class="gw-badge">Chinese-built, not Chinese-funded</span>')
    elif p.chinese_funded is False:
        badges.append('<span class="gw-badge gw-notcn">not Chinese-funded</span>')
    facts = [
        f"<li><b>Layer:</b> {esc(layer.title)}</li>",
        f"<li><b>Dates:</b> {esc(date_range_label(p.start, p.end) if (p.start or p.end) or not p.events else 'no start or end recorded; see the milestones below')}"
        + (f" <span class='gw-muted'>(start: {p.start.precision.value} precision"
           + (f"; end: {p.end.precision.value} precision" if p.end else "") + ")</span>"
           if p.start else "") + "</li>",
        f"<li><b>Location:</b> {esc(precision_label(p.precision_m))}, "
        f"{esc(BASIS_HELP[p.location_basis])}. <span class='gw-muted'>{esc(p.location_note)}</span></li>",
    ]
    events = ""
    if p.events:
        rows = []
        for ev in sorted(p.events, key=lambda e: e.date.first_day):
            ev_items = [e for e in ds.event_evidence(ev) if sides is None or e.side in sides]
            rows.append(f'<li><b>{esc(ev.date.label())}</b> ({ev.date.precision.value}) — {esc(ev.title)}'
                        f'{evidence_list_html(ev_items, by_side=False) if ev_items else ""}</li>')
        events = '<h4>Milestones</h4><ol class="gw-events">' + "".join(rows) + "</ol>"
    details = f"<p>{esc(p.details)}</p>" if p.details else ""
    aliases = (f'<div class="gw-muted">Also: {esc(", ".join(p.aliases))}</div>' if p.aliases else "")
    return (PANEL_CSS + f'<div class="gw-panel" data-feature="{esc(p.id)}">'
            f"<h3>{esc(p.name)}</h3><div class='gw-kind'>{esc(p.kind)}</div>{aliases}"
            f"<div>{''.join(badges)}</div><ul class='gw-facts'>{''.join(facts)}</ul>"
            f"<p>{esc(p.summary)}</p>{details}"
            f"<h4>Evidence ({len(shown)})</h4>{evidence_list_html(shown)}{events}</div>")


def tooltip_html(feature: Feature) -> str:
    p = feature.props
    return f"<b>{esc(p.name)}</b><br>{esc(p.summary[:160] + ('…' if len(p.summary) > 160 else ''))}"


def popup_html(ds: Dataset, feature: Feature) -> str:
    """The popup of the downloaded (standalone) map: the feature and all its evidence.  The app
    itself has no popups: a click opens the evidence panel."""
    p = feature.props
    head = (f"<div class='gw-pop' style='max-height:340px;overflow-y:auto'><b>{esc(p.name)}</b> <i>({esc(p.status.value)})</i><br>"
            f"<small>{esc(date_range_label(p.start, p.end))} · {esc(precision_label(p.precision_m))} "
            f"· {esc(p.location_basis.value)}</small><br>{esc(p.summary)}")
    items = "".join(evidence_item_html(e) for e in ds.evidence(feature))
    return head + f"<ul style='padding-left:1rem'>{items}</ul></div>"


_MD_SPECIAL = "\\`*_{}[]()#+-.!|$<>~:"


def md_escape(text: str) -> str:
    """Escape text for Streamlit widget labels, which render Markdown (and ``$…$`` as maths)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))
