"""Gulf Watch — a sourced map of China's military and economic footprint around the Gulf of Thailand.

A thin Streamlit shell: all data handling, validation and rendering live in the ``layers``
package and are tested without Streamlit.  Run: ``streamlit run app.py``.

This file is read twice, in two roles:

- Streamlit runs it as ``__main__`` for every reader and every rerun: that is the page
  (:func:`layers.page.run`);
- ``streamlit run app.py`` first imports it as a module to look for an ``st.App``; finding
  ``app`` below, it serves that app, whose start-up (``layers.warmup.lifespan``) imports the map
  libraries and loads the data while the first reader's browser is still loading Streamlit, so
  the first map comes sooner (bench/bench.py, section A3); its one route hears the map say it
  has drawn, so that a reader's first page sends its sidebar and tabs after the map
  (``layers.mapready``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent

if __name__ == "__main__":
    from layers.page import run

    run(APP_DIR)
else:
    from streamlit import config

    from layers import mapready
    from layers.warmup import lifespan

    app = st.App(__file__, lifespan=lifespan, routes=mapready.routes(config.get_option("server.baseUrlPath")))
