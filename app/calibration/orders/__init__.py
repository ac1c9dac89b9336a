"""Calibration orders: the workflow of seed/workflows/calibration.yaml, execution, review checklist."""
