"""Failed sign-ins are throttled per user and per client address, on every face that takes a
password: the Identity's password method, /api/auth/token/, the dashboard's sign-in page and
the Django admin's (multinic_identity.lockout, over django-axes)."""

import json
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import F, Sum
from django.test import Client
from rest_framework.test import APIClient

from multinic_identity import lockout
from multinic_identity.models import AuthToken

LIMIT = settings.AXES_FAILURE_LIMIT
TOKENS = "/identity/v3/auth/tokens"


def password_body(password, name="alice", user_id=None):
    user = {"id": user_id} if user_id else {"name": name, "domain": {"id": "default"}}
    return {"auth": {"identity": {"methods": ["password"],
                                  "password": {"user": {**user, "password": password}}}}}


def identity_sign_in(address, password, name="alice", user_id=None):
    # JSON as text, \u escapes and all: a lone surrogate is a valid JSON escape.
    return APIClient().post(TOKENS, json.dumps(password_body(password, name, user_id)),
                            content_type="application/json", REMOTE_ADDR=address)


def assert_locked_in_keystone_format(response, user="alice"):
    assert response.status_code == 401, response.content
    error = response.json()["error"]
    assert error["code"] == 401 and error["title"] == "Unauthorized"
    assert error["message"].startswith(f"The account is locked for user: {user}.")
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert response["WWW-Authenticate"].startswith("Keystone uri=")
    assert "X-Subject-Token" not in response


def failures() -> int:
    return AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] or 0


def let_the_cool_off_pass() -> None:
    """Every failure so far happened a cool-off (and a second) ago."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))


# --- the Identity's password method ----------------------------------------------------------

def test_a_user_is_locked_after_the_limit_from_any_address(cloud):
    for attempt in range(LIMIT - 1):
        assert identity_sign_in(f"192.0.2.{attempt % 2 + 1}", "wrong").status_code == 401
    # One short of the limit the right password still works, and forgets the failures from
    # where it came; those from elsewhere still count.
    assert identity_sign_in("192.0.2.1", "pw-alice").status_code == 201
    assert failures() == (LIMIT - 1) // 2
    AccessAttempt.objects.all().delete()
    for attempt in range(LIMIT):
        response = identity_sign_in(f"192.0.2.{attempt % 2 + 1}", "wrong")
        assert response.status_code == 401 and "locked" not in response.json()["error"]["message"]
    assert failures() == LIMIT
    # Locked: the right password is refused too, from a third address, untried.
    assert_locked_in_keystone_format(identity_sign_in("192.0.2.3", "pw-alice"))
    assert failures() == LIMIT
    # Another user is not locked, from that third address (it has failed nothing).
    assert APIClient().post(TOKENS, password_body("pw-bob", "bob"), format="json",
                            REMOTE_ADDR="192.0.2.3").status_code == 201


def test_naming_the_user_by_id_or_by_name_counts_alike(cloud):
    for attempt in range(LIMIT):
        by_id = str(cloud.alice.pk) if attempt % 2 else None
        identity_sign_in("192.0.2.1", "wrong", user_id=by_id)
    locked = identity_sign_in("192.0.2.2", "pw-alice", user_id=str(cloud.alice.pk))
    # The message names the user as the request did: an id is not answered with a name.
    assert_locked_in_keystone_format(locked, user=str(cloud.alice.pk))


def test_an_address_is_locked_after_the_limit_across_users(cloud):
    names = ["alice", "bob", "nobody", "root"]
    for attempt in range(LIMIT):
        assert identity_sign_in("198.51.100.7", "wrong", names[attempt % 4]).status_code == 401
    locked = identity_sign_in("198.51.100.7", "pw-root", "root")
    assert_locked_in_keystone_format(locked, user="root")
    # Neither root (one failure) nor that address's other victims are locked elsewhere.
    assert identity_sign_in("198.51.100.8", "pw-root", "root").status_code == 201
    assert identity_sign_in("198.51.100.8", "pw-alice").status_code == 201


def test_an_unknown_user_is_locked_like_a_known_one(cloud):
    for attempt in range(LIMIT):
        identity_sign_in(f"192.0.2.{attempt + 1}", "guess", "nobody")
    assert_locked_in_keystone_format(identity_sign_in("192.0.2.99", "guess", "nobody"),
                                     user="nobody")


def test_the_lock_lifts_after_the_cool_off(cloud):
    for _ in range(LIMIT):
        identity_sign_in("192.0.2.1", "wrong")
    assert identity_sign_in("192.0.2.1", "pw-alice").status_code == 401
    let_the_cool_off_pass()
    assert identity_sign_in("192.0.2.1", "pw-alice").status_code == 201


def test_a_victims_sign_in_does_not_restart_an_attackers_count(cloud):
    for _ in range(LIMIT - 1):
        identity_sign_in("198.51.100.50", "wrong", "bob")
    assert identity_sign_in("198.51.100.52", "pw-bob", "bob").status_code == 201
    identity_sign_in("198.51.100.50", "wrong", "nobody")
    assert_locked_in_keystone_format(identity_sign_in("198.51.100.50", "pw-root", "root"),
                                     user="root")


@pytest.mark.parametrize("name", ["x" * 5000, "a\x00b"])
def test_names_no_user_can_have_are_counted_without_a_500(cloud, name):
    for _ in range(LIMIT):
        response = identity_sign_in("192.0.2.1", "wrong", name)
        assert 400 <= response.status_code < 500
    assert failures() == LIMIT
    assert identity_sign_in("192.0.2.2", "wrong", name).json()["error"]["message"].startswith(
        "The account is locked")


def test_text_the_database_cannot_store_is_counted_by_its_digest(db):
    for _ in range(LIMIT):
        lockout.failed("\ud800", "192.0.2.1")
    assert not lockout.allowed("\ud800", "192.0.2.2")
    assert lockout.allowed("\ud801", "192.0.2.2")


# --- /api/auth/token/ ------------------------------------------------------------------------

def api_token(address, password, name="alice"):
    return APIClient().post("/api/auth/token/", {"username": name, "password": password},
                            format="json", REMOTE_ADDR=address)


def test_api_token_answers_429_in_the_api_format_while_locked(cloud):
    for attempt in range(LIMIT):
        response = api_token(f"192.0.2.{attempt % 2 + 1}", "wrong")
        assert response.status_code == 400 and response.json()["code"] == "invalid"
    locked = api_token("192.0.2.3", "pw-alice")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "Too many failed sign-ins" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # The Identity face sees the same lock: one rule.
    assert_locked_in_keystone_format(identity_sign_in("192.0.2.3", "pw-alice"))
    let_the_cool_off_pass()
    assert api_token("192.0.2.3", "pw-alice").status_code == 200


# --- the dashboard's sign-in page ------------------------------------------------------------

def dashboard_sign_in(browser, password, name="alice"):
    return browser.post("/auth/login/", {"username": name, "password": password,
                                         "region": "default"})


def test_dashboard_counts_each_failure_once_against_the_browsers_address(cloud):
    browser = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(LIMIT):
        wrong = dashboard_sign_in(browser, "wrong")
        assert wrong.status_code == 200 and b'id="login-error"' in wrong.content
        assert b"Too many failed sign-ins" not in wrong.content
        assert failures() == attempt + 1  # openstack_auth's failure and the Identity's: one
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}

    tokens = AuthToken.objects.count()
    locked = dashboard_sign_in(browser, "pw-alice")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert b'id="login-error"' in locked.content
    assert b"Too many failed sign-ins for this user or from this address" in locked.content
    assert "_auth_user_id" not in browser.session
    # The password was not even tried: no token issued, no failure counted.
    assert AuthToken.objects.count() == tokens and failures() == LIMIT

    # The user is locked from any browser; another user from another browser is not.
    assert dashboard_sign_in(Client(REMOTE_ADDR="203.0.113.6"), "pw-alice").status_code == 429
    assert dashboard_sign_in(Client(REMOTE_ADDR="203.0.113.6"), "pw-bob", "bob").status_code \
        == 302
    let_the_cool_off_pass()
    assert dashboard_sign_in(browser, "pw-alice").status_code == 302


def test_dashboard_address_lock_is_that_browsers_alone(cloud):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for attempt in range(LIMIT):
        dashboard_sign_in(attacker, "wrong", ["alice", "bob", "root"][attempt % 3])
    # The attacker's address is locked, even for a user it has not tried; others sign in.
    assert dashboard_sign_in(attacker, "guess", "nobody").status_code == 429
    assert dashboard_sign_in(Client(REMOTE_ADDR="203.0.113.7"), "pw-bob", "bob").status_code \
        == 302
    assert dashboard_sign_in(Client(), "pw-alice").status_code == 302


def test_admin_sign_in_counts_and_is_locked_too(cloud):
    browser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LIMIT):
        wrong = browser.post("/django-admin/login/", {"username": "root", "password": "wrong"})
        assert wrong.status_code == 200
    locked = browser.post("/django-admin/login/", {"username": "root", "password": "pw-root"})
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in browser.session
    assert_locked_in_keystone_format(identity_sign_in("203.0.113.10", "pw-root", "root"),
                                     user="root")


# --- nothing holds the password --------------------------------------------------------------

def test_no_log_line_or_row_holds_the_password(cloud, caplog):
    secret = "Sekr1t-guess-7c1e"
    caplog.set_level(logging.DEBUG)
    for _ in range(LIMIT + 1):
        identity_sign_in("192.0.2.1", secret)
        api_token("192.0.2.2", secret)
        dashboard_sign_in(Client(REMOTE_ADDR="192.0.2.3"), secret)
        Client(REMOTE_ADDR="192.0.2.4").post("/django-admin/login/",
                                             {"username": "root", "password": secret})
    assert AccessAttempt.objects.exists() and AccessFailureLog.objects.exists()
    assert any("AXES" in record.getMessage() for record in caplog.records)  # axes did log
    for record in caplog.records:
        assert secret not in record.getMessage(), record.getMessage()
    for model in (AccessAttempt, AccessFailureLog):
        for row in model.objects.values():
            assert secret not in repr(row), row


# --- behind reverse proxies ------------------------------------------------------------------

def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(cloud, settings):
    settings.MULTINIC_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for attempt in range(LIMIT):
        # The left entries are the client's own claims, different each time: they prove nothing.
        response = APIClient().post(
            TOKENS, password_body("wrong", ["alice", "bob", "nobody"][attempt % 3]),
            format="json", REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"198.18.0.{attempt}, 203.0.113.50")
        assert response.status_code == 401
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}
    locked = APIClient().post(TOKENS, password_body("pw-root", "root"), format="json",
                              REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert_locked_in_keystone_format(locked, user="root")
    # Everyone else behind the same proxy still signs in, in the dashboard too.
    assert APIClient().post(TOKENS, password_body("pw-root", "root"), format="json",
                            REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.51"
                            ).status_code == 201
    browser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.52")
    assert dashboard_sign_in(browser, "pw-bob", "bob").status_code == 302
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert dashboard_sign_in(attacker, "pw-bob", "bob").status_code == 429
