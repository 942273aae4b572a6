"""An importance reviewer backed by any OpenAI-compatible chat-completions endpoint (off by default).

The model is asked for a JSON verdict; anything else (HTTP errors, timeouts, prose, out-of-range
scores) counts as no answer, and the importance tiers fall back accordingly.
"""

from __future__ import annotations

import json

import httpx

from ..memtypes.ports import Review
from ..memtypes.types import MemoryType

_SYSTEM = (
    "You rate how important a memory is for an AI assistant to keep about its user and tasks. "
    'Answer with JSON only: {"importance": <number 0..1>, "important": <true|false>}. '
    "Important: decisions, preferences, commitments, dates, facts about people, explicit requests to "
    "remember. Unimportant: small talk, filler, things true only for a moment."
)


class ReviewerError(RuntimeError):
    pass


class OpenAICompatibleReviewer:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 5.0) -> None:
        self.name = f"llm:{model}"
        self._model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)

    async def review(self, memory_type: MemoryType, content: str) -> Review:
        body = {
            "model": self._model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _SYSTEM},
                {"role": "user", "content": f"Memory type: {memory_type.value}\nMemory: {content}"},
            ],
        }
        response = await self._client.post("/chat/completions", json=body)
        response.raise_for_status()
        try:
            text = response.json()["choices"][0]["message"]["content"]
            verdict = json.loads(text)
            score, important = float(verdict["importance"]), verdict["important"]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ReviewerError(f"unusable answer from {self.name}") from exc
        if not 0.0 <= score <= 1.0 or not isinstance(important, bool):
            raise ReviewerError(f"out-of-range answer from {self.name}")
        return Review(score, important)

    async def close(self) -> None:
        await self._client.aclose()
