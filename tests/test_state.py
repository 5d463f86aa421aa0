"""URL state: round trips, defaults, and garbage (hypothesis) never raising."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from layers.state import (ALL_SIDES, DEFAULT_BASEMAP, EARLIEST, TIMELINE_START, ViewState, parse_query,
                          to_query)

NOW = dt.date(2026, 11, 28)
IDS = ["ream-naval-base", "phnom-penh"]


def test_empty_query_gives_defaults_without_notices():
    view, notices = parse_query({}, IDS, NOW)
    assert view == ViewState(date_to=NOW)
    assert notices == []
    assert to_query(view, NOW) == {}


def test_round_trip():
    view = ViewState(feature="ream-naval-base", layers=("ream", "economic"), basemap="esri",
                     date_from=dt.date(2022, 1, 1), date_to=dt.date(2024, 12, 31),
                     sides=("us", "cambodia"), view=(10.5, 103.6, 11))
    q = to_query(view, NOW, include_view=True)
    assert q == {"feature": "ream-naval-base", "layers": "ream,economic", "basemap": "esri",
                 "from": "2022-01-01", "to": "2024-12-31", "sides": "us,cambodia",
                 "view": "10.50000,103.60000,11"}
    back, notices = parse_query(q, IDS, NOW)
    assert back == view and notices == []


def test_no_layers_round_trips():
    q = to_query(ViewState(layers=(), date_to=NOW), NOW)
    assert q == {"layers": "none"}
    assert parse_query(q, IDS, NOW)[0].layers == ()


def test_unknown_feature_falls_back_with_notice():
    view, notices = parse_query({"feature": "<script>alert(1)</script>"}, IDS, NOW)
    assert view.feature is None
    assert len(notices) == 1 and "No feature" in notices[0]


def test_malformed_dates_fall_back():
    view, notices = parse_query({"from": "2024-02-30", "to": "yesterday"}, IDS, NOW)
    assert (view.date_from, view.date_to) == (TIMELINE_START, NOW)
    assert len(notices) == 2


def test_reversed_window_resets():
    view, notices = parse_query({"from": "2025-01-01", "to": "2020-01-01"}, IDS, NOW)
    assert (view.date_from, view.date_to) == (TIMELINE_START, NOW)
    assert any("ends before it starts" in n for n in notices)


def test_dates_are_clamped_to_the_timeline():
    view, _ = parse_query({"from": "1900-01-01", "to": "2999-01-01"}, IDS, NOW)
    assert (view.date_from, view.date_to) == (EARLIEST, NOW)
    view, _ = parse_query({"from": "2016-05-01"}, IDS, NOW)
    assert view.date_from == dt.date(2016, 5, 1)


def test_unknown_layer_and_basemap():
    view, notices = parse_query({"layers": "ream,bogus", "basemap": "google"}, IDS, NOW)
    assert view.layers == ("ream",) and view.basemap == DEFAULT_BASEMAP
    assert len(notices) == 2


def test_only_unknown_layers_keeps_default():
    view, notices = parse_query({"layers": "bogus"}, IDS, NOW)
    assert view.layers == ViewState().layers and notices


def test_bad_view():
    for raw in ("1,2", "a,b,c", "95,100,5", "10,100,40", "nan,1,5"):
        view, notices = parse_query({"view": raw}, IDS, NOW)
        assert view.view is None and notices, raw


text = st.text(max_size=60)
params = st.dictionaries(st.sampled_from(["feature", "layers", "basemap", "from", "to", "sides",
                                          "view", "embed", "x"]) | text,
                         text | st.lists(text, max_size=3), max_size=8)


@settings(max_examples=400, deadline=None)
@given(params)
def test_garbage_never_raises_and_gives_a_valid_state(q):
    view, notices = parse_query(q, IDS, NOW)
    assert view.feature in (None, *IDS)
    assert set(view.layers) <= {"ream", "drills", "economic", "context"}
    assert set(view.sides) <= set(ALL_SIDES)
    assert EARLIEST <= view.date_from <= view.date_to <= NOW
    assert all(isinstance(n, str) and len(n) < 400 for n in notices)
    # whatever we accepted survives a round trip unchanged
    again, _ = parse_query(to_query(view, NOW, include_view=True), IDS, NOW)
    assert again == view
