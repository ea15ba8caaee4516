"""Tests for geo.ingest.encoding: legacy Vietnamese codecs, the syllable scorer and detection."""

import shutil
import subprocess
import unicodedata

import pytest

from geo.errors import EncodingAmbiguousError, GeoError, UnknownEncodingError
from geo.ingest.encoding import (
    ENCODINGS,
    decode_bytes,
    detect_encoding,
    encode_text,
    normalise_encoding_name,
    redecode_text,
    vietnamese_score,
)
from geo.ingest.encoding_choice import detect_field_encodings, settle_encoding

NAMES = [
    "Khu công nghiệp Tiên Sơn",
    "Cụm công nghiệp Đồng Văn",
    "Khu kinh tế Vân Đồn",
    "Bà Rịa - Vũng Tàu",
    "Thừa Thiên Huế",
]
VIETNAMESE_ENCODINGS = ["utf-8", "cp1258", "tcvn3", "vni"]


def _all_letters() -> list[str]:
    """Return the 134 precomposed Vietnamese letters (67 lower-case and their capitals)."""
    lower = [
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưy"
        for tone in ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
    ]
    lower = [ch for ch in lower if not ch.isascii()] + ["đ"]
    return lower + [ch.upper() for ch in lower]


def test_all_letters_helper_has_134_letters():
    letters = _all_letters()
    assert len(letters) == len(set(letters)) == 134


@pytest.mark.parametrize("encoding", VIETNAMESE_ENCODINGS)
def test_decode_bytes_every_vietnamese_letter_roundtrips(encoding):
    letters = _all_letters()
    broken = [ch for ch in letters if decode_bytes(encode_text(ch, encoding), encoding) != ch]
    assert broken == []
    text = "".join(letters)
    assert decode_bytes(encode_text(text, encoding), encoding) == text


def test_encode_text_tcvn3_lowercase_letters_use_single_high_bytes():
    for ch in _all_letters()[:67]:
        raw = encode_text(ch, "tcvn3")
        assert len(raw) == 1
        assert raw[0] >= 0xA0


def test_encode_text_vni_letters_are_base_plus_accents():
    assert encode_text("ệ", "vni") == b"e\xe4"
    assert encode_text("Ộ", "vni") == b"O\xc4"
    assert encode_text("ơ", "vni") == b"\xf4"
    assert encode_text("đ", "vni") == b"\xf1"
    assert encode_text("ỵ", "vni") == b"\xee"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_decode_bytes_tcvn3_matches_glibc_tcvn5712():
    raw = bytes(range(0x80, 0x100))
    result = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1 converter")
    expected = unicodedata.normalize("NFC", result.stdout.decode("utf-8"))
    assert decode_bytes(raw, "tcvn3") == expected


def test_encode_text_tcvn3_reads_as_brief_mojibake_in_cp1252():
    assert encode_text("Khu công nghiệp", "tcvn3").decode("cp1252") == "Khu c«ng nghiÖp"


def test_encode_text_vni_reads_as_brief_mojibake_in_cp1252():
    assert encode_text("Khu công nghiệp", "vni").decode("cp1252") == "Khu coâng nghieäp"


def test_encode_text_cp1258_uses_combining_tone_when_no_precomposed_letter():
    raw = encode_text("ệ", "cp1258")
    assert raw == "ê".encode("cp1258") + "\u0323".encode("cp1258")
    assert decode_bytes(raw, "cp1258") == "ệ"


def test_encode_text_unrepresentable_character_raises():
    with pytest.raises(UnicodeEncodeError):
        encode_text("Tiên Sơn €", "tcvn3")


def test_decode_bytes_utf8_nfd_input_returns_nfc():
    raw = unicodedata.normalize("NFD", "Đồng Văn").encode("utf-8")
    assert decode_bytes(raw, "utf-8") == "Đồng Văn"


def test_decode_bytes_invalid_utf8_replaces_by_default_and_raises_when_strict():
    assert "\ufffd" in decode_bytes(b"c\xabng", "utf-8")
    with pytest.raises(UnicodeDecodeError):
        decode_bytes(b"c\xabng", "utf-8", errors="strict")


def test_normalise_encoding_name_aliases_and_unknown():
    assert normalise_encoding_name("ABC") == "tcvn3"
    assert normalise_encoding_name("Windows-1258") == "cp1258"
    assert normalise_encoding_name("VNI-Windows") == "vni"
    with pytest.raises(UnknownEncodingError) as info:
        normalise_encoding_name("koi8-r")
    assert isinstance(info.value, GeoError)
    assert info.value.code == "unknown_encoding"
    assert "tcvn3" in str(info.value)


def test_vietnamese_score_correct_text_one_mojibake_zero():
    assert vietnamese_score("Khu công nghiệp Tiên Sơn") == 1.0
    assert vietnamese_score("Khu c«ng nghiÖp Tiªn S¬n") == 0.0
    assert vietnamese_score("Khu coâng nghieäp Tieân Sôn") == pytest.approx(0.25)


def test_vietnamese_score_ascii_tokens_are_neutral():
    assert vietnamese_score("KCN-01 Lot 12") == 1.0
    assert vietnamese_score("KCN-01 Lot 12 nghiệp c«ng") == pytest.approx(0.5)


@pytest.mark.parametrize("encoding", VIETNAMESE_ENCODINGS)
def test_detect_encoding_real_names_detected_and_decoded_back(encoding):
    raws = [encode_text(name, encoding) for name in NAMES]
    guess = detect_encoding(raws)
    assert guess.encoding == encoding
    assert not guess.is_ambiguous
    assert guess.confidence > 0.8
    assert [decode_bytes(raw, guess.encoding) for raw in raws] == NAMES


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_detect_encoding_wrong_declared_encoding_is_overridden(encoding):
    raws = [encode_text(name, encoding) for name in NAMES]
    guess = detect_encoding(raws, declared="cp1252")
    assert guess.encoding == encoding
    declared = next(c for c in guess.candidates if c.encoding == "cp1252")
    assert declared.score < guess.candidates[0].score


def test_detect_encoding_declared_encoding_wins_a_tie():
    # "Sôn" is both VNI for "Sơn" and a valid CP1252 reading: only the declaration decides.
    raws = [b"S\xf4n"]
    as_vni = detect_encoding(raws, declared="vni")
    assert (as_vni.encoding, as_vni.is_ambiguous) == ("vni", False)
    assert detect_encoding(raws, declared="cp1252").encoding == "cp1252"
    assert detect_encoding(raws).is_ambiguous


def test_detect_encoding_pure_ascii_is_certain():
    guess = detect_encoding([b"KCN Tien Son", b"CCN-01", None, b""])
    assert guess.encoding == "ascii"
    assert guess.confidence == 1.0
    assert not guess.is_ambiguous


def test_detect_encoding_mixed_file_is_ambiguous():
    raws = [encode_text(n, "tcvn3") for n in NAMES[:3]] + [encode_text(n, "vni") for n in NAMES[2:]]
    guess = detect_encoding(raws)
    assert guess.is_ambiguous
    assert {c.encoding for c in guess.candidates[:2]} == {"tcvn3", "vni"}


def test_detect_encoding_candidates_carry_decoded_samples():
    raws = [encode_text(n, "tcvn3") for n in NAMES]
    guess = detect_encoding(raws)
    assert set(ENCODINGS) <= {c.encoding for c in guess.candidates}
    assert guess.candidates[0].sample == tuple(NAMES[:3])
    scores = [c.score for c in guess.candidates]
    assert scores == sorted(scores, reverse=True)


def test_redecode_text_brief_mojibake_repaired():
    assert redecode_text("Khu c«ng nghiÖp", read_as="cp1252", actual="tcvn3") == "Khu công nghiệp"
    assert redecode_text("Khu coâng nghieäp", read_as="cp1252", actual="vni") == "Khu công nghiệp"


@pytest.mark.parametrize("read_as", ["cp1252", "latin-1"])
@pytest.mark.parametrize("actual", ["tcvn3", "vni", "cp1258", "utf-8"])
def test_redecode_text_any_misread_name_repaired(read_as, actual):
    for name in [*NAMES, "Ấp Ải Ủy"]:
        misread = decode_bytes(encode_text(name, actual), read_as)
        assert redecode_text(misread, read_as=read_as, actual=actual) == name


def test_detect_field_encodings_and_settle_agreeing_fields():
    fields = {
        "ten": [encode_text(n, "vni") for n in NAMES],
        "ma": [b"KCN-01", b"CCN-02"],
        "tinh": [encode_text("Quảng Ninh", "vni"), encode_text("Hà Nội", "vni")],
    }
    per_field = detect_field_encodings(fields)
    assert per_field["ma"].encoding == "ascii"
    assert per_field["ten"].encoding == "vni"
    assert settle_encoding(per_field).encoding == "vni"


def test_settle_encoding_fields_disagree_raises_with_samples():
    fields = {
        "ten": [encode_text(n, "tcvn3") for n in NAMES],
        "tinh": [encode_text(n, "vni") for n in NAMES],
    }
    with pytest.raises(EncodingAmbiguousError) as info:
        settle_encoding(detect_field_encodings(fields))
    message = str(info.value)
    assert info.value.code == "encoding_ambiguous"
    assert "--encoding" not in message  # geo says what to choose; the CLI/page say how
    assert "choose the encoding" in message
    choices = {c["encoding"]: c for c in info.value.details["choices"]}
    assert {"tcvn3", "vni"} <= set(choices)
    assert any(s["text"] == "Khu công nghiệp Tiên Sơn" for s in choices["tcvn3"]["samples"])
    assert "Khu công nghiệp Tiên Sơn" in message
    assert "'ten'" in message and "'tinh'" in message


def test_settle_encoding_ambiguous_field_raises():
    with pytest.raises(EncodingAmbiguousError):
        settle_encoding({"ten": detect_encoding([b"S\xf4n"])})


def test_settle_encoding_all_ascii_returns_ascii():
    assert settle_encoding({"ma": detect_encoding([b"A1"])}).encoding == "ascii"
