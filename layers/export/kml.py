"""KML 2.2 export for Google Earth, drawn like the map.

* One ``<Folder>`` per map layer (in the legend's order), one ``<Placemark>`` per feature.
* Styles as on the map (:meth:`layers.spec.LayerSpec.style`): the layer's colour (or the
  feature's, e.g. grey for projects not funded by China), its fill opacity, and the red outline
  (:data:`layers.spec.CONTESTED_OUTLINE`, wider) of contested features.  Each distinct style is
  one ``<Style id=…>`` in the Document, referenced by each Placemark's ``<styleUrl>``; points use
  Google Earth's circle icon tinted with the outline colour.  KML cannot draw dashes, so how a
  geometry was obtained (published, estimated, schematic…) is said in the description instead.
* Lines and polygons are ``<tessellate>``d so they follow the globe; polygons' outer rings are
  counter-clockwise (as the KML reference asks) and holes clockwise.
* ``<name>`` is the plain feature name (XML-escaped, never HTML).  ``<description>`` is HTML in
  a CDATA section in which every piece of our text is HTML-escaped, so Google Earth shows it
  literally; the balloon (``<BalloonStyle>``) shows only the description, which starts with the
  escaped name, so a name is never read as HTML either.
* Start and end dates become a ``<TimeSpan>`` (Google Earth's time slider) spanning every day
  the partial dates can mean; the fields a GIS wants are in ``<ExtendedData>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..evidence import contested_ids
from ..load import Dataset
from ..model import STATUS_HELP, Feature, Source
from ..registry import BY_ID, DISPLAY_ORDER
from .common import feature_evidence, source_copy_url, source_url, source_url_kind
from .geojson import rfc7946_geometry

KML_NS = "http://www.opengis.net/kml/2.2"
DOCUMENT_NAME = "Gulf Watch export"
# Google Earth's own white circle, tinted by <color>: the nearest thing to the map's circle markers.
POINT_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def kml_color(color: str, opacity: float = 1.0) -> str:
    """CSS ``#rrggbb`` (or ``#rgb``) and an opacity as KML's ``aabbggrr`` hex."""
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", h):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    alpha = round(min(max(opacity, 0.0), 1.0) * 255)
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}".lower()


@dataclass(frozen=True)
class KmlStyle:
    id: str
    line: str  # aabbggrr: outlines, lines and point icons
    width: float  # pixels
    fill: str  # aabbggrr: polygon fill

    def xml(self) -> str:
        return (f'<Style id="{self.id}">'
                f"<IconStyle><color>{self.line}</color><scale>1</scale>"
                f"<Icon><href>{POINT_ICON}</href></Icon>"
                f'<hotSpot x="0.5" y="0.5" xunits="fraction" yunits="fraction"/></IconStyle>'
                f"<LineStyle><color>{self.line}</color><width>{self.width:g}</width></LineStyle>"
                f"<PolyStyle><color>{self.fill}</color><fill>1</fill><outline>1</outline></PolyStyle>"
                f"<BalloonStyle><text>$[description]</text></BalloonStyle>"
                f"</Style>")


def feature_style(f: Feature, contested: bool) -> KmlStyle:
    """The map's style of one feature (:meth:`layers.spec.LayerSpec.style`) in KML terms."""
    p = f.props
    spec = BY_ID[p.layer]
    s = spec.style(p, contested)
    sid = f"gw-{p.layer}-{s['fillColor'].lstrip('#').lower()}" + ("-contested" if contested else "")
    return KmlStyle(id=sid, line=kml_color(s["color"], s["opacity"]), width=s["weight"],
                    fill=kml_color(s["fillColor"], s["fillOpacity"]))


# --- text ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """XML character data: escaped, with characters XML 1.0 forbids replaced by U+FFFD."""
    return html.escape(_NOT_XML.sub("\ufffd", str(value)), quote=False)


def _cdata(markup: str) -> str:
    markup = _NOT_XML.sub("\ufffd", markup)
    return "<![CDATA[" + markup.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _link_text(s: Source) -> str:
    """The original's link (said when it is a syndication), and the copy we read if any."""
    url, copy = source_url(s), source_copy_url(s)
    if url and source_url_kind(s) == "syndication":
        url += " (syndication)"
    if url and copy:
        return f"{url} (copy read: {copy})"
    if copy:
        return f"{copy} (a copy; the original's link is unknown)"
    return url or "(no link recorded)"


def evidence_summary(ds: Dataset, f: Feature) -> list[str]:
    """Plain-text lines: the summary, then each quote/note with speaker, publication, date, link."""
    lines = [f.props.summary, ""]
    for e, event in feature_evidence(ds, f):
        said = f"“{e.quote}”" if e.quote is not None else e.note
        where = f"{e.source.publisher}, {e.source.date_label()}"
        prefix = f"[{event}] " if event else ""
        lines.append(f"{prefix}{said} — {e.speaker} ({e.stance.value}); {where}. {_link_text(e.source)}")
        if e.quote is not None and e.note:
            lines.append(f"    Note: {e.note}")
    lines += ["", f"Location: {f.props.location_note} (±{f.props.precision_m:,.0f} m, "
                  f"{f.props.location_basis.value})"]
    return lines


def kml_description(ds: Dataset, f: Feature, contested: bool = False) -> str:
    """HTML for the balloon: the name as a heading, status, then :func:`evidence_summary`, every
    piece of text HTML-escaped (Google Earth renders descriptions as HTML)."""
    p = f.props
    lines = [f"{BY_ID[p.layer].title} · {p.kind} · status: {p.status.value} ({STATUS_HELP[p.status]})"]
    if contested:
        lines.append("Contested: claims and denials from different sides (red outline on the map).")
    lines += [""] + evidence_summary(ds, f)
    return f"<h3>{html.escape(p.name)}</h3>" + "<br>".join(html.escape(line) for line in lines
                                                            ).replace("\n", "<br>")


# --- geometry -----------------------------------------------------------------------------

def _num(v: float) -> str:
    return repr(float(v))


def _coordinates(points: Iterable[Iterable[float]]) -> str:
    return "<coordinates>" + " ".join(f"{_num(c[0])},{_num(c[1])}" for c in
                                      (list(pt) for pt in points)) + "</coordinates>"


def _ring(points) -> str:
    return f"<LinearRing>{_coordinates(points)}</LinearRing>"


def _polygon(rings: list) -> str:
    inner = "".join(f"<innerBoundaryIs>{_ring(r)}</innerBoundaryIs>" for r in rings[1:])
    return (f"<Polygon><tessellate>1</tessellate><outerBoundaryIs>{_ring(rings[0])}</outerBoundaryIs>"
            f"{inner}</Polygon>")


def geometry_kml(geometry: dict[str, Any]) -> str:
    """A GeoJSON geometry as KML (multi-part geometries as ``<MultiGeometry>``)."""
    g = rfc7946_geometry(geometry)
    kind, coords = g["type"], g.get("coordinates")
    if kind == "Point":
        return f"<Point>{_coordinates([coords])}</Point>"
    if kind == "LineString":
        return f"<LineString><tessellate>1</tessellate>{_coordinates(coords)}</LineString>"
    if kind == "Polygon":
        return _polygon(coords)
    if kind == "MultiPoint":
        parts = [{"type": "Point", "coordinates": c} for c in coords]
    elif kind == "MultiLineString":
        parts = [{"type": "LineString", "coordinates": c} for c in coords]
    elif kind == "MultiPolygon":
        parts = [{"type": "Polygon", "coordinates": c} for c in coords]
    elif kind == "GeometryCollection":
        parts = g["geometries"]
    else:
        raise ValueError(f"cannot write a {kind!r} geometry as KML")
    return "<MultiGeometry>" + "".join(geometry_kml(p) for p in parts) + "</MultiGeometry>"


# --- document -----------------------------------------------------------------------------

def _extended_data(f: Feature, contested: bool) -> str:
    p = f.props
    fields = {
        "feature_id": p.id, "layer": p.layer, "kind": p.kind, "status": p.status.value,
        "contested": "true" if contested else "false", "precision_m": f"{p.precision_m:g}",
        "location_basis": p.location_basis.value,
        "start_date": p.start.date if p.start else "", "end_date": p.end.date if p.end else "",
    }
    return "<ExtendedData>" + "".join(
        f'<Data name="{k}"><value>{_text(v)}</value></Data>' for k, v in fields.items()
    ) + "</ExtendedData>"


def _time_span(f: Feature) -> str:
    p = f.props
    if not p.start and not p.end:
        return ""
    begin = f"<begin>{p.start.first_day.isoformat()}</begin>" if p.start else ""
    end = f"<end>{p.end.last_day.isoformat()}</end>" if p.end else ""
    return f"<TimeSpan>{begin}{end}</TimeSpan>"


def _placemark(ds: Dataset, f: Feature, style: KmlStyle, contested: bool) -> str:
    return ("<Placemark>"
            f"<name>{_text(f.props.name)}</name>"
            f"<description>{_cdata(kml_description(ds, f, contested))}</description>"
            f"{_time_span(f)}"
            f"<styleUrl>#{style.id}</styleUrl>"
            f"{_extended_data(f, contested)}"
            f"{geometry_kml(f.geometry)}"
            "</Placemark>")


def to_kml(ds: Dataset, features: Iterable[Feature]) -> bytes:
    """KML 2.2 (UTF-8): one folder per map layer, styled like the map (see the module doc)."""
    feats = list(features)
    contested = contested_ids(ds)
    order = {layer: i for i, layer in enumerate(DISPLAY_ORDER)}
    layers = sorted(dict.fromkeys(f.props.layer for f in feats), key=lambda la: order.get(la, len(order)))
    styles: dict[str, KmlStyle] = {}
    folders = []
    for layer in layers:
        marks = []
        for f in (f for f in feats if f.props.layer == layer):
            style = feature_style(f, f.id in contested)
            styles.setdefault(style.id, style)
            marks.append(_placemark(ds, f, style, f.id in contested))
        folders.append(f"<Folder><name>{_text(BY_ID[layer].title)}</name><open>1</open>"
                       + "\n".join(marks) + "</Folder>")
    doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           f'<kml xmlns="{KML_NS}">\n<Document><name>{DOCUMENT_NAME}</name><open>1</open>\n'
           + "".join(s.xml() + "\n" for s in styles.values())
           + "\n".join(folders)
           + "\n</Document>\n</kml>\n")
    return doc.encode("utf-8")
