"""Every model module, imported so that Base.metadata knows all tables (Alembic, tests)."""

# Feature modules add their models here, one import each.
import db.dana  # noqa: F401
from db import models  # noqa: F401
