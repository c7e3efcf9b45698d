"""The Alembic migrations and the models of ``models.py`` describe the same schema."""

import os
import subprocess
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from {{ cookiecutter.package_name }}.models import Base
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.store import make_engine, upgrade_database

from .test_cli import SCRIPT


def differences(engine) -> list:
    """What Alembic's autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/migrated.db")
    engine = make_engine(settings)
    try:
        upgrade_database(engine, settings)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}
    for _ in range(2):
        result = subprocess.run(
            [SCRIPT, "db", "upgrade"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
    engine = create_engine(f"sqlite:///{tmp_path}/fresh.db")
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"tasks", "reviews", "alembic_version"} <= tables
