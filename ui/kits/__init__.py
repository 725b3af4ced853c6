"""Kits in the window: the strip above the catalogue's items, the kit panel, the kit
dialog, and the forms that lend a kit as one loan."""
