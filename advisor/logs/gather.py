"""The reduce side of reading: work frames folded into compact columns as they arrive (:class:`Gather`), then
the batch input/output join, requests logged without a response, and the frame returned (:func:`finish`)."""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from advisor.logs.otel import CALL_SIDE, WRAPPER_NOTE, WRAPPER_SIDE
from advisor.logs.records import FRAME_COLUMNS
from advisor.tokens.media import is_lower_bound

__all__ = ["Problem", "Gather", "finish", "time_note", "MAX_PROBLEMS_KEPT"]

MAX_PROBLEMS_KEPT = 100_000  # problems listed in detail; past this they are only counted (memory stays bounded)
_NO_RESPONSE = ("request logged without its response: completion tokens unknown; pass --completion-tokens N "
                "to assume N per request")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str


# ---------------------------------------------------------------------------------------------
# finishing: batch join, requests without responses, problems


def _join_batches(f: pd.DataFrame, problems: list[Problem], assumed: float | None,
                  alone: list | None = None) -> pd.DataFrame:
    """Batch output lines joined with their input lines by ``custom_id``; ``alone``: gets the ids of inputs kept
    without an output (their prompt as counted, their completion assumed)."""
    if "join_side" not in f:
        return f
    has = f["join_side"].isin(("input", "output"))  # (span sides: _drop_covered_wrappers)
    if not has.any():
        return f
    rest, b = f[~has], f[has]
    halves = {}
    for side in ("input", "output"):
        part = b[b["join_side"] == side]
        dup = part["join_key"].duplicated(keep="first")
        if dup.any():
            first_line = part[~dup].set_index("join_key")["line"]
            for key, file, line in zip(part.loc[dup, "join_key"], part.loc[dup, "file"], part.loc[dup, "line"]):
                problems.append(Problem(str(file), int(line), f"duplicate custom_id in the batch {side}; the line "
                                        f"{int(first_line.get(key, 0))} with the same custom_id was used"))
        halves[side] = part[~dup].set_index("join_key")
    inp, out = halves["input"], halves["output"]
    both = out.index.intersection(inp.index)
    merged = out.copy()
    for col in ("task", "template", "ft_prompt_tokens", "static_prompt_tokens"):
        merged.loc[both, col] = inp.loc[both, col]
    if "fit_flags" in merged:  # the prompt's signals (turns, tools) are the input's, the answer's the output's
        merged.loc[both, "fit_flags"] = _either_flags(merged.loc[both, "fit_flags"].to_numpy(dtype=float),
                                                      inp.loc[both, "fit_flags"].to_numpy(dtype=float))
    only_in = inp.loc[inp.index.difference(out.index)]
    kept = []
    if len(only_in):
        if assumed is None:
            for file, line in zip(only_in["file"], only_in["line"]):
                problems.append(Problem(str(file), int(line), "batch input without a matching output line: pass the "
                                        "batch output file too, or --completion-tokens N to assume N per request"))
        else:
            kept.append(only_in.reset_index())  # counted for the prompt; completion assumed below
            if alone is not None:
                alone.extend(only_in.index)
    return pd.concat([rest, merged.reset_index(), *kept], ignore_index=True)


COVERED_WRAPPER = "Vercel AI SDK wrapper span whose model calls are counted (its usage is their sum)"


def _drop_covered_wrappers(f: pd.DataFrame, ignored: Tally, notes: Tally) -> pd.DataFrame:
    """Vercel AI SDK wrapper spans (``ai.streamText``...: :func:`advisor.logs.otel.parse_otel`) dropped, as ignored,
    when a model-call span below them is in the logs (their usage is the sum of those calls'); the others kept,
    each one request (``notes``: said so). Whatever the chunks or tasks the spans were read in: joined here, after
    all of them. Only a wrapper's own model calls (its children) cover it: a call inside one of its tool calls
    belongs to a nested wrapper.

    >>> f = pd.DataFrame({"join_side": ["span-wrapper", "span-call", "span-wrapper"], "join_key": ["t/a", "t/a", "t/b"]})
    >>> ig, notes = Tally(), Tally()
    >>> _drop_covered_wrappers(f, ig, notes)["join_key"].tolist(), sum(ig.values()), sum(notes.values())
    (['t/a', 't/b'], 1, 1)
    """
    side = f["join_side"].astype(object)
    wrapper = (side == WRAPPER_SIDE).to_numpy()
    if not wrapper.any():
        return f
    keys = f["join_key"].astype(object)
    covered = wrapper & keys.isin(set(keys[(side == CALL_SIDE).to_numpy()])).to_numpy()
    if covered.any():
        ignored[COVERED_WRAPPER] += int(covered.sum())
    kept = int((wrapper & ~covered).sum())
    if kept:
        notes[WRAPPER_NOTE] += kept
    return f[~covered].reset_index(drop=True) if covered.any() else f


def _either_flags(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The bits of ``a`` or ``b`` (flags as floats, NaN: none measured).

    >>> _either_flags(np.array([1.0, np.nan, 8.0]), np.array([2.0, 4.0, np.nan])).tolist()
    [3.0, 4.0, 8.0]
    """
    both = np.isfinite(a) & np.isfinite(b)
    out = np.where(np.isfinite(a), a, b)
    out[both] = (a[both].astype(np.int64) | b[both].astype(np.int64)).astype(float)
    return out


_CATEGORY_COLUMNS = ("model", "task", "template", "tokens_source", "file", "join_side")
_NOTES_COLUMN = "count_notes"  # what counting assumed for a row (advisor.logs.counting.COUNT_NOTES_COLUMN)


class Gather:
    """Folds work frames into compact pieces as they arrive: memory grows with the requests kept, not the file.

    Problems become :class:`Problem` objects, ignored rows a tally, assumptions tallies; the rows kept hold only
    the frame's columns (plus the batch join's), their repeated strings as categories until the end.
    """

    def __init__(self):
        self.pieces: list[dict[str, Any]] = []  # the rows kept: columns, categories for repeated strings
        self.problems: list[Problem] = []
        self.problems_total = 0  # all problems, also those past MAX_PROBLEMS_KEPT
        self.ignored: Tally = Tally()
        self.ignored_files: set[str] = set()
        self.usable_files: set[str] = set()
        self.encodings: Tally = Tally()
        self.notes: Tally = Tally()
        self.times_ignored: Tally = Tally()  # records whose time was a placeholder, by reason (records.epoch_s)
        self.input_encodings: dict[Any, str] = {}  # batch inputs counted with an assumed encoding: custom_id -> it
        self.lower_bound = 0.0  # requests whose counted prompt leaves out parts the log cannot show

    def add(self, w: pd.DataFrame) -> None:
        ign = w["ignored"].notna() if "ignored" in w else pd.Series(False, index=w.index)
        bad = w["problem"].notna() & ~ign
        if bad.any():
            self.problems_total += int(bad.sum())
            room = MAX_PROBLEMS_KEPT - len(self.problems)
            if room > 0:
                self.problems += [Problem(str(f), int(ln), str(p)) for f, ln, p in
                                  zip(w.loc[bad, "file"][:room], w.loc[bad, "line"][:room],
                                      w.loc[bad, "problem"][:room])]
        if ign.any():
            self.ignored.update(w.loc[ign, "ignored"])
            self.ignored_files.update(map(str, w.loc[ign, "file"]))
        keep_rows = ~bad & ~ign
        g = w if keep_rows.all() else w[keep_rows]  # a chunk without problems is kept as it is (no copy)
        if not len(g):
            return
        self.usable_files.update(map(str, g["file"].unique()))
        enc = g["assumed_encoding"]
        if "join_side" in g and (g["join_side"] == "input").any():
            # a batch input's counted prompt gives way to its output's usage: said only of inputs kept alone (finish)
            inputs = (g["join_side"] == "input") & enc.notna()
            self.input_encodings.update(zip(g.loc[inputs, "join_key"], g.loc[inputs, "assumed_encoding"]))
            enc = enc[~inputs]
        self.encodings.update(enc.dropna())
        if "time_ignored" in g:
            self.times_ignored.update(g["time_ignored"].dropna())
        if _NOTES_COLUMN in g:
            notes = g[_NOTES_COLUMN]
            counts = notes.value_counts()  # rows share a few kinds of notes: each kind split and checked once,
            low_kinds = set()              # in the order they first appear (most_common keeps it among equals)
            for note in pd.unique(notes.dropna()):
                parts = str(note).split("\n")
                k = int(counts[note])
                for x in parts:
                    self.notes[x] += k
                if isinstance(note, str) and any(is_lower_bound(x) for x in parts):
                    low_kinds.add(note)
            if low_kinds:
                low = notes.isin(low_kinds)
                side = g["join_side"] if "join_side" in g else pd.Series(None, index=g.index, dtype=object)
                once = side.isna() | (side == "input") | (side == CALL_SIDE)  # (a wrapper may be dropped: finish)
                self.lower_bound += float(g.loc[low & once, "requests"].sum())
        batch = g["join_side"].notna().any()
        keep = FRAME_COLUMNS + (["join_key", "join_side"] if batch else [])
        # a piece is a dict of columns (popping a column of a DataFrame copies its block: quadratic in columns)
        self.pieces.append({c: _categorical(g[c]) if c in _CATEGORY_COLUMNS else g[c].to_numpy(copy=True)
                            for c in keep})

    def add_columns(self, cols: dict[str, Any]) -> None:
        """Rows given as the frame's columns (numbers as float arrays, text as object arrays), none of them a problem,
        an ignored record or one with a note, an assumed encoding or a placeholder time (records that carried their
        usage: advisor.logs.usage_rows): the piece :meth:`add` keeps for a frame of such rows, without the frame."""
        if len(cols["line"]):
            self.usable_files.update(map(str, pd.unique(cols["file"])))
            self.pieces.append({c: _categorical(cols[c]) if c in _CATEGORY_COLUMNS else cols[c] for c in FRAME_COLUMNS})

    def merge(self, other: Gather, line_offset: int = 0) -> None:
        """Fold in what another process gathered (a task of the same read), its lines shifted by ``line_offset``
        (the lines of a file's byte ranges before that task's)."""
        if line_offset:
            for piece in other.pieces:
                piece["line"] = piece["line"] + line_offset
        self.pieces += other.pieces
        room = max(0, MAX_PROBLEMS_KEPT - len(self.problems))
        self.problems += [Problem(p.file, p.line + line_offset, p.reason) for p in other.problems[:room]]
        self.problems_total += other.problems_total
        for mine, theirs in ((self.ignored, other.ignored), (self.encodings, other.encodings),
                             (self.notes, other.notes), (self.times_ignored, other.times_ignored)):
            mine.update(theirs)
        self.ignored_files |= other.ignored_files
        self.usable_files |= other.usable_files
        self.input_encodings.update(other.input_encodings)
        self.lower_bound += other.lower_bound

    def columns(self) -> dict[str, Any]:
        """The rows kept, concatenated column by column (categories united), each piece freed once used."""
        if not self.pieces:
            return {c: np.array([], dtype=float if c not in _CATEGORY_COLUMNS else object)
                    for c in FRAME_COLUMNS}
        cols = FRAME_COLUMNS + (["join_key", "join_side"] if any("join_side" in p for p in self.pieces) else [])
        n = [len(p["line"]) for p in self.pieces]
        out: dict[str, Any] = {}
        for c in cols:
            parts = [p.pop(c) if c in p else pd.Series([None] * k, dtype=object) for p, k in zip(self.pieces, n)]
            if c in _CATEGORY_COLUMNS:
                out[c] = _united([x if isinstance(x, Coded) else _categorical(x) for x in parts])
            else:
                out[c] = np.concatenate([np.asarray(x) for x in parts])
            del parts
        self.pieces = []
        return out

    def assumptions(self) -> list[str]:
        out = [time_note(n, why) for why, n in self.times_ignored.most_common()]
        out += [f"{n} requests of unknown model {k.split(' -> ')[0]!r} counted with {k.split(' -> ')[1]}"
                for k, n in self.encodings.items()]
        common = self.notes.most_common()
        out += [f"{n} requests: {note}" for note, n in common[:20] if note]
        if len(common) > 20:
            out.append(f"... and {len(common) - 20} more kinds of counting notes")
        return out


def time_note(n: int, why: str) -> str:
    """The read summary's note on records whose time was ignored (a placeholder date: records.epoch_s).

    >>> time_note(2, "before 2010-01-01: a placeholder such as created: 0 or 1970-01-01")[:60]
    '2 records with a timestamp ignored (before 2010-01-01: a pla'
    """
    return (f"{n:,} record{'s' * (n != 1)} with a timestamp ignored ({why}): {'their' if n != 1 else 'its'} "
            "tokens are counted, but the logged time span (and so requests per day) comes from the other records")


class Coded(NamedTuple):
    """A column of repeated strings as codes into its distinct values (-1: missing): what a piece keeps of its
    model, task, template, source and file columns until the frame is made. Plain arrays pickle in microseconds
    where a pandas categorical took 0.3-0.5 ms a column, for each task a worker hands back."""

    codes: np.ndarray
    categories: np.ndarray  # of objects (Python strings)


def _categorical(values: Any) -> Coded:
    """The column's codes and distinct values, missing values (None, NaN) as -1: ``astype("category")`` but for
    the categories' type and order, which the frame returned does not show (``_as_text``); pandas' own would
    infer Arrow-backed ``str`` categories, 5x slower.

    >>> c = _categorical(pd.Series(["b", None, "a", "b"], dtype=object))
    >>> c.codes.tolist(), c.categories.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    small = np.int8 if len(uniques) < 127 else np.int16 if len(uniques) < 32767 else np.int32  # what travels
    return Coded(codes.astype(small), np.asarray(uniques, dtype=object))


def _united(parts: list[Coded]) -> pd.Categorical:
    """One categorical from several columns whose categories differ: codes remapped, no copies of the strings
    (kept as categories: 1-2 bytes a row where object columns cost 8 plus the strings). The categories are few
    (models, tasks, files), so each piece's are looked up in one dict: a pandas index per piece cost about 1 ms
    each, most of a read's reduce.

    >>> u = _united([_categorical(["x", None, "y"]), _categorical(["y", "z"])])
    >>> list(u.astype(object)), list(u.categories)
    (['x', nan, 'y', 'y', 'z'], ['x', 'y', 'z'])
    """
    index: dict[Any, int] = {}  # category -> its code in the result, in order of first sight
    codes = []
    for x in parts:
        m = np.array([index.setdefault(c, len(index)) for c in x.categories.tolist()], dtype=np.int64)
        c = np.asarray(x.codes)
        codes.append(np.where(c >= 0, m[c] if len(m) else -1, -1))
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.array([], dtype=np.int64),
                                     categories=pd.Index(list(index), dtype=object))


_TEXT_COLUMNS = ("model", "task", "template", "tokens_source", "file")


def _as_text(col: Any, order: np.ndarray | None = None) -> np.ndarray:
    """An object array of the column's text (None where missing), its rows in ``order`` when given. From
    categories it shares their strings: the codes (in order) index the categories with None appended, which a
    missing value's code, -1, picks.

    >>> c = pd.Categorical.from_codes([1, -1, 0], categories=pd.Index(["a", "b"], dtype=object))
    >>> _as_text(c).tolist(), _as_text(c, np.array([2, 1, 0])).tolist(), _as_text(["x", np.nan]).tolist()
    (['b', None, 'a'], ['a', None, 'b'], ['x', None])
    """
    if isinstance(col, pd.Series):
        col = col.array
    if isinstance(col, pd.Categorical):
        cats = np.append(np.asarray(col.categories, dtype=object), np.array([None], dtype=object))
        codes = np.asarray(col.codes)
        return cats[codes if order is None else codes[order]]
    arr = np.asarray(col, dtype=object)
    out = arr.copy()
    out[pd.isna(arr)] = None
    return out if order is None else out[order]


def _sort_key(col: Any) -> np.ndarray:
    """Codes that sort as the column's text sorts (missing first, -1): ``pd.factorize(_as_text(col), sort=True)``'s,
    from categories by ranking the few categories instead of the rows.

    >>> c = pd.Categorical.from_codes([0, 1, -1, 0], categories=pd.Index(["b.jsonl", "a.jsonl"], dtype=object))
    >>> _sort_key(c).tolist(), pd.factorize(_as_text(c), sort=True)[0].tolist()
    ([1, 0, -1, 1], [1, 0, -1, 1])
    """
    if isinstance(col, pd.Series):
        col = col.array
    if isinstance(col, pd.Categorical):
        try:
            rank = np.argsort(np.argsort(np.asarray(col.categories, dtype=object), kind="stable"), kind="stable")
        except TypeError:  # categories that do not compare (never text): pandas sorts them its way
            rank = None
        if rank is not None:
            codes = np.asarray(col.codes)
            return np.where(codes >= 0, rank[codes] if len(rank) else -1, -1)
    return pd.factorize(_as_text(col), sort=True)[0]


def _floats(col: Any) -> np.ndarray:
    if isinstance(col, np.ndarray) and col.dtype == np.float64:  # already numbers (the counted columns)
        return col
    return pd.to_numeric(pd.Series(col), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    """The frame returned: sorted by (timestamp, file, line), text as objects, numbers as float64.

    Built column by column from one sort order, each input column released once copied, so the peak is
    about one extra column, not one extra frame.
    """
    ts = _floats(cols["timestamp"])
    files = cols["file"]
    file_key = _sort_key(files)
    line = np.asarray(cols["line"], dtype=np.int64)
    order = np.lexsort((line, file_key, ts))  # NaN timestamps sort last
    del file_key
    out = {}
    for c in FRAME_COLUMNS:
        v = cols.pop(c)
        if c in _TEXT_COLUMNS or c == "request_id":
            out[c] = pd.Series(_as_text(v, order), dtype=object)
        elif c == "line":
            out[c] = pd.Series(line[order])
        elif c == "timestamp":
            out[c] = pd.Series(pd.to_datetime(ts[order], unit="s", utc=True, errors="coerce"))
        else:
            out[c] = pd.Series(_floats(v)[order])
        del v
    return pd.DataFrame(out, columns=FRAME_COLUMNS, copy=False)


def finish(gather: Gather, assumed_completion_tokens: float | None
            ) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    problems = gather.problems
    cols = gather.columns()
    if "join_side" in cols:  # batch halves, AI SDK spans to join (a DataFrame for this rarer path)
        alone: list = []
        good = _drop_covered_wrappers(pd.DataFrame(cols), gather.ignored, gather.notes)
        good = _join_batches(good, problems, assumed_completion_tokens, alone)
        gather.encodings.update(gather.input_encodings[k] for k in alone if k in gather.input_encodings)
        cols = {c: good[c].array if isinstance(good[c].dtype, pd.CategoricalDtype) else good[c].to_numpy()
                for c in FRAME_COLUMNS}
        del good
    assumptions = gather.assumptions()
    comp = _floats(cols["completion_tokens"]).copy()  # writable
    no_resp = np.isnan(comp) & np.asarray(pd.Series(cols["tokens_source"]) == "counted", dtype=bool)
    if no_resp.any():
        if assumed_completion_tokens is None:
            problems += [Problem(str(f), int(ln), _NO_RESPONSE)
                         for f, ln in zip(np.asarray(cols["file"], dtype=object)[no_resp], cols["line"][no_resp])]
            cols = {c: v[~no_resp] for c, v in cols.items()}
        else:
            n = float(assumed_completion_tokens)
            comp[no_resp] = n
            cols["completion_tokens"] = comp
            ft_p = _floats(cols["ft_prompt_tokens"])
            ft_c = _floats(cols["ft_completion_tokens"]).copy()
            ft_c[no_resp & ~np.isnan(ft_p)] = n + 1  # + </s>
            cols["ft_completion_tokens"] = ft_c
            assumptions.append(f"{int(no_resp.sum())} requests logged without a response: {n:g} completion tokens "
                               "assumed for each (--completion-tokens); their 7B completion assumed the same + 1")
    frame = _frame(cols)
    problems.sort(key=lambda p: (p.file, p.line))
    return frame, problems, assumptions
