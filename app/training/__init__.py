"""Training on a worker thread: the GUI-side controller, the worker, and the window wiring
(attach_training)."""
