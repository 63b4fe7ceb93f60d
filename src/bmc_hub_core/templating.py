"""The hub's Jinja environment: core templates plus each module's ``templates/`` folder.

Imported only when a page is first rendered, so CLI commands never load Jinja.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    select_autoescape,
)
from starlette.templating import Jinja2Templates  # fastapi.templating loads all of FastAPI

from .layout import HubTemplates


def core_templates_dir() -> Path:
    return Path(str(resources.files("bmc_hub_core") / "templates"))


class FolderLoaders(Mapping[str, BaseLoader]):
    """name → a loader for that module's folder; sees folders added later."""

    def __init__(self, folders: Mapping[str, Path]) -> None:
        self._folders = folders
        self._loaders: dict[str, BaseLoader] = {}

    def __getitem__(self, name: str) -> BaseLoader:
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = FileSystemLoader(str(self._folders[name]))
        return loader

    def __iter__(self) -> Iterator[str]:
        return iter(self._folders)

    def __len__(self) -> int:
        return len(self._folders)


def build_templates(module_folders: Mapping[str, Path]) -> Jinja2Templates:
    """Templates where ``"NAME/file.html"`` is module NAME's and the rest are the core's."""
    env = Environment(
        loader=ChoiceLoader(
            [
                PrefixLoader(FolderLoaders(module_folders)),
                FileSystemLoader(str(core_templates_dir())),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return HubTemplates(env=env)
