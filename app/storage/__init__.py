"""Where the data lives: opening and checking databases, the schema, backups, the database URL."""
