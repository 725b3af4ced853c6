"""The catalogue tab: the search bar, the results table, the item panel and the item dialog."""
