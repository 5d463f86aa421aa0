"""The benchmark scripts are not run by the test suite (they take minutes), so check statically
that every ``H.<name>`` bench.py uses is defined or imported at the top of harness.py (a lint
clean-up once removed one).  Static, because importing harness installs signal handlers."""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def test_every_harness_name_used_by_bench_exists():
    defined = top_level_names(ast.parse((BENCH / "harness.py").read_text(encoding="utf-8")))
    tree = ast.parse((BENCH / "bench.py").read_text(encoding="utf-8"))
    used = {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "H"}
    assert used, "bench.py no longer uses harness as H?"
    missing = sorted(used - defined)
    assert not missing, f"bench.py uses H.{missing}, which harness.py does not define"
