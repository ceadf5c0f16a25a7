"""Import of the national person-level export (DOMAIN.md §8) into households, members and incomes.

1. **Read** (``xlsx``, ``header``, ``converters``, ``parse``): the first sheet, its header among the first ten rows,
   every cell converted by its column's kind; rows grouped by 户编号. No database.
2. **Check** (``places``, ``compare``): villages matched by name, the user's scope checked, the households compared
   with the database in bulk: each new, changed, unchanged or in error — an error in any row puts the whole household
   in error, never half-imported.
3. **Write** (``write``, ``bulk``, ``changelog``; ``commit_household_import`` only, one transaction): new and changed
   rows in bulk, each with its change-log row. Nothing is deleted.

``preview_household_import`` stops after step 2 and keeps a snapshot of the parse for the commit (``snapshot``).
The decisions behind the reading and the write layer: docs/adr/0100–0102.
"""

from shoudi.core.tabular import FileRejected
from shoudi.regions.importing import RowError

from .results import HouseholdImportResult, MissingMember, MissingRegion, VillageCounts
from .services import commit_household_import, preview_household_import
from .xlsx import ALLOWED_EXTENSIONS

__all__ = [
    "ALLOWED_EXTENSIONS",
    "FileRejected",
    "HouseholdImportResult",
    "MissingMember",
    "MissingRegion",
    "RowError",
    "VillageCounts",
    "commit_household_import",
    "preview_household_import",
]
