"""What every map layer module declares: its id, title, colours and per-feature style."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import FeatureProps, LocationBasis

# Dash patterns say how the geometry was obtained, the same in every layer and the legend.
DASH = {
    LocationBasis.published: None,
    LocationBasis.derived: "6 3",
    LocationBasis.estimated: "2 4",
    LocationBasis.schematic: "8 6",
}
CONTESTED_OUTLINE = "#d62728"  # a red ring marks features with claims and denials


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str
    shape: str = "circle"  # circle | square | line
    dashed: bool = False


@dataclass(frozen=True)
class LayerSpec:
    id: str
    title: str
    description: str
    color: str
    fill_opacity: float = 0.25
    legend: tuple[LegendEntry, ...] = ()
    color_for: Callable[[FeatureProps], str] | None = None
    draw_order: Callable[[FeatureProps], tuple] | None = None

    def feature_color(self, props: FeatureProps) -> str:
        return self.color_for(props) if self.color_for else self.color

    def style(self, props: FeatureProps, contested: bool) -> dict:
        """Leaflet path options for one feature (polygons, lines and circle markers alike)."""
        color = self.feature_color(props)
        return {
            "color": CONTESTED_OUTLINE if contested else color,
            "weight": 3 if contested else 2,
            "dashArray": DASH[props.location_basis],
            "fillColor": color,
            "fillOpacity": self.fill_opacity,
            "opacity": 0.9,
        }
