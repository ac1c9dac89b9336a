"""The equipment catalog that order lines install (issue 9, item 18)."""
