"""The base of LiveDesk's pydantic models: schemas are built when a model is first used, not at import.

A function imports many models it never validates on a given route; deferring their build keeps
its cold start short (``bench/cold_imports.py``).
"""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
