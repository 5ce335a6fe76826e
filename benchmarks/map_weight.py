"""Transferred size of the demo neighbourhood's map page (gzip, without tiles), and the hosts
it names: none but the tile server's may appear.

Signs in as the demo leader with Flask's test client, fetches /households/map, then every
same-origin script and stylesheet the page references, and sums their gzip sizes.
Run: .venv/bin/python benchmarks/map_weight.py
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
from demo.command import PASSWORD, load_demo  # noqa: E402
from extensions import db  # noqa: E402

ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+href)="([^"]+)"')
HOST = re.compile(r"https?://([^/\"'\s<>)]+)")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder, "TESTING": True})
        with app.app_context():
            db.create_all()
            load_demo()
            client = app.test_client()
            page = client.get("/sign-in").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            client.post("/sign-in", data={"login": "totruong", "secret": PASSWORD,
                                          "csrf_token": csrf})
            response = client.get("/households/map")
            assert response.status_code == 200, response.status_code
            html = response.get_data()
            rows = [("/households/map (HTML)", len(html), gz(html))]
            for url in dict.fromkeys(ASSET.findall(html.decode())):
                if urlsplit(url).netloc:
                    continue  # not same-origin (none expected)
                body = client.get(url).get_data()
                rows.append((url, len(body), gz(body)))
            tile_host = urlsplit(app.config["TILE_URL"].replace("{s}", "a")).netloc
            hosts = set(HOST.findall(html.decode()))
            db.engine.dispose()
    for url, raw, packed in rows:
        print(f"{packed:>8,} B gzip {raw:>9,} B raw  {url}")
    print(f"{sum(r[2] for r in rows):>8,} B gzip {sum(r[1] for r in rows):>9,} B raw  "
          f"total, without tiles")
    # The attribution links to the OpenStreetMap copyright page: a link, not a load.
    others = hosts - {tile_host}
    print(f"hosts named in the page: {sorted(hosts)}; third-party besides tiles: {sorted(others)}")
    assert not others, others


if __name__ == "__main__":
    main()
