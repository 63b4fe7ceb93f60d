"""The hub's Jinja environment: module folders by name, core templates for the rest."""

from __future__ import annotations

from pathlib import Path

from bmc_hub_core.templating import build_templates


def test_module_templates_by_prefix_including_folders_added_later(tmp_path: Path) -> None:
    folders: dict[str, Path] = {}
    templates = build_templates(folders)
    (tmp_path / "page.html").write_text("<p>{{ who }}</p>")
    folders["late"] = tmp_path  # a module loaded after the environment was built
    page = templates.env.get_template("late/page.html").render(who="<b>")
    assert page == "<p>&lt;b&gt;</p>"  # autoescaped
    assert "late/page.html" in templates.env.list_templates()
    assert templates.env.get_template("hub/layout.html") is not None
