"""Find installed modules from entry-point METADATA only: nothing is imported here."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import importlib_metadata as md
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

GROUP = "bmc_hub.modules"
CORE_DISTRIBUTION = "bmc-hub-core"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """One ``bmc_hub.modules`` entry point, as its distribution's metadata declares it."""

    name: str
    value: str
    distribution: str
    version: str
    requires: tuple[str, ...]
    entry_point: md.EntryPoint
    #: The distribution's one-line ``Summary`` (its pyproject ``description``), if any.
    summary: str | None = None

    @property
    def canonical_distribution(self) -> str:
        return canonicalize_name(self.distribution)

    def requirements(self) -> list[Requirement]:
        """Parsed ``Requires-Dist`` lines that apply here (markers evaluated, no extras)."""
        parsed = []
        for line in self.requires:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                log.warning("module %s: ignoring unparsable requirement %r", self.name, line)
                continue
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                parsed.append(req)
        return parsed

    def editable_source(self) -> Path | None:
        """The source folder of an editable install (PEP 610 ``direct_url.json``)."""
        dist = self.entry_point.dist
        raw = dist.read_text("direct_url.json") if dist is not None else None
        if not raw:
            return None
        try:
            info = json.loads(raw)
        except ValueError:
            return None
        url = info.get("url", "")
        if info.get("dir_info", {}).get("editable") and url.startswith("file://"):
            return Path(url[len("file://") :])
        return None


def scan(group: str = GROUP) -> dict[str, list[Candidate]]:
    """Every entry point of ``group`` grouped by name (a name with two providers is a
    conflict). Distributions installed twice under the same name count once."""
    found: dict[str, list[Candidate]] = defaultdict(list)
    for ep in md.entry_points(group=group):
        dist = ep.dist
        if dist is None:
            found[ep.name].append(Candidate(ep.name, ep.value, "<unknown>", "0", (), ep))
            continue
        # ``dist.version`` and ``dist.requires`` would each parse METADATA again.
        meta = dist.metadata
        requires = meta.get_all("Requires-Dist") or dist.requires or ()
        summary = (meta.get("Summary") or "").strip() or None
        found[ep.name].append(
            Candidate(
                ep.name, ep.value, meta["Name"], meta["Version"], tuple(requires), ep, summary
            )
        )
    return dict(sorted(found.items()))


def core_version() -> str:
    try:
        return md.version(CORE_DISTRIBUTION)
    except md.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def core_requirement_problem(candidate: Candidate, installed_core: str) -> str | None:
    """Why ``candidate``'s ``Requires-Dist`` on the core rejects the installed core."""
    for req in candidate.requirements():
        if canonicalize_name(req.name) != CORE_DISTRIBUTION:
            continue
        if req.specifier and not req.specifier.contains(installed_core, prereleases=True):
            return (
                f"{candidate.distribution} {candidate.version} requires "
                f"{CORE_DISTRIBUTION}{req.specifier}, but {installed_core} is installed; "
                f"install a compatible version of either"
            )
    return None


def module_dependencies(candidate: Candidate, dist_to_module: dict[str, str]) -> list[str]:
    """Modules whose distributions ``candidate``'s distribution requires."""
    deps = []
    for req in candidate.requirements():
        other = dist_to_module.get(canonicalize_name(req.name))
        if other is not None and other != candidate.name:
            deps.append(other)
    return sorted(set(deps))
