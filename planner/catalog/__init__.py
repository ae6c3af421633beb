"""The SQLite catalog: build it from db/, open it read-only, query and resolve names."""
