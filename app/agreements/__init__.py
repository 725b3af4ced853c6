"""The MoU register: MoUs, their clauses and sharing protocols, and their status."""
