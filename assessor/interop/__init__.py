"""Interoperability: AWS Well-Architected custom lenses in and out, answers for the WA Tool's
API, and findings as work items for trackers (GitHub issues, CSV for spreadsheets and Jira).

Pure conversions over the domain's rubric, assessment and result data: the command line reads
and writes the files (:mod:`assessor.cli.interop`).
"""
