"""Exact and near-duplicate examples, found offline (pure Python + numpy, deterministic).

- Exact: two examples whose text, whitespace collapsed and lower-cased, is the same.
- Near: MinHash (Broder, "On the resemblance and containment of documents", 1997) over word 5-gram shingles,
  ``NUM_PERM`` = 128 hash functions, LSH banding (32 bands of 4 rows) to find candidate pairs, each candidate
  confirmed by the exact Jaccard similarity of the two shingle sets: ``|A & B| / |A | B| >= 0.8``, the threshold
  Lee et al. used for near-duplicates ("Deduplicating Training Data Makes Language Models Better", ACL 2022,
  MinHash on 5-grams, Jaccard 0.8). A text shorter than 5 words is one shingle (itself), so short answers are
  near-duplicates only when exact.

The earliest example of each group is kept (the caller orders examples by time): a later twin can then never
sit in the eval split while its original trains.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

__all__ = ["NEAR_JACCARD", "SHINGLE_WORDS", "NUM_PERM", "shingles", "jaccard", "duplicates"]

NEAR_JACCARD = 0.8
SHINGLE_WORDS = 5
NUM_PERM = 128
_BANDS, _ROWS = 32, 4          # 32 x 4 = 128; a pair at Jaccard 0.8 is a candidate with P = 1-(1-0.8^4)^32 > 0.9999
_WORD = re.compile(r"\w+", re.UNICODE)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[int]:
    """32-bit hashes of the text's word k-grams (lower-cased); one shingle for a text of fewer than k words.

    >>> len(shingles("a b c d e f")), len(shingles("a b")), shingles("A  b") == shingles("a b")
    (2, 1, True)
    """
    words = _WORD.findall(text.lower())
    grams = [" ".join(words[i:i + k]) for i in range(max(len(words) - k + 1, 1))]
    return {zlib.crc32(g.encode("utf-8", "replace")) for g in grams}  # CRC-32: fast, the same on every run


def jaccard(a: set[int], b: set[int]) -> float:
    """``|A & B| / |A | B|`` (1.0 for two empty sets).

    >>> jaccard({1, 2, 3, 4}, {2, 3, 4, 5})
    0.6
    """
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def _signatures(sets: list[set[int]]) -> np.ndarray:
    """(n, NUM_PERM) MinHash signatures: per hash function, the minimum over the set of
    ``((a x + b) mod 2^64) >> 32`` with a odd, the multiply-add-shift family (Dietzfelbinger, "Universal hashing
    and k-wise independent random variables via integer arithmetic without primes", 1996), 2-universal for
    32-bit keys; numpy's uint64 arithmetic wraps mod 2^64 by design."""
    rng = np.random.default_rng(20240601)
    a = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    out = np.empty((len(sets), NUM_PERM), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, s in enumerate(sets):
            x = np.fromiter(s, dtype=np.uint64, count=len(s))[:, None]
            out[i] = ((a * x + b) >> np.uint64(32)).min(axis=0)
    return out


def duplicates(texts: list[str]) -> tuple[list[int], list[int]]:
    """(indices of exact duplicates, indices of near-duplicates) to drop: each is a later copy of an earlier text.

    >>> base = "the parcel arrived with a cracked jug and the customer wants a replacement sent today please"
    >>> duplicates([base, base.upper(), base + " thanks", "something else entirely different here"])
    ([1], [2])
    """
    seen: dict[str, int] = {}
    exact: list[int] = []
    keep: list[int] = []
    for i, t in enumerate(texts):
        key = _norm(t)
        if key in seen:
            exact.append(i)
        else:
            seen[key] = i
            keep.append(i)
    sets = [shingles(texts[i]) for i in keep]
    if len(keep) < 2:
        return exact, []
    sig = _signatures(sets)
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for j in range(len(keep)):
        for band in range(_BANDS):
            key2 = (band, sig[j, band * _ROWS:(band + 1) * _ROWS].tobytes())
            buckets.setdefault(key2, []).append(j)
    dropped: set[int] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for x in range(len(members)):
            jx = members[x]
            if jx in dropped:
                continue
            for jy in members[x + 1:]:
                if jy not in dropped and jaccard(sets[jx], sets[jy]) >= NEAR_JACCARD:
                    dropped.add(jy)  # members are in index order: jy is the later one
    return exact, sorted(keep[j] for j in dropped)
