"""Moving memories between stores: the export file format and migrations."""
