"""Product inspections: registered, annulled and corrected in an assignment's open period."""
