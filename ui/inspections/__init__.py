"""The Inspections tab and its dialogs."""
