"""Routes of the wiki panel: name the case's places on the wikis, *Check now*, override a
step with a reason; and the panel's data for the case page (one statement)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.auth.roles import current_roles, login_required, role_required
from app.cases.access import CaseAccess
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.cases.service import check_version
from app.cases.views import load_case, page_context
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.core.formats import format_number
from app.partners.models import Organisation
from app.partners.queries import find_organisation
from app.stats.display import Table
from app.stats.labels import kind_label, region_name, theme_label
from app.wikicheck import chart, labels, queries, report, service
from app.wikicheck.forms import CheckForm, OverrideForm, PlacesForm
from app.wikicheck.queries import Panel

bp = Blueprint("wikicheck", __name__)


@dataclass(frozen=True)
class Step:
    """One checked step as the panel shows it."""

    key: str
    label: str
    result: dict[str, Any] | None

    @property
    def status(self) -> str:
        """passed, failed, overridden, or "" when never checked."""
        return str((self.result or {}).get("status", ""))

    @property
    def explanation(self) -> str:
        """What the check found, in a sentence."""
        return labels.explain(self.key, self.result) if self.result else ""

    @property
    def checked_at(self) -> datetime | None:
        """When it was checked (or overridden)."""
        stamp = (self.result or {}).get("checked_at")
        return datetime.fromisoformat(stamp) if stamp else None


@bp.app_template_global("impact_chart")
def impact_chart(snapshots: list[Any]) -> chart.Chart:
    """The bars of the impact chart."""
    return chart.bars(snapshots)


@bp.app_template_global("impact_figure")
def impact_figure(value: int, capped: bool) -> str:
    """A figure, '10,000+' when it reached its cap."""
    return labels.capped(value, capped)


@bp.app_template_global("impact_totals")
def impact_totals() -> queries.ImpactTotals:
    """/stats: the impact of the public cases, or of every case for staff."""
    public = not (current_roles() & {"committee", "helpdesk"})
    return queries.impact_totals(get_session(), public=public)


@bp.app_template_global("impact_tables")
def impact_tables(totals: queries.ImpactTotals) -> list[Table]:
    """/stats: the impact by region, theme and kind of organisation, as the statistics
    page's tables."""
    columns = [
        # Translators: column headings of the impact tables on the statistics page.
        _("Requests followed up"), _("Files on Commons"), _("Files in use"),
        _("Pages using them"), _("Views of those pages (30 days)")]

    def table(table_id: str, title: str, key_header: str,
              sums: list[tuple[str, queries.ImpactSum]], name: Callable[[str], str]) -> Table:
        rows: list[tuple[str, list[str | None]]] = [
            (name(code), [format_number(item.cases), labels.capped(item.files, item.capped),
                          format_number(item.files_in_use), format_number(item.pages),
                          format_number(item.views)]) for code, item in sums]
        return Table(id=table_id, title=title, key_header=key_header, columns=columns,
                     rows=rows)

    return [
        # Translators: a table title on the statistics page: the use of the uploaded files
        # on the wikis, by movement region.
        table("impact-region", _("Impact by region"), _("Region"), totals.by_region,
              region_name),
        # Translators: a table title on the statistics page.
        table("impact-theme", _("Impact by theme"), _("Theme"), totals.by_theme, theme_label),
        # Translators: a table title on the statistics page.
        table("impact-organisation-kind", _("Impact by kind of organisation"),
              _("Kind of organisation"), totals.by_kind, kind_label),
    ]


@bp.app_template_global("wiki_panel")
def wiki_panel(case: Case, access: CaseAccess) -> dict[str, Any] | None:
    """The case page's wiki panel, for staff and the requester (None for others)."""
    if not access.is_staff and "requester" not in access.roles:
        return None
    found: Panel = queries.panel(get_session(), case.id)
    checks = found.row.checks if found.row else {}
    steps = [Step(key, str(labels.STEP_LABELS[key]), checks.get(key))
             for key in service.STEPS]
    return {"row": found.row, "snapshots": found.snapshots, "steps": steps,
            "labels": labels,
            "commons_url": (service.page_url(current_app.config["COMMONS_API"],
                                             found.row.commons_category) if found.row else ""),
            "item_url": (service.page_url(current_app.config["WIKIDATA_API"],
                                          found.row.wikidata_item) if found.row else ""),
            "places_form": PlacesForm(data={
                "commons_category": found.row.commons_category if found.row else "",
                "wikidata_item": found.row.wikidata_item if found.row else ""}),
            "override_form": OverrideForm(), "check_form": CheckForm()}


def _check_loaded(case: Case) -> None:
    """Refuse a form loaded at another version of the case, or whose hidden fields are
    damaged, before anything is done (a check would otherwise read the wikis first)."""
    check_version(case, request.form.get("version"))
    loaded_at = request.form.get("loaded_at", "")
    try:
        if loaded_at:
            datetime.fromisoformat(loaded_at)
    except ValueError:
        # Translators: an error when a form's hidden fields were changed or damaged.
        raise WorkflowError(_("The form was damaged. Reload the page and try again."),
                            field="loaded_at") from None


def _apply(reference: str, form: FlaskForm, change: Callable[[Case, CaseAccess], str]
           ) -> ResponseReturnValue:
    """Validate the form, run `change`, commit and go back to the case; or show the page
    with the refusal and its status."""
    case, access = load_case(reference)
    try:
        if access.is_staff:  # others are refused by the service (403)
            _check_loaded(case)
        if not form.validate():
            field, errors = next(iter(form.errors.items()))
            raise WorkflowError(" ".join(str(error) for error in errors), field=str(field))
        done = change(case, access)
        commit_work()
    except WorkflowError as exc:
        discard_work()
        case, access = load_case(reference)
        context = page_context(case, access, error=exc.message, error_field=exc.field)
        return render_template("cases/page.html", **context), exc.status
    flash(done, "success")
    return redirect(url_for("cases.case_page", reference=case.reference, _anchor="wiki"))


@bp.post("/requests/<reference>/wiki/places")
@login_required
def places(reference: str) -> ResponseReturnValue:
    """Staff name the Commons category and the organisation's Wikidata item."""
    form = PlacesForm()

    def change(case: Case, access: CaseAccess) -> str:
        service.set_places(get_session(), case, g.user, access,
                           form.commons_category.data or "", form.wikidata_item.data or "")
        # Translators: a confirmation on a request's wiki panel.
        return _("The Commons category and Wikidata item were saved.")

    return _apply(reference, form, change)


@bp.post("/requests/<reference>/wiki/check")
@login_required
def check(reference: str) -> ResponseReturnValue:
    """*Check now*: verify the steps on the wikis."""
    form = CheckForm()

    def change(case: Case, access: CaseAccess) -> str:
        service.check_case(get_session(), case, g.user,
                           service.WikiSettings.of(current_app.config), access)
        # Translators: a confirmation after "Check now" on a request's wiki panel.
        return _("The steps were checked on the wikis.")

    return _apply(reference, form, change)


@bp.post("/requests/<reference>/wiki/override")
@login_required
def override(reference: str) -> ResponseReturnValue:
    """Count a step as done although its check failed, with a reason."""
    form = OverrideForm()

    def change(case: Case, access: CaseAccess) -> str:
        service.override(get_session(), case, g.user, access, form.step.data or "",
                         form.reason.data or "")
        # Translators: a confirmation on a request's wiki panel.
        return _("The step counts as done; your reason was recorded.")

    return _apply(reference, form, change)


def _organisation(org_id: int) -> Organisation:
    organisation = find_organisation(get_session(), org_id)
    if organisation is None:
        # Translators: an error; %(id)s is the organisation's number in the partner registry.
        fail(404, _("There is no organisation with the number %(id)s in the partner registry.",
                    id=org_id))
    return organisation


@bp.get("/partners/<int:org_id>/impact")
@role_required("helpdesk", "committee")
def partner_report(org_id: int) -> ResponseReturnValue:
    """A printable report for a partner: its followed cases, files, usage and views."""
    organisation = _organisation(org_id)
    rows = queries.partner_report(get_session(), org_id)
    return render_template("wikicheck/report.html", org=organisation, rows=rows,
                           totals=report.totals(rows))


@bp.get("/partners/<int:org_id>/impact.csv")
@role_required("helpdesk", "committee")
def partner_report_csv(org_id: int) -> ResponseReturnValue:
    """The same report as CSV (one line a case, figures of its latest snapshot)."""
    organisation = _organisation(org_id)
    body = report.to_csv(queries.partner_report(get_session(), org_id))
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=impact-{organisation.id}.csv"})
