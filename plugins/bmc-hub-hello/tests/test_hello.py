"""The hello module, tested through the installed entry point with bmc_hub_core.testing."""

from __future__ import annotations


def test_module_is_discovered_and_enabled(hub_admin_client):
    client = hub_admin_client(installed=["hello"])
    health = client.get("/api/v1/health").json()
    assert health["modules"]["hello"] == "ok"


def test_greets_with_the_configured_greeting(hub_client):
    client = hub_client(installed=["hello"], env={"MODULES__HELLO__GREETING": "Hej"})
    assert client.get("/api/v1/hello/greetings", params={"name": "Ada"}).json() == {
        "message": "Hej, Ada"
    }


def test_bad_input_is_422(hub_client):
    client = hub_client(installed=["hello"])
    assert client.get("/api/v1/hello/greetings", params={"name": ""}).status_code == 422


def test_page_renders_in_the_core_layout(hub_client):
    client = hub_client(installed=["hello"])
    page = client.get("/hello/")
    assert page.status_code == 200
    assert "Hello, world" in page.text
    assert "/static/hub/hub.css" in page.text


def test_too_long_greeting_fails_only_this_module(hub_client):
    client = hub_client(installed=["hello"], env={"MODULES__HELLO__GREETING": "x" * 41})
    answer = client.get("/api/v1/hello/")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "module 'hello' is unavailable: settings"}
    assert client.get("/api/v1/health").json()["modules"]["hello"] == "unavailable"


def test_the_navigation_bar_has_an_entry_for_the_page(hub_client):
    client = hub_client(installed=["hello"])
    page = client.get("/hello/")
    assert '<a href="/hello/" data-module="hello" aria-current="page">Hello</a>' in page.text
    assert 'href="/hello/">Hello</a>' in client.get("/").text


def test_a_name_with_a_nul_character_is_refused_before_the_database(hub_client):
    client = hub_client(installed=["hello"], env={"MODULES__HELLO__READ_ONLY": "false"})
    answer = client.post("/api/v1/hello/greetings", json={"name": "A\x00B"})
    assert answer.status_code == 422
