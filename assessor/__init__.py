"""assessor: is this AI integration ready for production, and what should we build first?

Packages, top layer first (import-linter's layers contract in pyproject.toml keeps it so):

* ``cli``: the command line; the only place errors become messages and exit codes.
* ``tui`` and ``wizard``: the interactive assessment, full-screen (Textual) or plain prompts.
* ``views``: one markup-safe Rich rendering of a result that every terminal surface shares.
* ``reports``: Markdown, HTML, PDF and JSON reports of one use case or a portfolio.
* ``scaffold``: the starter project rendered from a scored assessment, as a library.
* ``app``: batch loading and scoring, the one parallel pool, the assessment session.
* ``domain``: the pure core: rubric, assessment, scoring, counterfactuals, cost model.
* ``errors``, ``fileio``, ``resources``: the exception hierarchy, safe file I/O, bundled data.
"""

__version__ = "0.1.0"
