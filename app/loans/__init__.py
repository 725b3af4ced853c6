"""Loans: requests, decisions, hand-over and return, extensions, recalls, and the lists of them."""
