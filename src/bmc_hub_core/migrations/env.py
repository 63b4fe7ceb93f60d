"""The one Alembic environment the core and every module share.

The core builds the ``Config`` in code and hands everything over in
``config.attributes``: ``connection`` (a Connection, or an Engine from test tools),
``version_table``, ``target_metadata`` (as ``module_metadata``) and ``prefix``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection, Engine

config = context.config
attrs = config.attributes


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    prefix = attrs.get("prefix")
    if prefix is None or type_ != "table" or name is None:
        return True
    return name.startswith(prefix) and name != attrs.get("version_table")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=attrs.get("module_metadata"),
        version_table=attrs.get("version_table", "alembic_version"),
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        include_name=_include_name,
        process_revision_directives=attrs.get("process_revision_directives"),
        # The runner checks the sandbox after each revision, inside the transaction.
        on_version_apply=attrs.get("on_version_apply"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = attrs.get("connection")
    if connectable is None:
        raise RuntimeError(
            "bmc_hub_core's Alembic environment needs config.attributes['connection']; "
            "run migrations through `bmc-hub db ...`"
        )
    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connectable)


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported by bmc_hub_core")
run_migrations_online()
