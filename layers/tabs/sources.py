"""The Sources tab: every source, and the reader: a source's excerpts against the map."""

from __future__ import annotations

import streamlit as st

from ..filters import plural
from ..load import Dataset
from ..model import SIDE_LABELS
from ..panel import PANEL_CSS, esc, md_escape
from ..state import ViewState
from ..ui import select

_SITE_OF_URL = r"^https?://(?:www\.)?([^/?#:]+)"  # LinkColumn shows the site a link goes to


def show(ds: Dataset, view: ViewState) -> None:
    import pandas as pd

    from ..reader import reading, sources_citing_feature

    srcs = sorted(ds.sources.values(), key=lambda s: (s.sort_date, s.title))
    cited_by_sel = sources_citing_feature(ds, view.feature) if view.feature else set()
    df = pd.DataFrame([{"id": s.id, "date": s.date_label(), "title": s.title, "publisher": s.publisher,
                        "kind": s.kind.value, "quotes": len(s.excerpts),
                        "cited by selection": "✓" if s.id in cited_by_sel else "",
                        "link": s.url, "copy": s.copy_url} for s in srcs])
    st.caption(f"{plural(len(srcs), 'source')}. Quotes are stored only as short verbatim excerpts; other "
               "sources are cited in our own words. Pick one to read its excerpts against the map. "
               "“original” links the original publication (or a reputable syndication); “copy we "
               "read” links the repost we actually read, where that was not the original.")
    st.dataframe(df, hide_index=True, width="stretch", column_config={
        "id": None,
        "link": st.column_config.LinkColumn(
            "original", display_text=_SITE_OF_URL,
            help="The original publication, or a reputable syndication (e.g. the wire story in a "
                 "newspaper carrying it). Empty: the original's link is unknown."),
        "copy": st.column_config.LinkColumn(
            "copy we read", display_text=_SITE_OF_URL,
            help="The copy (a repost) we actually read, when it is not the original.")})
    ids = [s.id for s in srcs]
    if not ids:
        return
    if st.session_state.get("reader_source") not in ids:
        # default: the founding article, or the first source quoting the selection
        with_quotes = [s.id for s in srcs if s.excerpts]
        st.session_state["reader_source"] = next(
            (i for i in with_quotes if i in cited_by_sel), with_quotes[0] if with_quotes else ids[0])
    st.selectbox("Read source", ids, key="reader_source",
                 format_func=lambda i: f"{ds.sources[i].date_label()} — {ds.sources[i].title} "
                                       f"({ds.sources[i].publisher})")
    r = reading(ds, st.session_state["reader_source"])
    if r is None:
        return
    from ..panel import authors_label, copy_link_html, source_title_html

    src = r.source
    by = f"by {esc(authors_label(src.authors))} · " if src.authors else ""
    copy = copy_link_html(src)
    st.html(PANEL_CSS + f'<div class="gw-panel gw-reader" data-source="{esc(src.id)}">'
            f"<h4>{source_title_html(src)}</h4>"
            f"<div class='gw-muted'>{by}{esc(src.publisher)} · {esc(src.date_label())} "
            f"({src.date_precision}) · {esc(src.kind.value)}{f' · {copy}' if copy else ''}</div>"
            f"<p class='gw-coverage'><b>Coverage:</b> {esc(r.coverage)}</p></div>")
    for i, item in enumerate(r.items):
        ex = item.excerpt
        hl = bool(view.feature) and any(fid == view.feature for fid, _ in item.features)
        cls = "gw-ev gw-hl" if hl else "gw-ev"
        st.html(PANEL_CSS + ('<div class="gw-ellipsis gw-muted">[…]</div>' if item.omitted_before else "")
                + f'<div class="{cls}" data-excerpt="{esc(ex.id)}" data-highlight="{str(hl).lower()}">'
                f'<q class="gw-quote">{esc(ex.text)}</q><div class="gw-cite">— <b>{esc(ex.speaker)}</b> · '
                f"<i>{ex.stance.value}</i> · {esc(SIDE_LABELS[ex.side])}</div></div>")
        if item.features:
            cols = st.columns(min(len(item.features), 4))
            for j, (fid, name) in enumerate(item.features):
                if cols[j % len(cols)].button(md_escape(f"Show on map: {name}"), key=f"rd-{ex.id}-{fid}"):
                    select(fid, ds=ds)
                    st.rerun()
        else:
            st.caption("Not linked to a feature.")
    if r.items:
        st.html('<div class="gw-muted">[…]</div>')
