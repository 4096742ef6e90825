"""Organizations: the scopes asked for, the user's organizations and roles on the home page, organization tokens."""

from __future__ import annotations

import pytest

from conftest import Browser, query_of, settings_env
from oidc_standin import OidcStandIn
from sample_app import ConfigError, create_app

ORGANIZATION_SCOPES = {"urn:logto:scope:organizations", "urn:logto:scope:organization_roles"}


def test_sign_in_asks_for_the_organization_scopes_and_logtos_organizations_resource(browser: Browser) -> None:
    query = query_of(browser.start_sign_in())

    assert set(query["scope"].split()) >= ORGANIZATION_SCOPES
    assert query["resource"] == "urn:logto:resource:organizations"


def test_home_page_lists_each_organization_by_name_with_the_users_roles(browser: Browser, standin: OidcStandIn) -> None:
    browser.sign_in("adele")

    page = browser.home()
    assert ">Contoso</a> (member)</li>" in page
    assert ">Fabrikam &lt;Labs&gt;</a> (admin, member)</li>" in page  # Names are escaped.
    assert 'href="https://app.example.test/organizations/contoso00001"' in page
    # Userinfo was read once, at the callback, with the access token; later pages do not call it.
    browser.home()
    assert len(standin.userinfo_requests) == 1


def test_a_user_without_organizations_sees_none_and_userinfo_is_not_called(
    browser: Browser, standin: OidcStandIn
) -> None:
    browser.sign_in("alice")

    assert '<p id="organizations">No organization.</p>' in browser.home()
    assert standin.userinfo_requests == []


def test_userinfo_failing_does_not_fail_the_sign_in_the_ids_are_shown(
    browser: Browser, standin: OidcStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    standin.userinfo_status = 500

    response = browser.sign_in("adele")

    assert response.status_code == 302
    page = browser.home()
    assert ">contoso00001</a> (member)</li>" in page
    assert "Organization names could not be read from userinfo" in caplog.text


def test_organization_page_shows_the_scopes_of_an_organization_token(browser: Browser, standin: OidcStandIn) -> None:
    browser.sign_in("adele")

    response = browser.client.get("/organizations/fabrikam0001")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Fabrikam &lt;Labs&gt; · Logto sample</title>" in page
    assert '<dd id="roles">admin, member</dd>' in page
    refresh = standin.token_requests[-1]
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["organization_id"] == "fabrikam0001"
    assert "resource" not in refresh
    # The sign-in asked for no organization scope (LOGTO_ORGANIZATION_SCOPES unset): the token grants none.
    assert '<dd id="token-scopes">(none)</dd>' in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_organization_scopes_setting_is_asked_for_and_granted_as_the_roles_allow(standin: OidcStandIn) -> None:
    app = create_app(settings_env(standin.endpoint) | {"LOGTO_ORGANIZATION_SCOPES": " read:reports  manage:members "})
    browser = Browser(app.test_client(), standin)

    authorization_url = browser.start_sign_in()
    assert {"read:reports", "manage:members"} <= set(query_of(authorization_url)["scope"].split())
    browser.follow_callback(browser.authorize(authorization_url, "adele"))

    contoso = browser.client.get("/organizations/contoso00001").get_data(as_text=True)
    fabrikam = browser.client.get("/organizations/fabrikam0001").get_data(as_text=True)
    assert '<dd id="token-scopes">read:reports</dd>' in contoso
    assert '<dd id="token-scopes">manage:members read:reports</dd>' in fabrikam


def test_organization_page_of_another_organization_is_404_without_asking_logto(
    browser: Browser, standin: OidcStandIn
) -> None:
    browser.sign_in("adele")
    before = len(standin.token_requests)

    response = browser.client.get("/organizations/northwind001")

    assert response.status_code == 404
    assert "not a member of this organization" in response.get_data(as_text=True)
    assert len(standin.token_requests) == before


def test_organization_page_needs_a_signed_in_user(browser: Browser, standin: OidcStandIn) -> None:
    response = browser.client.get("/organizations/contoso00001")

    assert response.status_code == 401
    assert standin.requests == []


def test_an_organization_token_refused_by_logto_is_reported(
    browser: Browser, standin: OidcStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ID token still lists an organization the user has left meanwhile: Logto refuses the token.
    browser.sign_in("adele")
    monkeypatch.setitem(standin.users["adele"], "organizations", ["fabrikam0001"])

    response = browser.client.get("/organizations/contoso00001")

    assert response.status_code == 400
    assert "access_denied" in response.get_data(as_text=True)


def test_an_access_token_that_is_not_an_organization_token_is_reported(browser: Browser, standin: OidcStandIn) -> None:
    standin.opaque_organization_tokens = True
    browser.sign_in("adele")

    response = browser.client.get("/organizations/contoso00001")

    assert response.status_code == 400
    assert "not an organization token" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["openid read:reports", "urn:logto:scope:organizations"])
def test_organization_scopes_setting_refuses_scopes_the_app_asks_for_itself(standin: OidcStandIn, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        create_app(settings_env(standin.endpoint) | {"LOGTO_ORGANIZATION_SCOPES": value})

    assert "LOGTO_ORGANIZATION_SCOPES lists" in str(raised.value)
