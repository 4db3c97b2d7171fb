"""Fail when an app imports one above it: the project's apps form layers, and imports flow down.

    connectors < tenancy < audit < permissions < erp < integrations < approvals < syncs < demo
    < erp_portal

``connectors`` imports no app at all (a connector sees payloads, never the portal's models).
Every ``import`` and ``from ... import`` counts, at module level or inside a function. Run by
``make lint`` and CI: ``python scripts/check_layers.py`` (exit 1 and the offending lines).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERS = (
    "connectors",
    "tenancy",
    "audit",
    "permissions",
    "erp",
    "integrations",
    "approvals",
    "syncs",
    "demo",
    "erp_portal",
)
RANK = {app: rank for rank, app in enumerate(LAYERS)}
ROOT = Path(__file__).resolve().parent.parent


def imported_apps(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, app) for every import of one of the project's apps."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in RANK]
    return found


def violations(root: Path = ROOT) -> list[str]:
    problems = []
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for line, target in imported_apps(tree):
                if RANK[target] > RANK[app] or (app == "connectors" and target != app):
                    where = path.relative_to(root)
                    problems.append(f"{where}:{line}: {app} imports {target}, a layer above it")
    return problems


def main() -> int:
    problems = violations()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} import(s) against the layers: {' < '.join(LAYERS)}")
        return 1
    print(f"Layers respected: {' < '.join(LAYERS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
