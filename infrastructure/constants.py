"""Names and settings more than one construct uses."""

from __future__ import annotations

# Keys in the knowledge bucket: the brands' files, the built search index, the quality rule files.
KNOWLEDGE_PREFIX = "knowledge/"
INDEX_PREFIX = "index/"
QUALITY_RULES_PREFIX = "config/quality/"

EXPERIMENTS_REFRESH_SECONDS = "60"  # how long routing and tickets cache a brand's running experiment
TAKEOVER_WORKFLOW = "takeover"  # the state machine's name, which the escalation function also grants itself by
