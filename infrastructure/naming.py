"""Physical names of every resource, shared by the stack and the local stack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Naming:
    stage: str

    @property
    def prefix(self) -> str:
        return f"livedesk-{self.stage}"

    def __call__(self, name: str) -> str:
        return f"{self.prefix}-{name}"
