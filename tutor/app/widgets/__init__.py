"""The app's widgets, one per module; each widget's messages are nested in its class."""
