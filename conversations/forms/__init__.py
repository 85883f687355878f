"""One data file per form."""
