"""Imports run one way: ui -> state and encode -> core; server knows no page. Every module of a layer is
read (found by globbing, so a new file is checked too) and its imports resolved, relative ones included."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnviz"
# What each layer must never import: libraries and other layers of nnviz.
FORBIDDEN = {
    "core": {"panel", "bokeh", "param", "nnviz.encode", "nnviz.state", "nnviz.ui", "nnviz.server"},
    "encode": {"panel", "bokeh", "param", "nnviz.state", "nnviz.ui", "nnviz.server"},
    "state": {"panel", "bokeh", "nnviz.ui", "nnviz.server"},
    "server": {"nnviz.ui"},
}


def imports(path: Path) -> set:
    """The absolute names a module imports (`from ..core import x` in nnviz/ui/a.py is nnviz.core)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                found |= {name} | {f"{name}.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


def breaks(name: str, rules: set) -> bool:
    return any(name == r or name.startswith(r + ".") for r in rules)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_is_below_it(layer):
    files = sorted((PACKAGE / layer).glob("*.py"))
    assert files, layer
    wrong = {f"{f.name}: {n}" for f in files for n in imports(f) if breaks(n, FORBIDDEN[layer])}
    assert wrong == set()


def test_the_checker_resolves_relative_imports():
    names = imports(PACKAGE / "ui" / "app.py")          # `from ..state import link`, `from . import session`
    assert {"nnviz.state", "nnviz.state.link", "nnviz.ui.session", "panel"} <= names
    assert breaks("nnviz.ui.app", FORBIDDEN["server"]) and not breaks("nnviz.uix", FORBIDDEN["server"])
    assert breaks("panel.io", FORBIDDEN["core"]) and not breaks("numpy", FORBIDDEN["core"])
