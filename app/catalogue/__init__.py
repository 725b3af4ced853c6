"""The catalogue: items and their editing, search, availability, an item's detail, name lookups."""
