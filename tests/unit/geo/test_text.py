"""Tests for geo.text: NFC, diacritic folding and the Vietnamese syllable check."""

import unicodedata

import pytest

from geo.text import fold_diacritics, is_vietnamese_syllable, split_tone, to_nfc


def test_to_nfc_decomposed_input_returns_precomposed():
    decomposed = unicodedata.normalize("NFD", "Thừa Thiên Huế")
    assert decomposed != "Thừa Thiên Huế"
    assert to_nfc(decomposed) == "Thừa Thiên Huế"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Khu công nghiệp Tiên Sơn", "khu cong nghiep tien son"),
        ("Cụm công nghiệp Đồng Văn", "cum cong nghiep dong van"),
        ("BÀ RỊA - VŨNG TÀU", "ba ria - vung tau"),
        ("Tien Son", "tien son"),
    ],
)
def test_fold_diacritics_vietnamese_returns_ascii_key(text, expected):
    assert fold_diacritics(text) == expected


def test_fold_diacritics_nfd_input_matches_nfc_input():
    assert fold_diacritics(unicodedata.normalize("NFD", "Đắk Lắk")) == fold_diacritics("Đắk Lắk")


def test_split_tone_keeps_vowel_modifiers():
    base, tones = split_tone("Đồng")
    assert base == "Đông"
    assert tones == ["\u0300"]


@pytest.mark.parametrize(
    "word",
    [
        "nghiệp",
        "Khu",
        "công",
        "Sơn",
        "Đồng",
        "Huế",
        "Thừa",
        "gì",
        "quyền",
        "người",
        "khuya",
        "Rịa",
        "giường",
        "oản",
        "ạ",
        "Vũng",
        "tế",
        "Bà",
    ],
)
def test_is_vietnamese_syllable_real_words_true(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "nghiÖp",
        "c«ng",
        "S¬n",
        "coâng",
        "nghieäp",
        "Ã´ng",
        "§ång",
        "nghiêòp",
        "hoàá",
        "bạt́",
        "tàc",
        "xyz",
        "strong",
        "",
    ],
)
def test_is_vietnamese_syllable_mojibake_or_foreign_false(word):
    assert not is_vietnamese_syllable(word)
