"""The full-screen assessment (Textual). Built by :func:`assessor.tui.app.make_app`.

Importing this package is cheap; ``assessor.tui.app`` imports Textual.
"""
