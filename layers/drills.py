"""Layer 2: military drill areas — the Golden Dragon exercises, each drawn with its uncertainty."""

from .model import FeatureProps
from .spec import LayerSpec, LegendEntry

LATEST = "#8e44ad"
EARLIER = "#b39ddb"


def _color(props: FeatureProps) -> str:
    """The 2024 edition (the one in the founding article) stands out; other editions are paler."""
    return LATEST if props.id.startswith("gd2024") else EARLIER


SPEC = LayerSpec(
    id="drills",
    title="Drill areas (Golden Dragon)",
    description="Cambodia–China Golden Dragon exercises: sea and land areas as schematics, "
                "sized by how precisely each location is known.",
    color=LATEST,
    fill_opacity=0.15,
    legend=(LegendEntry("Golden Dragon 2024", LATEST, "square", dashed=True),
            LegendEntry("other years", EARLIER, "square", dashed=True)),
    color_for=_color,
    # earlier editions first so the 2024 areas are on top and clickable
    draw_order=lambda p: (p.id.startswith("gd2024"), p.start.date if p.start else ""),
)
