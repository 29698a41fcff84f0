"""Maps 3 GB of shared memory (past RLIMIT_DATA) and touches every page; fills /dev/shm too."""

import mmap

try:
    area = mmap.mmap(-1, 3 << 30, flags=mmap.MAP_SHARED)
    for offset in range(0, len(area), 4096):
        area[offset] = 1
    print("REACHED 3 GB of shared memory")
except (OSError, MemoryError, ValueError) as error:
    print("mmap:", type(error).__name__)
try:
    with open("/dev/shm/fill", "wb") as file:
        for _ in range(3 << 10):
            file.write(b"x" * (1 << 20))
    print("REACHED 3 GB in /dev/shm")
except OSError as error:
    print("/dev/shm:", type(error).__name__)


def learn_from_bean(w, x, y, lr):
    return w + lr * (y - w * x) * x
