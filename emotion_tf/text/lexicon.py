"""A sentiment lexicon learned from training data (the second article's 情感词典构建).

Tokens are characters and character bigrams for Chinese (a bigram keeps
"不好" apart from "好"), words for English.  With n(t, c) the number of
times token t occurs in training texts of class c, N_c = Σ_t n(t, c), V the
number of distinct tokens and P(c) the class prior:

    P(t | c) = (n(t, c) + 1) / (N_c + V)                    (Laplace smoothing)
    P(c | t) = P(t | c) P(c) / Σ_c' P(t | c') P(c')

Estimating through P(t | c) matters: counting the *documents* that hold a
token would favour the class with longer texts, since a long text holds more
distinct tokens of every kind.  From P(c | t):

* association(t, c) = log P(c | t) - log P(c): how much t points to c;
* valence(t) = Σ_c v_c P(c | t), with v_c the class valence of
  ``emotion_tf.text.valence`` (+1 positive, -1 negative, 0 otherwise):
  the token's polarity *and* intensity in [-1, 1];

and for a text, the class scores are log P(c) + Σ_t association(t, c) over
its lexicon tokens (this is multinomial naive Bayes, written so that each
token's contribution can be read off), its intensity the mean valence of its
lexicon tokens.  Only tokens seen in at least ``min_documents`` training
documents enter the lexicon.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from emotion_tf.text.valence import valence_of

_WORD = re.compile(r"[a-z0-9']+")


def tokens_of(text: str, language: str) -> list[str]:
    """Characters and character bigrams (Chinese; white space and punctuation dropped) or lower-cased words."""
    if language == "zh":
        characters = [ch for ch in str(text) if ch.isalnum()]
        return characters + [a + b for a, b in zip(characters, characters[1:])]
    if language == "en":
        return _WORD.findall(str(text).lower())
    raise ValueError(f"language must be 'en' or 'zh', got {language!r}")


class SentimentLexicon:
    """Token -> class association and valence, learned from labelled training texts.

    Args:
      labels: class names, index = label id (their valences come from the names).
      language: ``"zh"`` or ``"en"``.
      min_documents: tokens in fewer training documents are left out.
    """

    def __init__(self, labels, language: str, min_documents: int = 3):
        if len(labels) < 2:
            raise ValueError(f"a lexicon needs at least 2 classes, got {labels}")
        tokens_of("", language)  # validates the language
        self.labels, self.language, self.min_documents = tuple(labels), language, min_documents
        self.valences = np.array([valence_of(label) for label in self.labels])

    def fit(self, texts, labels) -> SentimentLexicon:
        labels = np.asarray(labels, dtype=np.int64)
        if len(labels) != len(texts) or len(labels) == 0:
            raise ValueError(f"need as many labels as texts (and some), got {len(texts)} texts, {len(labels)} labels")
        n_classes = len(self.labels)
        occurrences: dict[str, np.ndarray] = {}
        documents: dict[str, int] = {}
        for text, label in zip(texts, labels):
            tokens = tokens_of(text, self.language)
            for token in tokens:
                occurrences.setdefault(token, np.zeros(n_classes))[label] += 1
            for token in set(tokens):
                documents[token] = documents.get(token, 0) + 1
        self.prior = np.bincount(labels, minlength=n_classes) / len(labels)
        kept = sorted(t for t, n in documents.items() if n >= self.min_documents)
        counts = np.array([occurrences[t] for t in kept]).reshape(len(kept), n_classes)
        likelihood = (counts + 1.0) / (counts.sum(0, keepdims=True) + len(kept))  # P(t | c)
        joint = likelihood * self.prior
        self.tokens = {token: row for row, token in enumerate(kept)}
        self.probability = joint / joint.sum(1, keepdims=True)  # P(c | t)
        self._derive()
        self.documents = np.array([documents[t] for t in kept])
        return self

    def _derive(self) -> None:
        self.association = np.log(self.probability) - np.log(np.maximum(self.prior, 1e-12))
        self.valence = self.probability @ self.valences

    def __len__(self) -> int:
        return len(self.tokens)

    def _rows(self, text: str) -> list[int]:
        return [self.tokens[t] for t in tokens_of(text, self.language) if t in self.tokens]

    def class_scores(self, texts) -> np.ndarray:
        """[n, n_classes]: log P(c) + Σ association over each text's lexicon tokens (with repeats)."""
        scores = np.tile(np.log(np.maximum(self.prior, 1e-12)), (len(texts), 1))
        for i, text in enumerate(texts):
            rows = self._rows(text)
            if rows:
                scores[i] += self.association[rows].sum(0)
        return scores

    def predict(self, texts) -> np.ndarray:
        return self.class_scores(texts).argmax(1)

    def intensity(self, texts) -> np.ndarray:
        """[n] mean valence of each text's lexicon tokens, in [-1, 1]; 0 when none is known."""
        return np.array([float(self.valence[rows].mean()) if (rows := self._rows(t)) else 0.0 for t in texts])

    def features(self, texts) -> np.ndarray:
        """[n, n_classes + 2] features for later models: mean association per class, intensity, coverage."""
        out = np.zeros((len(texts), len(self.labels) + 2))
        for i, text in enumerate(texts):
            rows, n_tokens = self._rows(text), max(1, len(tokens_of(text, self.language)))
            if rows:
                out[i, :-2] = self.association[rows].mean(0)
                out[i, -2] = self.valence[rows].mean()
                out[i, -1] = len(rows) / n_tokens
        return out

    def strongest(self, label: str, k: int = 10) -> list[tuple[str, float]]:
        """The k tokens most associated with ``label`` (ties: more documents first)."""
        column = self.labels.index(label)
        order = np.lexsort((-self.documents, -self.association[:, column]))[:k]
        vocabulary = list(self.tokens)
        return [(vocabulary[row], float(self.association[row, column])) for row in order]

    def save(self, path) -> Path:
        path = Path(path)
        payload = {
            "labels": self.labels,
            "language": self.language,
            "min_documents": self.min_documents,
            "prior": self.prior.tolist(),
            "tokens": list(self.tokens),
            "probability": self.probability.tolist(),
            "documents": self.documents.tolist(),
        }
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path) -> SentimentLexicon:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        lexicon = cls(data["labels"], data["language"], data["min_documents"])
        lexicon.prior = np.array(data["prior"])
        lexicon.tokens = {token: row for row, token in enumerate(data["tokens"])}
        lexicon.probability = np.array(data["probability"]).reshape(len(lexicon.tokens), len(lexicon.labels))
        lexicon._derive()
        lexicon.documents = np.array(data["documents"])
        return lexicon
