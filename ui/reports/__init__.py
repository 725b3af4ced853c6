"""The Reports tab, its charts and its printing."""
