"""Provenance you can cite: a source record keeps the ORIGINAL publication (title, publisher,
date, authors, and its link in ``url`` when known) apart from the COPY we read (``copy_url``, a
repost).  Wherever a source is shown, the original comes first and the copy is only ever
"read at <site> (copy)"; a repost is never presented as the source."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pydantic import ValidationError

from layers.load import load_dataset
from layers.model import Source
from layers.panel import evidence_item_html, popup_html, source_cite_html
from tests import datagen as dg
from tests.test_panel import parse

BASE = {"id": "forum-repost", "title": "Chinese warships dock at Ream", "publisher": "Associated Press",
        "date": "2024-12-03", "kind": "news"}
COPY = "https://www.defence.pk/threads/chinese-warships-dock-at-ream.123/"
ORIGINAL = "https://apnews.com/article/cambodia-ream-china-abc123"


def src(**over) -> Source:
    d = dict(BASE)
    d.update(over)
    return Source.model_validate({k: v for k, v in d.items() if v is not None})


def anchors(node):
    return node.find_all("a")


def assert_safe_link(a) -> None:
    assert a.attrs["target"] == "_blank" and a.attrs["rel"] == "noopener noreferrer"
    assert a.attrs["href"].startswith(("http://", "https://"))


# --- the model --------------------------------------------------------------------------------

def test_copy_only_source_is_valid_and_knows_it_is_a_copy():
    s = src(copy_url=COPY)
    assert s.url is None and s.copy_url == COPY
    assert s.is_copy_only and s.link == COPY
    assert s.copy_site == "defence.pk"  # the leading www. is stripped
    assert s.authors == () and s.url_kind is None


def test_original_and_copy_properties():
    s = src(url=ORIGINAL, copy_url=COPY, url_kind="original",
            authors=["Sopheng Cheang", "Jintamas Saksornchai"])
    assert not s.is_copy_only and s.link == ORIGINAL
    assert s.copy_site == "defence.pk" and s.url_kind == "original"
    assert s.authors == ("Sopheng Cheang", "Jintamas Saksornchai")


def test_existing_records_stay_valid_and_cite_as_before():
    s = src(url=ORIGINAL)  # the old form: url, no copy_url
    assert s.link == ORIGINAL and s.copy_url is None and s.copy_site is None and not s.is_copy_only
    cite = parse(f"<div>{source_cite_html(s)}</div>").find("div")
    (a,) = anchors(cite)
    assert (a.attrs["href"], a.text) == (ORIGINAL, BASE["title"])
    assert cite.text == f"{BASE['title']}, Associated Press, 3 Dec 2024"


@pytest.mark.parametrize("host, site", [("https://www.defence.pk/x", "defence.pk"),
                                        ("https://WWW.Example.ORG:8080/x", "example.org"),
                                        ("http://blog.example.net/", "blog.example.net"),
                                        ("https://wwwexample.com/", "wwwexample.com")])
def test_copy_site_is_the_host_without_www(host, site):
    assert src(copy_url=host).copy_site == site


def _errors(**over) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as exc:
        src(**over)
    return [(e["loc"], e["msg"]) for e in exc.value.errors()]


def test_a_source_needs_an_original_or_a_copy():
    (err,) = _errors()
    assert err[0] == () and "url" in err[1] and "copy_url" in err[1]


@pytest.mark.parametrize("copy", [ORIGINAL, ORIGINAL + "/", ORIGINAL.replace("https://apnews.com",
                                                                               "HTTPS://APNEWS.COM")])
def test_copy_url_must_differ_from_url(copy):
    (err,) = _errors(url=ORIGINAL, copy_url=copy)
    assert err[0] == ("copy_url",) and "differ" in err[1]


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,<b>x</b>",
                                 "//example.org/x", "https://[broken/x", "defence.pk/threads/1"])
def test_copy_url_must_be_http(bad):
    assert any(loc == ("copy_url",) and "http(s)" in msg for loc, msg in _errors(url=ORIGINAL, copy_url=bad))


def test_url_kind_needs_url():
    (err,) = _errors(copy_url=COPY, url_kind="original")
    assert "url_kind" in err[1]
    with pytest.raises(ValidationError):
        src(url=ORIGINAL, url_kind="repost")


def test_load_names_file_source_and_field(tmp_path):
    sources = [dg.source(), dg.note_source(copy_url="http://example.com/x"),
               {**BASE, "id": "no-link"}, {**BASE, "id": "bad-copy", "copy_url": "javascript:x()"}]
    ds = load_dataset(dg.write_data(tmp_path / "d", sources=sources))
    errs = [str(p) for p in ds.errors]
    assert "data/sources.json: source 'other-source': field 'copy_url': copy_url must differ from url: " \
           "record a repost only when it is not the original" in errs
    assert any(e.startswith("data/sources.json: source 'no-link': a source needs url") for e in errs)
    assert any(e.startswith("data/sources.json: source 'bad-copy': field 'copy_url': copy_url must be "
                            "an http(s) URL") for e in errs)


# --- the citation line ------------------------------------------------------------------------

def test_copy_only_shows_title_as_text_original_unknown_and_the_copy_link():
    cite = parse(f"<div>{source_cite_html(src(copy_url=COPY))}</div>").find("div")
    (a,) = anchors(cite)  # the only link is the copy, and it does not carry the title
    assert a.attrs["href"] == COPY and a.text == "read at defence.pk (copy)"
    assert_safe_link(a)
    assert BASE["title"] not in a.text
    assert cite.text.startswith(f"{BASE['title']} (original link unknown), Associated Press, 3 Dec 2024")
    assert cite.text.endswith(" · read at defence.pk (copy)")


def test_original_is_the_title_link_and_the_copy_follows():
    cite = parse(f"<div>{source_cite_html(src(url=ORIGINAL, copy_url=COPY))}</div>").find("div")
    first, second = anchors(cite)
    assert (first.attrs["href"], first.text) == (ORIGINAL, BASE["title"])
    assert (second.attrs["href"], second.text) == (COPY, "read at defence.pk (copy)")
    for a in (first, second):
        assert_safe_link(a)
    assert "original link unknown" not in cite.text and "syndication" not in cite.text
    assert cite.text == f"{BASE['title']}, Associated Press, 3 Dec 2024 · read at defence.pk (copy)"


def test_syndication_is_tagged_and_authors_named():
    html = source_cite_html(src(url=ORIGINAL, url_kind="syndication", authors=["A. Writer", "B. Writer"]))
    cite = parse(f"<div>{html}</div>").find("div")
    assert cite.find("span", cls="gw-synd").text == "syndication"
    assert cite.text.startswith(f"{BASE['title']} syndication, by A. Writer and B. Writer, Associated Press")
    plain = source_cite_html(src(url=ORIGINAL, url_kind="original"))
    assert "gw-synd" not in plain


def test_hostile_copy_url_and_host_are_escaped():
    evil = 'https://<script>alert(1)</script>.example/"onmouseover="alert(2)'
    s = src(copy_url=evil, title='T <img src=x onerror="alert(3)">', authors=["<b>x</b>"])
    assert s.copy_site and "<script>" in s.copy_site  # the host really is hostile …
    html = source_cite_html(s)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html  # … and shows as text
    assert '"onmouseover' not in html
    cite = parse(f"<div>{html}</div>").find("div")
    (a,) = anchors(cite)
    assert a.attrs["href"] == evil  # the attribute round-trips intact: nothing leaked out of it
    assert a.text == f"read at {s.copy_site} (copy)"


# --- everywhere the citation appears: the panel and the downloaded map's popups -----------------

def _ds_with_copy_sources(tmp_path):
    sources = [dg.source(url=None, copy_url=COPY),  # quoted source, copy only
               dg.note_source(copy_url="https://content-farm.example/x", url_kind="syndication")]
    sources[0].pop("url")
    ds = load_dataset(dg.write_data(tmp_path / "d", sources=sources))
    assert not ds.errors, ds.errors
    return ds


def test_panel_items_cite_the_original_first(tmp_path):
    ds = _ds_with_copy_sources(tmp_path)
    ev = ds.evidence(ds.feature("test-harbour"))
    quote = next(e for e in ev if e.quote)
    li = parse(evidence_item_html(quote)).find("li")
    cite = li.find("div", cls="gw-cite")
    (a,) = anchors(cite)
    assert a.attrs["href"] == COPY and a.text == "read at defence.pk (copy)"
    assert "A test article (original link unknown), Test Wire" in cite.text

    note = next(e for e in ev if e.source.id == "other-source")
    cite = parse(evidence_item_html(note)).find("li").find("div", cls="gw-cite")
    first, second = anchors(cite)
    assert (first.attrs["href"], first.text) == ("http://example.com/x", "Another report")
    assert (second.attrs["href"], second.text) == ("https://content-farm.example/x",
                                                   "read at content-farm.example (copy)")
    assert cite.find("span", cls="gw-synd")


def test_popups_of_the_downloaded_map_cite_the_same_way(tmp_path):
    ds = _ds_with_copy_sources(tmp_path)
    pop = parse(popup_html(ds, ds.feature("test-harbour")))
    for li in pop.find_all("li", data_kind="quote"):
        cite = li.find("div", cls="gw-cite")
        assert "(original link unknown)" in cite.text
        assert [a.attrs["href"] for a in anchors(cite)] == [COPY]


# --- the Sources tab ----------------------------------------------------------------------------

def test_sources_tab_lists_original_and_copy_and_reader_header_cites_the_original(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_apptest_page import APP, html_text

    sources = [dg.source(url=ORIGINAL, copy_url=COPY, authors=["A. Writer"]), dg.note_source()]
    root = dg.write_data(tmp_path / "d", sources=sources)
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["lower_tab"] = "Sources"
    at.session_state["reader_source"] = "test-source"
    at.run()
    assert not at.exception

    (df,) = at.dataframe
    table = df.value
    assert "url" not in table.columns
    row = table.set_index("id").loc["test-source"]
    assert (row["link"], row["copy"]) == (ORIGINAL, COPY)
    assert pd.isna(table.set_index("id").loc["other-source"]["copy"])
    config = json.loads(df.proto.columns)
    assert config["link"]["label"] == "original" and config["copy"]["label"] == "copy we read"
    assert config["link"]["type_config"]["type"] == "link"

    reader = next(h for h in at.get("html") if "gw-reader" in h.proto.body).proto.body
    head = parse(reader).find("div", cls="gw-reader")
    title, copy = anchors(head)
    assert (title.attrs["href"], title.text) == (ORIGINAL, "A test article")
    assert title.parent.tag == "h4"
    assert (copy.attrs["href"], copy.text) == (COPY, "read at defence.pk (copy)")
    assert "by A. Writer · Test Wire" in head.text
    assert "read at defence.pk (copy)" in html_text(at)


def test_a_repost_site_is_never_the_url():
    from pydantic import ValidationError

    from layers.model import Source

    base = {"id": "x-1", "title": "T", "publisher": "Khmer Times", "date": "2024-09-05", "kind": "news"}
    with pytest.raises(ValidationError, match="reposts other publications"):
        Source(**base, url="https://defence.pk/threads/china-donating-two-corvettes-to-cambodia.780751/")
    ok = Source(**base, copy_url="https://defence.pk/threads/china-donating-two-corvettes-to-cambodia.780751/")
    assert ok.is_copy_only and ok.copy_site == "defence.pk"
