"""The application layer: load and score files in batches, the one parallel pool, and the
assessment session (lock, recovery, autosave) that the front ends share."""
