#!/usr/bin/env python3
"""Downloads a package's source distribution from PyPI without building anything.

    python3 Fixtures/fetch_sdist.py PACKAGE DEST_DIR   → prints the path of the .tar.gz

`pip download --no-binary :all:` would build the package's build requirements (cmake, …)
from source just to read its metadata; this reads PyPI's JSON API, fetches the sdist of the
newest release and checks its SHA-256. Standard library only.
"""
import hashlib
import json
import pathlib
import sys
import urllib.parse
import urllib.request

INDEX = "https://pypi.org/pypi/{}/json"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    package, dest = sys.argv[1], pathlib.Path(sys.argv[2])
    url = INDEX.format(package)
    with urllib.request.urlopen(url, timeout=60) as response:
        info = json.load(response)
    sdists = [u for u in info["urls"] if u["packagetype"] == "sdist"]
    if not sdists:
        print(f"fetch_sdist: {package} {info['info']['version']} has no sdist", file=sys.stderr)
        return 1
    entry = sdists[0]
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / entry["filename"]
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != entry["digests"]["sha256"]:
        partial = target.with_suffix(target.suffix + ".partial")
        with urllib.request.urlopen(urllib.parse.urljoin(url, entry["url"]), timeout=600) as response:
            partial.write_bytes(response.read())
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        if digest != entry["digests"]["sha256"]:
            partial.unlink()
            print(f"fetch_sdist: {entry['filename']}: sha256 {digest} ≠ PyPI's {entry['digests']['sha256']}", file=sys.stderr)
            return 1
        partial.rename(target)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
