"""The error bodies of the faces, checked the same way by every test that expects one."""

from typing import Any


def assert_error(response, status: int, code: str | None = None,
                 text: str | None = None) -> dict[str, Any]:
    """``/api/``'s error: JSON ``{"detail", "code"}``, both non-empty strings; ``code`` and a
    ``text`` in the detail when given. Returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code:
        assert body["code"] == code, body
    if text:
        assert text in body["detail"], body
    return body


def fault(response, status: int, name: str) -> str:
    """A Nova fault: ``{name: {"code": status, "message": ...}}`` and nothing else. Returns the
    message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == [name], body
    assert body[name]["code"] == status and body[name]["message"]
    return body[name]["message"]
