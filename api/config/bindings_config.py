"""Reading an `MNEMO_CONFIG` file (memory resources and agent bindings), with errors by line.

The YAML is composed into nodes first: they carry line numbers, so every problem (YAML syntax, a
repeated key, a schema violation, a reference to an undefined resource) is reported as
`file:line: field: message`, one per line, and the service refuses to start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ...backends.tokenizer import TokenizerUnavailable, model_counter
from ...memtypes.agents.bindings import BindingsConfig
from ...memtypes.agents.resolution import Bindings
from ...memtypes.models import HuggingFaceTokenizer

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    line: int | None  # 1-based
    field: str
    message: str


class BindingsConfigError(Exception):
    """The config file is unreadable or invalid: `str()` lists each problem as `file:line: field: message`."""

    def __init__(self, path: Path, problems: list[ConfigProblem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"invalid MNEMO_CONFIG file {self.path}:"]
        for p in self.problems:
            where = f"{self.path}:{p.line}" if p.line is not None else str(self.path)
            lines.append(f"  {where}: {p.field + ': ' if p.field else ''}{p.message}")
        return "\n".join(lines)


def field_path(loc: Loc) -> str:
    """`("agents", 1, "memories", 0, "mode")` → `agents[1].memories[0].mode`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(root: yaml.Node, loc: Loc) -> int:
    """The line of the deepest node `loc` reaches (the key's line for a mapping entry)."""
    node, line = root, int(root.start_mark.line) + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if entry is None:
                continue  # a missing field, or pydantic's own step (e.g. `[key]`): stay at the parent
            line, node = int(entry[0].start_mark.line) + 1, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
    return line


def _repeated_keys(node: yaml.Node, loc: Loc = ()) -> list[ConfigProblem]:
    """PyYAML lets a repeated mapping key silently replace the first; here it is an error."""
    out: list[ConfigProblem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                out.append(ConfigProblem(key.start_mark.line + 1, field_path((*loc, name)), "repeated key"))
            seen.add(name)
            out += _repeated_keys(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _repeated_keys(item, (*loc, i))
    return out


def parse_bindings(text: str, path: Path) -> Bindings:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BindingsConfigError(
            path, [ConfigProblem(mark.line + 1 if mark else None, "", f"not valid YAML: {exc.problem}")]
        ) from None
    finally:
        loader.dispose()
    if root is None or not isinstance(data, dict):
        raise BindingsConfigError(
            path, [ConfigProblem(1, "", "expected a mapping with `resources`, `agents` and/or `tenants`")]
        )
    if problems := _repeated_keys(root):
        raise BindingsConfigError(path, problems)
    try:
        config = BindingsConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            ConfigProblem(
                _line_of(root, tuple(e["loc"])),
                field_path(tuple(e["loc"])),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors(include_url=False)
        ]
        raise BindingsConfigError(path, sorted(problems, key=lambda p: p.line or 0)) from None
    if found := config.problems():
        raise BindingsConfigError(
            path, [ConfigProblem(_line_of(root, loc), field_path(loc), m) for loc, m in found]
        )
    return Bindings(_with_tokenizer_files(config, root, path), source=str(path))


def _with_tokenizer_files(config: BindingsConfig, root: yaml.Node, path: Path) -> BindingsConfig:
    """Registered models' tokenizer.json files resolved (relative: to the config file) and loaded
    once here, so that a missing or broken file stops the start, naming its line."""
    problems, models = [], []
    for i, model in enumerate(config.models):
        if isinstance(model.tokenizer, HuggingFaceTokenizer):
            file = Path(model.tokenizer.huggingface).expanduser()
            tokenizer = HuggingFaceTokenizer(
                huggingface=str(file if file.is_absolute() else path.parent / file)
            )
            model = model.model_copy(update={"tokenizer": tokenizer})
            try:
                model_counter(model)
            except TokenizerUnavailable as exc:
                loc = ("models", i, "tokenizer", "huggingface")
                problems.append(ConfigProblem(_line_of(root, loc), field_path(loc), str(exc)))
        models.append(model)
    if problems:
        raise BindingsConfigError(path, problems)
    return config.model_copy(update={"models": models})


def load_bindings(path: Path | None) -> Bindings:
    """The bindings of the file at `path`; no file configured = no agents (explicit scopes only)."""
    if path is None:
        return Bindings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BindingsConfigError(path, [ConfigProblem(None, "", f"cannot read it: {reason}")]) from None
    return parse_bindings(text, path)
