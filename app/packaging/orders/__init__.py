"""Packaging work orders: the OT, its management entries and its assignments per area."""
