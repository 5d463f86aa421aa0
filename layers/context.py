"""Layer 4: context — capitals, other navies' bases, the Spratlys, the Thailand–Cambodia overlap."""

from .spec import LayerSpec, LegendEntry

SPEC = LayerSpec(
    id="context",
    title="Context",
    description="Places the story refers to: Phnom Penh, Sihanoukville, Singapore, Sattahip, "
                "Phu Quoc, the Spratlys, and the Thailand–Cambodia overlapping claims area (schematic).",
    color="#2471a3",
    fill_opacity=0.08,
    legend=(LegendEntry("context places", "#2471a3"),),
    draw_order=lambda p: (p.location_basis.value != "schematic",),
)
