"""The indicator store: schema, queries, loading, migrations and the bundled sample council."""
