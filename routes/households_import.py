"""Household import: upload -> preview -> confirm (all or nothing), and the same from the CLI."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from extensions import db
from models import Neighbourhood, audit, importing
from routes.access import MANAGERS, current_neighbourhood, draft_or_404, roles
from routes.households import bp


def audit_refused(neighbourhood_id: int, stage: str, errors: int) -> None:
    """A refused import is audited too: who tried, when, at which step, how many bad rows."""
    audit("households_import_refused", user_id=g.user.id, neighbourhood_id=neighbourhood_id,
          object_type="neighbourhood", object_id=neighbourhood_id, outcome="refused",
          stage=stage, errors=errors)


@bp.route("/import")
@roles(*MANAGERS)
def import_form():
    """Choose a CSV or XLSX file."""
    if importing.sweep_drafts():
        db.session.commit()
    return render_template("households/import.html", neighbourhood=current_neighbourhood())


@bp.post("/import")
@roles(*MANAGERS)
def import_upload():
    """Read the file and show what it would do; nothing is written but the draft."""
    neighbourhood = current_neighbourhood()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn một tệp .csv hoặc .xlsx."), "error")
        return redirect(url_for("households.import_form"), code=303)
    data = upload.read()
    preview = importing.preview(neighbourhood, upload.filename, data,
                                current_app.config["MAX_CONTENT_LENGTH"])
    draft = None
    if preview.ok:
        # an ID-card column is emptied before the file waits in the database
        draft = importing.save_draft(neighbourhood.id, g.user.id, *preview.keep_as)
        db.session.commit()
    else:
        audit_refused(neighbourhood.id, "upload", len(preview.errors))
        db.session.commit()
    status = 200 if preview.ok else 422
    return render_template("households/preview.html", neighbourhood=neighbourhood,
                           preview=preview, draft=draft, filename=upload.filename,
                           draft_hours=importing.DRAFT_HOURS), status


@bp.post("/import/<int:draft_id>/confirm")
@roles(*MANAGERS)
def import_confirm(draft_id: int):
    """Write every row of the previewed file, or none."""
    draft = draft_or_404(draft_id)
    if importing.expired(draft):  # the file holds names and phones: kept a day at most
        importing.sweep_drafts()
        db.session.commit()
        flash(_("Tệp đã tải lên quá %(hours)s giờ nên đã bị xoá; chưa nhập gì. Hãy tải tệp lên lại.",
                hours=importing.DRAFT_HOURS), "error")
        return redirect(url_for("households.import_form"), code=303)
    neighbourhood = db.session.get(Neighbourhood, draft.neighbourhood_id)
    try:
        result = importing.apply(neighbourhood, draft.filename, draft.data, g.user.id)
    except StaleDataError:  # a household was edited while the import ran: nothing written
        db.session.rollback()
        audit_refused(neighbourhood.id, "confirm", 0)
        db.session.commit()
        flash(_("Có hộ vừa được sửa trong lúc nhập; chưa nhập gì. Hãy tải tệp lên lại."),
              "error")
        return redirect(url_for("households.import_form"), code=303)
    if not result.ok:
        db.session.rollback()
        audit_refused(neighbourhood.id, "confirm", len(result.errors))
        db.session.commit()
        return render_template("households/preview.html", neighbourhood=neighbourhood,
                               preview=result, draft=None, filename=draft.filename), 422
    db.session.delete(draft)
    db.session.commit()
    flash(_("Đã nhập: %(added)s hộ mới, %(updated)s hộ cập nhật, %(lanes)s ngõ mới.",
            added=len(result.added), updated=len(result.updated), lanes=len(result.new_lanes)),
          "ok")
    return redirect(url_for("households.map_page", neighbourhood=neighbourhood.id), code=303)


@bp.post("/import/<int:draft_id>/cancel")
@roles(*MANAGERS)
def import_cancel(draft_id: int):
    """Drop the uploaded file without importing it."""
    db.session.delete(draft_or_404(draft_id))
    db.session.commit()
    return redirect(url_for("households.import_form"), code=303)


households_cli = AppGroup("households", help="Hộ dân: nhập danh sách (import household lists).")


def _echo_errors(result: importing.Preview) -> None:
    if result.refused:
        click.echo(result.refused, err=True)
    for error in result.errors:
        click.echo(f"Dòng {error.row_number}, cột “{error.column}”: {error.message}", err=True)
    if not (result.refused or result.errors) and not (result.added or result.updated):
        click.echo("Tệp không có hộ nào để nhập", err=True)


@households_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--neighbourhood", "neighbourhood_id", type=int, required=True,
              help="Id of the neighbourhood (tổ dân phố) to import into.")
def import_command(file: Path, neighbourhood_id: int) -> None:
    """Import households from a CSV or XLSX file, all or nothing (same rules as the browser)."""
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id)
    if neighbourhood is None:
        click.echo(f"Không có tổ dân phố id {neighbourhood_id}", err=True)
        sys.exit(1)
    result = importing.apply(neighbourhood, file.name, file.read_bytes(), None)
    if not result.ok:
        db.session.rollback()
        _echo_errors(result)
        click.echo("Không nhập gì: hãy sửa tệp rồi nhập lại.", err=True)
        sys.exit(1)
    db.session.commit()
    for note in result.notes:  # what was skipped or dropped, as the preview page says it
        click.echo(note)
    click.echo(f"Đã nhập: {len(result.added)} hộ mới, {len(result.updated)} hộ cập nhật, "
               f"{len(result.new_lanes)} ngõ mới, {result.residents} nhân khẩu.")


@households_cli.command("sweep-drafts")
def sweep_drafts_command() -> None:
    """Delete import drafts older than a day (run it hourly from cron: they hold names)."""
    gone = importing.sweep_drafts()
    db.session.commit()
    click.echo(f"Đã xoá {gone} tệp nhập chưa xác nhận quá {importing.DRAFT_HOURS} giờ.")
