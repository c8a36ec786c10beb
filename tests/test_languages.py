"""The languages an elder can choose: data in locales/languages.toml, offered by voice."""
from __future__ import annotations

import shutil

import pytest

from kiosk.languages import all_languages, language, offered
from kiosk.paths import LOCALES
from kiosk.settings_file import validated


def keys(choices) -> list[str]:
    return [choice.key for choice in choices]


def test_mandarin_cantonese_and_english_in_that_order():
    assert keys(all_languages()) == ["zh_CN", "yue", "en"]
    cantonese = language("yue")
    assert (cantonese.text, cantonese.voice, cantonese.name) == ("zh_CN", "yue", "粤语")


def test_cantonese_is_offered_only_where_the_engine_has_its_voice():
    assert keys(offered(())) == ["zh_CN", "en"]  # no engine: English screens still help
    assert keys(offered(("zh_CN", "en"))) == ["zh_CN", "en"]
    assert keys(offered(("zh_CN", "yue", "en"))) == ["zh_CN", "yue", "en"]


def test_a_new_language_needs_a_catalogue_and_an_entry_not_code(tmp_path):
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    toml = root / "languages.toml"
    entry = '\n[[language]]\nkey = "ug"\ntext = "ug"\nvoice = "ug"\nname = "ئۇيغۇرچە"\n'
    toml.write_text(toml.read_text(encoding="utf-8") + entry, encoding="utf-8")
    assert "ug" not in keys(all_languages(root))  # no catalogue yet: not offered
    (root / "ug" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(root / "en" / "LC_MESSAGES" / "kiosk.po", root / "ug" / "LC_MESSAGES")
    all_languages.cache_clear()
    assert keys(offered((), root)) == ["zh_CN", "en", "ug"]


def test_switching_language_changes_the_text_only_when_the_screens_differ(core):
    assert core.text("nav.home") == "首页"
    chinese = core.text
    assert core.set_language("yue").voice == "yue"
    assert core.text is chinese  # same screens, other voice
    core.set_language("en")
    assert core.text("nav.home") == "Home"
    with pytest.raises(ValueError, match="no such language"):
        core.set_language("klingon")
    assert core.language.key == "en"


def test_staff_can_set_any_offered_language_and_nothing_else(settings):
    assert validated(settings, {"language": "yue"}).language == "yue"
    with pytest.raises(ValueError, match="no such language"):
        validated(settings, {"language": "fr"})
