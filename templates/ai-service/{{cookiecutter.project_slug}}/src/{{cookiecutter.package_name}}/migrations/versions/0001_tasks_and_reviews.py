"""Tasks and reviews{% if cookiecutter.async_pipeline %}, the jobs' status history and worker heartbeats{% endif %}.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
{%- if cookiecutter.response_cache %}
        sa.Column("cached", sa.Boolean(), nullable=False),
{%- endif %}
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("review_reason", sa.String(16), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
{%- if cookiecutter.response_cache %}
        sa.Column("cache_key", sa.String(200), nullable=True),
{%- endif %}
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tasks_status", "tasks", ["status"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("task_id", sa.String(32), sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("model_output", sa.Text(), nullable=False),
        sa.Column("final_output", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_reviews_task_id", "reviews", ["task_id"])
    op.create_index("ix_reviews_status", "reviews", ["status"])
{%- if cookiecutter.async_pipeline %}
    op.create_table(
        "task_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
    )
    op.create_index("ix_task_events_task_id", "task_events", ["task_id"])
    op.create_table(
        "job_workers",
        sa.Column("worker_id", sa.String(200), primary_key=True),
        sa.Column("last_seen", sa.Float(), nullable=False),
    )
{%- endif %}


def downgrade() -> None:
{%- if cookiecutter.async_pipeline %}
    op.drop_table("job_workers")
    op.drop_table("task_events")
{%- endif %}
    op.drop_table("reviews")
    op.drop_table("tasks")
