"""Layer 3: Chinese-funded economic zones and infrastructure — and nearby projects that are not."""

from .model import FeatureProps
from .spec import LayerSpec, LegendEntry

CHINESE = "#e67e22"
NOT_CHINESE = "#7f8c8d"


def _color(props: FeatureProps) -> str:
    return CHINESE if props.chinese_funded or props.chinese_built else NOT_CHINESE


SPEC = LayerSpec(
    id="economic",
    title="Economic zones & infrastructure",
    description="Chinese-funded or Chinese-built zones, ports, roads, canal and airports; "
                "nearby projects funded by others are shown in grey so no one mistakes them.",
    color=CHINESE,
    fill_opacity=0.2,
    legend=(LegendEntry("Chinese-funded or -built", CHINESE),
            LegendEntry("other funders", NOT_CHINESE)),
    color_for=_color,
    draw_order=lambda p: (p.location_basis.value != "schematic",),  # big schematic areas below points
)
