"""The assessment's screens: use case, questions, results, and the modals."""
