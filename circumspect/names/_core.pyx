# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled core of the name hot path (issue 18; docs/decisions/1800-compiled-core.md).

Each function here has a pure-Python reference with the same name in ``circumspect.names``
or ``circumspect.matching.compare``; ``tests/matching/test_core_equivalence.py`` checks that
both give the same results (scores to 1e-9) on random and real names. The character classes
are read from Python's own ``unicodedata`` on first sight of each code point, so the
compiled and the reference path cannot disagree on what a character is.
"""

import unicodedata

from libc.stdlib cimport free, malloc

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    Py_UCS4 PyUnicode_READ_CHAR(object, Py_ssize_t)

#: Per code point: 0 not yet looked up, else 1 + bit 1 (invisible) + bit 2 (control).
cdef unsigned char _CLASS[0x110000]

cdef frozenset _EXTRA_INVISIBLE = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    + [chr(c) for c in range(0x180B, 0x1810)]
    + ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u17b4", "\u17b5"]
)
cdef tuple _CONTROL = ("Cc", "Cs", "Co", "Cn")

#: Similarity constants (the same values as circumspect.matching.compare).
cdef double ONE_EDIT = 0.92
cdef double ONE_EDIT_SHORT = 0.7
cdef double TWO_EDITS = 0.8
cdef double TWO_EDITS_SHORT = 0.7
cdef double MANY_EDITS_FACTOR = 1.5


cdef inline unsigned char _klass(Py_UCS4 cp):
    cdef unsigned char k = _CLASS[cp]
    cdef str ch
    cdef str cat
    if k == 0:
        ch = chr(cp)
        cat = unicodedata.category(ch)
        k = 1
        if cat == "Cf" or ch in _EXTRA_INVISIBLE:
            k |= 2
        if cat in _CONTROL:
            k |= 4
        _CLASS[cp] = k
    return k


def remove_invisible(str text):
    """Compiled :func:`circumspect.names.confusables.remove_invisible`."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef Py_ssize_t i
    cdef Py_UCS4 cp
    cdef bint found = False
    if text.isascii():
        return text
    for i in range(n):
        if _klass(PyUnicode_READ_CHAR(text, i)) & 2:
            found = True
            break
    if not found:
        return text
    out = []
    for i in range(n):
        cp = PyUnicode_READ_CHAR(text, i)
        if not (_klass(cp) & 2):
            out.append(chr(cp))
    return "".join(out)


def controls_to_spaces(str text):
    """Every control, surrogate, private-use or unassigned character as a space (the loop
    inside :func:`circumspect.names.normalize.clean`)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef Py_ssize_t i
    cdef Py_UCS4 cp
    cdef bint found = False
    for i in range(n):
        if _klass(PyUnicode_READ_CHAR(text, i)) & 4:
            found = True
            break
    if not found:
        return text
    out = []
    for i in range(n):
        cp = PyUnicode_READ_CHAR(text, i)
        out.append(" " if _klass(cp) & 4 else chr(cp))
    return "".join(out)


cdef Py_ssize_t _osa(str a, str b, Py_ssize_t cutoff) except -1:
    """Optimal string alignment distance (edits: insertion, deletion, substitution, swap of
    neighbours); ``cutoff + 1`` when it exceeds ``cutoff`` (as rapidfuzz's ``OSA``)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(a)
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(b)
    cdef Py_ssize_t i, j, cost, v, w, width = m + 1
    cdef Py_ssize_t *d
    cdef Py_UCS4 ai, bj
    if n - m > cutoff or m - n > cutoff:
        return cutoff + 1
    d = <Py_ssize_t *> malloc((n + 1) * width * sizeof(Py_ssize_t))
    if d == NULL:
        raise MemoryError()
    try:
        for i in range(n + 1):
            d[i * width] = i
        for j in range(m + 1):
            d[j] = j
        for i in range(1, n + 1):
            ai = PyUnicode_READ_CHAR(a, i - 1)
            for j in range(1, m + 1):
                bj = PyUnicode_READ_CHAR(b, j - 1)
                cost = 0 if ai == bj else 1
                v = d[(i - 1) * width + j] + 1
                w = d[i * width + j - 1] + 1
                if w < v:
                    v = w
                w = d[(i - 1) * width + j - 1] + cost
                if w < v:
                    v = w
                if (
                    i > 1
                    and j > 1
                    and ai == PyUnicode_READ_CHAR(b, j - 2)
                    and PyUnicode_READ_CHAR(a, i - 2) == bj
                ):
                    w = d[(i - 2) * width + j - 2] + 1
                    if w < v:
                        v = w
                d[i * width + j] = v
        v = d[n * width + m]
    finally:
        free(d)
    return v if v <= cutoff else cutoff + 1


def osa_distance(str a, str b, Py_ssize_t cutoff):
    """OSA distance of ``a`` and ``b``, ``cutoff + 1`` above ``cutoff``."""
    return _osa(a, b, cutoff)


def token_similarity(str a, str b):
    """Compiled :func:`circumspect.matching.compare.token_similarity` (uncached)."""
    cdef Py_ssize_t la, lb, d, shortest, longest
    cdef double s
    if a == b:
        return 1.0
    la = PyUnicode_GET_LENGTH(a)
    lb = PyUnicode_GET_LENGTH(b)
    if la == 1 or lb == 1:
        if la == 0 or lb == 0:
            raise IndexError("string index out of range")
        return 0.9 if PyUnicode_READ_CHAR(a, 0) == PyUnicode_READ_CHAR(b, 0) else 0.0
    d = _osa(a, b, 3)
    shortest = la if la < lb else lb
    longest = la if la > lb else lb
    if d == 1:
        return ONE_EDIT if shortest > 3 else ONE_EDIT_SHORT
    if d == 2:
        return TWO_EDITS if shortest >= 7 else TWO_EDITS_SHORT if shortest >= 5 else 0.5
    s = 1.0 - MANY_EDITS_FACTOR * d / longest
    return s if s > 0.0 else 0.0


def plain_sims(tuple qt, tuple ct, sim, double min_pair):
    """Compiled similarity list of the plain branch of
    :func:`circumspect.matching.compare.align`: ``(s, i, j)`` for every token pair with
    ``s >= min_pair`` (``s`` is 1.0 for equal tokens, else ``sim(a, b)``)."""
    cdef list sims = []
    cdef Py_ssize_t i, j, n = len(qt), m = len(ct)
    cdef double s
    cdef str a, b
    for i in range(n):
        a = qt[i]
        for j in range(m):
            b = ct[j]
            if a == b:
                s = 1.0
            else:
                s = sim(a, b)
            if s >= min_pair:
                sims.append((s, i, j))
    return sims


def greedy(list sims, tuple qk, tuple ck, tuple qw, tuple cw, int number, int initial):
    """Compiled greedy pairing of :func:`circumspect.matching.compare.align` (similarity 1
    power): sorts ``sims`` best first and takes each pair whose tokens are both free.
    Returns ``(pairs, used_q, used_c, matched, total)``."""
    cdef set used_q = set(), used_c = set()
    cdef list pairs = []
    cdef double matched = 0.0, total = 0.0, s, w, wq, wc
    cdef Py_ssize_t i, j
    cdef long ki, kj
    sims.sort(reverse=True)
    for item in sims:
        s = item[0]
        i = item[1]
        j = item[2]
        if i in used_q or j in used_c:
            continue
        ki = qk[i]
        kj = ck[j]
        if (ki == number) != (kj == number) or (ki == number and s < 1.0):
            continue
        used_q.add(i)
        used_c.add(j)
        pairs.append((i, j, item[0]))
        wq = qw[i]
        wc = cw[j]
        if ki == initial or kj == initial:
            w = 2 * (wc if wc < wq else wq)
        else:
            w = wq + wc
        matched += s * w
        total += w
    return pairs, used_q, used_c, matched, total
