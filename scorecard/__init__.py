"""The KPI domain, pure: no I/O, no clock, no database, no chat platform."""
