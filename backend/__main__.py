from backend.cli import cli

cli()
