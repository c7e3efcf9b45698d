"""Tests of the service: one file per capability."""
