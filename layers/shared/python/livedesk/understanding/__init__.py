"""Understanding: text normalisation and the trained intent classifier."""
