"""Requires a core older than any installed one: incompatible before import."""

raise RuntimeError("an incompatible module must never be imported")
