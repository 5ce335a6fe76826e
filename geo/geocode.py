"""The geocoding chain: Vietnamese address queries to geopy, classified into fixes.

Every failure (nothing found, too coarse, outside Vietnam, timeout, server error) is a
``Lookup`` with a reason, never an exception: the caller falls back to spreading the
household along its lane.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Protocol

from geopy.exc import (GeocoderServiceError, GeocoderTimedOut, GeocoderUnavailable,
                        GeopyError)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from vietnamese import fold, nfc

from .placement import Fix

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
VIETNAM_BOUNDS = {"lat": (8.0, 23.5), "lon": (102.0, 110.0)}
HOUSE_TYPES = frozenset({"house", "building", "residential", "apartments", "detached"})
HOUSE_CLASSES = frozenset({"building", "place"})
STREET_TYPES = frozenset({"road", "street", "residential", "living_street", "service",
                          "footway", "path", "pedestrian", "track", "unclassified",
                          "tertiary", "secondary", "primary", "alley"})

Geocoder = Callable[[str], Any]  # query -> geopy Location | None


class GeocodeCache(Protocol):
    """Where raw results are kept between runs (the app backs it with its database)."""

    def get(self, query: str) -> dict | None: ...
    def set(self, query: str, raw: dict) -> None: ...


@dataclass(frozen=True)
class Lookup:
    """What the chain found: a fix or None, the reason, and the query that decided."""

    fix: Fix | None
    # found, not_found, too_coarse, outside_vietnam, timeout, unavailable,
    # service_error, bad_response, no_geocoder, no_address
    reason: str
    query: str | None = None


def make_geocoder(kind: str | None, user_agent: str, domain: str | None = None,
                  scheme: str = "https", timeout: float = 5) -> Geocoder | None:
    """A geocoding callable ``query -> Location | None`` for the app's settings.

    kind "nominatim" uses geopy's Nominatim; on the public server (domain None or
    nominatim.openstreetmap.org) it is held to one request a second, as its usage
    policy requires. "none" or None means no geocoder: households go on their lanes.
    """
    if kind in (None, "none"):
        return None
    if kind != "nominatim":
        raise ValueError(f"unknown geocoder kind: {kind!r}")
    nominatim = Nominatim(user_agent=user_agent, domain=domain or PUBLIC_NOMINATIM,
                          scheme=scheme, timeout=timeout)
    geocode = partial(nominatim.geocode, exactly_one=True, addressdetails=True,
                      country_codes="vn")
    if domain in (None, PUBLIC_NOMINATIM):
        # No silent retries: a failure comes back to the chain as a reason, and since
        # failures are not cached the next run asks again.
        return RateLimiter(geocode, min_delay_seconds=1, max_retries=0,
                           swallow_exceptions=False)
    return geocode


def _lane_name(lane: str) -> str:
    """A lane given as bare numbers ("5", "12/3") is a ngõ: say so to the geocoder."""
    lane = nfc(lane)
    return f"ngõ {lane}" if re.fullmatch(r"[\d/]+\w?", lane) else lane


def household_queries(house_number: str, lane: str, street: str, ward: str,
                      city: str) -> list[tuple[str, bool]]:
    """Queries to try, most precise first, each with "does it name the house?"."""
    lane, house = _lane_name(lane or ""), nfc(house_number)
    place = [nfc(p) for p in (street, ward, city) if nfc(p)] + ["Việt Nam"]
    queries: list[tuple[str, bool]] = []
    if house and (lane or nfc(street)):
        first = f"{house} {lane}" if lane else f"{house} {nfc(street)}"
        rest = place if lane else place[1:]
        queries.append((", ".join([first, *rest]), True))
    if lane:
        queries.append((", ".join([lane, *place]), False))
    if nfc(street):
        queries.append((", ".join(place), False))
    return list(dict.fromkeys(queries))


def _bare_number(number: str) -> str:
    """ "Số 12 A" -> "12a": how two spellings of one house number are compared."""
    return re.sub(r"^so\s*", "", fold(number)).replace(" ", "")


def _same_house(found: str, wanted: str) -> bool:
    return _bare_number(found) == _bare_number(wanted)


def classify(raw: dict, house_number: str, names_house: bool) -> tuple[Fix | None, str]:
    """Turn one raw Nominatim result into a fix, or None with the reason."""
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return None, "not_found"
    if not (VIETNAM_BOUNDS["lat"][0] <= lat <= VIETNAM_BOUNDS["lat"][1]
            and VIETNAM_BOUNDS["lon"][0] <= lon <= VIETNAM_BOUNDS["lon"][1]):
        return None, "outside_vietnam"
    kinds = {raw.get("addresstype"), raw.get("type")}
    found_number = (raw.get("address") or {}).get("house_number")
    house_level = bool(found_number) and (kinds & HOUSE_TYPES or raw.get("class") in HOUSE_CLASSES)
    if names_house and house_level and _same_house(found_number, house_number):
        return Fix(lat, lon, "geocoder_house"), "found"
    if house_level or kinds & STREET_TYPES or raw.get("class") == "highway":
        return Fix(lat, lon, "geocoder_street"), "found"
    return None, "too_coarse"  # a ward or city centre would pile every house on one spot


def _ask(geocoder: Geocoder, query: str, cache: GeocodeCache | None) -> dict:
    """The raw result for a query, from the cache when it has one.

    "Nothing found" is cached too, as an empty dict, so the network is not asked again.
    """
    if cache is not None:
        cached = cache.get(query)
        if cached is not None:
            return cached
    if callable(geocoder):
        location = geocoder(query)
    else:  # a geopy geocoder object given directly
        location = geocoder.geocode(query, exactly_one=True, addressdetails=True)
    raw = dict(location.raw) if location is not None else {}
    if cache is not None:
        cache.set(query, raw)
    return raw


def lookup_household(geocoder: Geocoder | None, house_number: str, lane: str, street: str,
                     ward: str, city: str, cache: GeocodeCache | None = None) -> Lookup:
    """Run the chain for one household and say what was found and why."""
    if geocoder is None:
        return Lookup(None, "no_geocoder")
    reason, query = "no_address", None
    for query, names_house in household_queries(house_number, lane, street, ward, city):
        try:
            raw = _ask(geocoder, query, cache)
        except GeocoderTimedOut:
            return Lookup(None, "timeout", query)
        except GeocoderUnavailable:
            return Lookup(None, "unavailable", query)
        except (GeocoderServiceError, GeopyError):
            return Lookup(None, "service_error", query)
        except (KeyError, TypeError, ValueError):  # geopy could not read the answer
            return Lookup(None, "bad_response", query)
        if not raw:
            reason = "not_found"
            continue
        fix, reason = classify(raw, house_number, names_house)
        if fix is not None:
            return Lookup(fix, reason, query)
    return Lookup(None, reason, query)


def geocode_household(geocoder: Geocoder | None, house_number: str, lane: str, street: str,
                      ward: str, city: str, cache: GeocodeCache | None = None) -> Fix | None:
    """The household's geocoded fix, or None (see ``lookup_household`` for the reason)."""
    return lookup_household(geocoder, house_number, lane, street, ward, city, cache).fix
