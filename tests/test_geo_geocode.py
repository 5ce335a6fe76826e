"""The geocoding chain against a local Nominatim look-alike, through geopy's real client."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.extra.rate_limiter import RateLimiter

from geo.geocode import geocode_household, household_queries, lookup_household, make_geocoder

AGENT = "go-cua-tests/1.0 (to-cnscd@example.vn)"
HOUSE = {"lat": "21.5931", "lon": "105.8452", "display_name": "12, Ngõ 5, Phan Đình Phùng",
         "class": "place", "type": "house", "addresstype": "place",
         "address": {"house_number": "12", "road": "Ngõ 5", "city": "Thái Nguyên",
                     "country_code": "vn"}}
STREET = {"lat": "21.5935", "lon": "105.8460", "display_name": "Ngõ 7, Phan Đình Phùng",
          "class": "highway", "type": "residential", "addresstype": "road",
          "address": {"road": "Ngõ 7", "city": "Thái Nguyên", "country_code": "vn"}}
ABROAD = dict(STREET, lat="48.8566", lon="2.3522")
WARD = {"lat": "21.59", "lon": "105.84", "display_name": "Phan Đình Phùng", "class": "boundary",
        "type": "administrative", "addresstype": "suburb", "address": {"suburb": "Phan Đình Phùng"}}


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim: a JSON list chosen by the query's first words."""

    answers: dict = {}
    requests: list = []

    def do_GET(self):
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.requests.append({"path": url.path, "params": params,
                              "agent": self.headers.get("User-Agent")})
        answer = next((a for prefix, a in self.answers.items()
                       if params.get("q", "").startswith(prefix)), [])
        if answer == "error":
            return self._send(500, b"boom")
        if answer == "slow":
            time.sleep(1.5)
            answer = []
        if answer == "broken":
            return self._send(200, b'[{"lat": "21.59"}]')
        self._send(200, json.dumps(answer).encode())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:  # the client timed out and left
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A fake Nominatim on 127.0.0.1, on a free port, for one test."""
    FakeNominatim.answers, FakeNominatim.requests = {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    FakeNominatim.port = httpd.server_address[1]
    yield FakeNominatim
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def geocoder(server):
    """geopy's real Nominatim client, pointed at the fake server."""
    return make_geocoder("nominatim", AGENT, domain=f"127.0.0.1:{server.port}",
                         scheme="http", timeout=0.5)


class MemoryCache:
    def __init__(self):
        self.data = {}

    def get(self, query):
        return self.data.get(query)

    def set(self, query, raw):
        self.data[query] = raw


def lookup(geocoder, number="12", lane="5", cache=None):
    return lookup_household(geocoder, number, lane, "Phan Đình Phùng", "Phường Phan Đình Phùng",
                            "Thái Nguyên", cache=cache)


def test_house_hit_is_exact(server, geocoder):
    server.answers = {"12 ngõ 5": [HOUSE]}
    result = lookup(geocoder)
    assert result.reason == "found"
    assert result.fix.source == "geocoder_house" and not result.fix.approximate
    assert (result.fix.lat, result.fix.lon) == (21.5931, 105.8452)
    params = server.requests[0]["params"]
    assert server.requests[0]["path"] == "/search" and params["format"] == "json"
    assert params["countrycodes"] == "vn" and params["addressdetails"] == "1"


def test_street_only_hit_is_approximate(server, geocoder):
    server.answers = {"ngõ 7": [STREET]}
    fix = geocode_household(geocoder, "3", "7", "Phan Đình Phùng", "", "Thái Nguyên")
    assert fix.source == "geocoder_street" and fix.approximate
    assert len(server.requests) == 2  # the full address first, then the lane alone


def test_a_house_result_for_another_number_is_only_street_level(server, geocoder):
    server.answers = {"14 ngõ 5": [HOUSE]}
    assert lookup(geocoder, number="14").fix.source == "geocoder_street"


def test_nothing_found_tries_every_query(server, geocoder):
    result = lookup(geocoder)
    assert result.fix is None and result.reason == "not_found"
    asked = [r["params"]["q"] for r in server.requests]
    assert asked == [q for q, _ in household_queries("12", "5", "Phan Đình Phùng",
                                                     "Phường Phan Đình Phùng", "Thái Nguyên")]
    assert asked[0].startswith("12 ngõ 5, Phan Đình Phùng") and asked[0].endswith("Việt Nam")


def test_a_ward_centre_is_too_coarse(server, geocoder):
    server.answers = {"": [WARD]}
    assert lookup(geocoder).reason == "too_coarse"


def test_server_error_is_a_reason_not_an_exception(server, geocoder):
    server.answers = {"": "error"}
    result = lookup(geocoder)
    assert result.fix is None and result.reason == "service_error"
    assert len(server.requests) == 1  # the chain stops: the server is in trouble


def test_timeout_is_a_reason(server, geocoder):
    server.answers = {"": "slow"}
    # urllib3 under geopy's requests adapter reports a read timeout as unavailable.
    assert lookup(geocoder).reason in {"timeout", "unavailable"}


def test_malformed_answer_is_a_reason(server, geocoder):
    server.answers = {"": "broken"}
    assert lookup(geocoder).reason == "bad_response"


def test_unreachable_server_is_a_reason():
    geocoder = make_geocoder("nominatim", AGENT, domain="127.0.0.1:9", scheme="http",
                             timeout=0.5)
    assert lookup(geocoder).reason in {"unavailable", "service_error"}


def test_result_outside_vietnam_is_rejected(server, geocoder):
    server.answers = {"": [ABROAD]}
    result = lookup(geocoder)
    assert result.fix is None and result.reason == "outside_vietnam"


def test_cache_answers_the_second_time(server, geocoder):
    server.answers = {"12 ngõ 5": [HOUSE]}
    cache = MemoryCache()
    first = lookup(geocoder, cache=cache)
    assert len(server.requests) == 1
    second = lookup(geocoder, cache=cache)
    assert len(server.requests) == 1 and second.fix == first.fix


def test_cache_remembers_not_found_but_not_errors(server, geocoder):
    cache = MemoryCache()
    lookup(geocoder, cache=cache)
    asked = len(server.requests)
    assert lookup(geocoder, cache=cache).reason == "not_found"
    assert len(server.requests) == asked
    server.answers, other = {"": "error"}, MemoryCache()
    lookup(geocoder, number="1", cache=other)
    assert other.data == {}


def test_user_agent_reaches_the_server(server, geocoder):
    lookup(geocoder)
    assert {r["agent"] for r in server.requests} == {AGENT}


def test_public_server_is_rate_limited_and_none_means_no_geocoder():
    public = make_geocoder("nominatim", AGENT)
    assert isinstance(public, RateLimiter) and public.min_delay_seconds == 1
    assert isinstance(make_geocoder("nominatim", AGENT, "nominatim.openstreetmap.org"),
                      RateLimiter)
    assert make_geocoder("none", AGENT) is None and make_geocoder(None, AGENT) is None
    assert lookup(None).reason == "no_geocoder"
    with pytest.raises(ValueError):
        make_geocoder("google", AGENT)


def test_queries_without_lane_or_number():
    queries = household_queries("", "", "Phố Lương Ngọc Quyến", "", "Thái Nguyên")
    assert queries == [("Phố Lương Ngọc Quyến, Thái Nguyên, Việt Nam", False)]
    assert household_queries("", "", "", "", "") == []
