"""Blueprints, one module per screen family, and the CLI groups they bring."""
from routes import audit, auth, home, team, walk

BLUEPRINTS = [auth.bp, home.bp, team.bp, walk.bp, audit.bp]
COMMANDS: list = []
