"""Models registered by MNEMO_CONFIG: the budget contract holds as *their* tokenizer counts.

The tokenizer.json files are trained here, by the `tokenizers` library's own trainers: one
byte-level BPE (every string encodable) and one WordPiece behind a BERT normalizer (lower-casing,
accent stripping, `[UNK]`), whose counts of a concatenation need not add up line by line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from mnemo.api.config.bindings_config import BindingsConfigError, parse_bindings
from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.memtypes.errors import UnknownModel
from mnemo.memtypes.models import MODEL_REGISTRY, RegisteredModel, model_specs
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import POLICIES
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.stages.pack import LinePrices
from mnemo.retrieval.stages.plan import ReadPlan
from mnemo.retrieval.stages.respond import assemble
from mnemo.retrieval.stages.search import Found
from tests.unit.test_budget_contract import NOW, hits, working_items

CORPUS = [
    "The staging database runs on PostgreSQL 16; deploys go out every second Thursday.",
    "Alice prefers green tea. Bob's café serves crème brûlée and naïve pastries.",
    "## Semantic memory\n- item one\n- item two\n(2026-01-01) user: hello there",
    "Zürich, Köln, 東京, Москва — 🎉 emoji and symbols: ¶ § © ® ™ ± × ÷",
] * 20


def train_byte_level_bpe(path: Path) -> Path:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(CORPUS, trainer)
    tokenizer.save(str(path))
    return path


def train_normalizing_wordpiece(path: Path) -> Path:
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=300, special_tokens=["[UNK]"])
    tokenizer.train_from_iterator(CORPUS, trainer)
    tokenizer.save(str(path))
    return path


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Retriever, Tokenizer | None]]:
    root = tmp_path_factory.mktemp("tokenizers")
    files = {
        "tiny-bpe": train_byte_level_bpe(root / "bpe.json"),
        "tiny-wordpiece": train_normalizing_wordpiece(root / "wordpiece.json"),
    }
    entries = [
        RegisteredModel.model_validate(
            {"name": name, "context_window": 4000, "tokenizer": {"huggingface": str(path)}}
        )
        for name, path in files.items()
    ]
    entries.append(
        RegisteredModel.model_validate(
            {"name": "secret-model", "context_window": 4000, "tokenizer": {"estimate": {"margin": 0.2}}}
        )
    )
    tokenizers = TokenizerRegistry(models=entries)
    retriever = Retriever(
        index=None,  # type: ignore[arg-type]
        embedder=None,  # type: ignore[arg-type]
        tokenizers=tokenizers,
        config=RetrievalConfig(),
        models={**MODEL_REGISTRY, **model_specs(entries)},
    )
    # Each model's tokenizer loaded on its own, independently of mnemo's counter, to check against.
    independent = {name: Tokenizer.from_file(str(path)) for name, path in files.items()}
    return {m.name: (retriever, independent.get(m.name)) for m in entries}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    found=hits(),
    working=working_items(),
    working_budget=st.integers(0, 300),
    context_window=st.integers(4, 20_000),
    model=st.sampled_from(["tiny-bpe", "tiny-wordpiece", "secret-model"]),
)
def test_registered_model_budget_never_exceeded_as_its_tokenizer_counts(
    registered, found, working, working_budget, context_window, model
) -> None:
    retriever, tokenizer = registered[model]
    retriever.models = {
        **retriever.models,
        model: dataclasses.replace(retriever.models[model], context_window=context_window),
    }
    request = RetrieveRequest(query="q", model=model, min_confidence=0)  # every memory packed or trimmed
    resolved = retriever.resolve(request)
    assert resolved.encoding.endswith(f":{model}")
    budget = resolved.budget
    assert budget == max(1, int(context_window * RetrievalConfig().model_budget_share))
    resolved = dataclasses.replace(resolved, working_budget=working_budget)
    policies = {t: RankingPolicy(POLICIES[t], NOW.timestamp()) for t in resolved.types}
    plan = ReadPlan(request, resolved, policies)
    found_now = Found(found, working=working if working_budget else [])
    response = assemble(plan, found_now, LinePrices(retriever.tokenizers, resolved.encoding))

    counted = retriever.tokenizers.get(resolved.encoding).count(response.context)
    assert counted <= budget + working_budget
    assert response.metadata.total_tokens == counted
    assert response.metadata.encoding == resolved.encoding
    if tokenizer is not None:  # exact: the model's own tokenizer agrees
        assert len(tokenizer.encode(response.context, add_special_tokens=False).ids) == counted
        assert response.metadata.exact is True
    else:
        assert response.metadata.exact is False
    offered = sum(len(v) for v in found.values()) + (len(working) if working_budget else 0)
    assert len(response.memories) + response.metadata.trimmed_count == offered
    for memory in response.memories:
        assert memory.content in response.context


def test_unknown_model_is_refused_naming_it(registered) -> None:
    retriever, _ = registered["tiny-bpe"]
    with pytest.raises(UnknownModel) as refused:
        retriever.resolve(RetrieveRequest(query="q", model="llama-9-400b"))
    assert "llama-9-400b" in str(refused.value)
    assert "tiny-bpe" in refused.value.problems[0].message  # the registered ones are listed as known


def test_config_resolves_tokenizer_files_relative_to_itself(tmp_path: Path) -> None:
    train_byte_level_bpe(tmp_path / "tok.json")
    config = tmp_path / "mnemo.yaml"
    text = "models:\n  - name: tiny\n    context_window: 8192\n    tokenizer: {huggingface: tok.json}\n"
    bindings = parse_bindings(text, config)
    (model,) = bindings.models
    assert model.tokenizer.huggingface == str(tmp_path / "tok.json")  # type: ignore[union-attr]
    assert model.spec().exact and model.spec().encoding == "huggingface:tiny"


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("{name: tiny, context_window: 8192, tokenizer: {huggingface: missing.json}}", 3, "cannot load"),
        ("{name: gpt-4o, context_window: 8192, tokenizer: {tiktoken: o200k_base}}", 3, "already defined"),
        ("{name: tiny, context_window: 8192, tokenizer: {sentencepiece: x.model}}", 3, "tokenizer"),
    ],
)
def test_bad_model_entries_stop_the_start_naming_the_line(
    tmp_path: Path, entry: str, line: int, message: str
) -> None:
    text = f"version: 1\nmodels:\n  - {entry}\n"
    with pytest.raises(BindingsConfigError) as refused:
        parse_bindings(text, tmp_path / "mnemo.yaml")
    rendered = str(refused.value)
    assert f"mnemo.yaml:{line}:" in rendered and message in rendered
