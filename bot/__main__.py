"""`python -m bot` is `kpibot`."""

from bot.cli import main

main()
