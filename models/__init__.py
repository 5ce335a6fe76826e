"""Typed SQLAlchemy models, one module per aggregate."""
from models.audit import AuditEntry, audit
from models.campaign import Campaign, Service
from models.household import Household, Resident
from models.importing import ImportDraft
from models.job import GeocodeCache, Job
from models.place import Lane, Neighbourhood, Ward
from models.placing import PositionProposal
from models.shift import Assignment, Shift, ShiftHousehold, ShiftResponse, Walk, WalkStop
from models.user import (Availability, AwayDate, SignInAttempt, SignInLink, User,
                         UserSession)
from models.visit import ServiceRecord, ServiceState, Visit

__all__ = ["AuditEntry", "audit", "Campaign", "Service", "Household", "Resident", "GeocodeCache",
           "ImportDraft", "Job", "Lane", "Neighbourhood", "Ward", "PositionProposal", "Assignment", "Shift",
           "ShiftHousehold", "ShiftResponse", "Walk",
           "WalkStop", "Availability", "AwayDate", "SignInAttempt", "SignInLink", "User",
           "UserSession", "ServiceRecord", "ServiceState", "Visit"]
