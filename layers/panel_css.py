"""Styles of the evidence panel (and of the source reader, which reuses its classes).

Dense on purpose: in a ~430×800 px panel the header, the first US quote and the first Cambodia
quote show without scrolling.  Verbatim quotes are upright, quoted and edged in their side's
colour; our own summaries are italic, grey and edged with a dotted grey line."""

SIDE_COLORS = {"us": "#2b6cb0", "cambodia": "#2c7a7b", "china": "#c53030",
               "independent": "#6b46c1", "other": "#718096"}

_SIDE_VARS = "".join(f".gw-panel [data-side={s}],.gw-pop [data-side={s}]{{--gw-side:{c}}}"
                     for s, c in SIDE_COLORS.items())

PANEL_CSS = """
<style>
.gw-panel{font-size:.9rem;line-height:1.35}
.gw-panel h3{margin:0 0 .15rem;font-size:1.1rem;line-height:1.25}
.gw-panel h4{margin:.45rem 0 .2rem;font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:#555}
.gw-head{margin-bottom:.3rem}
.gw-lede{margin:.2rem 0 0;font-size:.86rem;color:#222}
.gw-badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.72rem;line-height:1.45;
  margin-right:.25rem;border:1px solid #999;background:#f4f4f4}
.gw-badge.gw-contested{border-color:#d62728;color:#d62728;background:#fff0f0}
.gw-badge.gw-notcn{border-color:#7f8c8d;color:#444}
.gw-sides-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:.25rem .7rem;
  align-items:start}
.gw-side{min-width:0;overflow-wrap:anywhere}
.gw-side h5{margin:0 0 .2rem;padding-bottom:.05rem;font-size:.8rem;font-weight:700;color:var(--gw-side,#333);
  border-bottom:2px solid var(--gw-side,#ccc)}
.gw-side h5 .gw-n{font-weight:400;color:#777}
.gw-evlist{list-style:none;padding:0;margin:0}
.gw-ev{margin:0 0 .45rem}
.gw-bq{margin:0;padding:0 0 0 .45rem;border-left:3px solid var(--gw-side,#888)}
.gw-quote{font-size:.9rem;font-style:normal;quotes:"\\201C" "\\201D" "\\2018" "\\2019"}
.gw-quote.gw-selfq{quotes:none}
.gw-note{margin:0;padding:0 0 0 .45rem;border-left:3px dotted #b5b5b5;color:#555;font-style:italic;
  font-size:.85rem}
.gw-comment{color:#666;font-size:.78rem;padding-left:.6rem}
.gw-cite{color:#444;font-size:.78rem;margin-top:.1rem;padding-left:.6rem}
.gw-at{color:#666;font-size:.74rem;padding-left:.6rem}
.gw-synd,.gw-nolink{color:#777;font-size:.7rem}
.gw-synd{border:1px solid #ccc;border-radius:.2rem;padding:0 .2rem}
.gw-copy,.gw-copy a{color:#666}
.gw-tag{display:inline-block;font-size:.64rem;line-height:1.35;text-transform:uppercase;letter-spacing:.03em;
  padding:0 .25rem;border-radius:.2rem;margin-right:.3rem;font-style:normal;font-weight:600}
.gw-tag-verbatim{background:#e3eefb;color:#1c4f8a}
.gw-tag-summary{background:#ececec;color:#555}
.gw-muted{color:#666;font-size:.8rem}
.gw-fold{margin:.15rem 0;font-size:.85rem}
.gw-fold>summary{cursor:pointer;font-size:.8rem;color:#333}
.gw-fold>:not(summary){margin:.2rem 0 .3rem .9rem}
.gw-facts{padding:0;list-style:none}
.gw-facts li{margin:.1rem 0}
.gw-events{padding-left:1rem}
.gw-events .gw-evlist{margin:.15rem 0 .3rem}
.gw-hl{background:#fff7c2}
""" + _SIDE_VARS + """
</style>
"""

# The downloaded map's popups carry their own (smaller) copy: that page has no panel styles.
POPUP_CSS = ("<style>.gw-pop .gw-evlist{list-style:none;padding:0;margin:.3rem 0 0}"
             ".gw-pop .gw-ev{margin:0 0 .4rem}.gw-pop .gw-bq{margin:0;padding-left:.4rem;"
             "border-left:3px solid var(--gw-side,#888)}.gw-pop .gw-quote.gw-selfq{quotes:none}"
             ".gw-pop .gw-note{padding-left:.4rem;border-left:3px dotted #bbb;color:#555;font-style:italic}"
             ".gw-pop .gw-cite,.gw-pop .gw-at,.gw-pop .gw-comment{font-size:.85em;color:#555}"
             ".gw-pop .gw-tag{font-size:.75em;text-transform:uppercase;background:#eee;padding:0 .2rem;"
             "margin-right:.25rem}.gw-pop .gw-synd,.gw-pop .gw-nolink,.gw-pop .gw-copy,"
             ".gw-pop .gw-copy a{color:#777}" + _SIDE_VARS + "</style>")
