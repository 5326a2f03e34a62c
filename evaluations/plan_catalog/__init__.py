"""Plan-of-care catalog: the interventions a therapist can plan, their parameters, and a
validator for one planned item as an HTML form posts it.

Pure Python: no Django, no database. The catalog is versioned (`CATALOG_VERSION`); store the
version with every saved plan so an old plan can be read against the catalog that made it.

Content is a product default (`CATALOG_STATUS`), not yet approved by a clinician. The CPG links
(`CpgLink`) copy clinical.md §1.5 (JOSPT 2021 low back pain CPG, George et al.) and only where
that table gives text, with its verification marker (✅/◐/⚠). Grade letters are read off the
verb with the spec's secondary mapping (A = "should", B = "may", C = "can", ◐ [S17]); where the
spec gives no verb, verb and grade are left empty. Per §1.5 "Action", a clinician must
transcribe the CPG2 summary table into a versioned `cpg_recommendation` fixture and approve it;
these links are placeholders until then.

The package, by what each part is about:

- `schema`: what a catalog entry is (`Intervention`, its `Param`s and their `Kind`, `CpgLink`);
- `entries`: the catalog itself, as data, with `CATALOG_VERSION` and the CPG links;
- `validation`: `validate_item`, one planned item's parameters cleaned as a form posts them;
- `describe`: `describe_item`, one planned item in one line for the plan and the PDF.

Import from `evaluations.plan_catalog`: the names below are its public API.
"""

from evaluations.plan_catalog.describe import describe_item, item_parts
from evaluations.plan_catalog.entries import (
    BY_CODE,
    CATALOG,
    CATALOG_STATUS,
    CATALOG_VERSION,
    FAMILIES,
    NO_CONTRAINDICATION,
    interventions,
)
from evaluations.plan_catalog.schema import CpgLink, Intervention, Kind, Param
from evaluations.plan_catalog.validation import validate_item

__all__ = [
    "BY_CODE",
    "CATALOG",
    "CATALOG_STATUS",
    "CATALOG_VERSION",
    "FAMILIES",
    "NO_CONTRAINDICATION",
    "CpgLink",
    "Intervention",
    "Kind",
    "Param",
    "describe_item",
    "interventions",
    "item_parts",
    "validate_item",
]
