"""The labels that introduce each invoice field, in Danish and English.

A label is a regular expression matched as whole words, case-insensitively, with a
weight: how sure a value right after it is. ``not_before``/``not_after`` reject a match
that is really part of another label ("moms" in "Total inkl. moms", "VAT" in "VAT no.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that mark the customer's data ("Kunde CVR", "Bill to"), not the vendor's.
CUSTOMER_WORDS = re.compile(
    r"(?:kunde|customer|køber|buyer|client|debitor|modtager|bill(?:ed)?\s+to)", re.IGNORECASE
)


@dataclass(frozen=True)
class Label:
    pattern: re.Pattern[str]
    weight: float
    #: Text before the label, in its cell, that means it is another label ("Total inkl. moms").
    not_before: re.Pattern[str] | None
    #: Text right after the label that means it is another label ("VAT no.").
    not_after: re.Pattern[str] | None
    #: May the value be in the next cell, under the label or on the next line?
    look_around: bool


def label(
    regex: str,
    weight: float,
    *,
    not_before: str | None = None,
    not_after: str | None = None,
    look_around: bool = True,
) -> Label:
    """A label matched as whole words, case-insensitively."""
    return Label(
        re.compile(rf"(?<![^\W_]){regex}(?![^\W_])", re.IGNORECASE),
        weight,
        re.compile(not_before, re.IGNORECASE) if not_before else None,
        re.compile(not_after, re.IGNORECASE) if not_after else None,
        look_around,
    )


# --- labels --------------------------------------------------------------------------

INVOICE_NUMBER = (
    label(r"faktura[\s-]*(?:nr|no|nummer)\.?", 0.95),
    label(r"invoice[\s-]*(?:no|nr|number|num)\.?|invoice\s*#", 0.95),
    label(r"kreditnota[\s-]*(?:nr|nummer)\.?|credit\s+note\s+(?:no|number)\.?", 0.9),
    # A bare "Faktura 2026-001": only with the number right after it.
    label(r"faktura|invoice", 0.7, look_around=False),
)
INVOICE_DATE = (
    label(
        r"faktura[\s-]*dato|invoice[\s-]*date|udstedelsesdato|issue[d]?\s+date"
        r"|date\s+of\s+issue",
        0.95,
    ),
    label(
        r"dato|date",
        0.75,
        not_before=r"(?:due|payment|delivery|order|forfalds?|leverings|ordre|betalings)[\s-]*$",
    ),
)
DUE_DATE = (
    label(
        r"forfalds?[\s-]*dato|forfald(?:en|er)?|betalingsfrist"
        r"|sidste\s+(?:rettidige\s+)?betalingsdag|betales\s+senest",
        0.95,
    ),
    label(r"due\s+date|payment\s+due(?:\s+date)?|date\s+due|pay\s+by", 0.95),
    label(r"due", 0.8, not_before=r"(?:amount|total|balance)\s*$"),
)
TOTAL = (
    label(
        r"at\s+betale|til\s+betaling|amount\s+due|total\s+due|balance\s+due|total\s+to\s+pay",
        0.95,
    ),
    label(r"(?:total|i\s+alt)\s+(?:inkl|incl|including)\.?\s*(?:moms|vat)", 0.95),
    label(
        r"i\s+alt|total(?:beløb)?|beløb\s+i\s+alt|grand\s+total|total\s+amount",
        0.9,
        # "Moms i alt", "Sub-total"; "Total ekskl. moms", "I alt (netto)"
        not_before=r"(?:moms|vat|tax|sub)[\s-]*$",
        not_after=r"^\s*\(?\s*(?:ekskl|excl|eks|ex|uden|før|before|excluding|netto|net)(?![^\W_])",
    ),
)
VAT = (
    label(
        r"heraf\s+(?:moms|vat)|moms\s+udgør|momsbeløb|vat\s+amount|total\s+vat|moms\s+i\s+alt",
        0.95,
    ),
    label(
        r"moms|vat",
        0.9,
        # "Total inkl. moms", "Beløb ekskl. moms"; "VAT no.", "Moms-nr."
        not_before=r"(?:inkl|incl|including|ekskl|excl|eks|ex|excluding|uden|før|before|plus)"
        r"\.?\s*$",
        not_after=r"^\s*[-.]?\s*(?:nr|no|number|nummer|reg|registration|id)(?![^\W_])",
    ),
)
CVR = (
    label(r"cvr(?:[\s.-]*(?:nr|no|nummer))?\.?", 0.95, not_before=CUSTOMER_WORDS.pattern),
    # A Danish VAT number is "DK" + the CVR number.
    label(
        r"(?:vat|moms)[\s.-]*(?:reg(?:istration)?\.?[\s-]*)?(?:no|nr|number|nummer|id)\.?"
        r"|momsregistreringsnummer",
        0.85,
        not_before=CUSTOMER_WORDS.pattern,
    ),
)
CURRENCY = (label(r"valuta|currency", 0.95),)
VENDOR = (
    label(r"leverandør|sælger|afsender|vendor|supplier|seller|from|fra", 0.75, not_before=r"\S"),
)
