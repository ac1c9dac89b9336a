"""Quotations of packaging OTs (module COTIZADOR: COT-001/002)."""
