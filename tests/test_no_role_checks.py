"""No role comparison outside accounts/access.py: every authorization decision is a named function there.

The scanner reads every module under autocrea/ (as Python syntax, so a word "role" in a comment or an
HTML attribute is no match) and every template, and lists file:line of each role check it finds:
reading `.role` or `getattr(x, "role")`, naming `Role` or a `*_ROLES` set, filtering users by role,
or an `is_<role>`-style property. Creating an account with a role (`….create(role=Role.X)`) is not a check.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autocrea"

# Where roles may be named: the choke point, the model that defines them, migrations, the demo cast.
ALLOWED_FILES = {
    "autocrea/accounts/access.py",
    "autocrea/accounts/models.py",
    "autocrea/demo/personas.py",
    # The vocabulary of roles and the transition table, whose rows name the roles allowed (data, not checks).
    "autocrea/backbone/roles.py",
    "autocrea/backbone/transitions.py",
}
# Single lines allowed outside the files above: (file, exact text on the line). None today.
ALLOWED_LINES: set[tuple[str, str]] = set()
ROLE_PROPERTIES = {
    "is_partner_staff",
    "is_programme_staff",
    "is_counsellor",
    "is_coach",
    "is_jobseeker",
    "is_partner_manager",
    "is_programme_manager",
}
ACCOUNT_CREATION = {"create", "create_user", "get_or_create", "update_or_create"}
QUERY_METHODS = {"filter", "exclude", "get"}
TEMPLATE_ROLE_CHECK = re.compile(
    r"\.role\b|\brole\s*(==|!=|\bin\b|\bnot in\b)|\b(" + "|".join(sorted(ROLE_PROPERTIES)) + r")\b"
)


def _names_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "Role" or node.id.endswith("_ROLES")
    if isinstance(node, ast.Attribute):
        return (
            (node.attr == "role" and isinstance(node.ctx, ast.Load))
            or node.attr.endswith("_ROLES")
            or node.attr in ROLE_PROPERTIES
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "hasattr"}:
        return len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "role"
    return False


def python_role_checks(source: str) -> list[int]:
    """Return the line numbers of role checks in one module's source."""
    tree = ast.parse(source)
    skip: set[int] = set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            for keyword in node.keywords:
                if keyword.arg not in {"role", "role__in"}:
                    continue
                if node.func.attr in ACCOUNT_CREATION:
                    # Giving a new account its role is not a decision about it.
                    skip.update(id(n) for n in ast.walk(keyword.value))
                elif node.func.attr in QUERY_METHODS:
                    lines.add(keyword.value.lineno)
    for node in ast.walk(tree):
        if id(node) not in skip and _names_role(node):
            lines.add(node.lineno)
    return sorted(lines)


def template_role_checks(source: str) -> list[int]:
    """Return the line numbers of role checks in one template (inside {% %} and {{ }} tags)."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        tags = " ".join(re.findall(r"{%.*?%}|{{.*?}}", line))
        if TEMPLATE_ROLE_CHECK.search(tags):
            found.append(number)
    return found


def role_checks_outside_access() -> list[str]:
    """Return `file:line: text` for every role check outside the allowed files, in the whole package."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        name = path.relative_to(ROOT).as_posix()
        if not path.is_file() or name in ALLOWED_FILES or "/migrations/" in name:
            continue
        if path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
            numbers = python_role_checks(source)
        elif path.suffix in {".html", ".txt"} and "/templates/" in name:
            source = path.read_text(encoding="utf-8")
            numbers = template_role_checks(source)
        else:
            continue
        text = source.splitlines()
        for number in numbers:
            line = text[number - 1]
            if any(name == file and snippet in line for file, snippet in ALLOWED_LINES):
                continue
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_no_role_check_outside_accounts_access():
    found = role_checks_outside_access()
    assert not found, "Role checks outside accounts/access.py (add a named predicate there):\n" + "\n".join(found)


def test_the_scanner_catches_planted_role_checks_in_python():
    planted = """
from autocrea.accounts.models import PARTNER_ROLES, Role

def view(request, user, coach):
    if request.user.role == "counsellor":
        pass
    if getattr(user, "role", "") in PARTNER_ROLES:
        pass
    if not user.role:
        pass
    if user.is_partner_staff:
        pass
    coaches = User.objects.filter(role="coach")
    staff = {Role.COUNSELLOR}
"""
    # Line 2 is only an import: an unused one is ruff's business; each use below is a check.
    assert python_role_checks(planted) == [5, 7, 9, 11, 13, 14]


def test_the_scanner_leaves_alone_what_is_not_a_role_check():
    clean = """
# The role of the coach is described in the glossary.
from autocrea.accounts.access import may_view_caseload

def view(request):
    label = "role"
    owner = "coach"
    if owner == "coach" and may_view_caseload(request.user):
        user = User.objects.create(username="x", role=Role.JOBSEEKER)
    admin_fields = ["role", "partner"]
"""
    assert python_role_checks(clean) == []


def test_the_scanner_catches_planted_role_checks_in_templates():
    planted = (
        '<svg role="img"></svg>\n'
        '{% if user.role == "counsellor" %}<a>x</a>{% endif %}\n'
        "{{ user.get_role_display }}\n"
        "{% if may.view_caseload %}ok{% endif %}\n"
        '{% if role in "coach partner_manager" %}x{% endif %}\n'
        "{% if user.is_partner_staff %}x{% endif %}\n"
    )
    assert template_role_checks(planted) == [2, 5, 6]


def test_the_scanner_reports_file_and_line(tmp_path, monkeypatch):
    module = tmp_path / "autocrea" / "workspace" / "planted.py"
    module.parent.mkdir(parents=True)
    module.write_text('def f(user):\n    return user.role == "coach"\n', encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "PACKAGE", tmp_path / "autocrea")
    assert role_checks_outside_access() == ['autocrea/workspace/planted.py:2: return user.role == "coach"']
