"""Calibration certificates: numbering, PDF, sharing, settings and public verification."""
