"""There is one way to save a record and write its audit entry: ``save_and_record``.

Modules used to grow their own wrappers (``_audit``, ``_save_new``,
``_save_changes``...), each a little different. This reads the source (no
imports, no database) and fails when one comes back:

- a function that writes a row (``.save()``, ``.create()``...) and calls
  ``record_change`` itself: pairing the two by hand is the helper's job;
- a private function that hands the audit helpers an object it was given,
  with the change also from its caller (``before``, ``action``, ``after`` or
  ``organisation`` passed straight through, or fields set by name with
  ``setattr``): a wrapper, however it is named;
- ``AuditEntry.objects.create`` anywhere but ``audittrail``.

``record_change`` alone stays for entries with no save behind them (a job
finishing, a retry, a deletion, a two-step reset).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import safecontact

ROOT = Path(safecontact.__file__).parent
AUDIT_CALLS = {"record_change", "save_and_record"}
ROW_WRITES = {"save", "create", "get_or_create", "update_or_create"}
FORWARDED = {"before", "action", "after", "organisation"}


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _creates_audit_entry(call: ast.Call) -> bool:
    return _name(call) == "create" and "AuditEntry" in ast.unparse(call.func)


def _is_wrapper(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, calls: list[ast.Call]
) -> bool:
    """A private function handing the helpers an object and a change it was given."""
    if not fn.name.startswith("_"):
        return False
    args = fn.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    sets_by_name = any(_name(c) == "setattr" for c in calls)
    for call in calls:
        if _name(call) not in AUDIT_CALLS:
            continue
        given = {
            k.arg
            for k in call.keywords
            if k.arg and isinstance(k.value, ast.Name) and k.value.id in params
        }
        if "obj" in given and (sets_by_name or FORWARDED & given):
            return True
    return False


def offences(source: str, where: str) -> list[str]:
    """What in ``source`` saves and audits other than through the helper."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
        names = {_name(c) for c in calls}
        at = f"{where}:{fn.lineno} {fn.name}()"
        if "record_change" in names and names & ROW_WRITES:
            found.append(f"{at} saves and calls record_change: use save_and_record")
        if any(_creates_audit_entry(c) for c in calls):
            found.append(f"{at} creates an AuditEntry itself: use save_and_record")
        if _is_wrapper(fn, calls):
            found.append(f"{at} wraps the audit helper: call save_and_record")
    return found


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not {"tests", "migrations", "audittrail"} & set(path.relative_to(ROOT).parts)
    ]


def test_no_module_saves_and_audits_its_own_way():
    found = []
    for path in _sources():
        found += offences(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


def test_it_reads_every_app():
    apps = {path.relative_to(ROOT).parts[0] for path in _sources()}
    assert {"people", "groups", "policies", "assessments", "dashboard"} <= apps


# The shapes the wrappers had before they went (people, policies, audits).
WRAPPERS = {
    "save_new": """
        def _save_new(actor, organisation, obj):
            obj.full_clean()
            obj.save()
            record_change(actor=actor, organisation=organisation, obj=obj,
                          action="create", before=None, after=snapshot(obj))
    """,
    "audit": """
        def _audit(actor, obj, action, before, org):
            record_change(actor=actor, organisation=org, obj=obj, action=action,
                          before=before, after=snapshot(obj))
    """,
    "save_finding": """
        def _save_finding(actor, finding, **changes):
            before = snapshot(finding)
            for name, value in changes.items():
                setattr(finding, name, value)
            save_and_record(actor=actor, organisation=finding.audit.organisation,
                            obj=finding, before=before)
    """,
    "entry": """
        def _note(obj):
            AuditEntry.objects.create(model="x", object_code=str(obj.pk))
    """,
}


def test_it_finds_each_kind_of_wrapper():
    for name, source in WRAPPERS.items():
        assert offences(textwrap.dedent(source), name), name


def test_it_lets_a_service_call_the_helper():
    source = """
        def retire_purpose(*, actor, purpose):
            require_lead(actor, purpose.organisation_id)
            before = snapshot(purpose)
            purpose.retired_at = now()
            save_and_record(actor=actor, organisation=purpose.organisation,
                            obj=purpose, before=before, update_fields=["retired_at"])
            return purpose

        def _finish(audit):
            GroupAudit.objects.filter(pk=audit.pk).update(status="done")
            record_change(actor=None, organisation=audit.organisation, obj=audit,
                          action="finish", before=None, after={})
    """
    assert offences(textwrap.dedent(source), "example") == []
