"""Blueprints, one module per screen family, and the CLI groups they bring."""
# households_import and households_map add their views to households.bp: imported for that.
from routes import (audit, auth, availability, dashboard, export, home, households,  # noqa: F401
                    households_map, live, review, shifts, team, walk)
from routes.households_import import households_cli
from routes.lanes import bp as lanes_bp, lanes_cli

BLUEPRINTS = [auth.bp, home.bp, team.bp, walk.bp, audit.bp, households.bp, live.bp,
              shifts.bp, availability.bp, review.bp, dashboard.bp, export.bp, lanes_bp]
COMMANDS: list = [households_cli, lanes_cli]
