"""Free-text search (layers.search) on the mini fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.load import load_dataset
from layers.search import Hit, fold, search

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(MINI)


def test_empty_query(ds):
    assert search(ds, "") == []
    assert search(ds, "   \t\n") == []
    assert search(ds, None) == []  # type: ignore[arg-type]
    assert search(ds, "harbour", limit=0) == []


def test_fold():
    assert fold("Tést HÁRBOUR’s “x”") == "test harbour's \"x\""
    assert fold("ﬁ") == "fi"  # NFKD compatibility forms


def test_name_match_ranks_first(ds):
    hits = search(ds, "test harbour")
    assert hits[0] == Hit("feature", "test-harbour", "Test Harbour", "Test Harbour",
                          feature_id="test-harbour")
    kinds = [h.kind for h in hits]
    # features before sources before excerpts
    assert kinds == sorted(kinds, key=["feature", "source", "excerpt"].index)
    # the economic zone matches only in its summary, so it comes after the name match
    ids = [h.id for h in hits]
    assert ids.index("test-harbour") < ids.index("test-economic-zone")


def test_accent_and_case_insensitive(ds):
    for q in ("TEST HARBOUR BASE", "tést harbour base", "Test Harbour Base"):
        assert search(ds, q)[0].id == "test-harbour"


def test_apostrophes_alike(ds):
    a = search(ds, "harbour's")
    b = search(ds, "harbour’s")
    assert a == b
    assert {h.kind for h in a} >= {"feature", "excerpt"}  # alias "Harbour’s Point" + the quote
    assert a[0].id == "test-harbour"


def test_excerpt_hit_links_feature_and_source(ds):
    hits = search(ds, "friendship")
    assert len(hits) == 1
    h = hits[0]
    assert h.kind == "excerpt" and h.id == "tg-pier-open"
    assert h.source_id == "test-gazette-2024-01-15"
    assert h.feature_id in {"test-harbour", "test-economic-zone"}
    assert "friendship" in h.detail


def test_source_hits(ds):
    hits = search(ds, "maritime $tudies")
    assert [h.kind for h in hits] == ["source"]
    assert hits[0].source_id == hits[0].id == "test-institute-2023-11"
    assert hits[0].feature_id is not None


def test_multiword_any_order(ds):
    hits = search(ds, "exercise fixture")
    assert any(h.id == "test-exercise-track" for h in hits)


def test_kind_and_summary(ds):
    assert search(ds, "special economic")[0].id == "test-economic-zone"
    assert search(ds, "planned")[0].id == "test-airstrip"


def test_limit(ds):
    assert len(search(ds, "test", limit=2)) == 2
    assert len(search(ds, "test", limit=100)) > 2


def test_snippet_is_short_and_contains_match(ds):
    h = search(ds, "stationed")[0]
    assert "stationed" in h.detail and len(h.detail) <= 125


@pytest.mark.parametrize("q", ["(", "*", "\\", "[a-", "?", ".*", "$", "^", "|", "{1,2}",
                               "\x00", "🙂", "a" * 10_000, "' OR 1=1 --", "<script>"])
def test_hostile_queries_do_not_crash(ds, q):
    assert isinstance(search(ds, q), list)


def test_regex_chars_match_literally(ds):
    assert search(ds, "$tudies")[0].id == "test-institute-2023-11"
    assert search(ds, ".*") == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_never_crashes(q):
    ds = load_dataset(MINI)
    for h in search(ds, q):
        assert h.kind in {"feature", "source", "excerpt"}
