"""python -m app.cli: the `cannon` command."""

from app.cli.main import main

main()
