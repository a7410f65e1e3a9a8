"""The `kpibot` subcommands, one module per area."""
