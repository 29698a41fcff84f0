"""The app's screens: the main screen (lessons and the open lesson) and the help screen."""
