"""Netbuilder's desktop application (PySide6 + pyqtgraph). Imports engine/, never the other
way round. Start it with `netbuilder`, `python -m app`, or app.main_window.run()."""
