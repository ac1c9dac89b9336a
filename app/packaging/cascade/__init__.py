"""The cascade of the OT form (CASC-001/002): each company's eight option levels and allowed combinations."""
