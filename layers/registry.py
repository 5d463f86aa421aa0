"""The map's layers, in drawing order (bottom first)."""

from . import context, drills, economic, ream
from .spec import LayerSpec

LAYERS: tuple[LayerSpec, ...] = (context.SPEC, economic.SPEC, drills.SPEC, ream.SPEC)
BY_ID: dict[str, LayerSpec] = {s.id: s for s in LAYERS}
# Order shown to people (legend, toggles): the story's order.
DISPLAY_ORDER: tuple[str, ...] = ("ream", "drills", "economic", "context")
