"""Catalogs of operator certifications: operators, auditors, certifications, audit types."""
