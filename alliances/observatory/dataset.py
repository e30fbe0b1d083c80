"""A wave's responses as columns: the storage format of imports and the analysis' input.

Each question is one column over the wave's respondents, coded against the wave's question
definition (`WaveQuestion.option_codes`):

- single choice and scale: int16 option indices, -1 where not answered;
- multiple choice: an n × k boolean matrix of options chosen, and a boolean "answered"
  vector (an unanswered question is outside that question's base, not "chose nothing");
- number: float64, NaN where not answered;
- free text: strings, "" where not answered (kept, never analysed).

`pack_columns` writes them as one `.npz` (no pickling) in `ResponseBatch.data`; a wave's data
set is its finished batches followed by its submitted web responses, built once per
`Wave.data_version` and kept in each process (`wave_data`).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from alliances.lib.stats.raking import RakeResult, rake

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int16]

SINGLE_KINDS = frozenset({"single", "scale"})


@dataclass(frozen=True)
class QuestionDef:
    """What the columns need to know of a wave's question."""

    code: str
    kind: str  # Question.Kind value
    label: str
    options: tuple[tuple[str, str], ...] = ()  # (code, label) in the wave's order
    is_attribute: bool = False

    @property
    def option_index(self) -> dict[str, int]:
        return {code: i for i, (code, _label) in enumerate(self.options)}


@dataclass
class Columns:
    """Answers of n respondents, by question code (see the module docstring)."""

    n: int
    single: dict[str, CodeArray] = field(default_factory=dict)
    multiple: dict[str, tuple[BoolArray, BoolArray]] = field(default_factory=dict)
    numbers: dict[str, FloatArray] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    weights: FloatArray | None = None  # as imported; None when the file had none


def pack_columns(columns: Columns) -> bytes:
    arrays: dict[str, np.ndarray] = {"n": np.array([columns.n], dtype=np.int64)}
    for code, codes in columns.single.items():
        arrays[f"s/{code}"] = np.asarray(codes, dtype=np.int16)
    for code, (chosen, answered) in columns.multiple.items():
        arrays[f"m/{code}"] = np.packbits(chosen, axis=1)
        arrays[f"k/{code}"] = np.array([chosen.shape[1]], dtype=np.int64)
        arrays[f"a/{code}"] = np.packbits(answered)
    for code, values in columns.numbers.items():
        arrays[f"x/{code}"] = np.asarray(values, dtype=np.float64)
    for code, texts in columns.texts.items():
        encoded = [t.encode() for t in texts]
        arrays[f"t/{code}"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        arrays[f"o/{code}"] = np.cumsum([0, *map(len, encoded)], dtype=np.int64)
    if columns.weights is not None:
        arrays["w"] = np.asarray(columns.weights, dtype=np.float64)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def unpack_columns(data: bytes, *, texts: bool = False) -> Columns:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        n = int(npz["n"][0])
        columns = Columns(n=n)
        for key in npz.files:
            kind, _sep, code = key.partition("/")
            if kind == "s":
                columns.single[code] = npz[key]
            elif kind == "m":
                k = int(npz[f"k/{code}"][0])
                chosen = np.unpackbits(npz[key], axis=1, count=k).astype(np.bool_)
                answered = np.unpackbits(npz[f"a/{code}"], count=n).astype(np.bool_)
                columns.multiple[code] = (chosen, answered)
            elif kind == "x":
                columns.numbers[code] = npz[key]
            elif kind == "t" and texts:
                raw = npz[key].tobytes()
                offsets = npz[f"o/{code}"]
                columns.texts[code] = [
                    raw[a:b].decode() for a, b in zip(offsets[:-1], offsets[1:], strict=True)
                ]
            elif key == "w":
                columns.weights = npz[key]
    return columns


def empty_columns(questions: Iterable[QuestionDef], n: int) -> Columns:
    """n respondents who answered nothing: the starting point of an encoder."""
    columns = Columns(n=n)
    for q in questions:
        if q.kind in SINGLE_KINDS:
            columns.single[q.code] = np.full(n, -1, dtype=np.int16)
        elif q.kind == "multiple":
            columns.multiple[q.code] = (
                np.zeros((n, len(q.options)), dtype=np.bool_),
                np.zeros(n, dtype=np.bool_),
            )
        elif q.kind == "number":
            columns.numbers[q.code] = np.full(n, np.nan)
        else:
            columns.texts[q.code] = [""] * n
    return columns


def encode_answers(questions: list[QuestionDef], answers: list[Mapping[str, Any]]) -> Columns:
    """Columns of already validated answers ({code: option code | [codes] | number | text}),
    as the questionnaire stores them. Unknown option codes are dropped: a wave's options are
    fixed once it collects."""
    columns = empty_columns(questions, len(answers))
    for q in questions:
        index = q.option_index
        for row, given in enumerate(answers):
            value = given.get(q.code)
            if value in (None, "", []):
                continue
            if q.kind in SINGLE_KINDS:
                if str(value) in index:
                    columns.single[q.code][row] = index[str(value)]
            elif q.kind == "multiple":
                chosen, answered = columns.multiple[q.code]
                answered[row] = True
                for code in value:
                    if code in index:
                        chosen[row, index[code]] = True
            elif q.kind == "number":
                columns.numbers[q.code][row] = float(value)
            else:
                columns.texts[q.code][row] = str(value)
    return columns


def concat_columns(questions: list[QuestionDef], parts: list[Columns]) -> Columns:
    """One Columns of several, in order; a question missing from a part is unanswered there,
    and rows of a part without weights weigh 1 when another part has weights."""
    n = sum(p.n for p in parts)
    if len(parts) == 1:
        return parts[0]
    result = Columns(n=n)
    for q in questions:
        blanks = [p if _has(p, q) else empty_columns([q], p.n) for p in parts]
        if q.kind in SINGLE_KINDS:
            result.single[q.code] = np.concatenate([b.single[q.code] for b in blanks])
        elif q.kind == "multiple":
            result.multiple[q.code] = (
                np.concatenate([b.multiple[q.code][0] for b in blanks]),
                np.concatenate([b.multiple[q.code][1] for b in blanks]),
            )
        elif q.kind == "number":
            result.numbers[q.code] = np.concatenate([b.numbers[q.code] for b in blanks])
        else:
            result.texts[q.code] = [t for b in blanks for t in b.texts.get(q.code, [])]
    if any(p.weights is not None for p in parts):
        result.weights = np.concatenate(
            [p.weights if p.weights is not None else np.ones(p.n) for p in parts]
        )
    return result


def _has(part: Columns, q: QuestionDef) -> bool:
    return (
        q.code in part.single
        or q.code in part.multiple
        or q.code in part.numbers
        or q.code in part.texts
    )


@dataclass
class WaveData:
    """A wave's data set, ready for the estimators."""

    wave_id: int
    version: int
    questions: dict[str, QuestionDef]
    columns: Columns
    weights: FloatArray  # raked if the wave has margins, else as imported, else 1
    weights_squared: FloatArray
    weight_source: str  # Wave.WeightSource value
    rake: RakeResult | None = None
    stamp: tuple[int, str] = (0, "")

    @property
    def n(self) -> int:
        return self.columns.n

    @property
    def attributes(self) -> list[QuestionDef]:
        return [q for q in self.questions.values() if q.is_attribute]


class MarginError(ValueError):
    """Raking margins that do not fit the wave: the message says which line is wrong."""


def rake_columns(
    questions: Mapping[str, QuestionDef],
    columns: Columns,
    margins: Mapping[str, Mapping[str, float]],
    base: FloatArray,
) -> RakeResult:
    """Rake `base` to `margins` ({attribute code: {option code: share}}) over the attribute
    columns. Every respondent must have every raking attribute."""
    variables: dict[str, np.ndarray] = {}
    targets: dict[str, np.ndarray] = {}
    for variable, shares in margins.items():
        q = questions.get(variable)
        if q is None or q.kind not in SINGLE_KINDS:
            raise MarginError(
                _("« %(variable)s » is not a single-choice question of the wave")
                % {"variable": variable}
            )
        codes = columns.single.get(variable)
        if codes is None:
            raise MarginError(_("« %(variable)s » has no answers") % {"variable": variable})
        missing = int((codes < 0).sum())
        if missing:
            raise MarginError(
                _("« %(variable)s »: %(missing)s respondents have no answer")
                % {"variable": variable, "missing": missing}
            )
        index = q.option_index
        target = np.zeros(len(q.options))
        for category, share in shares.items():
            if category not in index:
                raise MarginError(
                    _("« %(variable)s » has no option « %(category)s »")
                    % {"variable": variable, "category": category}
                )
            target[index[category]] = share
        variables[variable] = codes
        targets[variable] = target
    try:
        return rake(variables, targets, base)
    except ValueError as error:
        raise MarginError(str(error)) from error


def build_wave_data(wave) -> WaveData:
    """Read a wave's batches and submitted web responses into one data set (3 queries)."""
    from .models import Wave, WebResponse

    questions = wave_questions(wave)
    defs = list(questions.values())
    parts = [
        unpack_columns(bytes(data))
        for data in wave.batches.filter(status="terminee")
        .exclude(data=None)
        .order_by("id")
        .values_list("data", flat=True)
    ]
    answers = list(
        WebResponse.objects.filter(wave=wave, status=WebResponse.Status.SUBMITTED)
        .order_by("id")
        .values_list("answers", flat=True)
    )
    if answers:
        parts.append(encode_answers(defs, answers))
    columns = concat_columns(defs, parts) if parts else empty_columns(defs, 0)
    if columns.weights is not None:
        base, source = columns.weights, Wave.WeightSource.IMPORTED
    else:
        base, source = np.ones(columns.n), Wave.WeightSource.NONE
    result = None
    weights = base
    if wave.margins and columns.n:
        try:
            result = rake_columns(questions, columns, wave.margins, base)
        except MarginError:
            # Answers that arrived after the raking no longer fit its margins: the report
            # says so (services.wave_data_changed) and the figures use the base weights.
            result = None
        else:
            weights, source = result.weights, Wave.WeightSource.RAKED
    return WaveData(
        wave_id=wave.pk,
        version=wave.data_version,
        questions=questions,
        columns=columns,
        weights=weights,
        weights_squared=weights * weights,
        weight_source=source,
        rake=result,
        stamp=_stamp(wave),
    )


def wave_questions(wave) -> dict[str, QuestionDef]:
    """The wave's questions as QuestionDefs, in order (1 query for the questions and 1 for
    the bank's option labels)."""
    from .models import Option

    rows = list(wave.questions.select_related("question").order_by("position"))
    labels = {
        (question_id, code): label
        for question_id, code, label in Option.objects.filter(
            question__in=[r.question_id for r in rows]
        ).values_list("question_id", "code", "label")
    }
    return {
        r.question.code: QuestionDef(
            code=r.question.code,
            kind=r.question.kind,
            label=r.label or r.question.label,
            options=tuple(
                (code, labels.get((r.question_id, code), code)) for code in r.option_codes
            ),
            is_attribute=r.is_attribute,
        )
        for r in rows
    }


# Per-process cache of built data sets, keyed by wave id and checked against the wave's
# data_version on every use (one small query), so a new import or raking shows at once in
# every web worker. A million respondents take some tens of MB: keep a few waves only.
_CACHE: OrderedDict[int, WaveData] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()


def wave_data(wave) -> WaveData:
    """The wave's data set for its current data_version, built at most once per process."""
    with _LOCK:
        cached = _CACHE.get(wave.pk)
        if cached is not None and cached.stamp == _stamp(wave):
            _CACHE.move_to_end(wave.pk)
            return cached
    data = build_wave_data(wave)
    with _LOCK:
        _CACHE[wave.pk] = data
        _CACHE.move_to_end(wave.pk)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data


def _stamp(wave) -> tuple[int, str]:
    # The creation time too: a test's rolled-back wave may leave its id to the next one.
    return wave.data_version, str(wave.created_at)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
