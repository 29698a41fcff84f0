"""Leaves processes behind: children that call setsid and ignore SIGTERM, re-parented away from the run."""

import os
import signal
import subprocess

for _ in range(3):
    try:
        if os.fork() == 0:
            os.setsid()
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.execv("/bin/sleep", ["tutor-hostile-leftover", "600"])
        print("REACHED fork")
    except OSError:
        pass
try:
    subprocess.Popen(["/bin/sleep", "600"], start_new_session=True, executable="/bin/sleep")
    print("REACHED subprocess")
except OSError:
    pass


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
