"""sqladmin on a module's view router: DRY_RUN honoured, two modules side by side."""

from __future__ import annotations

from typing import Any

import pytest

from bmc_hub_core.testing import module_env

from . import sqladmin_module
from .conftest import Database, LoadAgain

CSS = "statics/css/main.css"


@pytest.fixture
def serve(hub_client: Any, hub_admin_client: Any, load_again: LoadAgain) -> Any:
    """``serve(alpha={...settings}, beta={...})``: a client of a hub serving the recipe as
    each module named, with those settings (``admin=True``: sending the admin token)."""

    def build(*, admin: bool = False, **modules: dict[str, object]) -> Any:
        env = {
            k: v for name, values in modules.items() for k, v in module_env(name, **values).items()
        }
        loaded = {name: load_again(sqladmin_module, name) for name in modules}
        return (hub_admin_client if admin else hub_client)(modules=loaded, env=env)

    return build


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "live"])
def test_creating_and_editing_through_the_forms_honours_dry_run(
    serve: Any, database: Database, dry_run: bool
) -> None:
    client = serve(alpha={"read_only": False, "dry_run": dry_run})
    database.execute("INSERT INTO alpha_notes (title) VALUES ('first')")

    created = client.post("/alpha/admin/note/create", data={"title": "second", "save": "Save"})
    edited = client.post("/alpha/admin/note/edit/1", data={"title": "renamed", "save": "Save"})

    for answer in (created, edited):
        # sqladmin redirects to its list page after a save; the list is served too.
        assert answer.status_code == 200
        assert answer.url.path == "/alpha/admin/note/list"
        assert answer.headers.get("x-bmc-dry-run") == ("true" if dry_run else None)
    kept = database.rows("SELECT id, title FROM alpha_notes ORDER BY id")
    assert kept == ([(1, "first")] if dry_run else [(1, "renamed"), (2, "second")])


def test_the_default_switches_refuse_the_forms_before_sqladmin_runs(
    serve: Any, database: Database
) -> None:
    client = serve(alpha={})
    answer = client.post("/alpha/admin/note/create", data={"title": "x", "save": "Save"})
    assert answer.status_code == 403
    assert answer.json() == {"detail": "module 'alpha' is read-only"}
    assert database.rows("SELECT count(*) FROM alpha_notes") == [(0,)]


def test_two_modules_each_link_to_their_own_static_files(serve: Any) -> None:
    client = serve(admin=True, alpha={}, beta={})

    for name, other in (("alpha", "beta"), ("beta", "alpha")):
        page = client.get(f"/{name}/admin/note/list")
        assert page.status_code == 200
        assert f'href="http://testserver/{name}/admin/{CSS}"' in page.text
        assert f"/{other}/" not in page.text
        css = client.get(f"/{name}/admin/{CSS}")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_disabling_one_module_leaves_the_others_pages_and_css_alone(
    serve: Any,
) -> None:
    client = serve(admin=True, alpha={}, beta={})
    assert client.post("/api/v1/modules/alpha/disable").status_code == 200

    for path in ("/alpha/admin/note/list", f"/alpha/admin/{CSS}"):
        assert client.get(path).status_code == 404
    page = client.get("/beta/admin/note/list")
    assert page.status_code == 200 and f"/beta/admin/{CSS}" in page.text
    assert client.get(f"/beta/admin/{CSS}").status_code == 200

    assert client.post("/api/v1/modules/alpha/enable").status_code == 200
    assert client.get(f"/alpha/admin/{CSS}").status_code == 200


def test_the_admin_ui_can_take_the_modules_whole_prefix(serve: Any, database: Database) -> None:
    client = serve(beta={"admin_at": "/", "read_only": False, "dry_run": False})

    index = client.get("/beta")
    assert index.status_code == 200 and index.url.path == "/beta/"
    assert f'href="http://testserver/beta/{CSS}"' in index.text
    assert client.get(f"/beta/{CSS}").status_code == 200
    saved = client.post("/beta/note/create", data={"title": "at the root", "save": "Save"})
    assert saved.url.path == "/beta/note/list" and "at the root" in saved.text
    assert database.rows("SELECT title FROM beta_notes") == [("at the root",)]
