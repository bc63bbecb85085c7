"""Reporting: the record schema and its writer, provenance, and the comparative tables."""

from ganbench.reporting.records import FIELDS, RECORDS_FILE, RecordWriter, load_records

__all__ = ["FIELDS", "RECORDS_FILE", "RecordWriter", "load_records"]
