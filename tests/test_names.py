from __future__ import annotations

import pytest

from bmc_hub_core.errors import ModuleNameError
from bmc_hub_core.names import RESERVED_NAMES, distribution_name, overlapping, validate_name


@pytest.mark.parametrize("name", ["abc", "invoice_ocr", "crm2", "a" * 32, "x1_y2"])
def test_valid_names_pass(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("ab", "3-32 characters"),
        ("a" * 33, "3-32 characters"),
        ("Bad-Name", "invalid"),
        ("1abc", "invalid"),
        ("abc_", "not ending with '_'"),
        ("in__voice", "'__' is the settings separator"),
        ("hub_extra", "reserved"),
    ],
)
def test_invalid_names_explain_the_rule(name: str, fragment: str) -> None:
    with pytest.raises(ModuleNameError, match=repr(name)) as info:
        validate_name(name)
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", sorted(RESERVED_NAMES))
def test_every_reserved_word_is_refused_with_a_suggestion(name: str) -> None:
    with pytest.raises(ModuleNameError, match="reserved by the core") as info:
        validate_name(name)
    assert f"my_{name}" in str(info.value)


def test_overlap_finds_the_shorter_prefix_owner() -> None:
    assert overlapping("crm_extra", {"crm", "crm_extra", "billing"}) == "crm"
    assert overlapping("crm", {"crm", "crm_extra"}) is None
    assert overlapping("crmx", {"crm"}) is None


def test_distribution_name_uses_dashes() -> None:
    assert distribution_name("invoice_ocr") == "bmc-hub-invoice-ocr"
