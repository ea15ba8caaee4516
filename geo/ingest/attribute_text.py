"""Decode the attribute text of an uploaded layer to Unicode NFC, with before/after samples.

Shapefiles: a ``.cpg`` declaring UTF-8 is trusted when every value decodes as UTF-8; otherwise the
DBF bytes of every text field are scored per encoding (``geo.ingest.encoding``, deciding on the
fields with words) and one encoding is settled for the table, unless the user names one. UTF-8
formats (GeoJSON, GPKG, KML) are UTF-8 by definition and never refused for their encoding: text
that a converter garbled (double-encoded UTF-8, TCVN3 or VNI read as CP1252) is repaired value by
value with a warning and before/after samples (``geo.ingest.mojibake``). Control characters are
removed from every format, with a warning.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from geo.ingest.encoding import (
    EncodingGuess,
    decode_bytes,
    normalise_encoding_name,
    redecode_text,
)
from geo.ingest.encoding_choice import detect_field_encodings, settle_encoding
from geo.ingest.io import RawLayer
from geo.ingest.mojibake import repair_text, strip_control

__all__ = ["DecodedText", "EncodingSample", "decode_attributes"]

_SAMPLES = 3


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
    decoded = _decode_legacy(raw, name) if raw.is_legacy_text else _decode_unicode(raw, name)
    return strip_controls(decoded, list(raw.raw_text))


def _decode_legacy(raw: RawLayer, name: str | None) -> DecodedText:
    notes: list[str] = []
    if name is None and raw.declared_encoding == "utf-8" and _is_utf8(raw.raw_text):
        name = "utf-8"  # a .cpg saying UTF-8 is trusted when every value decodes as UTF-8
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
        frame[column] = pd.Series(
            [table.get(b) if b is not None else None for b in values],
            index=frame.index,
            dtype=object,
        )
        samples += _samples(column, values, table)
    return DecodedText(frame, name, tuple(samples[: _SAMPLES * 3]), tuple(notes))


def _is_utf8(raw_text: dict[str, list[bytes | None]]) -> bool:
    try:
        for values in raw_text.values():
            for value in values:
                if value is not None and not value.isascii():
                    value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    """UTF-8 text as read, with mojibake repaired value by value (or re-decoded as asked)."""
    frame = raw.frame.copy()
    texts = {
        c: [v.decode("utf-8") if v is not None else None for v in raw.raw_text[c]]
        for c in raw.raw_text
    }
    if name not in (None, "utf-8", "ascii"):
        return _redecode_all(frame, texts, name)
    samples: list[EncodingSample] = []
    repaired: dict[str, int] = {}
    for column, values in texts.items():
        fixed = _repair_column(values)
        if not fixed:
            continue
        frame[column] = pd.Series(
            [fixed.get(v, v) if v is not None else None for v in values],
            index=frame.index,
            dtype=object,
        )
        repaired[column] = sum(1 for v in values if v in fixed)
        samples += [
            EncodingSample(column, before, after)
            for before, after in list(fixed.items())[:_SAMPLES]
        ]
    notes = tuple(
        f"{count} value(s) of {column} were garbled text (mojibake) and were repaired; the "
        "other values were left as they were."
        for column, count in repaired.items()
    )
    return DecodedText(frame, "utf-8", tuple(samples[: _SAMPLES * 3]), notes)


def _repair_column(values: list[str | None]) -> dict[str, str]:
    """Repaired text of each garbled distinct value of one column (clean values absent).

    A first pass finds how most values were garbled; the second repairs each value preferring
    that way, so the values of one column are read alike.
    """
    distinct = [v for v in dict.fromkeys(values) if v is not None]
    first = {v: repair_text(v) for v in distinct}
    ways = Counter(how for _, how in first.values() if how is not None)
    if not ways:
        return {}
    prefer = ways.most_common(1)[0][0]
    second = {v: repair_text(v, prefer=prefer) for v in distinct if first[v][1] is not None}
    return {v: fixed for v, (fixed, how) in second.items() if how is not None}


def _redecode_all(
    frame: pd.DataFrame, texts: dict[str, list[str | None]], name: str
) -> DecodedText:
    samples: list[EncodingSample] = []
    for column, values in texts.items():
        fixed = {t: _redecode(t, name) for t in set(values) if t is not None}
        frame[column] = pd.Series(
            [fixed.get(t) if t is not None else None for t in values],
            index=frame.index,
            dtype=object,
        )
        changed = [t for t in dict.fromkeys(values) if t is not None and fixed[t] != t]
        samples += [EncodingSample(column, t, fixed[t]) for t in changed[:_SAMPLES]]
    note = f"The text was re-decoded as {name} (read as CP1252), as requested."
    return DecodedText(frame, name, tuple(samples[: _SAMPLES * 3]), (note,))


def _redecode(text: str, name: str) -> str:
    try:
        return redecode_text(text, read_as="cp1252", actual=name)
    except UnicodeEncodeError:  # already proper Unicode (has letters CP1252 lacks): keep it
        return text


def strip_controls(decoded: DecodedText, columns: list[str]) -> DecodedText:
    """Remove control characters (NUL included) from the text columns, with a warning each."""
    frame = decoded.frame.copy()
    notes: list[str] = []
    for column in columns:
        values = frame[column].to_numpy(object).copy()
        joined = "\n".join(v for v in values if isinstance(v, str))  # one C-level scan
        if not strip_control(joined)[1]:
            continue
        where = []
        for i, value in enumerate(values):
            if isinstance(value, str):
                cleaned, changed = strip_control(value)
                if changed:
                    values[i] = cleaned
                    where.append(i)
        if where:
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
            shown = ", ".join(str(i) for i in where[:10]) + (" …" if len(where) > 10 else "")
            notes.append(
                f"{len(where)} value(s) of {column} held control characters (such as "
                f"NUL); they were removed (features {shown})."
            )
    if not notes:
        return decoded
    return DecodedText(frame, decoded.encoding, decoded.samples, (*decoded.warnings, *notes))
