"""Page-cache probes for the inspect benchmark.

    python page_cache.py drop FILE       evict FILE's pages (posix_fadvise DONTNEED, this file only)
    python page_cache.py resident FILE   bytes of FILE now in the page cache (util-linux fincore)
"""
import json
import os
import shutil
import subprocess
import sys


def main():
    command, path = sys.argv[1], sys.argv[2]
    if command == "drop":
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    elif command == "resident":
        if not shutil.which("fincore"):
            print(json.dumps({"resident_bytes": None, "note": "fincore not installed"}))
            return
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                             capture_output=True, text=True, check=True).stdout.split()
        info = os.stat(path)
        print(json.dumps({"resident_bytes": int(out[0]) if out else None, "file_bytes": info.st_size,
                          "disk_bytes": info.st_blocks * 512}))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
