"""The builder: layer palette, network canvas, inspector and advisor."""
