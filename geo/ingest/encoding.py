"""Detect and decode the text encodings of Vietnamese GIS attribute tables.

Provincial GIS files carry attribute text in UTF-8, Windows-1258 (CP1258, letters plus
combining tone marks), or one of the two font encodings that no ``.cpg`` can declare:

* **TCVN3 (ABC)**, TCVN 5712:1993. One byte per letter. The VN3 subset used by the ABC fonts has
  the lower-case letters and the seven base capitals Ă Â Ê Ô Ơ Ư Đ; capitals with a tone mark
  have no code in VN3 (ABC users wrote them with the lower-case codes in an upper-case ".VnTimeH"
  font). The full standard (VN1) places them in the otherwise unused bytes 0x80–0xA0, 0xAF,
  0xBA, 0xBF–0xC5, … and in C0 bytes 0x01–0x17. We decode the whole VN1 table (a superset of
  VN3, identical wherever VN3 has a code) and encode tone-marked capitals at their VN1 codes, so
  no letter is lost. Read as CP1252 it looks like "Khu c«ng nghiÖp".
* **VNI-Windows**: the base letter followed by one or two accent bytes taken from Latin-1
  positions ("eä" → "ệ", "oâ" → "ô"), plus single bytes for ơ ư đ and the i/ỵ letters. Read as
  CP1252 it looks like "Khu coâng nghieäp".

Every decoder returns NFC. ``cp1252`` here is the Windows code page as Windows itself decodes it:
the five unassigned bytes 0x81 0x8D 0x8F 0x90 0x9D map to the C1 controls U+0081… (Python's codec
refuses them), so text misread by a CP1252 reader can always be re-encoded and repaired.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from geo.errors import UnknownEncodingError
from geo.text import fold_diacritics, is_vietnamese_syllable, split_tone

__all__ = [
    "ENCODINGS",
    "EncodingCandidate",
    "EncodingGuess",
    "decode_bytes",
    "detect_encoding",
    "encode_text",
    "normalise_encoding_name",
    "redecode_text",
    "vietnamese_score",
]

#: Encodings tried by ``detect_encoding``, in order of preference when scores tie.
ENCODINGS: tuple[str, ...] = ("utf-8", "cp1258", "tcvn3", "vni", "cp1252")
_SUPPORTED = (*ENCODINGS, "latin-1", "ascii")
_ALIASES = {
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "windows-1258": "cp1258",
    "1258": "cp1258",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "tcvn-5712": "tcvn3",
    "tcvn5712-1": "tcvn3",
    "vni-windows": "vni",
    "windows-1252": "cp1252",
    "1252": "cp1252",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "us-ascii": "ascii",
}

# TCVN 5712:1993 (VN1) bytes 0x80–0xFF, sixteen per line; 0xB0–0xB4 are combining tone marks.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "Ổỏõóọồổỗốộờởỡớợù"
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
# VN1 puts twelve more capitals in C0 bytes that are free in VN3.
_TCVN3_C0 = {
    0x01: "Ú",
    0x02: "Ụ",
    0x04: "Ừ",
    0x05: "Ử",
    0x06: "Ữ",
    0x11: "Ứ",
    0x12: "Ự",
    0x13: "Ỳ",
    0x14: "Ỷ",
    0x15: "Ỹ",
    0x16: "Ý",
    0x17: "Ỵ",
}
_TCVN3_DECODE = {**_TCVN3_C0, **{0x80 + i: ch for i, ch in enumerate(_TCVN3_HIGH)}}
_TCVN3_ENCODE = {ch: byte for byte, ch in _TCVN3_DECODE.items() if not unicodedata.combining(ch)}

_CP1252_C1 = {b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0xA0)}
_CP1252_DECODE = {b: (chr(b) if ch == "\ufffd" else ch) for b, ch in _CP1252_C1.items()}
_CP1252_ENCODE = {ord(ch): b for b, ch in _CP1252_DECODE.items()}

# VNI-Windows accent bytes (as CP1252 characters) for the tones: none, sắc, huyền, hỏi, ngã, nặng.
_VNI_PLAIN = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_LETTERS = {  # letter without tone → (base bytes, accent bytes per tone)
    "a": ("a", _VNI_PLAIN),
    "ă": ("a", _VNI_BREVE),
    "â": ("a", _VNI_CIRCUMFLEX),
    "e": ("e", _VNI_PLAIN),
    "ê": ("e", _VNI_CIRCUMFLEX),
    "o": ("o", _VNI_PLAIN),
    "ô": ("o", _VNI_CIRCUMFLEX),
    "ơ": ("ô", _VNI_PLAIN),
    "u": ("u", _VNI_PLAIN),
    "ư": ("ö", _VNI_PLAIN),
    "i": ("", ("i", "í", "ì", "æ", "ó", "ò")),
    "y": ("", ("y", "yù", "yø", "yû", "yõ", "î")),
}
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _vni_table() -> dict[str, str]:
    """Map every Vietnamese letter (both cases, NFC) to its VNI-Windows sequence."""
    table = {"đ": "ñ", "Đ": "Ñ"}
    for plain, (base, accents) in _VNI_LETTERS.items():
        for tone, accent in zip(_TONES, accents, strict=True):
            letter = unicodedata.normalize("NFC", plain + tone)
            table[letter] = base + accent
            table[letter.upper()] = (base + accent).upper()
    return {letter: seq for letter, seq in table.items() if seq != letter}


_VNI_ENCODE = _vni_table()
_VNI_DECODE = {seq: letter for letter, seq in _VNI_ENCODE.items()}
# Tolerate a capital base letter followed by lower-case accent bytes ("Oà" for "Ồ").
_VNI_DECODE.update(
    {seq[0] + seq[1:].lower(): letter for letter, seq in _VNI_ENCODE.items() if letter.isupper()}
)
_VNI_RE = re.compile("|".join(re.escape(s) for s in sorted(_VNI_DECODE, key=len, reverse=True)))
_BAD_CHAR_RE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TOKEN_SPLIT_RE = re.compile(r"[\s!-/:-@\[-`{-~]+")
_MIN_SCORE = 0.8
_MIN_MARGIN = 0.15
# A winner this far ahead is clear even below _MIN_SCORE (a few odd words in a good column).
_CLEAR_SCORE = 0.5
_CLEAR_MARGIN = 0.3
_DIGIT_RE = re.compile(r"\d")
# Every letter whose base is a vowel (a, ă, â, e, ê, i, o, ô, ơ, u, ư, y with any tone, any case).
_VOWEL_LETTERS = frozenset(
    ch
    for ch in map(chr, [*range(0x41, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)])
    if ch.isalpha() and fold_diacritics(ch) in ("a", "e", "i", "o", "u", "y")
)
_DECLARED_BONUS = 0.05
_SAMPLE_SIZE = 3
_MAX_VALUES = 2000


@dataclass(frozen=True)
class EncodingCandidate:
    """One encoding tried on a column: its score in [0, 1] and a few decoded values."""

    encoding: str
    score: float
    sample: tuple[str, ...]


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding chosen for a column, how sure we are, and every candidate (best first)."""

    encoding: str
    confidence: float
    candidates: tuple[EncodingCandidate, ...]
    is_ambiguous: bool
    #: False when the column holds only codes and numbers (``ĐH66``, ``1234/QĐ-TTg``): no word
    #: to judge an encoding by, so the column does not take part in the table's decision.
    has_words: bool = True


def normalise_encoding_name(encoding: str) -> str:
    """Return the canonical name of ``encoding`` (e.g. "ABC" → "tcvn3", "UTF8" → "utf-8").

    Raises
    ------
    UnknownEncodingError
        When the name is not one of the supported encodings or their aliases.

    Examples
    --------
    >>> normalise_encoding_name("Windows-1258")
    'cp1258'
    """
    key = encoding.strip().lower().replace("_", "-")
    name = _ALIASES.get(key, key)
    if name not in _SUPPORTED:
        raise UnknownEncodingError(
            f"Unknown text encoding {encoding!r}. Use one of: {', '.join(_SUPPORTED)}.",
            details={"encoding": encoding},
        )
    return name


def decode_bytes(raw: bytes, encoding: str, *, errors: str = "replace") -> str:
    r"""Decode attribute bytes written in ``encoding`` to NFC text.

    Parameters
    ----------
    raw : bytes
        The raw field value as stored in the file.
    encoding : str
        ``utf-8``, ``cp1258``, ``tcvn3``, ``vni``, ``cp1252``, ``latin-1`` or ``ascii``
        (aliases accepted, see ``normalise_encoding_name``).
    errors : str
        Codec error handling for UTF-8 and CP1258 ("replace" puts U+FFFD for bad bytes,
        "strict" raises ``UnicodeDecodeError``). The other encodings decode every byte.

    Examples
    --------
    >>> decode_bytes(b"Khu c\xabng nghi\xd6p", "tcvn3")
    'Khu công nghiệp'
    >>> decode_bytes(b"Khu co\xe2ng nghie\xe4p", "vni")
    'Khu công nghiệp'
    """
    name = normalise_encoding_name(encoding)
    if name in ("utf-8", "ascii"):
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors=errors)
    elif name == "cp1258":
        text = raw.decode("cp1258", errors=errors)
    elif name == "latin-1":
        text = raw.decode("latin-1")
    elif name == "tcvn3":
        text = raw.decode("latin-1").translate(_TCVN3_DECODE)
    else:
        text = raw.decode("latin-1").translate(_CP1252_DECODE)
        if name == "vni":
            text = _VNI_RE.sub(lambda m: _VNI_DECODE[m.group(0)], text)
    return unicodedata.normalize("NFC", text)


def encode_text(text: str, encoding: str) -> bytes:
    r"""Encode ``text`` as a legacy Vietnamese GIS file would store it.

    CP1258 is written the way Windows writes Vietnamese: a precomposed letter when the code page
    has one, otherwise the letter without its tone followed by the combining tone mark. TCVN3
    writes tone-marked capitals at their TCVN 5712:1993 (VN1) codes.

    Raises
    ------
    UnicodeEncodeError
        When a character has no code in ``encoding``.

    Examples
    --------
    >>> encode_text("Khu công nghiệp", "tcvn3")
    b'Khu c\xabng nghi\xd6p'
    """
    name = normalise_encoding_name(encoding)
    text = unicodedata.normalize("NFC", text)
    if name in ("utf-8", "latin-1", "ascii"):
        return text.encode(name)
    if name == "cp1258":
        return "".join(_cp1258_char(ch) for ch in text).encode("cp1258")
    if name == "tcvn3":
        return bytes(_tcvn3_byte(text, i) for i in range(len(text)))
    if name == "vni":
        text = "".join(_VNI_ENCODE.get(ch, ch) for ch in text)
    return text.translate(_CP1252_ENCODE).encode("latin-1")


def _cp1258_char(ch: str) -> str:
    try:
        ch.encode("cp1258")
        return ch
    except UnicodeEncodeError:
        base, tones = split_tone(ch)
        return base + "".join(tones)


def _tcvn3_byte(text: str, i: int) -> int:
    ch = text[i]
    if ord(ch) < 0x80 and ord(ch) not in _TCVN3_C0:
        return ord(ch)
    if ch in _TCVN3_ENCODE:
        return _TCVN3_ENCODE[ch]
    raise UnicodeEncodeError("tcvn3", text, i, i + 1, "character has no TCVN3 code")


def redecode_text(text: str, *, read_as: str, actual: str) -> str:
    """Repair text that a reader decoded with the wrong codec.

    Re-encodes ``text`` with the codec the reader used (``read_as``) to recover the original
    bytes, then decodes them as ``actual``; the result is NFC.

    Examples
    --------
    >>> redecode_text("Khu c«ng nghiÖp", read_as="cp1252", actual="tcvn3")
    'Khu công nghiệp'
    >>> redecode_text("Khu coâng nghieäp", read_as="cp1252", actual="vni")
    'Khu công nghiệp'
    """
    return decode_bytes(encode_text(text, read_as), actual)


def _tokens(text: str) -> list[str]:
    """Words of ``text`` that carry a non-ASCII character.

    ASCII words are neutral, and so are codes: tokens with a digit (``ĐH66``) or letters
    without any vowel (``QĐ`` in ``1234/QĐ-TTg``), which read alike in every encoding that
    decodes them to letters and are no Vietnamese syllable in any.
    """
    return [
        tok
        for tok in _TOKEN_SPLIT_RE.split(text)
        if tok and not tok.isascii() and not _is_code(tok)
    ]


def _is_code(token: str) -> bool:
    if _DIGIT_RE.search(token):
        return True
    return token.isalpha() and _VOWEL_LETTERS.isdisjoint(token)


def vietnamese_score(text: str) -> float:
    """Share of the non-ASCII words of ``text`` that are valid Vietnamese syllables.

    ASCII words (numbers, codes, unaccented syllables) are neutral: they read the same in every
    encoding. Text without non-ASCII words scores 1.

    Examples
    --------
    >>> vietnamese_score("Khu công nghiệp Tiên Sơn")
    1.0
    >>> vietnamese_score("Khu c«ng nghiÖp Tiªn S¬n")
    0.0
    """
    tokens = _tokens(text)
    if not tokens:
        return 1.0
    return sum(is_vietnamese_syllable(tok) for tok in tokens) / len(tokens)


def _score_decoded(texts: Sequence[str]) -> float:
    """Pooled syllable validity of ``texts``, scaled down by the share of broken characters."""
    tokens = [tok for text in texts for tok in _tokens(text)]
    valid = sum(is_vietnamese_syllable(tok) for tok in tokens)
    share = valid / len(tokens) if tokens else 1.0
    non_ascii = sum(1 for text in texts for ch in text if ord(ch) > 0x7F) or 1
    bad = sum(len(_BAD_CHAR_RE.findall(text)) for text in texts)
    return max(0.0, share * (1.0 - min(1.0, bad / non_ascii)))


def _candidate(values: Sequence[bytes], encoding: str) -> EncodingCandidate:
    texts = [decode_bytes(raw, encoding) for raw in values]
    return EncodingCandidate(encoding, round(_score_decoded(texts), 4), tuple(texts[:_SAMPLE_SIZE]))


def _has_words(candidate: EncodingCandidate, values: Sequence[bytes]) -> bool:
    texts = [decode_bytes(raw, candidate.encoding) for raw in values]
    return any(_tokens(text) for text in texts)


def detect_encoding(
    values: Sequence[bytes | None], *, declared: str | None = None
) -> EncodingGuess:
    r"""Guess the encoding of one text column from its raw byte values.

    Every candidate encoding (UTF-8, CP1258, TCVN3, VNI, CP1252, plus ``declared``) decodes the
    non-ASCII values (an even sample of 2,000 at most) and is scored by the share of valid
    Vietnamese syllables, scaled down for undecodable bytes and control characters. The
    declared encoding (from a ``.cpg`` or the DBF language driver id) gets a small bonus, but a
    clearly better candidate still wins.

    Returns
    -------
    EncodingGuess
        Pure ASCII columns give ``encoding="ascii"`` with confidence 1. ``is_ambiguous`` is set
        when the best score is below 0.8, or when the runner-up is within 0.15 of it and the
        declared encoding does not settle the tie.

    Examples
    --------
    >>> detect_encoding([b"Khu c\xabng nghi\xd6p Ti\xaan S\xacn"]).encoding
    'tcvn3'
    """
    raws = [raw for raw in values if raw and not raw.isascii()]
    declared_name = normalise_encoding_name(declared) if declared else None
    if len(raws) > _MAX_VALUES:  # an even sample keeps big tables fast
        raws = raws[:: math.ceil(len(raws) / _MAX_VALUES)]
    if not raws:
        only = EncodingCandidate("ascii", 1.0, ())
        return EncodingGuess("ascii", 1.0, (only,), False)
    names = list(ENCODINGS)
    if declared_name and declared_name not in names and declared_name != "ascii":
        names.append(declared_name)
    scored = [_candidate(raws, name) for name in names]
    # The declared encoding's bonus only orders candidates; reported scores stay in [0, 1].
    bonus = {declared_name: _DECLARED_BONUS}
    adjusted = {c.encoding: c.score + bonus.get(c.encoding, 0.0) for c in scored}
    ranked = tuple(sorted(scored, key=lambda c: -adjusted[c.encoding]))  # stable on ties
    best, second = ranked[0], ranked[1]
    margin = adjusted[best.encoding] - adjusted[second.encoding]
    # A declaration settles a tie (nothing reads better), but never a low score.
    is_tied = margin < _MIN_MARGIN and best.encoding != declared_name
    is_clear = best.score >= _CLEAR_SCORE and margin >= _CLEAR_MARGIN
    is_ambiguous = (best.score < _MIN_SCORE or is_tied) and not is_clear
    confidence = best.score * min(1.0, margin / (2 * _MIN_MARGIN))
    has_words = _has_words(best, raws)
    return EncodingGuess(best.encoding, round(confidence, 4), ranked, is_ambiguous, has_words)
