"""What changed between two versions of a resource, field by field (framework-free).

A version's snapshot (`services.resource_snapshot`) holds plain values: text, dates as ISO
strings, ids, and lists (tags, nodes, links…). Text is compared word by word with difflib
(a word, a run of spaces or one punctuation sign is a token, so that a changed comma is
not a changed sentence); a list by what was added and removed; anything else as old →
new. `to_html` escapes every piece of text before wrapping it in <ins>/<del>: the
snapshot holds what people typed, markup included.
"""

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

EQUAL, INSERT, DELETE = "=", "+", "-"


@dataclass(frozen=True)
class Change:
    """One field's change. `kind` is "text" (`segments`: (op, text) pairs), "list"
    (`added`, `removed`) or "value" (`old`, `new`)."""

    field: str
    kind: str
    segments: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    old: str = ""
    new: str = ""

    def html(self) -> str:
        if self.kind == "text":
            return to_html(self.segments)
        if self.kind == "list":
            parts = [f"<ins>{escape(v)}</ins>" for v in self.added]
            parts += [f"<del>{escape(v)}</del>" for v in self.removed]
            return " ".join(parts)
        old = f"<del>{escape(self.old)}</del>" if self.old else ""
        new = f"<ins>{escape(self.new)}</ins>" if self.new else ""
        return " → ".join(part for part in (old, new) if part)


@dataclass
class Options:
    """How to read a snapshot: which fields are text, how to show a value of a field."""

    text_fields: frozenset[str] = frozenset({"title", "summary", "body", "authors"})
    labels: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def text_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level segments turning `old` into `new`; neighbouring pieces of the same
    operation are joined."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(EQUAL, "".join(a[i1:i2]))
        else:
            add(DELETE, "".join(a[i1:i2]))
            add(INSERT, "".join(b[j1:j2]))
    return tuple(segments)


def to_html(segments: Iterable[tuple[str, str]]) -> str:
    out = []
    for op, text in segments:
        text = escape(text)
        if op == INSERT:
            out.append(f"<ins>{text}</ins>")
        elif op == DELETE:
            out.append(f"<del>{text}</del>")
        else:
            out.append(text)
    return "".join(out)


def _shown(name: str, value: Any, options: Options) -> str:
    if value is None or value == "":
        return ""
    label = options.labels.get(name)
    return str(label(value)) if label else str(value)


def _as_list(value: Any) -> Sequence[Any]:
    return [] if value is None else value


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any],
         *, options: Options | None = None, order: Sequence[str] = ()) -> list[Change]:
    """The changed fields from `old` to `new` (`old` None: the first version, everything
    is new), in `order` first then the others alphabetically."""
    options = options or Options()
    old = old or {}
    names = list(dict.fromkeys([*order, *sorted(set(old) | set(new))]))
    changes = []
    for name in names:
        if name not in old and name not in new:
            continue
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in options.text_fields:
            changes.append(
                Change(name, "text", segments=text_diff(str(before or ""), str(after or "")))
            )
        elif isinstance(before, list) or isinstance(after, list):
            was = [_shown(name, v, options) for v in _as_list(before)]
            now = [_shown(name, v, options) for v in _as_list(after)]
            changes.append(Change(
                name, "list",
                added=tuple(v for v in now if v not in was),
                removed=tuple(v for v in was if v not in now),
            ))
        else:
            changes.append(Change(
                name, "value", old=_shown(name, before, options), new=_shown(name, after, options)
            ))
    return changes
