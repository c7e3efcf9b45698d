"""Alembic migrations of the service's database (``<script> db upgrade`` applies them)."""
