"""Slack: the bolt App, its listeners per area, Block Kit rendering and the HTTP server."""
