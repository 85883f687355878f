"""Models, the unit of work and queries; Alembic migrations in db/migrations."""
