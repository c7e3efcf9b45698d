"""Alembic's entry point. ``store.upgrade_database`` passes the connection to migrate in
``config.attributes["connection"]``; run by the ``alembic`` command instead (for
``alembic revision --autogenerate`` with the project's ``alembic.ini``), it connects to
``APP_DATABASE_URL``."""

from alembic import context

from {{ cookiecutter.package_name }}.models import Base


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    from {{ cookiecutter.package_name }}.settings import Settings
    from {{ cookiecutter.package_name }}.store import make_engine

    engine = make_engine(Settings())
    with engine.begin() as opened:
        run_migrations(opened)
    engine.dispose()
