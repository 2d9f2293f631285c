"""The DuckDB store: the connection, its migrations, and the tables."""
