"""Labelled blocks → the Document (text, Markdown) plus acceptance checks."""
