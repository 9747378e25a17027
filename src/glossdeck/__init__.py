"""glossdeck: a YAML glossary with verified quotes, built into an Anki deck and a PDF booklet."""

from glossdeck.errors import GlossdeckError, Problem
from glossdeck.pipeline import build, check, load_glossary

__all__ = ["GlossdeckError", "Problem", "build", "check", "load_glossary"]
__version__ = "0.1.0"
