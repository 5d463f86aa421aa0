"""Layer 1: Ream Naval Base — the base outline, the Chinese-funded works, warships, demolitions."""

from .spec import LayerSpec, LegendEntry

SPEC = LayerSpec(
    id="ream",
    title="Ream Naval Base",
    description="The base (schematic outline), the Chinese-funded pier and dry dock works, "
                "Chinese warships at the new pier, and the US-funded buildings demolished in 2020.",
    color="#c0392b",
    fill_opacity=0.2,
    legend=(LegendEntry("Ream Naval Base", "#c0392b", "square"),),
)
