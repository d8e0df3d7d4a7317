"""Resolve a place given by a user (node id or any spelling, Latin or not) to a node."""

from __future__ import annotations

import re
import unicodedata

from circumspect.errors import InputError, NotFoundError
from circumspect.names.translit import icu_transform
from circumspect.routes.network import Network, Node

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_FOLD: dict[str, str | int | None] = {"ı": "i", "ə": "a", "ł": "l", "ø": "o"}
_FOLD_TABLE = str.maketrans(_FOLD)


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key (``Türkmenbaşy`` -> ``turkmenbasy``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # letters such as the Turkish dotless i and Kazakh letters that NFKD keeps
    stripped = stripped.translate(_FOLD_TABLE)
    return _PUNCT.sub(" ", stripped).strip()


def latin(text: str) -> str:
    """Latin transliteration (ICU Any-Latin), used to match unlisted Cyrillic spellings."""
    return icu_transform(text, "Any-Latin; Latin-ASCII")


class PlaceIndex:
    """Lookup of nodes by id, name and alternative names."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.keys: dict[str, set[str]] = {}
        for node in network.nodes.values():
            for label in (node.id, node.name, *node.alt_names):
                for key in {normalize(label), normalize(latin(label))}:
                    if key:
                        self.keys.setdefault(key, set()).add(node.id)

    def resolve(self, text: str, *, field: str = "place") -> Node:
        """The node meant by ``text``; NotFoundError with suggestions when unknown."""
        if not text or not text.strip():
            raise InputError("a place is required", field=field)
        if text in self.network.nodes:
            return self.network.nodes[text]
        for key in (normalize(text), normalize(latin(text))):
            ids = self.keys.get(key)
            if ids and len(ids) == 1:
                return self.network.nodes[next(iter(ids))]
            if ids:
                names = ", ".join(f"{self.network.nodes[i].name} ({i})" for i in sorted(ids))
                raise InputError(f"{text!r} is ambiguous: {names}", field=field)
        hints = self.suggest(text)
        hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
        raise NotFoundError(f"unknown place {text!r}{hint}", field=field)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Closest known places, as ``Name (ID)``."""
        from rapidfuzz import fuzz, process

        query = normalize(latin(text))
        found = process.extract(
            query, list(self.keys), scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=60
        )
        out: list[str] = []
        for key, _score, _ in found:
            for nid in sorted(self.keys[key]):
                label = f"{self.network.nodes[nid].name} ({nid})"
                if label not in out:
                    out.append(label)
        return out[:limit]


_INDEXES: dict[int, PlaceIndex] = {}


def place_index(network: Network) -> PlaceIndex:
    """A cached index per network object."""
    idx = _INDEXES.get(id(network))
    if idx is None or idx.network is not network:
        idx = PlaceIndex(network)
        _INDEXES[id(network)] = idx
    return idx


def resolve(network: Network, text: str, *, field: str = "place") -> Node:
    return place_index(network).resolve(text, field=field)
