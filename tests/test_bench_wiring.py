"""The benchmark scripts are not run by the test suite (they take minutes), so check statically
that every ``H.<name>`` bench.py and its section modules use is defined or imported at the top of
harness.py (a lint clean-up once removed one), and that what harness.py imports from the modules
it was split into (stats.py, procstats.py, servers.py, browsers.py, concurrency.py) is defined
there.  Static, because importing harness installs signal handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


# bench.py (the entry point) and the modules its sections live in
BENCH_MODULES = ["bench.py", "common.py", "section_a.py", "section_b.py", "section_c.py"]


@pytest.mark.parametrize("module", BENCH_MODULES)
def test_every_harness_name_used_by_bench_exists(module):
    defined = top_level_names(ast.parse((BENCH / "harness.py").read_text(encoding="utf-8")))
    tree = ast.parse((BENCH / module).read_text(encoding="utf-8"))
    used = {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "H"}
    assert used, f"{module} no longer uses harness as H?"
    missing = sorted(used - defined)
    assert not missing, f"{module} uses H.{missing}, which harness.py does not define"


@pytest.mark.parametrize("module", BENCH_MODULES)
def test_bench_modules_import_only_names_that_exist(module):
    """What bench.py and the section modules import from one another (``from section_c import
    C_CYCLE, …``; section D reads some of those names from bench.py as ``B``) must be defined at
    the top of the module it comes from."""
    tree = ast.parse((BENCH / module).read_text(encoding="utf-8"))
    local = {m[:-3] for m in BENCH_MODULES}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in local:
            defined = top_level_names(ast.parse((BENCH / f"{node.module}.py").read_text(encoding="utf-8")))
            missing = sorted({a.name for a in node.names} - defined)
            assert not missing, f"{module} imports {missing} from {node.module}.py, which does not define them"


# the modules harness.py was split into: it re-exports their names, the sections use them as H.<name>
HARNESS_PARTS = ["stats.py", "procstats.py", "servers.py", "browsers.py", "concurrency.py"]


@pytest.mark.parametrize("module", ["harness.py", *HARNESS_PARTS, "site_bench.py"])
def test_split_modules_import_only_names_that_exist(module):
    """What harness.py re-exports from its parts (and what the parts, and site_bench.py from
    site_readers.py / site_static.py, import from one another) must be defined at the top of the
    module it comes from; harness.py imports from nothing but its parts."""
    tree = ast.parse((BENCH / module).read_text(encoding="utf-8"))
    sources = set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        if module == "harness.py":
            assert f"{node.module}.py" in HARNESS_PARTS, f"harness.py imports from {node.module}, not one of its parts"
        if (BENCH / f"{node.module}.py").is_file():
            sources.add(node.module)
            defined = top_level_names(ast.parse((BENCH / f"{node.module}.py").read_text(encoding="utf-8")))
            missing = sorted({a.name for a in node.names} - defined)
            assert not missing, f"{module} imports {missing} from {node.module}.py, which does not define them"
    if module == "harness.py":
        assert sources == {m[:-3] for m in HARNESS_PARTS}, sources


def _attrs_of(tree: ast.AST, name: str) -> set[str]:
    return {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}


@pytest.mark.parametrize("module,aliases", [("site_bench.py", "HB"), ("site_readers.py", "HB"),
                                            ("site_static.py", "H")])
def test_site_bench_uses_only_names_that_exist(module, aliases):
    """Section D (site_bench.py, site_readers.py, site_static.py) uses the harness as ``H`` and
    bench.py's section C helpers as ``B`` (``B = _bench()``; not site_static.py): each name must be
    defined at the top of that file."""
    tree = ast.parse((BENCH / module).read_text(encoding="utf-8"))
    for name, src in (("H", "harness.py"), ("B", "bench.py")):
        if name not in aliases:
            continue
        defined = top_level_names(ast.parse((BENCH / src).read_text(encoding="utf-8")))
        used = _attrs_of(tree, name)
        assert used, f"{module} no longer uses {name}?"
        missing = sorted(used - defined)
        assert not missing, f"{module} uses {name}.{missing}, which {src} does not define"


def _sections_and_choices(tree: ast.Module) -> tuple[list[str], list[str]]:
    sections: list[str] = []
    choices: list[str] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "sections" for t in node.targets)
                and isinstance(node.value, ast.Dict)):
            sections = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "--only"):
            for kw in node.keywords:
                if kw.arg == "choices" and isinstance(kw.value, ast.List):
                    choices = [e.value for e in kw.value.elts if isinstance(e, ast.Constant)]
    return sections, choices


def test_every_section_is_wired_and_selectable():
    """main()'s ``sections`` dict runs A–D, and ``--only`` offers each of them; section D is
    site_bench.section_d, and section C is kept (site_bench.keep) for D's side-by-side table."""
    src = (BENCH / "bench.py").read_text(encoding="utf-8")
    sections, choices = _sections_and_choices(ast.parse(src))
    assert {"A", "B", "C", "D"} <= set(sections), sections
    assert set(sections) <= set(choices), (sections, choices)
    assert "site_bench.section_d" in src and 'site_bench.keep("C"' in src
    site = ast.parse((BENCH / "site_bench.py").read_text(encoding="utf-8"))
    assert {"section_d", "keep", "RESULTS"} <= top_level_names(site)
