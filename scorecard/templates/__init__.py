"""Templates shipped with the scorecard package (a package so that they are installed with it)."""
