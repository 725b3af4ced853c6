"""People and their qualifications, user accounts, signing in and passwords."""
