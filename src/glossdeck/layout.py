"""Where a glossary project keeps its files: the one place their names are spelled."""

GLOSSARY_DIR = "glossary"
SETTINGS_FILE = "glossary/glossary.yaml"
SOURCES_FILE = "glossary/sources.yaml"
TERMS_DIR = "glossary/terms"
SEEDS_DIR = "seeds"
