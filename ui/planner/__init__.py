"""The Planner tab: the bookings of what the catalogue's search finds, over time."""
