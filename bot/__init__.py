"""The shell: chat platform adapters, the console, the scheduler, settings and the CLI."""
