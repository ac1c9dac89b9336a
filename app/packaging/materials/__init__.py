"""SAP material codes of packaging OTs (MAT-001) and their prefixes and suffixes."""
