"""The rules table of operator certifications: working days and inspections per period."""
