"""Recipe: an enum column, a type of its own on PostgreSQL (the ``tasks`` module)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from bmc_hub_core import ModuleContext, hookimpl, module_metadata

metadata = module_metadata("tasks")

# The type is the module's own, like its tables: its name carries the prefix.
priority = sa.Enum("low", "high", name="tasks_priority")

tasks = sa.Table(
    "tasks_tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(80), nullable=False),
    sa.Column("priority", priority, nullable=False),
)


class Task(BaseModel):
    title: str
    priority: Literal["low", "high"]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_routes(module: ModuleContext) -> APIRouter:
    router = APIRouter()

    @router.post("/tasks", status_code=201)
    def add(task: Task) -> Task:
        with module.transaction() as session:
            session.execute(sa.insert(tasks).values(**task.model_dump()))
        return task

    @router.get("/tasks")
    def by_priority(priority: Literal["low", "high"]) -> list[Task]:
        with module.session() as session:
            rows = session.execute(
                sa.select(tasks.c.title, tasks.c.priority)
                .where(tasks.c.priority == priority)
                .order_by(tasks.c.id)
            )
            return [Task(title=title, priority=level) for title, level in rows]

    return router
