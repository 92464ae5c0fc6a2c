"""Stage 6: downloads, the data package, the staff's Excel templates and the generated data-format docs."""
