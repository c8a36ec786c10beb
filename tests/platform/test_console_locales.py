"""The console's catalogues: the same messages in Chinese and English with the same
placeholders; every message the pages ask for exists; no message is left unused."""
from __future__ import annotations

import re
import string
from pathlib import Path

from service_platform.console import i18n

CONSOLE = Path(__file__).resolve().parents[2] / "service_platform" / "console"
# A key written whole in code or a template: "console.help.title"
WHOLE = re.compile(r"""["'](console(?:\.[a-z0-9_]+)+)["']""")
# A family of keys completed at run time: "console.role." + me.role, f"console.login.{…}"
# or a prefix given to a helper that adds ".<code>": words("console.provider.reason", code)
FAMILY = re.compile(r"""["'](console\.[a-z0-9_.]+?\.?)(?:["']\s*[+~]|\{)"""
                    r"""|words\(\s*["'](console\.[a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _families(source: str) -> tuple[str, ...]:
    found = set()
    for spliced, prefix in FAMILY.findall(source):
        found.add(spliced or prefix + ".")
    return tuple(sorted(found))


def _sources() -> str:
    files = list(CONSOLE.rglob("*.py")) + list(CONSOLE.rglob("*.html"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_chinese_and_english_have_the_same_messages_and_placeholders():
    chinese, english = i18n.messages("zh_CN"), i18n.messages("en")
    assert sorted(set(chinese) ^ set(english)) == []
    assert [key for key in chinese
            if _placeholders(chinese[key]) != _placeholders(english[key])] == []
    assert len(chinese) > 200


def test_every_message_asked_for_exists():
    known = set(i18n.messages("zh_CN"))
    asked = set(WHOLE.findall(_sources()))
    assert len(asked) > 150
    families = _families(_sources())
    asked = {key for key in asked if key + "." not in families and key not in families}
    assert sorted(asked - known) == []
    assert sorted(family for family in families
                  if not any(key.startswith(family) for key in known)) == []


def test_no_message_is_left_unused():
    source = _sources()
    used = set(WHOLE.findall(source))
    families = _families(source)
    unused = [key for key in i18n.messages("zh_CN")
              if key not in used and not key.startswith(families)]
    assert unused == []
