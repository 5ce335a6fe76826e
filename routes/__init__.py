"""Blueprints, one module per screen family, and the CLI groups they bring."""
# households_import and households_map add their views to households.bp: imported for that.
from routes import (accounts, audit, auth, availability, campaign, dashboard,  # noqa: F401
                    export, home, households, households_map, live, places, report, review,
                    shifts, team, walk)
from routes.households_import import households_cli
from routes.lanes import bp as lanes_bp, lanes_cli
from routes.accounts import users_cli
from routes.places_cli import places_cli

BLUEPRINTS = [auth.bp, home.bp, team.bp, walk.bp, audit.bp, households.bp, live.bp,
              shifts.bp, availability.bp, review.bp, dashboard.bp, export.bp, places.bp,
              accounts.bp, campaign.bp, lanes_bp, report.bp]
COMMANDS: list = [households_cli, lanes_cli, users_cli, places_cli]
