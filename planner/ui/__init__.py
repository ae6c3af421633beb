"""PySide6 widgets, item models, pyqtgraph charts and workers."""
