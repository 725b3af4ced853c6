"""Printed documents as data and HTML: sharing terms, hand-over forms, labels, MoUs."""
