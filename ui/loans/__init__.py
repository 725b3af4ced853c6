"""Loans: the Loans tab, the request, issue and return forms, and a loan's own dialog."""
