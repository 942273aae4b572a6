"""The one circuit-breaker factory for the service's remote dependencies (Redis, a Qdrant server).

Both breakers are built the same way: `failures` outages in a row open the circuit for `reset_s`,
then one trial call decides; only what `is_outage` calls an outage is counted (a bad command or a
lock conflict is the caller's problem, not the dependency's); one log line per outage and one per
recovery, not one per failed request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from aiobreaker import CircuitBreaker, CircuitBreakerListener
from pydantic import Field

# The settings of a dependency's breaker (`failures`, `reset_s` below), as each dependency's
# settings group declares them.
BreakerFailures = Annotated[int, Field(ge=1, le=100)]
BreakerResetS = Annotated[float, Field(gt=0.0, le=300.0)]


def state_name(state: object) -> str:
    """closed | open | half_open, from a breaker's state (aiobreaker passes objects holding an enum)."""
    inner = getattr(state, "state", state)
    return str(getattr(inner, "name", inner)).lower()


class _LogTransitions(CircuitBreakerListener):  # type: ignore[misc]
    def __init__(self, log: logging.Logger, label: str) -> None:
        self.log, self.label = log, label

    def state_change(self, breaker: CircuitBreaker, old: object, new: object) -> None:
        before, after = state_name(old), state_name(new)
        if after == "open" and before == "closed":  # not each failed trial call (half-open → open)
            self.log.warning(
                "%s unavailable: circuit breaker open, trying again every %s",
                self.label,
                breaker.timeout_duration,
            )
        elif after == "closed" and before != "closed":  # not again for each concurrent trial call
            self.log.warning("%s is back: circuit breaker closed", self.label)


def dependency_breaker(
    name: str,
    label: str,
    *,
    failures: int,
    reset_s: float,
    is_outage: Callable[[Exception], bool],
    log: logging.Logger,
) -> CircuitBreaker:
    """A breaker named `name` (metrics) around the dependency `label` (log lines)."""
    return CircuitBreaker(
        fail_max=failures,
        timeout_duration=timedelta(seconds=reset_s),
        exclude=[lambda exc: not is_outage(exc)],
        listeners=[_LogTransitions(log, label)],
        name=name,
    )


class BreakerGuarded:
    """A dependency whose calls go through `_breaker` (one `dependency_breaker` made), as observers
    see it: the breaker (metrics listen to it), its state (/ready) and the Retry-After of a call
    refused while it is open (its reset time, at least a second)."""

    _breaker: CircuitBreaker

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    @property
    def breaker_state(self) -> str:
        """closed | open | half_open, for /ready and the metrics."""
        return state_name(self._breaker.current_state)

    @property
    def retry_after_s(self) -> int:
        reset_s: float = self._breaker.timeout_duration.total_seconds()
        return max(1, math.ceil(reset_s))
