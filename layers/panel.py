"""HTML for the evidence panel, tooltips and popups.  Pure functions; every string that came
from data goes through :func:`esc` (or :func:`link`) before it reaches HTML.

The panel leads with the evidence::

    div.gw-panel[data-feature]
      header.gw-head        h3 name · .gw-badges · p.gw-lede (first sentence of the summary)
      section.gw-sides      h4 · .gw-sides-grid > div.gw-side[data-side] > h5 + ul.gw-evlist
      details.gw-fold[data-fold=details|location|milestones]   (closed)

An item is ``li.gw-ev[data-kind=quote|note][data-stance][data-side]``: a verbatim quote is
``blockquote.gw-bq > q.gw-quote`` tagged ``.gw-tag-verbatim``; our own summary is ``p.gw-note``
tagged ``.gw-tag-summary``; then ``.gw-cite`` (speaker, stance, then the source: the original's
title (linked when its link is known, else "(original link unknown)"), publisher, date, and
``span.gw-copy`` "read at <site> (copy)" when what we read was a repost) and, for evidence of a
milestone, ``.gw-at``.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from .evidence import dedupe, evidence_key, group_by_side, is_contested
from .load import Dataset, ResolvedEvidence
from .model import (
    BASIS_HELP,
    SIDE_LABELS,
    STATUS_HELP,
    Event,
    Feature,
    PartialDate,
    Side,
    Source,
)
from .panel_css import PANEL_CSS, POPUP_CSS
from .registry import BY_ID

__all__ = ["PANEL_CSS", "authors_label", "copy_link_html", "date_range_label", "esc",
           "evidence_item_html", "evidence_list_html", "feature_panel_html", "first_sentence", "link",
           "md_escape", "popup_html", "precision_label", "source_cite_html", "source_title_html",
           "tooltip_html"]

SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def link(url: str | None, text: str) -> str:
    """An outbound link that opens in a new tab; anything but http(s) is shown as plain text."""
    if not SAFE_URL.match(url or ""):
        return esc(text)
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def authors_label(authors: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = list(authors)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def source_title_html(src: Source) -> str:
    """The ORIGINAL publication's title: linked to ``url`` when known (tagged "syndication" when
    that is a syndicated copy), else plain text marked "(original link unknown)".  A repost is
    never the title link: see :func:`copy_link_html`."""
    if src.url:
        out = link(src.url, src.title)
        if src.url_kind == "syndication":
            out += (' <span class="gw-synd" title="a reputable syndication of the original (the '
                    'wire story on the wire\'s site or in a newspaper carrying it)">syndication</span>')
        return out
    return f'{esc(src.title)} <span class="gw-nolink">(original link unknown)</span>'


def copy_link_html(src: Source) -> str:
    """``read at <site> (copy)`` linking the copy we read (a repost), or "" when there is none."""
    if not src.copy_url:
        return ""
    label = f"read at {src.copy_site} (copy)" if src.copy_site else "read a copy"
    return f'<span class="gw-copy">{link(src.copy_url, label)}</span>'


def source_cite_html(src: Source) -> str:
    """The citation of a source: the original first (title, authors, publisher, date), then
    `` · read at <site> (copy)`` when what we read was a repost."""
    by = f", by {esc(authors_label(src.authors))}" if src.authors else ""
    copy = copy_link_html(src)
    return (f"{source_title_html(src)}{by}, {esc(src.publisher)}, {esc(src.date_label())}"
            + (f" · {copy}" if copy else ""))


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


# A full stop ends a sentence unless it ends an abbreviation ("c. 3 Jun", "U.S. Navy", "Gen. X").
_SENTENCE_END = re.compile(r"[.!?][”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "adm", "capt", "cdr", "sgt",
                  "sen", "rep", "gov", "st", "no", "nos", "vs", "approx", "ca", "est", "fig",
                  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                  "dec", "e.g", "i.e", "etc", "cf", "al"}


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, verbatim (the whole text when it is one sentence)."""
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            word = re.search(r"[A-Za-z.]+$", text[: m.start()])
            w = word.group(0) if word else ""
            if w.lower() in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", w):
                continue
        return text[: m.end()].rstrip()
    return text.strip()


def _event_line(ev: Event) -> str:
    return f'<div class="gw-at">at: <b>{esc(ev.date.label())}</b> {esc(ev.title)}</div>'


def evidence_item_html(e: ResolvedEvidence, highlight: bool = False,
                       events: Sequence[Event] = ()) -> str:
    """One evidence item: a verbatim quote (quoted, tagged "verbatim") or our own summary
    (unquoted, tagged "our summary"), its citation line and the milestones it belongs to."""
    src = e.source
    if e.quote is not None:
        kind, tag = "quote", '<span class="gw-tag gw-tag-verbatim">verbatim</span>'
        selfq = " gw-selfq" if e.quote[:1] and e.quote[0] in "“‘\"'«「" else ""  # already opens with a quote mark
        body = f'<blockquote class="gw-bq"><q class="gw-quote{selfq}">{esc(e.quote)}</q></blockquote>'
        extra = f'<div class="gw-comment">Our note: {esc(e.note)}</div>' if e.note else ""
    else:
        kind, tag = "note", '<span class="gw-tag gw-tag-summary">our summary</span>'
        body = f'<p class="gw-note">{esc(e.note)}</p>'
        extra = ""
    cite = (f'<div class="gw-cite">{tag}<b>{esc(e.speaker)}</b> · <i>{e.stance.value}</i> · '
            f'{source_cite_html(src)}</div>')
    at = "".join(_event_line(ev) for ev in events)
    cls = "gw-ev gw-hl" if highlight else "gw-ev"
    return (f'<li class="{cls}" data-kind="{kind}" data-stance="{e.stance.value}" '
            f'data-side="{e.side.value}">{body}{extra}{cite}{at}</li>')


def evidence_list_html(evidence: Iterable[ResolvedEvidence], by_side: bool = True) -> str:
    items = list(evidence)
    if not items:
        return '<p class="gw-muted">No evidence matches the current filter.</p>'
    if not by_side:
        return '<ul class="gw-evlist">' + "".join(evidence_item_html(e) for e in items) + "</ul>"
    return "".join(_side_html(side, group, {}) for side, group in group_by_side(items))


def _side_html(side: Side, group: list[ResolvedEvidence], at: dict[tuple, list[Event]]) -> str:
    return (f'<div class="gw-side" data-side="{side.value}"><h5>{esc(SIDE_LABELS[side])} '
            f'<span class="gw-n">({len(group)})</span></h5><ul class="gw-evlist">'
            + "".join(evidence_item_html(e, events=at.get(evidence_key(e), ())) for e in group)
            + "</ul></div>")


def _merged(feature: Feature, evidence: Iterable[ResolvedEvidence],
            ) -> tuple[list[ResolvedEvidence], dict[tuple, list[Event]]]:
    """Each item once (same source, same quote or note), with every milestone it is cited at."""
    every = list(evidence)
    events = {ev.id: ev for ev in feature.props.events}
    at: dict[tuple, list[Event]] = defaultdict(list)
    for e in every:
        if e.event_id in events and events[e.event_id] not in at[evidence_key(e)]:
            at[evidence_key(e)].append(events[e.event_id])
    return dedupe(every), at


def sides_html(ds: Dataset, feature: Feature, sides: set[Side] | None = None) -> str:
    """"What each side says": one column per side, the feature's and its milestones' evidence,
    each item once, quotes before our summaries within a stance."""
    items, at = _merged(feature, (e for e in ds.evidence(feature) if sides is None or e.side in sides))
    groups = group_by_side(items, quotes_first=True)
    cols = ("".join(_side_html(side, group, at) for side, group in groups)
            or '<p class="gw-muted">No evidence matches the current filter.</p>')
    return (f'<section class="gw-sides"><h4>What each side says ({len(items)})</h4>'
            f'<div class="gw-sides-grid">{cols}</div></section>')


def _badges(feature: Feature, every: list[ResolvedEvidence]) -> str:
    p = feature.props
    badges = [f'<span class="gw-badge gw-status" data-status="{p.status.value}" '
              f'title="{esc(STATUS_HELP[p.status])}">{esc(p.status.value)}</span>']
    if is_contested(every):
        badges.append('<span class="gw-badge gw-contested" title="claims and denials from '
                      'different sides">contested</span>')
    if p.chinese_funded:
        badges.append('<span class="gw-badge">Chinese-funded</span>')
    elif p.chinese_built:
        badges.append('<span class="gw-badge">Chinese-built, not Chinese-funded</span>' if p.chinese_funded is False
                      else '<span class="gw-badge">Chinese-built, funding disputed or unknown</span>')
    elif p.chinese_funded is False:
        badges.append('<span class="gw-badge gw-notcn">not Chinese-funded</span>')
    return '<div class="gw-badges">' + "".join(badges) + "</div>"


def _fold(name: str, summary: str, body: str) -> str:
    return (f'<details class="gw-fold" data-fold="{name}"><summary>{summary}</summary>'
            f"{body}</details>")


def _folds(ds: Dataset, feature: Feature, sides: set[Side] | None, lede: str) -> str:
    p = feature.props
    facts = [f"<li><b>Kind:</b> {esc(p.kind)}</li>",
             f"<li><b>Layer:</b> {esc(BY_ID[p.layer].title)}</li>"]
    if p.aliases:
        facts.append(f"<li><b>Also:</b> {esc(', '.join(p.aliases))}</li>")
    full = f"<p>{esc(p.summary)}</p>" if lede != p.summary.strip() else ""
    details = f"<p>{esc(p.details)}</p>" if p.details else ""
    out = [_fold("details", "Details", f"{full}{details}<ul class='gw-facts'>{''.join(facts)}</ul>")]

    dates = (date_range_label(p.start, p.end) if (p.start or p.end) or not p.events
             else "no start or end recorded; see the milestones")
    precision = "; ".join(f"{name}: {d.precision.value} precision"
                          for name, d in (("start", p.start), ("end", p.end)) if d)
    where = f"{precision_label(p.precision_m)}, {BASIS_HELP[p.location_basis]}"
    out.append(_fold(
        "location", f"Location: {esc(where)} · dates: {esc(dates)}",
        f"<p>{esc(p.location_note)}</p><ul class='gw-facts'><li><b>Dates:</b> {esc(dates)}"
        + (f" <span class='gw-muted'>({esc(precision)})</span>" if precision else "") + "</li></ul>"))

    if p.events:
        rows = []
        for ev in sorted(p.events, key=lambda e: e.date.first_day):
            ev_items = [e for e in ds.event_evidence(ev) if sides is None or e.side in sides]
            rows.append(f'<li><b>{esc(ev.date.label())}</b> ({ev.date.precision.value}) — {esc(ev.title)}'
                        f'{evidence_list_html(ev_items, by_side=False) if ev_items else ""}</li>')
        out.append(_fold("milestones", f"Milestones ({len(p.events)})",
                         '<ol class="gw-events">' + "".join(rows) + "</ol>"))
    return "".join(out)


def feature_panel_html(ds: Dataset, feature: Feature, sides: set[Side] | None = None) -> str:
    """The side panel for one feature: a short header, then what each side says (every quote,
    verbatim, beside our summaries), then the details, location and milestones folded away."""
    p = feature.props
    lede = first_sentence(p.summary)
    head = (f'<header class="gw-head"><h3>{esc(p.name)}</h3>{_badges(feature, ds.evidence(feature))}'
            f'<p class="gw-lede">{esc(lede)}</p></header>')
    return (PANEL_CSS + f'<div class="gw-panel" data-feature="{esc(p.id)}">{head}'
            f"{sides_html(ds, feature, sides)}{_folds(ds, feature, sides, lede)}</div>")


def tooltip_html(feature: Feature) -> str:
    """The map's hover label: the name, then one short muted line."""
    p = feature.props
    return (f'<b class="gw-tip-name">{esc(p.name)}</b><br>'
            f'<span class="gw-tip-meta" style="color:#666;font-size:.85em">'
            f'{esc(p.status.value)} · click for evidence</span>')


def popup_html(ds: Dataset, feature: Feature) -> str:
    """The popup of the downloaded (standalone) map: the feature and all its evidence.  The app
    itself has no popups: a click opens the evidence panel."""
    p = feature.props
    head = (f"<div class='gw-pop' style='max-height:340px;overflow-y:auto'><b>{esc(p.name)}</b> <i>({esc(p.status.value)})</i><br>"
            f"<small>{esc(date_range_label(p.start, p.end))} · {esc(precision_label(p.precision_m))} "
            f"· {esc(p.location_basis.value)}</small><br>{esc(p.summary)}")
    evidence, at = _merged(feature, ds.evidence(feature))
    items = "".join(evidence_item_html(e, events=at.get(evidence_key(e), ())) for e in evidence)
    return POPUP_CSS + head + f"<ul class='gw-evlist'>{items}</ul></div>"


# Every ASCII punctuation character CommonMark lets a backslash escape and that Markdown,
# GitHub's extensions or Streamlit's give a meaning: emphasis, code spans, links and images
# (``[``, ``![``), autolinks (``<``, ``www.``, ``https:``, ``@``), raw HTML and entities (``<``,
# ``&``), tables, strikethrough, maths (``$``), headings and lists, Streamlit's directives and
# shortcodes (``:red[…]``, ``:material/…:``, ``:smile:``) and its ``/`` in those.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!|$<>~:&/=@^\"'%")
_MD_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def md_escape(text: str) -> str:
    """Text as a Streamlit widget label (or tooltip) shows it, literally: a label is Markdown
    (with ``$…$`` maths, ``:material/…:`` icons and ``:color[…]`` directives), so every
    character Markdown could read as syntax is backslash-escaped, and line breaks and control
    characters become one space (a label is one line; a new line could start a block).

    Only for labels, which must be Markdown.  Anything else that shows text from a link, an
    upload or the data is rendered as text (``st.text``, ``st.code`` or escaped ``st.html``)."""
    flat = _MD_BREAKS.sub(" ", str(text))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)
