"""Places from the command line, for scripted roll-outs (the same rules as the admin's screen):

    flask places add-ward "Phường Tích Lương" --province "Thái Nguyên" [--aliases "Phường Tân Thành"]
    flask places add-groups 3 "Tổ dân phố số 1" "Tổ dân phố số 2"    groups of ward 3
    flask places import-groups 3 to.xlsx                              ... from a CSV/XLSX list
    flask places meeting-point 12 21.5701 105.8402 [--label "Nhà văn hoá tổ 6"]
    flask places rename-ward 3 "…"   rename-group 12 "…"   retire-ward 3   retire-group 12
    flask places list
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from extensions import db
from models import Neighbourhood, Ward, audit
from models.base import Invalid
from models.campaign import give_ward_campaign, start_ward_campaign
from models.place import (all_wards, create_groups, create_ward, rename_group,
                          rename_ward, retire_group, retire_ward)
from sheets.model import SheetRefused
from sheets.names import parse_names

places_cli = AppGroup("places", help="Địa bàn: phường/xã và tổ dân phố/thôn.")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _get(model, object_id: int, what: str):
    found = db.session.get(model, object_id)
    if found is None:
        _fail(f"Không có {what} id {object_id}")
    return found


def _commit(action: str, **detail) -> None:
    audit(action, via="cli", **detail)
    db.session.commit()


@places_cli.command("list")
def list_command() -> None:
    """Every ward and its groups, with their ids."""
    for ward in all_wards(with_retired=True):
        retired = " (đã thôi)" if ward.retired_at else ""
        click.echo(f"{ward.id}\t{ward.name}, {ward.province}{retired}")
        for group in ward.active_groups:
            point = "" if group.meeting_latlon else "  [chưa có điểm tập trung]"
            click.echo(f"  {group.id}\t{group.name}{point}")


@places_cli.command("add-ward")
@click.argument("name")
@click.option("--province", required=True, help="Tỉnh/thành.")
@click.option("--aliases", default="", help="Tên cũ trước khi sáp nhập, cách nhau bởi dấu ;")
def add_ward_command(name: str, province: str, aliases: str) -> None:
    """A new ward (with the default campaign)."""
    try:
        ward = create_ward(name, province, aliases)
    except Invalid as problem:
        _fail(str(problem))
    start_ward_campaign(ward.id)
    _commit("place_created", object_type="ward", object_id=ward.id)
    click.echo(f"{ward.id}\t{ward.name}, {ward.province}")


def _add_groups(ward: Ward, rows: list[tuple[int, str]]) -> None:
    try:
        groups = create_groups(ward, rows)
    except Invalid as problem:
        _fail(str(problem))
    for group in groups:
        give_ward_campaign(group)
    _commit("places_imported", object_type="ward", object_id=ward.id, groups=len(groups))
    for group in groups:
        click.echo(f"{group.id}\t{group.name}")


@places_cli.command("add-groups")
@click.argument("ward_id", type=int)
@click.argument("names", nargs=-1, required=True)
def add_groups_command(ward_id: int, names: tuple[str, ...]) -> None:
    """Groups of a ward by name: all of them, or none and why."""
    _add_groups(_get(Ward, ward_id, "phường/xã"), list(enumerate(names, start=1)))


@places_cli.command("import-groups")
@click.argument("ward_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_groups_command(ward_id: int, path: Path) -> None:
    """Groups of a ward from a CSV/XLSX list of names: all of them, or none and why."""
    ward = _get(Ward, ward_id, "phường/xã")
    try:
        names, errors = parse_names(path.name, path.read_bytes())
    except SheetRefused as problem:
        _fail(f"Chưa tổ nào được thêm: {problem.message}")
    if errors:
        _fail("\n".join(f"Dòng {e.row_number}: {e.message}" for e in errors)
              + "\nChưa tổ nào được thêm.")
    _add_groups(ward, names)


@places_cli.command("meeting-point")
@click.argument("group_id", type=int)
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--label", default="", help="Tên điểm tập trung (nhà văn hoá tổ).")
def meeting_point_command(group_id: int, lat: float, lon: float, label: str) -> None:
    """A group's meeting point."""
    group = _get(Neighbourhood, group_id, "tổ")
    try:
        group.set_meeting_point(lat, lon, label)
    except Invalid as problem:
        _fail(str(problem))
    _commit("place_changed", object_type="neighbourhood", object_id=group.id,
            change="meeting_point")
    click.echo(f"{group.name}: {group.meeting_point} ({lat}, {lon})")


@places_cli.command("rename-ward")
@click.argument("ward_id", type=int)
@click.argument("name")
def rename_ward_command(ward_id: int, name: str) -> None:
    ward = _get(Ward, ward_id, "phường/xã")
    try:
        rename_ward(ward, name)
    except Invalid as problem:
        _fail(str(problem))
    _commit("place_changed", object_type="ward", object_id=ward.id, change="rename")
    click.echo(ward.name)


@places_cli.command("rename-group")
@click.argument("group_id", type=int)
@click.argument("name")
def rename_group_command(group_id: int, name: str) -> None:
    group = _get(Neighbourhood, group_id, "tổ")
    try:
        rename_group(group, name)
    except Invalid as problem:
        _fail(str(problem))
    _commit("place_changed", object_type="neighbourhood", object_id=group.id, change="rename")
    click.echo(group.name)


@places_cli.command("retire-ward")
@click.argument("ward_id", type=int)
def retire_ward_command(ward_id: int) -> None:
    """Retire a ward with no active group (history stays)."""
    ward = _get(Ward, ward_id, "phường/xã")
    try:
        retire_ward(ward)
    except Invalid as problem:
        _fail(str(problem))
    _commit("place_changed", object_type="ward", object_id=ward.id, change="retire")
    click.echo(f"Đã thôi: {ward.name}")


@places_cli.command("retire-group")
@click.argument("group_id", type=int)
def retire_group_command(group_id: int) -> None:
    """Retire a group (its households, visits and figures stay)."""
    group = _get(Neighbourhood, group_id, "tổ")
    retire_group(group)
    _commit("place_changed", object_type="neighbourhood", object_id=group.id, change="retire")
    click.echo(f"Đã thôi: {group.name}")
