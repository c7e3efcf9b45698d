"""One markup-safe Rich rendering of a result (verdict words, labels, symbols, panels) and the
answer helpers every front end shares; no Textual here."""
