"""console/ui/auth.py through Streamlit's AppTest: what a person sees before signing in, with
a wrong password, with a role that does not open the page, and once let in; OIDC's button
and role mapping when [auth] is configured."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from console import settings
from console.services import auth
from console.services.access import ADMIN, FINANCE, ORGANIZER, Actor
from tests.accounts import signed_in

PASSWORD = "correct horse battery"
ANN = Actor("ann@example.org", ORGANIZER)


def guarded_page(roles: tuple[str, ...]) -> None:
    """A page behind page_guard: what it shows past the guard says who got in."""
    import streamlit as st

    from console.ui.auth import keep_signed_in, page_guard

    actor = page_guard(*roles)
    keep_signed_in()
    st.markdown(f"Page content for {actor.email} ({actor.role})")


def guarded_page_in(language: str, roles: tuple[str, ...]) -> None:
    """guarded_page in `language`, set as streamlit_app.py sets it for each run."""
    import streamlit as st

    from console.formatting import i18n
    from console.ui.auth import keep_signed_in, page_guard

    i18n.use(language)
    actor = page_guard(*roles)
    keep_signed_in()
    st.markdown(f"Page content for {actor.email} ({actor.role})")


def sign_out_page() -> None:
    import streamlit as st

    from console.ui.auth import current_actor, sign_out

    if st.button("Sign out", key="sign_out"):
        sign_out()
    actor = current_actor()
    st.markdown(f"Signed in: {actor.email if actor else 'nobody'}")


def _app(roles: tuple[str, ...] = (ORGANIZER,), actor: Actor | None = None) -> AppTest:
    app = AppTest.from_function(guarded_page, args=(roles,), default_timeout=30)
    if actor is not None:
        signed_in(app, actor)
    return app.run()


def _shown(app: AppTest) -> list[str]:
    return [element.value for element in app.markdown]


@pytest.fixture(autouse=True)
def local_accounts(tmp_path, monkeypatch):
    """Local accounts: no [auth] in the secrets."""
    monkeypatch.setenv("CONSOLE_DB", str(tmp_path / "console.duckdb"))
    monkeypatch.setattr(settings, "SECRETS_FILE", tmp_path / "no-secrets.toml")
    monkeypatch.setattr(auth, "SLOWDOWN_SECONDS_PER_FAILURE", 0.0)


@pytest.fixture
def ann_account():
    auth.add_user("ann@example.org", ORGANIZER, PASSWORD)


@pytest.fixture
def oidc(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n'
        'cookie_secret = "not-a-secret"\n'
        '[console_roles]\nadmins = ["ana@example.org"]\ndomain = "example.org"\n'
        'domain_role = "finance"\n'
    )
    monkeypatch.setattr(settings, "SECRETS_FILE", secrets)


# --- local accounts ------------------------------------------------------------------------


def test_a_visitor_sees_the_sign_in_form_and_nothing_of_the_page():
    app = _app()
    assert [title.value for title in app.title] == ["Sign in"]
    assert [field.label for field in app.text_input] == ["E-mail", "Password"]
    assert [button.label for button in app.button] == ["Sign in"]
    assert _shown(app) == []


def test_the_right_password_signs_in_and_keeps_the_browser_signed_in(ann_account):
    app = _app()
    app.text_input(key="sign_in_email").input("Ann@Example.org ")
    app.text_input(key="sign_in_password").input(PASSWORD)
    app.button[0].click().run()

    assert not app.exception
    assert _shown(app) == ["Page content for ann@example.org (organizer)"]
    assert app.session_state["actor"] == ANN
    cookie = app.session_state["session_cookie"]
    name_value, *attributes = cookie.split("; ")
    assert attributes == ["Path=/", "Max-Age=604800", "SameSite=Strict"]  # seven days
    name, token = name_value.split("=", 1)
    assert name == "console_session"
    assert auth.session_actor(token) == ANN  # a reload with this cookie is Ann again
    # The cookie goes to the browser through the cookie writer, with nothing else.
    [writer] = [e for e in app.main.children.values() if e.type == "bidi_component"]
    assert writer.proto.component_name == "webinar_console_session_cookie"
    assert writer.proto.json == f'{{"cookie": "{cookie}"}}'


def test_a_wrong_password_says_so_and_lets_nobody_in(ann_account):
    app = _app()
    app.text_input(key="sign_in_email").input("ann@example.org")
    app.text_input(key="sign_in_password").input("wrong")
    app.button[0].click().run()

    assert [error.value for error in app.error] == [
        "Wrong e-mail or password. 4 attempts left before a 15-minute lock."
    ]
    assert app.title[0].value == "Sign in" and _shown(app) == []
    assert "actor" not in app.session_state and "session_cookie" not in app.session_state


def test_nothing_is_written_to_the_browser_until_someone_signs_in():
    app = _app()
    assert not [e for e in app.main.children.values() if e.type == "bidi_component"]


def test_a_person_without_a_role_is_told_to_ask_an_admin(oidc):
    # Only a sign-in through the organization's provider can leave someone without a role.
    app = _app(actor=Actor("stranger@elsewhere.org", ""))
    assert app.title[0].value == "No access yet"
    assert app.error[0].value == (
        "You are signed in as stranger@elsewhere.org, but no role is configured for you. "
        "Ask an admin to give you one."
    )
    assert _shown(app) == []


def test_a_role_that_does_not_open_the_page_is_not_allowed():
    app = _app(roles=(ADMIN, FINANCE), actor=ANN)
    assert app.title[0].value == "Not allowed"
    assert app.error[0].value == "Your role (organizer) does not give access to this page."
    assert _shown(app) == []


@pytest.mark.parametrize("role", [ADMIN, ORGANIZER, FINANCE])
def test_a_role_the_page_names_gets_in(role):
    actor = Actor(f"{role}@example.org", role)
    app = _app(roles=(ADMIN, ORGANIZER, FINANCE), actor=actor)
    assert not app.title and not app.error
    assert _shown(app) == [f"Page content for {role}@example.org ({role})"]


def test_sign_out_forgets_the_person_in_this_browser():
    app = AppTest.from_function(sign_out_page, default_timeout=30)
    signed_in(app, ANN)
    app.session_state["session_cookie"] = "console_session=abc; Path=/"
    app.run()
    assert _shown(app) == ["Signed in: ann@example.org"]
    app.button(key="sign_out").click().run()
    assert _shown(app) == ["Signed in: nobody"]
    assert "session_cookie" not in app.session_state


def test_a_role_change_reaches_an_open_session_at_its_next_interaction(ann_account):
    app = _app(roles=(ORGANIZER,), actor=ANN)
    assert _shown(app) == ["Page content for ann@example.org (organizer)"]

    auth.add_user("ann@example.org", FINANCE, PASSWORD, by="admin@example.org")
    app.run()  # Ann's next click, in the session she already had open
    assert app.title[0].value == "Not allowed"
    assert app.error[0].value == "Your role (finance) does not give access to this page."
    assert app.session_state["actor"] == Actor("ann@example.org", FINANCE)


def test_a_removed_account_is_signed_out_of_its_open_session(ann_account):
    token = auth.open_session(ANN)
    app = _app(actor=ANN)
    assert _shown(app) == ["Page content for ann@example.org (organizer)"]

    assert auth.remove_user("ann@example.org", by="admin@example.org")
    app.run()
    assert [title.value for title in app.title] == ["Sign in"]
    assert _shown(app) == [] and "actor" not in app.session_state
    assert auth.session_actor(token) is None


def test_with_oidc_a_role_change_in_the_rules_reaches_an_open_session(oidc):
    app = AppTest.from_function(guarded_page, args=((ADMIN,),), default_timeout=30)
    app.user = {"is_logged_in": True, "email": "ana@example.org"}
    app.run()
    assert _shown(app) == ["Page content for ana@example.org (admin)"]

    settings.SECRETS_FILE.write_text(
        settings.SECRETS_FILE.read_text().replace('admins = ["ana@example.org"]', "admins = []")
    )
    app.run()
    assert app.title[0].value == "Not allowed"  # ana@example.org is now the domain's finance


# --- in French ---------------------------------------------------------------------------


def _french_app(roles: tuple[str, ...] = (ORGANIZER,), actor: Actor | None = None) -> AppTest:
    app = AppTest.from_function(guarded_page_in, args=("fr", roles), default_timeout=30)
    if actor is not None:
        signed_in(app, actor)
    return app.run()


def test_the_sign_in_page_in_french():
    app = _french_app()
    assert [title.value for title in app.title] == ["Se connecter"]
    assert [field.label for field in app.text_input] == ["E-mail", "Mot de passe"]
    assert [button.label for button in app.button] == ["Se connecter"]
    assert _shown(app) == []


def test_a_wrong_password_is_said_in_french(ann_account):
    app = _french_app()
    app.text_input(key="sign_in_email").input("ann@example.org")
    app.text_input(key="sign_in_password").input("wrong")
    app.button[0].click().run()
    assert [error.value for error in app.error] == [
        "E-mail ou mot de passe incorrect. Encore 4 essais avant un verrouillage de 15 minutes."
    ]
    assert "actor" not in app.session_state


def test_no_role_is_said_in_french(oidc):
    app = _french_app(actor=Actor("stranger@elsewhere.org", ""))
    assert app.title[0].value == "Pas encore d'accès"
    assert app.error[0].value == (
        "Vous êtes connecté en tant que stranger@elsewhere.org, mais aucun rôle ne vous est "
        "attribué. Demandez-en un à un administrateur."
    )


def test_a_role_that_does_not_open_the_page_is_said_in_french():
    app = _french_app(roles=(ADMIN, FINANCE), actor=ANN)
    assert app.title[0].value == "Accès refusé"
    assert app.error[0].value == "Votre rôle (organisateur) ne donne pas accès à cette page."
    assert _shown(app) == []


def test_with_oidc_the_sign_in_button_in_french(oidc):
    app = AppTest.from_function(guarded_page_in, args=("fr", (ADMIN,)), default_timeout=30)
    app.user = {"is_logged_in": False}
    app.run()
    assert app.title[0].value == "Se connecter"
    assert [button.label for button in app.button] == [
        "Se connecter avec le compte de votre organisation"
    ]


# --- OIDC --------------------------------------------------------------------------------


def test_with_oidc_the_sign_in_page_is_one_button(oidc):
    app = AppTest.from_function(guarded_page, args=((ADMIN,),), default_timeout=30)
    app.user = {"is_logged_in": False}
    app.run()
    assert app.title[0].value == "Sign in"
    assert [button.label for button in app.button] == ["Sign in with your organization's account"]
    assert not app.text_input and _shown(app) == []


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("Ana@Example.org", "Page content for Ana@Example.org (admin)"),  # listed as admin
        ("carl@example.org", "Page content for carl@example.org (finance)"),  # the domain's role
    ],
)
def test_with_oidc_the_role_comes_from_the_email(oidc, email, shown):
    app = AppTest.from_function(guarded_page, args=((ADMIN, FINANCE),), default_timeout=30)
    app.user = {"is_logged_in": True, "email": email}
    app.run()
    assert _shown(app) == [shown]


def test_with_oidc_an_email_no_rule_names_has_no_access(oidc):
    app = AppTest.from_function(guarded_page, args=((ADMIN,),), default_timeout=30)
    app.user = {"is_logged_in": True, "email": "eve@elsewhere.example"}
    app.run()
    assert app.title[0].value == "No access yet"
    assert "signed in as eve@elsewhere.example" in app.error[0].value


def test_with_oidc_sign_out_also_ends_the_providers_session(oidc):
    app = AppTest.from_function(sign_out_page, default_timeout=30)
    app.user = {"is_logged_in": True, "email": "ana@example.org"}
    app.run()
    assert _shown(app) == ["Signed in: ana@example.org"]
    app.button(key="sign_out").click().run()
    assert _shown(app) == ["Signed in: nobody"]
    assert app.user == {"is_logged_in": False}
