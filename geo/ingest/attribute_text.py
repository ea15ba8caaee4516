"""Decode the attribute text of an uploaded layer to Unicode NFC, with before/after samples.

Shapefiles: the DBF bytes of every text field are scored per encoding (``geo.ingest.encoding``) and
one encoding is settled for the table, unless the user names one. UTF-8 formats (GeoJSON, GPKG, KML)
are checked too: text that a converter already garbled (TCVN3 or VNI read as CP1252, e.g. "Khu c«ng
nghiÖp") is recognised and repaired with a warning, or refused when unclear.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.ingest.encoding import (
    EncodingGuess,
    decode_bytes,
    detect_field_encodings,
    encode_text,
    normalise_encoding_name,
    redecode_text,
    settle_encoding,
    vietnamese_score,
)
from geo.ingest.io import RawLayer

__all__ = ["DecodedText", "EncodingSample", "decode_attributes"]

_SAMPLES = 3
_GOOD_SCORE = 0.8


@dataclass(frozen=True)
class EncodingSample:
    """A field value as a naive CP1252 reader shows it, and as decoded."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class DecodedText:
    """The attribute table with decoded text, the encoding used, samples and notes."""

    frame: pd.DataFrame
    encoding: str
    samples: tuple[EncodingSample, ...]
    warnings: tuple[str, ...]


def decode_attributes(raw: RawLayer, *, encoding: str | None = None) -> DecodedText:
    """Decode ``raw``'s text columns with ``encoding`` or the detected one.

    Raises
    ------
    EncodingAmbiguousError
        When no encoding reads the text as Vietnamese clearly enough (the message lists the
        candidates with a sample of each); pass ``encoding`` then.
    UnknownEncodingError
        When ``encoding`` is not a supported name.
    """
    name = normalise_encoding_name(encoding) if encoding else None
    if raw.is_legacy_text:
        return _decode_legacy(raw, name)
    return _decode_unicode(raw, name)


def _decode_legacy(raw: RawLayer, name: str | None) -> DecodedText:
    notes: list[str] = []
    if name is None:
        guess = settle_encoding(
            detect_field_encodings(raw.raw_text, declared=raw.declared_encoding)
        )
        name = "utf-8" if guess.encoding == "ascii" else guess.encoding
        notes += _declared_note(raw.declared_encoding, name, guess)
    frame = raw.frame.copy()
    samples: list[EncodingSample] = []
    for column, values in raw.raw_text.items():
        table = _decode_distinct(values, name)
        frame[column] = pd.Series([table.get(b) if b is not None else None for b in values],
                                  index=frame.index, dtype=object)  # fmt: skip
        samples += _samples(column, values, table)
    return DecodedText(frame, name, tuple(samples[: _SAMPLES * 3]), tuple(notes))


def _decode_distinct(values: list[bytes | None], name: str) -> dict[bytes, str]:
    """Decode every distinct value once, in one call for the whole column where possible.

    The values are joined by a newline, which every supported encoding decodes to itself and
    which never combines in NFC, so the split gives exactly the per-value results.
    """
    distinct = [b for b in dict.fromkeys(values) if b is not None]
    if distinct and not any(b"\n" in b for b in distinct):
        decoded = decode_bytes(b"\n".join(distinct), name).split("\n")
        if len(decoded) == len(distinct):
            return dict(zip(distinct, decoded, strict=True))
    return {b: decode_bytes(b, name) for b in distinct}


def _declared_note(declared: str | None, chosen: str, guess: EncodingGuess) -> list[str]:
    if declared and declared not in (chosen, "ascii") and guess.encoding != "ascii":
        return [f"The file declares {declared} but its text reads as {chosen}; {chosen} was used."]
    return []


def _samples(
    column: str, values: list[bytes | None], table: dict[bytes, str]
) -> list[EncodingSample]:
    out: list[EncodingSample] = []
    for raw_value in dict.fromkeys(v for v in values if v is not None and not v.isascii()):
        out.append(EncodingSample(column, decode_bytes(raw_value, "cp1252"), table[raw_value]))
        if len(out) == _SAMPLES:
            break
    return out


def _decode_unicode(raw: RawLayer, name: str | None) -> DecodedText:
    frame = raw.frame.copy()
    columns = list(raw.raw_text)
    texts = {c: [v.decode("utf-8") if v is not None else None for v in raw.raw_text[c]]
             for c in columns}  # fmt: skip
    if name in (None, "utf-8", "ascii"):
        garbled = [
            c for c in columns if vietnamese_score(" ".join(filter(None, texts[c]))) < _GOOD_SCORE
        ]
        if name is not None or not garbled:
            return DecodedText(frame, "utf-8", (), ())
        name = _settle_garbled({c: texts[c] for c in garbled})
        note = f"The text of {', '.join(garbled)} was garbled ({name} read as CP1252); repaired."
    else:
        note = f"The text was re-decoded as {name} (read as CP1252), as requested."
    samples: list[EncodingSample] = []
    for column in columns:
        fixed = {t: _redecode(t, name) for t in set(texts[column]) if t is not None}
        frame[column] = pd.Series([fixed.get(t) if t is not None else None for t in texts[column]],
                                  index=frame.index, dtype=object)  # fmt: skip
        changed = [t for t in dict.fromkeys(texts[column]) if t is not None and fixed[t] != t]
        samples += [EncodingSample(column, t, fixed[t]) for t in changed[:_SAMPLES]]
    return DecodedText(frame, name, tuple(samples[: _SAMPLES * 3]), (note,))


def _settle_garbled(texts: dict[str, list[str | None]]) -> str:
    as_bytes = {c: [_cp1252_bytes(t) for t in values] for c, values in texts.items()}
    guess = settle_encoding(detect_field_encodings(as_bytes))
    return guess.encoding


def _cp1252_bytes(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return encode_text(text, "cp1252")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _redecode(text: str, name: str) -> str:
    try:
        return redecode_text(text, read_as="cp1252", actual=name)
    except UnicodeEncodeError:  # already proper Unicode (has letters CP1252 lacks): keep it
        return text
