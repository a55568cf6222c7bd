"""Knowledge modules as data: Markdown with a YAML header holding the questions and the sources.

    ---
    id: disclosure-barriers
    title: "Why children do not tell"
    owner: "Winnow placeholder: to be replaced by the force's training lead"
    sources: ["Author (year), title, publisher or journal"]
    questions:
      - id: q1
        text: "The question"
        options: {a: "First option", b: "Second option"}
        answer: a
        explanation: "Why a is right"
    ---
    The module's text in Markdown (raw HTML is not rendered).

Every error names the file and the line, as instrument and vignette files do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from winnow.core.instruments.marked_yaml import MarkedDict, MarkedList, YamlSyntaxError, load_marked

from .vignettes import VignetteError

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_FILE_BYTES = 200_000


class ModuleError(VignetteError):
    """A module file cannot be used: the file, the line (when known) and the reason."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[tuple[str, str], ...]
    answer: str
    explanation: str

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o for o, _ in self.options)


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    owner: str
    sources: tuple[str, ...]
    questions: tuple[Question, ...]
    body: str
    sha256: str
    path: str = ""

    def mark(self, answers: dict[str, str]) -> int:
        return sum(answers.get(q.id) == q.answer for q in self.questions)


def _text(data: MarkedDict, key: str, path: str, offset: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ModuleError(path, data.value_lines.get(key, data.line) + offset, f"{key!r} must be non-empty text")
    return value.strip()


def _question(entry: object, line: int, path: str, offset: int) -> Question:
    if not isinstance(entry, MarkedDict):
        raise ModuleError(path, line + offset, "a question is a mapping (id, text, options, answer, explanation)")
    qid = _text(entry, "id", path, offset)
    options = entry.get("options")
    if not isinstance(options, MarkedDict) or len(options) < 2 or not all(
            isinstance(v, str) and v.strip() for v in options.values()):
        raise ModuleError(path, entry.value_lines.get("options", entry.line) + offset,
                          f"{qid}: 'options' maps two or more option ids to their text")
    answer = _text(entry, "answer", path, offset)
    if answer not in options:
        raise ModuleError(path, entry.value_lines["answer"] + offset,
                          f"{qid}: the answer {answer!r} is not one of {', '.join(options)}")
    return Question(qid, _text(entry, "text", path, offset), tuple((k, v.strip()) for k, v in options.items()),
                    answer, _text(entry, "explanation", path, offset))


def parse_module(text: str, *, path: str = "<string>") -> Module:
    if not text.startswith("---\n"):
        raise ModuleError(path, 1, "a module starts with a YAML header between two '---' lines")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise ModuleError(path, None, "the YAML header has no closing '---' line")
    offset = 1  # the header's line 1 is the file's line 2
    try:
        data = load_marked(text[4:end + 1])
    except YamlSyntaxError as exc:
        raise ModuleError(path, exc.line + offset if exc.line else None, exc.reason) from None
    if not isinstance(data, MarkedDict):
        raise ModuleError(path, 2, "the header must be a mapping")
    mid = _text(data, "id", path, offset)
    if not _ID.match(mid):
        raise ModuleError(path, data.value_lines["id"] + offset, f"id {mid!r}: lower-case letters, digits, hyphens")
    sources = data.get("sources")
    if not isinstance(sources, MarkedList) or not sources or not all(isinstance(s, str) for s in sources):
        raise ModuleError(path, data.value_lines.get("sources", data.line) + offset,
                          "'sources' lists the public sources the module was written from")
    questions = data.get("questions")
    if not isinstance(questions, MarkedList) or not questions:
        raise ModuleError(path, data.value_lines.get("questions", data.line) + offset, "'questions' lists 1 or more")
    parsed = tuple(_question(q, line, path, offset) for q, line in zip(questions, questions.item_lines, strict=True))
    body = text[end + 5:].strip()
    if not body:
        raise ModuleError(path, None, "the module has no text after its header")
    return Module(mid, _text(data, "title", path, offset), _text(data, "owner", path, offset),
                  tuple(s.strip() for s in sources), parsed, body, hashlib.sha256(text.encode()).hexdigest(), path)


def load_modules(directory: str | Path) -> dict[str, Module]:
    root = Path(directory)
    found: dict[str, Module] = {}
    for file in sorted(root.glob("*.md")) if root.is_dir() else []:
        data = file.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise ModuleError(str(file), None, f"the file is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModuleError(str(file), data[: exc.start].count(b"\n") + 1, "the file is not UTF-8 text") from None
        module = parse_module(text, path=str(file))
        if module.id in found:
            raise ModuleError(str(file), 2, f"module id {module.id!r} is already used by {found[module.id].path}")
        found[module.id] = module
    return found
