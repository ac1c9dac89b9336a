"""Row rules of operator certifications for lists and form choices (company isolation itself is
central, app/core/tenancy.py): inactive catalog items are not offered for new records
(CERT-CAT-1)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterEqual

ACTIVE_ONLY = [["active", FilterEqual, "y"]]  # FAB reads booleans as "y"
