"""Every model module, imported so that Base.metadata knows all tables (Alembic, tests)."""

from db import models  # noqa: F401

# Feature modules add their models here, one import each.
