"""Microsoft Teams: replies as Adaptive Cards, the app package an admin uploads."""
