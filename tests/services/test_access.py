"""Who may do what: every service function as each role, and as an organizer on another
organizer's webinar. A refusal raises PermissionDenied and writes nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from console import settings
from console.domain.catalog import Webinar
from console.formatting import i18n
from console.services import (
    analytics,
    audit,
    auth,
    cancellations,
    connection,
    disputes,
    operations,
    payouts,
    pricing,
    reconciliation,
    refunds,
    webinars,
)
from console.services.access import (
    ADMIN,
    FINANCE,
    ORGANIZER,
    Actor,
    PermissionDenied,
    require,
    require_webinar_owner,
    role_name,
)
from console.store import cancellation_jobs, db
from console.store.catalog import save_webinars
from console.stripe_api import sync
from tests import REPO
from tests.accounts import signed_in
from tests.payments import pay
from tests.worlds import World, seed_world

APP = REPO / "streamlit_app.py"
ADMIN_ACTOR = Actor("admin@example.org", ADMIN)
ANN = Actor("ann@example.org", ORGANIZER)  # owns wb_ann
BOB = Actor("bob@example.org", ORGANIZER)  # owns wb_bob
FIN = Actor("fin@example.org", FINANCE)
EVERYONE = {"admin": ADMIN_ACTOR, "owner": ANN, "other organizer": BOB, "finance": FIN}
TABLES = (
    "webinars",
    "webinar_sessions",
    "price_changes",
    "refund_requests",
    "charge_locks",
    "registrants",
    "audit_log",
    "notifications",
    "cancellation_jobs",
    "stripe_refunds",
)
DRAFT = webinars.WebinarDraft("New", "ann@example.org", "2027-06-01 10:00, 60")
CSV = b'title,organizer_email,sessions\nX,ann@example.org,"2027-06-01 10:00, 60"\n'


def _seed(local) -> str:
    """Ann's and Bob's webinars, a payment to each, synced; returns Ann's charge."""
    client = local.client()
    with db.connect(write=True) as con:
        save_webinars(
            con,
            [
                Webinar(
                    "wb_ann",
                    "Ann's",
                    "ann@example.org",
                    "Policy A",
                    price_amount=4900,
                    price_currency="usd",
                ),
                Webinar(
                    "wb_bob",
                    "Bob's",
                    "bob@example.org",
                    "Policy B",
                    price_amount=2900,
                    price_currency="eur",
                ),
            ],
        )
    with db.connect(write=True) as con:
        save_webinars(con, [Webinar("wb_old", "Ann's old one", "ann@example.org")])
    cancellations.start_cancellation(ADMIN_ACTOR, "wb_old", "moved")  # left unfinished
    ann_charge = pay(client, "wb_ann", 4900, "usd", email="a@example.org").latest_charge
    pay(client, "wb_bob", 2900, "eur", email="b@example.org")
    sync.run_sync()
    return ann_charge


@pytest.fixture(scope="module")
def seeded_world(tmp_path_factory) -> World:
    """The world, seeded once for the module; each test gets a copy of its own (`world`)."""
    return seed_world(tmp_path_factory.mktemp("access-world"), _seed, smtp=True)


@pytest.fixture
def world(seeded_world, world_copy, smtp_server) -> str:
    """A local Stripe and a database of this test's own, as `_seed` left them; returns
    Ann's charge."""
    world_copy(seeded_world)
    return seeded_world.seeded


def _snapshot() -> dict:
    with db.connect() as con:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()  # noqa: S608
            for t in TABLES
        }


def _old_job() -> str:
    """The cancellation of Ann's old webinar an admin started (`_seed`), unfinished."""
    return cancellation_jobs.unfinished_job("wb_old")


def _plan(actor: Actor, charge: str):
    return refunds.plan_refund(ADMIN_ACTOR, charge, "1")


# service call -> the actors allowed (by key in EVERYONE)
MATRIX = {
    "revenue kpis": (
        lambda a, c: analytics.kpis(a, False, analytics.RevenueFilter(), "presented"),
        "all",
    ),
    "settled kpis": (
        lambda a, c: analytics.kpis(a, False, analytics.RevenueFilter(), "settled"),
        "all",
    ),
    "revenue over time": (
        lambda a, c: analytics.revenue_over_time(a, False, analytics.RevenueFilter(), "month"),
        "all",
    ),
    "registrant rows": (lambda a, c: analytics.registrant_rows(a, False, "wb_ann"), "all"),
    "fees by month": (lambda a, c: analytics.fees_by_month(a, False), {"admin", "finance"}),
    "fee breakdown": (lambda a, c: analytics.fee_breakdown(a, False), {"admin", "finance"}),
    "reconcile": (lambda a, c: reconciliation.reconcile(a), {"admin", "finance"}),
    "connection status": (lambda a, c: connection.connection_status(a), {"admin"}),
    "connection check": (lambda a, c: connection.check_connection(a), {"admin"}),
    "create webinar": (lambda a, c: webinars.create_webinar(a, DRAFT), {"admin", "owner"}),
    "edit webinar": (lambda a, c: webinars.update_webinar(a, "wb_ann", DRAFT), {"admin", "owner"}),
    "read webinar": (lambda a, c: webinars.get_webinar(a, "wb_ann"), {"admin", "owner", "finance"}),
    "import webinars": (lambda a, c: webinars.import_webinars_csv(a, CSV), {"admin", "owner"}),
    "list webinars": (lambda a, c: webinars.list_webinars(a, False), "all"),
    "plan price": (lambda a, c: pricing.plan_price(a, "wb_ann", "59", "usd"), {"admin", "owner"}),
    "save price": (
        lambda a, c: pricing.save_price(a, pricing.PriceChange("wb_ann", 4900, "usd", 5900, "usd")),
        {"admin", "owner"},
    ),
    "price history": (
        lambda a, c: pricing.price_history(a, "wb_ann"),
        {"admin", "owner", "finance"},
    ),
    "plan refund": (lambda a, c: refunds.plan_refund(a, c, "1"), {"admin", "owner", "finance"}),
    "issue refund": (
        lambda a, c: refunds.issue_refund(a, refunds.new_request_id(), _plan(a, c)),
        {"admin", "owner", "finance"},
    ),
    "cancel registration": (
        lambda a, c: refunds.cancel_registration_without_refund(
            a, "wb_ann", "nobody@example.org", "reason"
        ),
        {"admin", "owner"},
    ),
    "cancel webinar": (
        lambda a, c: cancellations.start_cancellation(a, "wb_ann", "why"),
        {"admin", "owner"},
    ),
    "webinar audit log": (lambda a, c: audit.webinar_log(a, "wb_ann"), {"admin", "owner"}),
    "audit search": (lambda a, c: audit.search(a), {"admin"}),
    "role list": (lambda a, c: auth.list_roles(a), {"admin"}),
    "start sync": (lambda a, c: operations.start_sync(a), {"admin", "finance"}),
    "revenue by webinar": (
        lambda a, c: analytics.revenue_by_webinar(a, False, analytics.RevenueFilter()),
        "all",
    ),
    "filter choices": (lambda a, c: analytics.filter_choices(a, False), "all"),
    "registrant count": (lambda a, c: analytics.registrant_count(a, False, "wb_ann"), "all"),
    "audit actions": (lambda a, c: audit.actions(a), {"admin"}),
    "refund requests": (
        lambda a, c: refunds.requests_of_webinar(a, "wb_ann"),
        {"admin", "owner", "finance"},
    ),
    "recover refunds": (lambda a, c: refunds.recover(a), {"admin", "finance"}),
    "follow pending refunds": (lambda a, c: refunds.follow_pending(a), {"admin", "finance"}),
    "unfinished cancellation": (
        lambda a, c: cancellations.unfinished_job(a, "wb_old"),
        {"admin", "owner"},
    ),
    "run cancellation": (
        lambda a, c: cancellations.run_cancellation(a, _old_job()),
        {"admin", "owner"},
    ),
    "cancellation summary": (
        lambda a, c: cancellations.job_summary(a, _old_job()),
        {"admin", "owner"},
    ),
    "cancellation summary csv": (
        lambda a, c: cancellations.job_summary_csv(a, _old_job()),
        {"admin", "owner"},
    ),
    "failed mail": (lambda a, c: connection.failed_mail(a), {"admin"}),
    "open disputes": (lambda a, c: disputes.open_disputes(a, False, 0), "all"),
    "disputes due soon": (lambda a, c: disputes.due_soon(a, False, 0), "all"),
    "dispute history": (lambda a, c: disputes.dispute_history(a, False), "all"),
    "dispute totals": (lambda a, c: disputes.history_totals(a, False), "all"),
    "disputes by month": (lambda a, c: disputes.net_effect_by_month(a, False), "all"),
    "payouts": (lambda a, c: payouts.list_payouts(a, False), {"admin", "finance"}),
    "payout by webinar": (
        lambda a, c: payouts.payout_by_webinar(a, False, "po_x"),
        {"admin", "finance"},
    ),
    "payout ledger": (lambda a, c: payouts.payout_ledger(a, False), {"admin", "finance"}),
    "payout ledger csv": (lambda a, c: payouts.ledger_csv(a, False), {"admin", "finance"}),
}


# Public service functions that take no part in the matrix, and why.
OUTSIDE_THE_MATRIX = {
    "access.require": "the check itself",
    "access.require_webinar_owner": "the check itself",
    "access.organizer_scope": "the check itself, as SQL",
    "access.in_scope": "the check itself, as SQL",
    "access.role_name": "a role's name in words, for people",
    "connection.require_verified_account": "a check the pricing functions make",
    "analytics.revenue_rows": "the command line's reports (whoever runs them holds the file)",
    "analytics.monthly_fee_rows": "the command line's reports",
    "analytics.registrants_csv": "formats rows a checked function returned",
    "reports.revenue": "the command line's reports",
    "reports.registrants": "the command line's reports",
    "reports.fees": "the command line's reports",
    "reports.records": "formats rows for the command line",
    "payouts.report": "the command line's reports",
    "payouts.report_frame": "the command line's reports",
    "auth.users_path": "sign-in, before anyone is signed in",
    "auth.add_user": "the command line's `console users add`",
    "auth.hash_password": "a pure function of the password, for add_user",
    "auth.remove_user": "the command line's `console users remove`",
    "auth.local_users": "sign-in, before anyone is signed in",
    "auth.sign_in": "sign-in, before anyone is signed in",
    "auth.open_session": "sign-in, before anyone is signed in",
    "auth.session_actor": "sign-in, before anyone is signed in",
    "auth.as_of_now": "sign-in: re-reads the signed-in person's role",
    "auth.close_session": "sign-out",
    "auth.oidc_configured": "sign-in, before anyone is signed in",
    "auth.role_for_email": "sign-in, before anyone is signed in",
    "operations.settle_after_sync": "runs after a sync, as the sync",
    "operations.settle_open_refunds": "the background step, as the sync",
    "operations.release_expired_holds": "the background step",
    "operations.background_round": "the background step",
    "pricing.preview_price": "reads no data",
    "webinars.parse_sessions": "reads no data",
    "refunds.new_request_id": "reads no data",
    "refunds.record": "issue_refund's and recovery's last step, past their checks",
    "refunds.drive": "issue_refund's and the cancellation's step, past their checks",
    **{
        f"registration.{name}": "the public registration: participants have no account"
        for name in (
            "registrant_id_for",
            "open_webinars",
            "public_webinar",
            "check_registration",
            "register_free",
            "start_paid_registration",
            "complete_paid_registration",
            "release_expired_holds",
            "settle_from_mirror",
            "registration_link",
            "return_link",
            "return_token_of",
            "status_text",
            "confirmation",
            "send_confirmation",
        )
    },
}


def _public_service_functions() -> set[str]:
    """`module.function` for every public function defined in console/services/."""
    import importlib
    import inspect
    import pkgutil

    import console.services

    found = set()
    for info in pkgutil.walk_packages(console.services.__path__, "console.services."):
        module = importlib.import_module(info.name)
        short = info.name.split(".")[2]  # console.services.refunds.issuing -> refunds
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                if not name.startswith("_"):
                    found.add(f"{short}.{name}")
    return found


def _called_in_the_matrix() -> set[str]:
    """`module.function` named in each row's call (its code's global and attribute names)."""
    called = set()
    for call, _allowed in MATRIX.values():
        names = call.__code__.co_names
        called |= {f"{a}.{b}" for a, b in zip(names, names[1:], strict=False)}
    return called


def test_every_public_service_function_is_in_the_matrix_or_says_why_not():
    missing = _public_service_functions() - _called_in_the_matrix() - set(OUTSIDE_THE_MATRIX)
    assert missing == set(), "add these to MATRIX, or to OUTSIDE_THE_MATRIX with a reason"
    assert set(OUTSIDE_THE_MATRIX) <= _public_service_functions()  # no stale reasons


@pytest.mark.parametrize("who", list(EVERYONE))
@pytest.mark.parametrize("service", list(MATRIX))
def test_permission_matrix(world, service, who):
    call, allowed = MATRIX[service]
    actor = EVERYONE[who]
    before = _snapshot()
    if allowed == "all" or who in allowed:
        try:
            call(actor, world)
        except (refunds.RefundRefused, LookupError):
            pass  # allowed, refused for a reason other than the role
    else:
        with pytest.raises(PermissionDenied):
            call(actor, world)
        assert _snapshot() == before


def test_an_organizers_totals_and_exports_hold_only_their_webinars(world):
    everything = analytics.revenue_by_webinar(ADMIN_ACTOR, False, analytics.RevenueFilter())
    assert set(everything["webinar_id"]) == {"wb_ann", "wb_bob"}
    mine = analytics.revenue_by_webinar(ANN, False, analytics.RevenueFilter())
    assert set(mine["webinar_id"]) == {"wb_ann"}
    # Even asking for Bob's webinar by name gives nothing.
    asked = analytics.RevenueFilter(webinar_ids=("wb_bob",))
    for side in ("presented", "settled"):
        assert analytics.kpis(ANN, False, asked, side).empty
    # Ann's usd payments, settled in the French account's eur.
    assert list(analytics.kpis(ANN, False, analytics.RevenueFilter(), "presented")["currency"]) == [
        "usd"
    ]
    assert list(analytics.kpis(ANN, False, analytics.RevenueFilter(), "settled")["currency"]) == [
        "eur"
    ]
    assert analytics.registrant_rows(ANN, False, "wb_bob").empty
    assert analytics.registrant_count(ANN, False, "wb_bob") == 0
    assert set(analytics.filter_choices(ANN, False).webinars) == {"wb_ann", "wb_old"}
    assert b"b@example.org" not in analytics.registrants_csv(
        analytics.registrant_rows(ANN, False, "wb_bob")
    )
    assert set(webinars.list_webinars(ANN, False)["webinar_id"]) == {"wb_ann", "wb_old"}


# --- refusals, in the language of the work at hand -----------------------------------------


def _refusal(check, *args) -> str:
    with pytest.raises(PermissionDenied) as refused:
        check(*args)
    return str(refused.value)


def test_a_refusal_says_who_may_and_lists_the_roles_as_the_language_does():
    assert _refusal(require, FIN, ADMIN) == (
        "fin@example.org (finance) may not do this; it needs the role admin. Ask an admin."
    )
    assert _refusal(require, Actor("x@example.org", ""), ADMIN, ORGANIZER, FINANCE) == (
        "x@example.org () may not do this; it needs the role admin, organizer, or finance. "
        "Ask an admin."
    )


def test_a_refusal_raised_while_french_is_spoken_is_french():
    with i18n.speaking("fr"):
        assert _refusal(require, ANN, ADMIN, FINANCE) == (
            "ann@example.org (organisateur) ne peut pas faire cela : il faut le rôle "
            "administrateur ou finance. Demandez à un administrateur."
        )
        assert _refusal(require_webinar_owner, BOB, "ann@example.org") == (
            "bob@example.org ne peut gérer que ses propres webinaires."
        )
        # A service's own check, asked in French.
        assert "ne peut pas faire cela" in _refusal(connection.failed_mail, FIN)
    assert "may not do this" in _refusal(connection.failed_mail, FIN)  # and back in English


def test_role_names_are_words_in_the_current_language_and_codes_elsewhere():
    assert [role_name(role) for role in (ADMIN, ORGANIZER, FINANCE)] == [
        "admin",
        "organizer",
        "finance",
    ]
    with i18n.speaking("fr"):
        assert role_name(ADMIN) == "administrateur" and role_name(ORGANIZER) == "organisateur"
        assert role_name("auditor") == "auditor"  # not a role of the console: as written


# --- pages per role --------------------------------------------------------------------------

PAGE_ACCESS = {
    "pages/revenue.py": {ADMIN, ORGANIZER, FINANCE},
    "pages/registrants.py": {ADMIN, ORGANIZER, FINANCE},
    "pages/fees.py": {ADMIN, FINANCE},
    "pages/disputes.py": {ADMIN, ORGANIZER, FINANCE},
    "pages/reconciliation.py": {ADMIN, FINANCE},
    "pages/sync_status.py": {ADMIN, FINANCE},
    "pages/webinars.py": {ADMIN, ORGANIZER},
    "pages/connection.py": {ADMIN},
    "pages/audit.py": {ADMIN},
}


@pytest.mark.parametrize("actor", [ADMIN_ACTOR, ANN, FIN], ids=lambda a: a.role)
def test_each_page_for_each_role(world, actor):
    import streamlit as st

    for page, roles in PAGE_ACCESS.items():
        st.cache_data.clear()
        app = AppTest.from_file(str(APP), default_timeout=60)
        signed_in(app, actor)
        app.run()
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        refused = bool(app.title) and app.title[0].value == "Not allowed"
        assert refused == (actor.role not in roles), (page, actor.role)
        if refused:
            assert not app.dataframe and not app.metric  # no data on a refused page


@pytest.mark.parametrize(
    ("actor", "menu"),
    [
        (
            ADMIN_ACTOR,
            {
                "Revenue",
                "Paid registrants",
                "Stripe fees",
                "Disputes",
                "Reconciliation",
                "Payouts",
                "Sync status",
                "Webinars",
                "Webinar",
                "Stripe connection",
                "Audit log",
            },
        ),
        (ANN, {"Revenue", "Paid registrants", "Disputes", "Webinars", "Webinar"}),
        (
            FIN,
            {
                "Revenue",
                "Paid registrants",
                "Stripe fees",
                "Disputes",
                "Reconciliation",
                "Payouts",
                "Sync status",
            },
        ),
    ],
    ids=["admin", "organizer", "finance"],
)
def test_navigation_shows_each_role_its_pages(world, actor, menu):
    app = AppTest.from_file(str(APP), default_timeout=60)
    signed_in(app, actor)
    app.run()
    shown = {element.proto.label for element in app.sidebar.get("page_link")}
    assert shown == menu


def test_signed_out_visitors_see_sign_in_only(world):
    # Registration is on the public site, its own server (public_app.py), not here.
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert app.title[0].value == "Sign in"
    assert not app.sidebar.get("page_link")
    assert not app.dataframe and not app.metric


def test_a_signed_in_user_without_a_role_sees_only_that(world, tmp_path, monkeypatch):
    # Only a sign-in through the organization's provider can leave someone without a role.
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    monkeypatch.setattr(settings, "SECRETS_FILE", secrets)
    app = AppTest.from_file(str(APP), default_timeout=60)
    signed_in(app, Actor("stranger@example.org", ""))
    app.run()
    assert app.title[0].value == "No access yet"
    assert not app.dataframe and not app.metric
