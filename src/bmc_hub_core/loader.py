"""Turn discovered candidates into records: plan (metadata only), then import allowed ones."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import types
from graphlib import CycleError, TopologicalSorter
from importlib import resources
from pathlib import Path

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from . import hookspecs
from .discovery import Candidate, core_requirement_problem, module_dependencies
from .errors import HookReturnError, ModuleNameError
from .names import overlapping, validate_name
from .registry import ModuleRecord, Registry
from .settings import Settings
from .types import ErrorInfo, ModuleState, Stage

log = logging.getLogger(__name__)

_FORBIDDEN_IMPL_OPTIONS = ("wrapper", "hookwrapper", "tryfirst", "trylast")


def plan(
    settings: Settings, candidates: dict[str, list[Candidate]], installed_core: str
) -> Registry:
    """Build records from metadata alone: no module code runs here."""
    registry = Registry()
    if settings.allow_all:
        log.warning("BMC_HUB_MODULES=* allows every installed module; use it in development only")
    for name, found in candidates.items():
        record = registry.add(ModuleRecord(name, ModuleState.DISCOVERED, candidate=found[0]))
        if len(found) > 1:
            dists = " and ".join(f"{c.distribution} {c.version}" for c in found)
            record.fail(
                Stage.DISCOVER,
                f"duplicate: entry point '{name}' is declared by {dists}; neither is loaded. "
                "Uninstall one of them (pip uninstall ...)",
            )
            continue
        try:
            validate_name(name)
        except ModuleNameError as exc:
            record.fail(Stage.DISCOVER, exc, log_it=False)
            log.error("distribution %s: %s", found[0].distribution, exc)
            continue
        if not settings.is_allowed(name):
            record.state = ModuleState.NOT_ALLOWED
            continue
        problem = core_requirement_problem(found[0], installed_core)
        if problem:
            record.mark_incompatible(problem)
    for name in settings.allowed_names:
        if name != "*" and name not in registry:
            missing = registry.add(ModuleRecord(name, ModuleState.MISSING))
            missing.error = ErrorInfo(
                str(Stage.DISCOVER),
                "Missing",
                "in BMC_HUB_MODULES but not installed; pip install its distribution "
                "or remove it from the list",
            )
            log.warning(
                "module '%s' is in BMC_HUB_MODULES but not installed; pip install its "
                "distribution or remove it from the list",
                name,
            )
    _refuse_prefix_overlaps(registry)
    _order_by_dependencies(registry)
    return registry


def _allowed_discovered(registry: Registry) -> list[ModuleRecord]:
    return [r for r in registry if r.state is ModuleState.DISCOVERED]


def _refuse_prefix_overlaps(registry: Registry) -> None:
    allowed = {r.name for r in registry if r.candidate and r.state is not ModuleState.NOT_ALLOWED}
    for record in _allowed_discovered(registry):
        other = overlapping(record.name, allowed)
        if other:
            record.fail(
                Stage.DISCOVER,
                f"name overlaps module '{other}': tables '{record.name}_*' would fall under "
                f"the prefix '{other}_'; rename one of them or allow only one",
            )


def _order_by_dependencies(registry: Registry) -> None:
    records = {r.name: r for r in registry if r.candidate is not None}
    dist_to_module = {
        r.candidate.canonical_distribution: r.name for r in records.values() if r.candidate
    }
    graph: dict[str, set[str]] = {}
    for record in _allowed_discovered(registry):
        assert record.candidate is not None
        record.dependencies = tuple(module_dependencies(record.candidate, dist_to_module))
        graph[record.name] = set(record.dependencies)
    order: list[str] = []
    while True:
        try:
            order = list(TopologicalSorter(graph).static_order())
            break
        except CycleError as exc:
            cycle: list[str] = list(dict.fromkeys(exc.args[1]))
            shown = " -> ".join([*cycle, cycle[0]])
            for name in cycle:
                records[name].fail(Stage.DEPENDENCY, f"dependency cycle: {shown}")
                graph.pop(name, None)
            for deps in graph.values():
                deps.difference_update(cycle)
    registry.reorder([n for n in order if n in records])


def _entry_package(plugin: object) -> str | None:
    module_name = (
        plugin.__name__ if isinstance(plugin, types.ModuleType) else type(plugin).__module__
    )
    return module_name.split(".")[0] if module_name else None


def template_folder(plugin: object) -> Path | None:
    """The ``templates/`` folder of the module's top-level package, if it has one."""
    package = _entry_package(plugin)
    if not package:
        return None
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):  # e.g. ``__main__`` or a module without a spec
        return None
    if spec is None or not spec.submodule_search_locations:
        return None  # a plain module, not a package: it has no templates folder
    folder = resources.files(package) / "templates"
    if not folder.is_dir():
        return None
    return Path(str(folder))


def check_hub_api(plugin: object) -> str | None:
    """Why the entry object's optional ``hub_api`` range rejects this core, if it does."""
    declared = getattr(plugin, "hub_api", None)
    if declared is None:
        return None
    try:
        spec = SpecifierSet(str(declared)) if not isinstance(declared, int) else None
    except InvalidSpecifier:
        return f"hub_api = {declared!r} is not a version range like '>=1,<2'"
    ok = (
        declared == hookspecs.HUB_API_VERSION
        if spec is None
        else spec.contains(str(hookspecs.HUB_API_VERSION))
    )
    if ok:
        return None
    return (
        f"module needs hub API {declared}, this core provides hub API "
        f"{hookspecs.HUB_API_VERSION}; install a matching module or core version"
    )


def import_module(record: ModuleRecord, pm: pluggy.PluginManager) -> bool:
    """Import the module's entry object and register its hooks; False when it failed."""
    assert record.candidate is not None
    try:
        plugin = record.candidate.entry_point.load()
    # Module code is isolated exactly here: an import may raise anything, even SystemExit.
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        record.fail(Stage.IMPORT, exc)
        return False
    if inspect.isclass(plugin):
        record.fail(
            Stage.IMPORT,
            f"entry point {record.candidate.value!r} is a class; point it at a module or an "
            "instance holding @hookimpl functions",
        )
        return False
    problem = check_hub_api(plugin)
    if problem:
        record.mark_incompatible(problem)
        return False
    try:
        pm.register(plugin, name=record.name)
        validate_impls(pm, plugin, record.name)
    except Exception as exc:  # noqa: BLE001 - pluggy raises ValueError or PluginValidationError
        if pm.get_plugin(record.name) is not None:
            pm.unregister(name=record.name)
        record.fail(Stage.IMPORT, exc)
        return False
    record.plugin = plugin
    return True


def validate_impls(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    for caller in pm.get_hookcallers(plugin) or []:
        if not caller.has_spec():
            known = ", ".join(hookspecs.HOOK_NAMES)
            raise HookReturnError(
                f"unknown hook {caller.name!r} (known hooks: {known}); fix the function name"
            )
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            used = [opt for opt in _FORBIDDEN_IMPL_OPTIONS if impl.opts.get(opt)]
            if used:
                raise HookReturnError(
                    f"hook {caller.name} uses {', '.join(used)}, which modules may not use "
                    "(they would see or reorder other modules' calls); remove it"
                )
