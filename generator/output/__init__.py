"""Stage 7: the output folder (writer, lock, record, atomic swap, journaled commit) and the staff reports."""
