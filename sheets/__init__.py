"""Household lists in and out: reading CSV/XLSX imports, writing safe exports (no Flask, no DB)."""
from .model import ParsedSheet, RowError, SheetRefused, SheetRow
from .reader import parse_households, without_id_cards
from .writer import safe_cell, write_csv, write_xlsx

__all__ = ["ParsedSheet", "RowError", "SheetRefused", "SheetRow", "parse_households",
           "safe_cell", "without_id_cards", "write_csv", "write_xlsx"]
