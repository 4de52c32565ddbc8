"""Infrastructure: database targets (SQLite file or PostgreSQL URL), Alembic migrations, the PostgreSQL catalog and
the catalog change feed that keeps every worker's in-memory table and KNN index current."""
