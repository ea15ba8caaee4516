"""Tests of web.i18n: both languages cover the same labels, and lookups fail loudly."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from geo.vocabulary import ZONE_KINDS, ZONE_STATUSES
from web.i18n import DEFAULT_LANG, LABELS, SUPPORTED_LANGS, normalize_lang, translate

WEB_DIR = Path(__file__).resolve().parents[3] / "web"


def test_labels_every_supported_language_has_a_dictionary() -> None:
    assert set(LABELS) == set(SUPPORTED_LANGS)
    assert DEFAULT_LANG == "vi"


def test_labels_vi_and_en_have_same_keys() -> None:
    vi_keys, en_keys = set(LABELS["vi"]), set(LABELS["en"])
    assert vi_keys - en_keys == set(), "labels missing in English"
    assert en_keys - vi_keys == set(), "labels missing in Vietnamese"


@pytest.mark.parametrize("lang", SUPPORTED_LANGS)
def test_labels_values_non_empty_and_nfc(lang: str) -> None:
    for key, value in LABELS[lang].items():
        assert value.strip(), f"{lang}:{key} is empty"
        assert unicodedata.normalize("NFC", value) == value, f"{lang}:{key} is not NFC"


@pytest.mark.parametrize(
    ("key", "vi", "en"),
    [
        ("layer.provinces", "Ranh giới tỉnh", "Province boundaries"),
        ("layer.kkt", "Khu kinh tế", "Economic zones"),
        ("layer.kcn", "Khu công nghiệp", "Industrial parks"),
        ("layer.ccn", "Cụm công nghiệp", "Industrial clusters"),
    ],
)
def test_translate_layer_names_match_both_languages(key: str, vi: str, en: str) -> None:
    assert translate(key, "vi") == vi
    assert translate(key, "en") == en


def test_translate_default_language_is_vietnamese() -> None:
    assert translate("status.operating") == "Đang hoạt động"


def test_translate_missing_key_raises_key_error() -> None:
    with pytest.raises(KeyError, match="no.such.label"):
        translate("no.such.label", "vi")


def test_translate_unsupported_language_raises_value_error() -> None:
    with pytest.raises(ValueError, match="fr"):
        translate("layer.provinces", "fr")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("vi", "vi"), ("en", "en"), (" EN ", "en"), ("fr", "vi"), ("", "vi"), (None, "vi")],
)
def test_normalize_lang_user_input_supported_or_default(value: str | None, expected: str) -> None:
    assert normalize_lang(value) == expected


@pytest.mark.parametrize("lang", SUPPORTED_LANGS)
def test_translate_every_zone_kind_and_status_has_label(lang: str) -> None:
    labels = [translate(f"kind.{kind}", lang) for kind in ZONE_KINDS]
    labels += [translate(f"status.{status}", lang) for status in ZONE_STATUSES]
    assert len(set(labels)) == len(labels)


def test_templates_and_modules_use_only_known_keys() -> None:
    template_keys = {
        key
        for path in (WEB_DIR / "templates").rglob("*.html")
        for key in re.findall(r"""\bt\(\s*['"]([\w.]+)['"]\s*\)""", path.read_text("utf-8"))
    }
    module_keys = {
        key
        for path in WEB_DIR.rglob("*.py")
        for key in re.findall(r"""translate\(\s*['"]([\w.]+)['"]\s*[,)]""", path.read_text("utf-8"))
    }
    assert "footer.demo_data" in template_keys  # the scan finds keys at all
    assert "layer.basemap" in module_keys
    missing = sorted((template_keys | module_keys) - set(LABELS["vi"]))
    assert missing == []
