"""Command line: ``python -m layers check|export|basemap``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .filters import plural
from .load import check_source_text, data_dir_from_env, excerpt_share, load_dataset

EXPORT_FORMATS = ("geojson", "csv", "kml", "bibtex", "citations-csv")


def _check(args: argparse.Namespace) -> int:
    ds = load_dataset(args.data)
    problems = list(ds.problems)
    shares = []
    for spec in args.source_text or []:
        sid, sep, path = spec.partition("=")
        if not sep:
            print(f"--source-text: expected SOURCE_ID=PATH, got {spec!r}", file=sys.stderr)
            return 2
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            print(f"--source-text: cannot read {path}: {e.strerror}", file=sys.stderr)
            return 2
        problems += check_source_text(ds, sid, text)
        if sid in ds.sources:
            shares.append(f"{sid}: {plural(len(ds.sources[sid].excerpts), 'excerpt')}, "
                          f"{excerpt_share(ds, sid, text):.1%} of the text")
    for p in problems:
        print(("warning: " if p.severity == "warning" else "") + str(p))
    errors = [p for p in problems if p.severity == "error"]
    n_ex = sum(len(s.excerpts) for s in ds.sources.values())
    print(f"{plural(len(ds.features), 'feature')}, {plural(len(ds.sources), 'source')}, "
          f"{plural(n_ex, 'excerpt')}; {plural(len(errors), 'error')}, "
          f"{plural(len(problems) - len(errors), 'warning')}"
          + ("".join(f"\n{s}" for s in shares)), file=sys.stderr)
    return 1 if errors else 0


def _export(args: argparse.Namespace) -> int:
    """Write one export, as the app's download buttons do (same bytes: UTF-8, a BOM on CSV)."""
    from . import export

    ds = load_dataset(args.data)
    for p in ds.errors:
        print(f"skipped: {p}", file=sys.stderr)
    feats = [f for f in ds.features if not args.layers or f.props.layer in args.layers]
    writers = {
        "geojson": export.to_geojson, "csv": export.to_csv, "kml": export.to_kml,
        "bibtex": export.citations_bibtex, "citations-csv": export.citations_csv,
    }
    out = writers[args.format](ds, feats)
    data = out if isinstance(out, bytes) else out.encode("utf-8")
    if args.output in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        path = Path(args.output)
        path.write_bytes(data)
        print(f"wrote {plural(len(feats), 'feature')} to {path}", file=sys.stderr)
    return 0


def _basemap(args: argparse.Namespace) -> int:
    from .basemap import build_extracts

    out = Path(args.out)
    sizes = build_extracts(Path(getattr(args, "from")), out)
    for name, size in sizes.items():
        print(f"{name}: {size:,} bytes")
    return 0


def _publish(args: argparse.Namespace) -> int:
    """Write the static reader site (layers/publish) into ``--out``."""
    from .publish import publish

    ds = load_dataset(args.data)
    for p in ds.errors:
        print(f"skipped: {p}", file=sys.stderr)
    if args.app_url and not args.app_url.lower().startswith(("http://", "https://")):
        print(f"--app-url: expected an http(s) address, got {args.app_url!r}", file=sys.stderr)
        return 2
    res = publish(ds, Path(args.out), args.data or data_dir_from_env(), app_url=args.app_url)
    print(f"wrote {plural(len(res.files), 'file')}, {res.total / 1e6:.2f} MB, to {res.out} "
          f"({plural(len(ds.features), 'feature')}); open {res.out / 'index.html'} or serve the folder",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m layers", description="Gulf Watch data tools")
    ap.add_argument("--data", type=Path, default=None,
                    help="data folder (default: $GULFWATCH_DATA_DIR or the repo's data/)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="validate every data file; exit 1 on any error")
    c.add_argument("--source-text", action="append", metavar="SOURCE_ID=PATH",
                   help="also check that each excerpt of SOURCE_ID occurs verbatim in PATH")
    e = sub.add_parser("export", help="write every feature with its evidence")
    e.add_argument("--format", choices=EXPORT_FORMATS, default="geojson")
    e.add_argument("-o", "--output", help="file to write (default: standard output)")
    e.add_argument("--layers", nargs="*", choices=("ream", "drills", "economic", "context"))
    b = sub.add_parser("basemap", help="rebuild data/basemap from Natural Earth extracts")
    b.add_argument("--from", required=True, help="folder with the ne_10m_*.geojson extracts")
    b.add_argument("--out", default=str(data_dir_from_env() / "basemap"))
    pb = sub.add_parser("publish", help="write the static reader site (HTML, data, Leaflet, basemap) to a folder")
    pb.add_argument("--out", required=True, help="folder to write (created if missing)")
    pb.add_argument("--app-url", help="the Streamlit app's address, linked from the site as the analyst's tools")
    from .figure import cli as figure_cli

    figure_cli.add_arguments(sub.add_parser("figure", help="draw a view as a figure (PNG, SVG, PDF) for web, social or print"))
    args = ap.parse_args(argv)
    return {"check": _check, "export": _export, "basemap": _basemap, "publish": _publish,
            "figure": figure_cli.run}[args.cmd](args)
