"""Statistics: figures, SVG charts, CSV export, filling the gaps."""
