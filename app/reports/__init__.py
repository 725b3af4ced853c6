"""The reports: loans per month, utilisation, overdue, the value of sharing and the rest."""
