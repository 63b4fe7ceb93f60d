"""What the module shows on a customer's page in the hub (``customer_panel``)."""

from __future__ import annotations

from urllib.parse import quote

from bmc_hub_core import CustomerInfo, CustomerPanel, ModuleContext

from .lookup import cached

TITLE = "CVR register"


def address_line(address: str | None, zipcode: str | None, city: str | None) -> str:
    """``Strandvejen 1, 2900 Hellerup``; the parts the registry gave."""
    town = " ".join(part for part in (zipcode, city) if part)
    return ", ".join(part for part in (address, town) if part) or "—"


def customer_panel(module: ModuleContext, customer: CustomerInfo) -> CustomerPanel | None:
    """The cached company of the customer's CVR number; a "not looked up yet" row with a
    link to the lookup form when it is not cached; nothing for a customer without CVR."""
    if not customer.cvr:
        return None
    company = cached(module, customer.cvr)
    if company is None:
        return CustomerPanel(
            title=TITLE,
            rows=[("CVR", customer.cvr), ("Company", "not looked up yet")],
            link=f"/?cvr={quote(customer.cvr)}",
            link_text="Look up",
        )
    return CustomerPanel(
        title=TITLE,
        rows=[
            ("CVR", company.cvr),
            ("Name", company.name),
            ("Address", address_line(company.address, company.zipcode, company.city)),
            ("Status", company.status),
            ("Fetched", company.fetched_at.strftime("%Y-%m-%d %H:%M UTC")),
        ],
        link=f"/companies/{company.cvr}",
        link_text="Open",
    )
