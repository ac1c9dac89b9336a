"""Assignments of a certification to an operator and their validation periods."""
