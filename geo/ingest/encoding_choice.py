"""One text encoding for a whole attribute table, from the per-field guesses of
``geo.ingest.encoding``; and the choice left to the user when it is truly open: every candidate
with a decoded sample, as a message and as data for a picker (the upload page, the CLI's JSON).

Fields of codes and numbers only (``ĐH66``, ``1234/QĐ-TTg``) hold no word to judge by: the
decision is taken on the fields with words, and the others follow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.errors import EncodingAmbiguousError
from geo.ingest.encoding import ENCODINGS, EncodingCandidate, EncodingGuess, detect_encoding

__all__ = ["ambiguity_message", "detect_field_encodings", "encoding_choices", "settle_encoding"]

_SAMPLE_SIZE = 3


def detect_field_encodings(
    gdf_raw_bytes: Mapping[str, Sequence[bytes | None]], *, declared: str | None = None
) -> dict[str, EncodingGuess]:
    """Run ``detect_encoding`` on every text field (field name → raw values)."""
    return {
        field: detect_encoding(values, declared=declared) for field, values in gdf_raw_bytes.items()
    }


def settle_encoding(per_field: Mapping[str, EncodingGuess]) -> EncodingGuess:
    """Decide one encoding for a whole attribute table from the per-field guesses.

    Raises
    ------
    EncodingAmbiguousError
        When a field is ambiguous or two fields point to different encodings. The message lists
        the candidates with a decoded sample of each and asks for ``--encoding``.
    """
    non_ascii = {f: g for f, g in per_field.items() if g.encoding != "ascii"}
    if not non_ascii:
        return EncodingGuess("ascii", 1.0, (EncodingCandidate("ascii", 1.0, ()),), False)
    # Decide on the columns with words; columns of codes only follow (or decide when alone).
    informative = {f: g for f, g in non_ascii.items() if g.has_words} or non_ascii
    chosen = {g.encoding for g in informative.values()}
    if len(chosen) == 1 and not any(g.is_ambiguous for g in informative.values()):
        return min(informative.values(), key=lambda g: g.confidence)
    raise EncodingAmbiguousError(
        ambiguity_message(informative),
        details={
            "fields": {f: [c.encoding for c in g.candidates[:3]] for f, g in informative.items()},
            "choices": encoding_choices(informative),
            "fix": "choose_encoding",
        },
    )


def ambiguity_message(per_field: Mapping[str, EncodingGuess]) -> str:
    """The candidates of every field with a sample each, and what to choose."""
    lines = ["Cannot tell which text encoding the attribute table uses."]
    for field, guess in per_field.items():
        lines.append(f"Field {field!r} (best guess {guess.encoding}):")
        for cand in guess.candidates[:3]:
            sample = cand.sample[0] if cand.sample else ""
            lines.append(f"  {cand.encoding:<7} score {cand.score:.2f}  e.g. {sample!r}")
    lines.append(
        "Look at the samples and choose the encoding that reads correctly "
        f"(one of: {', '.join(ENCODINGS)})."
    )
    return "\n".join(lines)


def encoding_choices(per_field: Mapping[str, EncodingGuess]) -> list[dict[str, object]]:
    """Candidates with a decoded sample each, best first, for a picker (one entry per encoding).

    Examples
    --------
    >>> guess = detect_encoding([bytes([0x53, 0xF4, 0x6E])])  # "Sôn": VNI "Sơn", or CP1252
    >>> choices = encoding_choices({"ten": guess})
    >>> [(c["encoding"], c["samples"][0]["text"]) for c in choices if c["encoding"] == "vni"]
    [('vni', 'Sơn')]
    """
    best: dict[str, dict[str, object]] = {}
    for field, guess in per_field.items():
        if guess.encoding == "ascii":
            continue
        for cand in guess.candidates:
            entry = best.setdefault(
                cand.encoding, {"encoding": cand.encoding, "score": 0.0, "samples": []}
            )
            entry["score"] = max(float(entry["score"]), cand.score)  # type: ignore[arg-type]
            samples = entry["samples"]
            assert isinstance(samples, list)
            if cand.sample and len(samples) < _SAMPLE_SIZE:
                samples.append({"field": field, "text": cand.sample[0]})
    return sorted(best.values(), key=lambda e: -float(e["score"]))  # type: ignore[arg-type]
