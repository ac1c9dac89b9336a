"""Samples of packaging OTs (module MUESTRAS: MUE-001..003) and their small catalogs."""
