"""Import and export: reading and writing spreadsheets, checking and importing rows."""
