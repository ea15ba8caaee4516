"""Vietnamese text helpers: Unicode normalisation, diacritic folding and syllable checks.

Vietnamese text in zonemap is UTF-8 in Unicode NFC. ``fold_diacritics`` gives the search key
that lets "Tien Son" match "Tiên Sơn"; ``is_vietnamese_syllable`` checks the structure of one
written syllable (used to tell correctly decoded text from mojibake).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "TONE_MARKS",
    "fold_diacritics",
    "is_vietnamese_syllable",
    "split_tone",
    "to_nfc",
]

#: The five combining tone marks of Vietnamese: grave (huyền), acute (sắc), tilde (ngã),
#: hook above (hỏi), dot below (nặng).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# Vowel nuclei, including the final semivowels i/y/o/u that belong to the rhyme.
_NUCLEI = (  # noqa: SIM905 - one readable line per nucleus length
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu uơi"
).split()
_FINALS = "ch|ng|nh|c|m|n|p|t"
_SYLLABLE_RE = re.compile(
    rf"^(?:{_INITIALS})?(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})(?:{_FINALS})?$"
)
_STOP_FINAL_RE = re.compile(r"(?:c|ch|p|t)$")


def to_nfc(s: str) -> str:
    """Return ``s`` in Unicode normalisation form NFC (precomposed letters).

    Examples
    --------
    >>> to_nfc("Ha\u0300 Nô\u0323i") == "Hà Nội"
    True
    """
    return unicodedata.normalize("NFC", s)


def fold_diacritics(s: str) -> str:
    """Lower-case ``s`` and strip every diacritic, writing đ/Đ as d (a search key).

    Examples
    --------
    >>> fold_diacritics("Khu công nghiệp Tiên Sơn")
    'khu cong nghiep tien son'
    >>> fold_diacritics("ĐỒNG VĂN")
    'dong van'
    """
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def split_tone(word: str) -> tuple[str, list[str]]:
    """Split ``word`` into its letters without tone marks (NFC) and the tone marks it carries.

    Vowel modifiers (circumflex, breve, horn) stay on their letters; only the five tone marks
    are removed.

    Examples
    --------
    >>> split_tone("nghiệp")
    ('nghiêp', ['̣'])
    """
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in TONE_MARKS]
    base = "".join(ch for ch in decomposed if ch not in TONE_MARKS)
    return unicodedata.normalize("NFC", base), tones


def is_vietnamese_syllable(word: str) -> bool:
    """Tell whether ``word`` is a structurally valid written Vietnamese syllable.

    The check: optional initial consonant from the legal set, a legal vowel nucleus (which may
    end in the semivowels i, y, o, u), an optional final consonant (c, ch, m, n, ng, nh, p, t),
    at most one tone mark, and after a stop final (c, ch, p, t) only the sắc or nặng tone.
    Case is ignored. The test is structural: it accepts some syllables that no word uses.

    Examples
    --------
    >>> is_vietnamese_syllable("Nghiệp"), is_vietnamese_syllable("nghiÖp")
    (True, False)
    """
    base, tones = split_tone(word.lower())
    if len(tones) > 1 or not _SYLLABLE_RE.match(base):
        return False
    return not (tones and _STOP_FINAL_RE.search(base) and tones[0] not in "\u0301\u0323")
