"""The shape of the house: data flows one way (each stage imports only the stages before
it, imports inside functions included), pipeline.py is wiring, and no function is a
chapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "starskope"

#: The stages, in the order data flows through them (see ../shared/ARCHITECTURE.md): a
#: stage may import only stages listed before it.
STAGES: tuple[str, ...] = (
    # the ground: error family, registries, file endings, units, limits, shared numerics
    "errors", "registry", "filetypes", "quantities", "limits", "scatter", "executors",
    # the light-curve type, telescopes, physics, reading (light curves and pixels)
    "lightcurve", "missions", "physics", "io", "pixels",
    # the science
    "clean", "search", "vetting", "stars", "features", "models", "startypes", "multi", "simulate",
    # one star's analysis, data sets, explanations and documents
    "analysis", "datasets", "explain", "report",
    # storage, execution, front ends
    "results", "batch", "web", "pipeline", "cli", "__main__",
)


def _stage_imports() -> dict[tuple[str, str], str]:
    """(importer stage, imported stage) → one place it happens, for every import of a
    starskope stage from another one, at any depth (module level or inside a function)."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        if len(parts) < 2:
            continue
        me = parts[1]
        here = parts if path.name == "__init__.py" else parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = here[: len(here) - node.level + 1]
                    names = ([".".join([*anchor, node.module])] if node.module
                             else [".".join([*anchor, a.name]) for a in node.names])
                elif node.module:
                    names = [node.module]
            for name in names:
                bits = name.split(".")
                if bits[0] == "starskope" and len(bits) > 1 and bits[1] not in (me, "__version__"):
                    found.setdefault((me, bits[1]), f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_every_stage_is_placed():
    stages = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
              if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert stages <= set(STAGES), f"stages not placed in the flow: {sorted(stages - set(STAGES))}"


def test_imports_flow_one_way():
    """No stage imports a stage after it, so there can be no import circle."""
    rank = {s: i for i, s in enumerate(STAGES)}
    upstream = [f"{a} imports {b} ({where})" for (a, b), where in _stage_imports().items()
                if rank.get(b, -1) > rank.get(a, len(STAGES))]
    assert not upstream, "imports against the flow:\n" + "\n".join(upstream)


def test_pipeline_is_wiring():
    text = (PACKAGE / "pipeline.py").read_text()
    assert len(text.splitlines()) < 300
    tree = ast.parse(text)
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not imported & {"numpy", "scipy", "astropy", "torch"}, "pipeline.py computes nothing itself"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_over_150_lines(path):
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines, line {n.lineno})"
            for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno - n.lineno + 1 > 150]
    assert not long, f"{path.relative_to(PACKAGE)}: {', '.join(long)}"
