"""Printing and PDF writing, and the print commands of the window."""
