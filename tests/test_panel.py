"""The evidence panel leads with the evidence: a short header, then what each side says (verbatim
quotes marked as such, our summaries marked as ours), then details, location and milestones
folded away.  Checked on the real data (Ream Naval Base) and on small generated data."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from layers.load import load_dataset
from layers.model import Side
from layers.panel import PANEL_CSS, feature_panel_html, first_sentence, popup_html, tooltip_html
from tests import datagen as dg

DATA = Path(__file__).resolve().parents[1] / "data"
VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "base", "source"}


# --- a small DOM, enough to select by tag / class / attribute ---------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, *a, **kw) -> Node:
        found = self.find_all(*a, **kw)
        assert found, (a, kw)
        return found[0]

    def ancestors(self):
        n = self.parent
        while n is not None:
            yield n
            n = n.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        assert n is not None, f"unmatched </{tag}>"
        self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    b.close()
    assert b.cur is b.root, "unclosed elements"
    return b.root


def panel_of(ds, fid: str, sides=None) -> Node:
    return parse(feature_panel_html(ds, ds.feature(fid), sides=sides)).find("div", cls="gw-panel",
                                                                             data_feature=fid)


def column_sides(panel: Node) -> list[str]:
    return [d.attrs["data-side"] for d in panel.find("section", cls="gw-sides").find_all("div", cls="gw-side")]


def items(col: Node) -> list[Node]:
    return col.find_all("li", cls="gw-ev")


# --- the real data: Ream Naval Base ------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    return load_dataset(DATA)


@pytest.fixture(scope="module")
def ream(real) -> Node:
    return panel_of(real, "ream-naval-base")


def test_ream_header_is_name_badges_and_first_sentence(real, ream):
    head = ream.children[0]
    assert head.tag == "header" and "gw-head" in head.classes
    assert head.find("h3").text == "Ream Naval Base"
    badges = [b.text for b in head.find_all("span", cls="gw-badge")]
    assert badges[0] == "confirmed" and "contested" in badges and "Chinese-funded" in badges
    assert head.find("span", cls="gw-contested")
    summary = real.feature("ream-naval-base").props.summary
    assert head.find("p", cls="gw-lede").text == (
        "Royal Cambodian Navy base on a peninsula south-east of Sihanoukville, rebuilt with "
        "Chinese grant aid since 2022.")
    assert summary.startswith(head.find("p", cls="gw-lede").text)
    # the rest of the summary is not lost: it is in the closed details fold
    fold = ream.find("details", data_fold="details")
    assert "first overseas military post" in fold.text


def test_ream_sides_us_cambodia_china_and_the_first_quotes(ream):
    sides = column_sides(ream)
    assert sides[:3] == ["us", "cambodia", "china"]
    assert set(sides) <= {"us", "cambodia", "china", "independent", "other"}
    sec = ream.find("section", cls="gw-sides")
    us, cam, cn = (sec.find("div", cls="gw-side", data_side=s) for s in ("us", "cambodia", "china"))
    assert us.find("h5").text.startswith("United States")
    assert cam.find("h5").text.startswith("Cambodia") and cn.find("h5").text.startswith("China")
    first_us, first_cam = items(us)[0], items(cam)[0]
    assert first_us.attrs["data-kind"] == "quote" and first_cam.attrs["data-kind"] == "quote"
    assert "will become China’s first overseas post" in first_us.find("q").text
    assert first_cam.find("q").text.startswith("Cambodia has repeatedly denied the allegation")
    # China's voice comes only from milestone evidence: shown, with the milestone it belongs to
    conceded = [li for li in items(cn) if "A Chinese official conceded" in li.text]
    assert len(conceded) == 1
    assert conceded[0].find("div", cls="gw-at").text == (
        "at: 6 Jun 2022 Washington Post reports a facility for exclusive Chinese military use "
        "in the north of the base")


def test_ream_evidence_comes_before_any_fold(ream):
    order = [n for n in ream.iter() if n.tag in ("section", "details")]
    assert order[0].tag == "section" and "gw-sides" in order[0].classes
    assert [d.attrs["data-fold"] for d in ream.find_all("details")] == ["details", "location", "milestones"]


def test_quotes_are_verbatim_and_tagged_notes_are_tagged_as_ours(real, ream):
    texts = {ex.text for _, ex in real.excerpts.values()}
    quotes = ream.find("section", cls="gw-sides").find_all("li", data_kind="quote")
    notes = ream.find("section", cls="gw-sides").find_all("li", data_kind="note")
    assert quotes and notes
    for li in quotes:
        q = li.find("blockquote", cls="gw-bq").find("q", cls="gw-quote")
        assert q.text in texts  # character for character
        assert li.find_all(cls="gw-tag-verbatim") and not li.find_all(cls="gw-tag-summary")
        assert li.attrs["data-stance"] in {"asserts", "denies", "reports", "analysis"}
    for li in notes:
        assert li.find_all(cls="gw-tag-summary") and not li.find_all(cls="gw-tag-verbatim")
        assert not li.find_all("q") and not li.find_all("blockquote")
        assert li.find("p", cls="gw-note")
    for li in quotes + notes:
        cite = li.find("div", cls="gw-cite")
        assert cite.find("b").text and cite.find("i").text == li.attrs["data-stance"]
        a = cite.find("a")
        assert a.attrs["href"].startswith(("http://", "https://"))
        assert a.attrs["target"] == "_blank" and a.attrs["rel"] == "noopener noreferrer"
    assert "“I have answered many diplomats" in ream.text  # a quote opening with its own mark


def test_ream_details_location_and_milestones_are_closed_folds(real, ream):
    p = real.feature("ream-naval-base").props
    folds = ream.find_all("details")
    assert all("open" not in d.attrs for d in folds)
    loc = ream.find("details", data_fold="location")
    assert "±500 m" in loc.find("summary").text and "schematic outline" in loc.find("summary").text
    assert p.location_note in loc.text
    assert p.details in ream.find("details", data_fold="details").text
    assert p.location_note not in ream.find("section", cls="gw-sides").text
    ms = ream.find("details", data_fold="milestones")
    assert ms.find("summary").text == f"Milestones ({len(p.events)})"
    assert "Hun Manet inaugurates the upgraded base" in ms.text


def test_within_a_side_stance_then_quotes_before_summaries_then_date(ream):
    rank = {"asserts": 0, "denies": 1, "reports": 2, "analysis": 3}
    for col in ream.find_all("div", cls="gw-side"):
        keys = [(rank[li.attrs["data-stance"]], li.attrs["data-kind"] == "note") for li in items(col)]
        assert keys == sorted(keys), col.attrs["data-side"]


def test_no_item_is_shown_twice(ream):
    seen = []
    for li in ream.find("section", cls="gw-sides").find_all("li", cls="gw-ev"):
        body = li.find_all("q") or li.find_all("p", cls="gw-note")
        seen.append((body[0].text, li.find("div", cls="gw-cite").find("a").attrs["href"]))
    assert len(seen) == len(set(seen))


def test_panel_css_is_a_dense_responsive_grid():
    assert "grid-template-columns:repeat(auto-fit,minmax(190px,1fr))" in PANEL_CSS.replace(" ", "")
    for cls in (".gw-sides-grid", ".gw-bq", ".gw-note", ".gw-tag-verbatim", ".gw-tag-summary", ".gw-cite"):
        assert cls in PANEL_CSS


# --- generated data ------------------------------------------------------------------------------

@pytest.fixture
def ds(tmp_path):
    return load_dataset(dg.write_data(tmp_path / "data"))


def _with_harbour(tmp_path, **over):
    layers = dg.default_layers()
    layers["ream"] = [dg.feature(**over)]
    ds = load_dataset(dg.write_data(tmp_path / "d", layers=layers))
    assert not ds.errors, ds.errors
    return ds


def test_milestone_evidence_joins_its_side_with_an_at_line(ds):
    panel = panel_of(ds, "test-harbour")
    assert column_sides(panel) == ["us", "cambodia", "independent"]
    ind = panel.find("div", cls="gw-side", data_side="independent")
    opened = [li for li in items(ind) if li.find("p", cls="gw-note").text == "Opened."]
    assert len(opened) == 1 and opened[0].find("div", cls="gw-at").text == "at: 5 Apr 2025 Opening"
    assert "quote" == items(panel.find("div", cls="gw-side", data_side="us"))[0].attrs["data-kind"]


def test_duplicates_of_feature_evidence_in_milestones_show_once(tmp_path):
    events = [{"id": "opening", "title": "Opening", "date": "2025-04-05",
               "evidence": [{"excerpt": "ex-base"},
                            {"source": "other-source", "note": "Reports works.", "speaker": "Analysts",
                             "stance": "reports", "side": "independent"}]},
              {"id": "second", "title": "Second look", "date": "2025-05",
               "evidence": [{"excerpt": "ex-base", "note": "Said again."}]}]
    ds = _with_harbour(tmp_path, events=events)
    panel = panel_of(ds, "test-harbour")
    sec = panel.find("section", cls="gw-sides")
    base = [li for li in sec.find_all("li", data_kind="quote") if "will become a base" in li.text]
    assert len(base) == 1
    assert [d.text for d in base[0].find_all("div", cls="gw-at")] == [
        "at: 5 Apr 2025 Opening", "at: May 2025 Second look"]
    works = [li for li in sec.find_all("li", data_kind="note") if "Reports works." in li.text]
    assert len(works) == 1
    assert sec.find("h4").text == "What each side says (3)"
    # the milestone list itself still shows each milestone's evidence
    assert panel.find("details", data_fold="milestones").text.count("will become a base") == 2


def test_quotes_come_before_older_summaries_of_the_same_stance(tmp_path):
    evidence = [{"source": "other-source", "note": "An older US claim.", "speaker": "US officials",
                 "stance": "asserts", "side": "us"},  # Dec 2023: older than the quote's Jun 2024
                {"source": "other-source", "note": "A US report.", "speaker": "US officials",
                 "stance": "reports", "side": "us"},
                {"excerpt": "ex-base"}, {"excerpt": "ex-denial"}]
    ds = _with_harbour(tmp_path, evidence=evidence)
    us = panel_of(ds, "test-harbour").find("div", cls="gw-side", data_side="us")
    assert [(li.attrs["data-stance"], li.attrs["data-kind"]) for li in items(us)] == [
        ("asserts", "quote"), ("asserts", "note"), ("reports", "note")]


def test_sides_filter_keeps_only_those_columns(ds):
    panel = panel_of(ds, "test-harbour", sides={Side.cambodia})
    assert column_sides(panel) == ["cambodia"]
    assert "The ministry denied it" in panel.find("section", cls="gw-sides").text
    assert "will become a base" not in panel.text
    assert "Opened." not in panel.text  # milestone evidence of a filtered-out side
    empty = panel_of(ds, "test-harbour", sides=set())
    assert column_sides(empty) == [] and "No evidence matches" in empty.text
    assert empty.find("span", cls="gw-contested")  # contested is about all the evidence


def test_summary_of_one_sentence_is_not_repeated(ds):
    panel = panel_of(ds, "test-harbour")
    assert panel.find("p", cls="gw-lede").text == "A harbour used in tests."
    assert "A harbour used in tests." not in panel.find("details", data_fold="details").text


@pytest.mark.parametrize("text, first", [
    ("One. Two.", "One."),
    ("Built by China Road and Bridge Corp. (a CCCC subsidiary) in 2022. Open.",
     "Built by China Road and Bridge Corp. (a CCCC subsidiary) in 2022."),
    ("The U.S. Navy visited c. 3 Jun 2024 with Gen. Smith. Then it left.",
     "The U.S. Navy visited c. 3 Jun 2024 with Gen. Smith."),
    ("It said “no base.” Others disagreed.", "It said “no base.”"),
    ("Cambodia's capital. On 4 Jun 2024 Austin met Hun Manet.", "Cambodia's capital."),
    ("No full stop at the end", "No full stop at the end"),
    ("Area of 1,113 ha in 2008. 188 firms.", "Area of 1,113 ha in 2008."),
])
def test_first_sentence(text, first):
    assert first_sentence(text) == first


def test_tooltip_is_the_name_then_one_short_muted_line(ds):
    f = ds.feature("test-harbour")
    tip = parse(tooltip_html(f))
    nodes = [c for c in tip.children if isinstance(c, Node)]
    assert [n.tag for n in nodes] == ["b", "br", "span"]
    assert nodes[0].text == "Test Harbour"
    assert nodes[2].text == "confirmed · click for evidence"
    assert f.props.summary not in tooltip_html(f)


def test_hostile_text_is_escaped_in_the_new_parts(tmp_path):
    ds = load_dataset(dg.hostile(tmp_path / "h"))
    f = ds.feature("test-harbour")
    for html in (feature_panel_html(ds, f), tooltip_html(f), popup_html(ds, f)):
        assert "<script>" not in html and "<img" not in html
    panel = panel_of(ds, "test-harbour")
    assert panel.find("h3").text == f"Evil {dg.HOSTILE}"
    assert panel.find("p", cls="gw-lede").text == f"Summary {dg.HOSTILE}"
    other = panel.find("div", cls="gw-side", data_side="other")
    assert items(other)[0].find("b").text == dg.HOSTILE


def test_popup_marks_quotes_and_summaries(ds):
    pop = parse(popup_html(ds, ds.feature("test-harbour")))
    assert pop.find("li", data_kind="quote").find_all(cls="gw-tag-verbatim")
    assert pop.find("li", data_kind="note").find_all(cls="gw-tag-summary")
    assert pop.find("q", cls="gw-quote").text == "The harbour “will become a base,” officials said."


def test_features_without_events_have_no_milestones_fold(ds):
    panel = panel_of(ds, "capital")
    assert [d.attrs["data-fold"] for d in panel.find_all("details")] == ["details", "location"]
    assert column_sides(panel) == ["independent"]
