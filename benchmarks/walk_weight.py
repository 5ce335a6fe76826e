"""What the demo shift's walk page costs a volunteer's phone to download (gzip, tiles excluded).

Loads the demo into a scratch SQLite database, signs in as the first demo volunteer
with the Flask test client, fetches /walk and every same-origin script and stylesheet it
references as a phone does (Accept-Encoding: br, gzip), and prints the bytes the app
actually sends (Flask-Compress) beside each file's gzip size (level 6), then the
same for the map that loads on demand behind its button. It also prints every host
named anywhere in those files: only the tile server should be there.

    .venv/bin/python benchmarks/walk_weight.py
"""
from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from demo.command import PIN, load_demo  # noqa: E402
from demo.layout import VOLUNTEERS  # noqa: E402
from extensions import db  # noqa: E402

ASSET = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', re.I)
DATA_ASSET = re.compile(r'data-leaflet-(?:js|css)="([^"]+)"')
HOST = re.compile(r'\b(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})(?=[/:"\'\s{])', re.I)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def fetch(client, path: str, **headers) -> bytes:
    """The body, decoded as the browser would see it."""
    return served(client, path, **headers)[0]


def served(client, path: str, **headers) -> tuple[bytes, int]:
    """(body, bytes the app actually sends to a phone that accepts br and gzip)."""
    response = client.get(path, headers={"Accept-Encoding": "br, gzip", **headers})
    assert response.status_code == 200, (path, response.status_code)
    wire = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        import brotli
        return brotli.decompress(wire), len(wire)
    if encoding == "gzip":
        return gzip.decompress(wire), len(wire)
    return wire, len(wire)


def measure(client, label: str, page_path: str, extra_assets=(), headers=None) -> tuple[int, dict]:
    page, sent = served(client, page_path, **(headers or {}))
    text = page.decode()
    assets = [a for a in ASSET.findall(text) + list(extra_assets) if not urlsplit(a).netloc]
    rows, hosts = [(page_path, len(page), gz(page), sent)], {"app": set(HOST.findall(text)),
                                                             "vendor": set()}
    for asset in dict.fromkeys(assets):
        body, sent = served(client, asset)
        rows.append((asset, len(body), gz(body), sent))
        kind = "vendor" if "/vendor/" in asset else "app"
        hosts[kind] |= set(HOST.findall(body.decode("utf-8", "replace")))
    print(f"\n{label}")
    for path, raw, packed, sent in rows:
        print(f"  {sent / 1024:7.1f} KB sent  {packed / 1024:7.1f} KB gzip  {raw / 1024:7.1f} KB raw"
              f"  {path}")
    total = sum(sent for *_, sent in rows)
    print(f"  {total / 1024:7.1f} KB sent in all ({sum(p for _, _, p, _ in rows) / 1024:.1f} KB"
          " if everything were gzipped)")
    return total, hosts


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            load_demo()
            client = app.test_client()
            response = client.post("/sign-in", data={"login": VOLUNTEERS[0][1], "secret": PIN})
            assert response.status_code == 303, response.status_code
            page = fetch(client, "/walk").decode()
            stops = page.count('class="stop ')
            walk_total, hosts = measure(client, f"/walk ({stops} stops), as first opened", "/walk")
            map_url = re.search(r'data-map-url="([^"]+)"', page).group(1)
            map_total, map_hosts = measure(client, "the map, on demand (button)", map_url,
                                           DATA_ASSET.findall(page), {"HX-Request": "true"})
    print(f"\nwalk page: {walk_total / 1024:.1f} KB sent (target < 100 KB); "
          f"with the map opened: {(walk_total + map_total) / 1024:.1f} KB, tiles excluded")
    print("hosts named by the app's pages and scripts:",
          ", ".join(sorted(hosts["app"] | map_hosts["app"])) or "none")
    print("hosts only mentioned in vendor files' comments/strings (never requested):",
          ", ".join(sorted(hosts["vendor"] | map_hosts["vendor"])) or "none")


if __name__ == "__main__":
    main()
