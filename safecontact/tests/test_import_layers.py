"""``people`` and ``groups`` depend on each other one way only.

Their models point at each other (a consent names groups, purposes and
platforms; a membership names a person), which Django resolves by name. The
code does not go back and forth: ``people`` reads ``groups``' models and
selectors, which import nothing of ``people``; ``groups``' services, forms,
views and API build on ``people`` (its models and ``people.memberships``:
who may join a group, ending a membership, leavers). See
README's "Architecture".

Models aside, that is one way: ``groups.models``/``selectors`` <- ``people`` <-
the rest of ``groups``. This reads the source files (every import, including those inside functions
or under ``TYPE_CHECKING``), outside tests and migrations.
"""

from __future__ import annotations

import ast
from pathlib import Path

import safecontact

ROOT = Path(safecontact.__file__).parent
PEOPLE, GROUPS = "safecontact.people", "safecontact.groups"
# The layer of groups that people may read: it imports nothing of people.
GROUPS_FOR_PEOPLE = {f"{GROUPS}.models", f"{GROUPS}.selectors"}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"  # a submodule, or a name
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & known


def import_graph() -> dict[str, set[str]]:
    paths = [
        p
        for p in ROOT.rglob("*.py")
        if not {"tests", "migrations"} & set(p.relative_to(ROOT).parts)
    ]
    modules = {_module(p): p for p in paths}
    known = set(modules)
    return {m: _imports(p.read_text(), known) - {m} for m, p in modules.items()}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _reachable(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph.get(module, ()))
    return seen


def crossings(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Imports from people into groups beyond what it may read."""
    return {
        (module, target)
        for module, targets in graph.items()
        if _in(module, PEOPLE)
        for target in targets
        if _in(target, GROUPS) and target not in GROUPS_FOR_PEOPLE
    }


def test_people_reads_only_the_models_and_selectors_of_groups():
    assert crossings(import_graph()) == set()


def test_what_people_reads_of_groups_leads_back_to_no_part_of_people():
    graph = import_graph()
    back = {m for m in _reachable(graph, GROUPS_FOR_PEOPLE) if _in(m, PEOPLE)}
    assert back == set()


def test_it_finds_the_old_back_and_forth():
    """people.services called groups.services to take leavers out of groups."""
    graph = import_graph()
    graph[f"{PEOPLE}.services"].add(f"{GROUPS}.services")
    assert crossings(graph) == {(f"{PEOPLE}.services", f"{GROUPS}.services")}


def test_it_reads_both_apps_and_sees_their_imports():
    graph = import_graph()
    assert f"{GROUPS}.models" in graph[f"{PEOPLE}.selectors"]
    assert f"{PEOPLE}.memberships" in graph[f"{GROUPS}.services"]


def test_it_sees_an_import_inside_a_function():
    known = {f"{GROUPS}.services", f"{GROUPS}.models"}
    source = "def f():\n    from safecontact.groups import services\n"
    assert _imports(source, known) == {f"{GROUPS}.services"}
