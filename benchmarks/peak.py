"""Peak resident memory of this process, in KiB.

On Linux, `/proc/self/status` VmHWM: the high-water mark of this program's own memory.
`getrusage().ru_maxrss` is not used there, because a child started by a big parent (the
benchmark runner) inherits the parent's figure across fork and exec and reports it.
"""

from __future__ import annotations

import resource


def peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
