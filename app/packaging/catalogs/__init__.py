"""Packaging catalogs: the spec's structure, cutting rooms, profiles and the reference data."""
