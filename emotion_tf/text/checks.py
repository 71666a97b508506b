"""The one check every raw-text model runs on its input before predicting."""

from __future__ import annotations

import numpy as np


def check_texts(texts) -> np.ndarray:
    """Texts as a numpy object array of str; bytes must be UTF-8; empty texts are refused by position."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("pass a list of texts, not a single string")
    checked = []
    for position, text in enumerate(texts):
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(f"text {position} is not valid UTF-8 (byte {error.start})") from None
        if not isinstance(text, str):
            raise TypeError(f"text {position} is a {type(text).__name__}, not a string")
        if not text.strip():
            raise ValueError(f"text {position} is empty")
        checked.append(text)
    if not checked:
        raise ValueError("no texts given")
    return np.asarray(checked, dtype=object)
