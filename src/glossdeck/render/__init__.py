"""Renderers: each turns a resolved glossary into the bytes of one output file."""
