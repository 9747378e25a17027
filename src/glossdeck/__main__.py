"""Entry point for `python -m glossdeck`."""

from glossdeck.cli import main

main(prog_name="glossdeck")
