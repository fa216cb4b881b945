"""`python -m qualkit` runs the CLI."""

from qualkit.cli import app

app(prog_name="qualkit")
