"""Names and messages as the C libraries take them: UTF-8 file names, ASCII drawn text."""

from __future__ import annotations

import unicodedata
from pathlib import Path


def utf8_name(path: Path) -> bool:
    """Whether ``path`` is valid text: OpenCV and MediaPipe take names as UTF-8 strings.

    A name with bytes that are not UTF-8 (a file from an old Latin-1 system) crashed OpenCV
    with a segmentation fault, before any message.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def without_accents(text: str) -> str:
    """``text`` with its accents dropped ("café" -> "cafe", "Müller" -> "Muller").

    Letters decomposed (NFKD) and their combining marks removed; other characters, ASCII or
    not (a CJK name), are kept for the caller to deal with.
    """
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
