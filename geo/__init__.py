"""Positions, geocoding and maps for Gõ Cửa: pure Python, no Flask, no database.

- ``escape``: the one escaping helper for user text that goes into a Folium map.
- ``distance``: NumPy haversine distances (single pairs and matrices).
- ``paths``: walking along a lane's path (length, points, projections, sub-paths).
- ``placement``: where a household's position came from and which fix wins.
- ``geocode``: the geopy geocoding chain with a pluggable cache.
- ``mapkit`` / ``maps``: Folium maps with local assets, rendered into embeddable parts.
"""
