"""``python -m layers figure``: the figure of a view, written to a file (see :func:`add_arguments`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .view import FORMATS, SIZES, parse_bbox

LAYER_IDS = ("ream", "drills", "economic", "context")


def _bbox(text: str):
    try:
        return parse_bbox(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="png", help="file format (default: %(default)s)")
    p.add_argument("--size", choices=tuple(SIZES), default="web",
                   help="web: 1200 px wide; social: 1200×675; print: 180 mm wide at 300 dpi (default: %(default)s)")
    view = p.add_mutually_exclusive_group()
    view.add_argument("--feature", metavar="ID", help="the view the app opens for this feature (?feature=ID)")
    view.add_argument("--bbox", type=_bbox, metavar="MINLON,MINLAT,MAXLON,MAXLAT",
                      help="the view as a box in degrees (default: the app's opening view, the whole Gulf)")
    p.add_argument("--layers", nargs="*", choices=LAYER_IDS, help="layers to draw (default: all)")
    p.add_argument("--title", help="title (default: the feature's name, or the map's subject)")
    p.add_argument("--subtitle", help="a line under the title (default: none)")
    p.add_argument("-o", "--output", help="file to write ('-': standard output; default: gulf-watch-figure.FORMAT)")


def run(args: argparse.Namespace) -> int:
    from ..load import load_dataset
    from . import draw_figure, feature_bbox

    ds = load_dataset(args.data)
    for p in ds.errors:
        print(f"skipped: {p}", file=sys.stderr)
    bbox, title = args.bbox, args.title
    if args.feature:
        f = ds.feature(args.feature)
        if f is None:
            print(f"--feature: no feature {args.feature!r} (see `python -m layers export --format csv`)",
                  file=sys.stderr)
            return 2
        bbox = feature_bbox(f, ds.features)
        title = f.props.name if title is None else title
    data = draw_figure(ds, ds.features, bbox=bbox, size=args.size, fmt=args.format, title=title,
                       subtitle=args.subtitle, layers=args.layers, data_dir=args.data)
    out = args.output or f"gulf-watch-figure.{args.format}"
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(out).write_bytes(data)
        print(f"wrote {out} ({args.size}, {len(data):,} bytes)", file=sys.stderr)
    return 0
