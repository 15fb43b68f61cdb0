"""The `cannon` command."""
