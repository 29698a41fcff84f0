"""Writes 200 MB to disk: beside itself, in /tmp and in its home."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
for folder in (HERE, "/tmp", os.path.expanduser("~"), os.getcwd()):
    try:
        with open(os.path.join(folder, "fill.bin"), "wb") as file:
            for _ in range(200):
                file.write(b"x" * (1 << 20))
        print("REACHED 200 MB in", folder)
    except OSError as error:
        print("disk:", type(error).__name__)


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
