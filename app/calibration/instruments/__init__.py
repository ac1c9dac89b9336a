"""The client company's instruments: what calibration orders calibrate, and their "Recepción"."""
