"""The pure core: rubric and assessment models, loading, scoring and the cost model.

Nothing here touches a terminal, a template engine or the scaffold; the CLI, the TUI, the
wizard and the reports are views of what this package computes.
"""
