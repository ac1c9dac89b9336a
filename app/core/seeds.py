"""One loader for the YAML files under seed/ (issue 7 item 6): roles, workflows, catalogs and
demo data are read the same way, from the same directory."""
from __future__ import annotations

import os

import yaml

SEED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "seed")


def seed_path(relpath: str) -> str:
    """seed/<relpath>; an absolute path (a test's own file) is used as it is."""
    return os.path.join(SEED_DIR, relpath)


def load_seed(relpath: str):
    """The parsed YAML of seed/<relpath> (an empty file reads as {})."""
    with open(seed_path(relpath), encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
