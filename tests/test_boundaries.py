"""The apps depend on each other one way: schools ← documents ← centers ← plans; monitoring uses
schools and documents (plans may use monitoring: a line names the risk factor it addresses);
cooperation (mentoring, groups) and practices (the bank) sit on plans; analytics sits on top of
everything; notifications is used by all and uses only schools. A module that imports an app it
must not fails here."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app → the folder of its code, and the apps of ours it may import.
APPS = {
    "schools": ("schools", set()),
    "notifications": ("network_center/notifications", {"schools"}),
    "documents": ("network_center/documents", {"schools"}),
    "centers": ("network_center/centers", {"schools", "documents", "notifications"}),
    "monitoring": ("monitoring", {"schools", "documents", "notifications"}),
    "plans": ("plans", {"schools", "documents", "centers", "notifications", "monitoring"}),
    "cooperation": (
        "cooperation",
        {"schools", "documents", "centers", "notifications", "monitoring", "plans"},
    ),
    "practices": (
        "practices",
        {"schools", "documents", "centers", "notifications", "monitoring", "plans"},
    ),
    "analytics": (
        "analytics",
        {
            "schools",
            "documents",
            "centers",
            "notifications",
            "monitoring",
            "plans",
            "cooperation",
            "practices",
        },
    ),
}
PACKAGES = {
    "schools": "schools",
    "network_center.notifications": "notifications",
    "network_center.documents": "documents",
    "network_center.centers": "centers",
    "monitoring": "monitoring",
    "plans": "plans",
    "cooperation": "cooperation",
    "practices": "practices",
    "analytics": "analytics",
}


def _app_of(module: str) -> str | None:
    """Our app a dotted module belongs to; ``project`` for the project package itself."""
    for package, app in sorted(PACKAGES.items(), key=lambda item: -len(item[0])):
        if module == package or module.startswith(package + "."):
            return app
    if module == "network_center" or module.startswith("network_center."):
        return "project"
    return None


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name


def _violations_in(path: Path, module: str, app: str):
    allowed = APPS[app][1]
    for lineno, name in _imports(path, module):
        target = _app_of(name)
        if target is None or target == app:
            continue
        if target == "project" or target not in allowed:
            yield f"{path.name}:{lineno} imports {name}"


def _violations(app: str):
    for path in sorted((ROOT / APPS[app][0]).rglob("*.py")):
        if "migrations" not in path.parts:
            for line in _violations_in(path, _module_name(path), app):
                yield f"{path.relative_to(ROOT).parent}/{line}"


@pytest.mark.parametrize("app", [a for a in APPS if (ROOT / APPS[a][0]).exists()])
def test_an_app_imports_only_the_apps_below_it(app):
    assert not list(_violations(app))


def test_the_checker_sees_a_forbidden_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from network_center.centers.models import Center\n"
        "from ..centers import rules\n"
        "from . import models\n"
        "from schools.access import get_access\n"
    )
    found = list(_violations_in(probe, "network_center.documents.probe", "documents"))
    assert found == [
        "probe.py:1 imports network_center.centers.models",
        "probe.py:2 imports network_center.centers",
    ]
