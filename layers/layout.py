"""The page's layout: how much of the screen the map gets at each size (pure, no Streamlit).

The map is the page.  ``st_folium`` sizes its iframe in pixels only, so the page's CSS gives the
iframe a height that follows the window, and the map inside fills it (:mod:`layers.mapframe`).
Three shapes:

- **desktop**: a one-line header, the map and the evidence panel side by side, both as tall as
  the window allows;
- **phone** (≤ 640 px wide, where Streamlit stacks columns): the map full width in the top third,
  about 60 % of the screen tall so the page can still be scrolled past it, the panel below;
- **embedded** (``?embed=true``): no sidebar, no header, the map across the whole frame and the
  panel below it.
"""

from __future__ import annotations

import html

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PANEL_KEY = "evidence-panel"
SIDEBAR_KEY = "sidebar-controls"  # the sidebar's one container (layers/page.py)
TITLE = "Gulf Watch"
TAGLINE = ("China’s military and economic footprint around the Gulf of Thailand. Every feature is "
           "sourced: click one to see who says what.")
# what stands above the map on a desktop page: Streamlit's top bar, the header line, gaps
ABOVE_MAP_PX = 100

_BASE = f"""
<style>
[data-testid="stMainBlockContainer"] {{ padding: 3.3rem 1.25rem 2rem 1.25rem; max-width: none; }}
.gw-head {{ display: flex; align-items: baseline; gap: .2rem .8rem; flex-wrap: wrap; }}
.gw-head h1 {{ font-size: 1.35rem; line-height: 1.3; margin: 0; padding: 0; font-weight: 700; }}
.gw-head p {{ margin: 0; color: #555; font-size: .88rem; line-height: 1.3; }}
{MAP_IFRAME} {{ height: max(420px, calc(100vh - {ABOVE_MAP_PX + 14}px)) !important; }}
.st-key-{PANEL_KEY} {{ height: max(420px, calc(100vh - {ABOVE_MAP_PX + 14}px)) !important; }}
.st-key-gw-imagery-holder {{ display: none; }}  /* pressed by the map's own button */
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.3rem .6rem 2rem .6rem; }}
  .gw-head p {{ font-size: .8rem; }}
  {MAP_IFRAME} {{ height: 60vh !important; }}
  .st-key-{PANEL_KEY} {{ height: auto !important; max-height: none !important; overflow: visible !important; }}
}}
</style>
"""

_EMBED = f"""
<style>
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"],
header[data-testid="stHeader"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: .4rem .5rem 1rem .5rem !important; }}
{MAP_IFRAME} {{ height: max(260px, calc(100vh - 40px)) !important; }}
.st-key-{PANEL_KEY} {{ height: auto !important; max-height: none !important; overflow: visible !important; }}
</style>
"""


def page_css(embedded: bool) -> str:
    return _BASE + (_EMBED if embedded else "")


def header_html() -> str:
    return (f'<div class="gw-head"><h1>{html.escape(TITLE)}</h1>'
            f"<p>{html.escape(TAGLINE)}</p></div>")


def embed_snippet(link: str, height: int = 600) -> str:
    """The HTML a newsroom pastes into its article: the link's view, embedded (no sidebar)."""
    src = link + ("&" if "?" in link else "?") + "embed=true"
    return (f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(TITLE)}: sourced map of the '
            f'Gulf of Thailand" width="100%" height="{int(height)}" style="border:0" loading="lazy" '
            f'allow="fullscreen"></iframe>')


def favicon():
    """A small drawn icon (sea, coast, a red site): an emoji icon needs an emoji font, and a
    Material icon is fetched from Google's servers, which an offline map must not call."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (170, 211, 223, 255))
    d = ImageDraw.Draw(img)
    d.polygon([(0, 0), (64, 0), (64, 30), (44, 34), (38, 46), (30, 40), (0, 44)], fill=(242, 239, 233, 255))
    d.ellipse((30, 34, 50, 54), fill=(192, 57, 43, 255), outline=(255, 255, 255, 255), width=3)
    return img
