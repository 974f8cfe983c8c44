"""Live training views (pyqtgraph): cost and metric, activation panels, decision boundary.

Widgets here only draw what they are given; the numbers are computed by Qt-free functions
(app.plots.stats, app.training.views) so that they can run on the training worker thread."""
