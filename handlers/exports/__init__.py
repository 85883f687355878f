"""Exports: XLSX, CSV and DHIS2 files of the reports, for /ekspor and the CLI."""
