"""The catalogue check (make check) finds untranslated and fuzzy entries: it must be able to fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_translations.py"
spec = importlib.util.spec_from_file_location("check_translations", SCRIPT)
assert spec and spec.loader
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'


def catalogue(tmp_path: Path, body: str) -> Path:
    po = tmp_path / "django.po"
    po.write_text(HEADER + "\n" + body, encoding="utf-8")
    po.with_suffix(".mo").write_bytes(b"")
    return po


def test_a_complete_catalogue_has_no_problem(tmp_path):
    po = catalogue(tmp_path, 'msgid "Save"\nmsgstr "Enregistrer"\n\nmsgid "Long"\nmsgstr ""\n"Un texte "\n"long"\n')
    assert check.problems(po) == []


def test_an_empty_translation_is_reported(tmp_path):
    po = catalogue(tmp_path, '#: views.py:1\nmsgid "All scheduled"\nmsgstr ""\n')
    assert check.problems(po) == ['untranslated: msgid "All scheduled"']


def test_an_empty_plural_form_is_reported(tmp_path):
    body = 'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s jour"\nmsgstr[1] ""\n'
    assert check.problems(catalogue(tmp_path, body)) == ['untranslated: msgid "%(n)s day"']


def test_a_fuzzy_entry_and_a_missing_mo_are_reported(tmp_path):
    po = catalogue(tmp_path, '#, fuzzy\nmsgid "Cancel"\nmsgstr "Annulée"\n')
    po.with_suffix(".mo").unlink()
    found = check.problems(po)
    assert len(found) == 2 and found[0].startswith("fuzzy") and "missing" in found[1]
