"""The one way a data file of ``pricing`` is read and validated (catalog, ``people.yaml``, ``benchmarks.yaml``).

Reading: ``yaml`` SafeLoader with limits (file size, nesting depth, integer digits, no anchors/aliases);
dates stay text so that validation, not the YAML parser, names a bad one. Validating: each entry goes
through its pydantic model, and the first error becomes one :class:`CatalogError` line
``<file>: <section>[<entry>].<field>: <what is wrong>; <the fix>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from .errors import CatalogError, close_matches

__all__ = ["MAX_FILE_BYTES", "MAX_INT_DIGITS", "MAX_YAML_DEPTH", "entry_label", "read_yaml", "sections",
           "unique", "validate_entry"]

MAX_FILE_BYTES = 5_000_000        # a price file is a few KB; anything this large is a mistake
MAX_INT_DIGITS = 15               # 10**15: no price, spec or count in a catalog comes near
MAX_YAML_DEPTH = 20               # our deepest entry is 4 levels (section > entry > prices > period)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases (exponential expansion) and deep nesting."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise CatalogError(f"line {mark.line + 1}: YAML anchors and aliases (*name) are not accepted in price "
                               "files; write each value out")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise CatalogError(f"line {mark.line + 1}: nested deeper than {MAX_YAML_DEPTH} levels; a price file "
                                   "is sections > entries > prices > fields")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_int(loader: _Loader, node) -> Any:
    """YAML integers, except absurd ones (more digits than any price or spec has) which stay text
    so validation names their field instead of Python failing on a 5,000-digit conversion."""
    text = loader.construct_scalar(node)
    digits = sum(ch.isdigit() for ch in text)
    return text if digits > MAX_INT_DIGITS else yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_text(loader: _Loader, node: yaml.Node) -> str:
    return loader.construct_yaml_str(node)


# Dates stay text until validation (so 2025-13-45 is an error naming its field, not a YAML crash).
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def read_yaml(path: Path, *, missing: str = "no such catalog file; check the path given to --prices") -> Any:
    """The parsed document of ``path`` (``missing``: the message, with its fix, when the file does not exist)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CatalogError(f"{path}: {size / 1e6:.1f} MB is too large for a price file "
                               f"(limit {MAX_FILE_BYTES / 1e6:g} MB); pass only your own entries")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: {missing}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read ({type(exc).__name__}); catalog files are UTF-8 YAML") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except CatalogError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark else ""
        problem = str(getattr(exc, "problem", None) or "syntax error")[:120]
        raise CatalogError(f"{path}:{line} not valid YAML ({problem}); check indentation and quoting") from None
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise CatalogError(f"{path}: not valid YAML ({type(exc).__name__}: {str(exc)[:120]}); dates are YYYY-MM-DD "
                           "and numbers must be plain decimals") from None


def sections(doc: Any, path: Path, names: Iterable[str]) -> dict[str, list]:
    """The document's sections (each a list of entries); unknown section names are an error with a hint."""
    names = tuple(names)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise CatalogError(f"{path}: expected a mapping with sections {', '.join(names)}")
    out: dict[str, list] = {}
    for section, entries in doc.items():
        if section not in names:
            hint = close_matches(str(section), names)
            raise CatalogError(f"{path}: unknown section {str(section)[:40]!r}"
                               + (f" (did you mean {hint[0]!r}?)" if hint else "")
                               + f"; sections are {', '.join(names)}")
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise CatalogError(f"{path}: section {section!r} must be a list of entries (each starting with '- ')")
        out[section] = entries
    return out


def entry_label(entry: Any, i: int) -> str:
    """How an entry is named in messages: its id (or provider), else its 1-based position ``#n``."""
    if isinstance(entry, dict):
        ident = entry.get("id", entry.get("provider"))
        if isinstance(ident, str) and 0 < len(ident) <= 80 and ident.isprintable():
            return ident
    return f"#{i + 1}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_FIXES = {
    "missing": "every entry needs it (prices need 'source' and 'effective')",
    "extra_forbidden": "remove it or fix its spelling",
    "unexpected_keyword_argument": "remove it or fix its spelling",
    "date_type": "write it as YYYY-MM-DD",
    "date_from_datetime_parsing": "write it as YYYY-MM-DD",
    "date_from_datetime_inexact": "write it as YYYY-MM-DD",
    "date_parsing": "write it as YYYY-MM-DD",
    "finite_number": "give a finite number",
    "float_type": "give a plain number",
    "int_type": "give a whole number",
    "string_type": "give text in quotes",
    "tuple_type": "give a list, e.g. [a, b]",
    "string_pattern_mismatch": "ids use letters, digits and . _ : / @ + -",
}


def _fields(cls: type) -> list[str]:
    """The fields a YAML entry may give (computed ones, ``price``, ``history`` and ``known_on``, excluded)."""
    names = list(getattr(cls, "model_fields", None) or [f.name for f in dataclasses.fields(cls)])
    return [n for n in names if n not in ("price", "history", "known_on")]


def _error(exc: ValidationError, where: str, cls: type) -> CatalogError:
    """The first validation error as one line: ``<where>.<field>: <message>; <fix>``."""
    err = exc.errors(include_url=False)[0]
    loc = [str(x) if not isinstance(x, int) else f"[{x}]" for x in err["loc"]]
    loc = ["prices" if x == "history" else x for x in loc]
    field = "".join(x if x.startswith("[") else f".{x}" for x in loc)
    kind = err["type"]
    msg = err["msg"].removeprefix("Value error, ")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        allowed = _fields(cls)
        hint = close_matches(str(err["loc"][-1]), allowed)
        msg = f"unknown field {str(err['loc'][-1])[:40]!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
        field = "".join(x if x.startswith("[") else f".{x}" for x in loc[:-1])
        return CatalogError(f"{where}{field}: {msg}; allowed: {', '.join(allowed)}")
    if kind == "missing":
        return CatalogError(f"{where}{field}: missing field; {_FIXES['missing']}")
    if kind.startswith(("greater_than", "less_than")) and isinstance(err.get("input"), (int, float)):
        value = err["input"]
        msg = (f"{_short(value)} is negative; prices and specs must be >= 0" if value < 0
               else f"{_short(value)} is out of range ({msg.lower()})")
    elif "input" in err and kind not in ("value_error", "assertion_error"):
        msg = f"{msg} (got {_short(err['input'])})"
    fix = _FIXES.get(kind)
    return CatalogError(f"{where}{field}: {msg}" + (f"; {fix}" if fix else ""))


def validate_entry(adapter: TypeAdapter, cls: type, entry: Any, path: Path, section: str, i: int) -> Any:
    """``entry`` (the ``i``-th of ``section`` in ``path``) validated into ``cls``, or one CatalogError line."""
    where = f"{path}: {section}[{entry_label(entry, i)}]"
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a mapping of fields, got {type(entry).__name__}")
    try:
        return adapter.validate_python(entry)
    except ValidationError as exc:
        raise _error(exc, where, cls) from None
    except (RecursionError, OverflowError, MemoryError) as exc:
        raise CatalogError(f"{where}: {type(exc).__name__}; use plain numbers and lists") from None


def unique(ids: Iterable[str], path: Path, section: str) -> None:
    """Each id appears once per section of a file."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise CatalogError(f"{path}: {section}[{ident}]: duplicate id; each id appears once per file")
        seen.add(ident)
