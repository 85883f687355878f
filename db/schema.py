"""Every model module, imported so that Base.metadata knows all tables (Alembic, tests)."""

# Feature modules add their models here, one import each.
import db.dana  # noqa: F401
from db import (
    clock,  # noqa: F401,E402
    models,  # noqa: F401
    posyandu,  # noqa: F401
    reports,  # noqa: F401
    totals,  # noqa: F401
    web,  # noqa: F401
)
