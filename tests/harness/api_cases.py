"""Shared tests for the ``/api/`` resources: a resource's test class declares its data, the
mixins send the requests and check the answers.

A class declares what the resource is (``url``, ``model``, how an object is named in its URL
and body, the fields every body shows) and gives three fixtures, built on the ``cloud``
fixture (tests/harness/api_fixtures.py): ``objects``, rows that alice (project-a, ``cloud.a``)
may see; ``hidden``, a row of project-b's that she may not; and, for the write mixins,
``create_data`` / ``update_data``. Then it mixes in what the resource answers::

    class TestNetworks(GetObjectViewTestCase, ListObjectsViewTestCase, ...):
        url = "/api/networks/"
        ...

Every check compares with what the test itself made, never with everything a fixture holds:
a list must contain the objects made and not the hidden one, a create adds exactly one row.
A refused write must leave the table as it was.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.db import models

from tests.harness.errors import assert_error


class APIResourceTestCase:
    """What every resource test declares."""

    #: The list URL, e.g. ``/api/networks/``.
    url: ClassVar[str]
    model: ClassVar[type[models.Model]]
    #: The model attribute that names an object in its URL, and the body's field for it.
    lookup: ClassVar[str] = "pk"
    key: ClassVar[str] = "id"
    #: Every field of the resource's body, no more and no fewer.
    fields: ClassVar[frozenset[str]]
    #: Whether a list answers a page (``{"count", "results", ...}``) or a plain list.
    paginated: ClassVar[bool] = True
    #: The ``cloud`` client that creates and deletes (``a``: alice, or ``admin``), and the one
    #: that updates.
    writer: ClassVar[str] = "a"
    updater: ClassVar[str] = "a"
    #: What alice's write to an object she may not see answers: 404, as if it did not exist.
    hidden_write_status: ClassVar[int] = 404

    def detail_url(self, obj: models.Model) -> str:
        return f"{self.url}{getattr(obj, self.lookup)}/"

    def key_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.lookup))

    def listed(self, response) -> list[dict[str, Any]]:
        assert response.status_code == 200, response.content
        body = response.json()
        return body["results"] if self.paginated else body

    def client(self, cloud, role: str):
        return getattr(cloud, role)


class GetObjectViewTestCase(APIResourceTestCase):
    def test_get_object(self, cloud, objects):
        obj = objects[0]
        response = cloud.a.get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        body = response.json()
        assert sorted(body) == sorted(self.fields)
        assert str(body[self.key]) == self.key_of(obj)

    def test_get_hidden_object_is_404(self, cloud, hidden):
        assert_error(cloud.a.get(self.detail_url(hidden)), 404)

    def test_get_object_anonymously_is_401(self, cloud, objects):
        assert_error(cloud.anonymous.get(self.detail_url(objects[0])), 401)


class ListObjectsViewTestCase(APIResourceTestCase):
    def test_list_objects_shows_the_callers_and_not_others(self, cloud, objects, hidden):
        listed = {str(item[self.key]): item for item in self.listed(cloud.a.get(self.url))}
        assert {self.key_of(obj) for obj in objects} <= set(listed)
        assert self.key_of(hidden) not in listed
        assert all(sorted(item) == sorted(self.fields) for item in listed.values())

    def test_list_objects_anonymously_is_401(self, cloud):
        assert_error(cloud.anonymous.get(self.url), 401)


class CreateObjectViewTestCase(APIResourceTestCase):
    """``create_data``: bodies that each make one object; every field a body names that the
    resource shows comes back as sent. ``invalid_create_data``: a body refused with 400."""

    #: Fields a create's answer adds to the resource's own (e.g. ``warnings``).
    create_extra_fields: ClassVar[frozenset[str]] = frozenset()

    @pytest.fixture
    def invalid_create_data(self) -> dict[str, Any]:
        """A body every resource refuses: an unknown field (the API's bodies are strict)."""
        return {"no_such_field": 1}

    def test_create_object(self, cloud, create_data):
        writer = self.client(cloud, self.writer)
        for data in create_data:
            before = self.model.objects.count()
            response = writer.post(self.url, data, format="json")
            assert response.status_code == 201, response.content
            body = response.json()
            assert sorted(body) == sorted(self.fields | self.create_extra_fields)
            assert {k: body[k] for k in data if k in self.fields} == \
                {k: v for k, v in data.items() if k in self.fields}
            assert self.model.objects.count() == before + 1
            shown = writer.get(f"{self.url}{body[self.key]}/")
            assert shown.status_code == 200, shown.content

    def test_create_invalid_object_is_400_and_writes_nothing(self, cloud, invalid_create_data):
        before = self.model.objects.count()
        response = self.client(cloud, self.writer).post(self.url, invalid_create_data,
                                                        format="json")
        assert_error(response, 400)
        assert self.model.objects.count() == before


class UpdateObjectViewTestCase(APIResourceTestCase):
    """``update_data``: a PATCH body; the answer, and a GET after it, show it."""

    def test_update_object(self, cloud, objects, update_data):
        updater = self.client(cloud, self.updater)
        url = self.detail_url(objects[0])
        response = updater.patch(url, update_data, format="json")
        assert response.status_code == 200, response.content
        assert {k: response.json()[k] for k in update_data} == update_data
        shown = updater.get(url).json()
        assert {k: shown[k] for k in update_data} == update_data

    def test_update_hidden_object_is_refused_and_keeps_it(self, cloud, hidden, update_data):
        shown = cloud.admin.get(self.detail_url(hidden)).json()
        assert_error(cloud.a.patch(self.detail_url(hidden), update_data, format="json"),
                     self.hidden_write_status)
        assert cloud.admin.get(self.detail_url(hidden)).json() == shown


class DeleteObjectViewTestCase(APIResourceTestCase):
    def test_delete_object(self, cloud, objects):
        obj = objects[0]
        writer = self.client(cloud, self.writer)
        assert writer.delete(self.detail_url(obj)).status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert_error(writer.get(self.detail_url(obj)), 404)

    def test_delete_hidden_object_is_refused_and_keeps_it(self, cloud, hidden):
        assert_error(cloud.a.delete(self.detail_url(hidden)), self.hidden_write_status)
        assert self.model.objects.filter(pk=hidden.pk).exists()


class AdminWritesTestCase(APIResourceTestCase):
    """Resources only administrators change: a tenant who sees an object still may not
    create, change or delete, and the refusal writes nothing."""

    def test_a_tenant_may_not_create(self, cloud, create_data):
        before = self.model.objects.count()
        assert_error(cloud.a.post(self.url, create_data[0], format="json"), 403)
        assert self.model.objects.count() == before

    def test_a_tenant_may_not_update_or_delete_what_it_sees(self, cloud, objects, update_data):
        obj = objects[0]
        assert cloud.a.get(self.detail_url(obj)).status_code == 200
        shown = cloud.admin.get(self.detail_url(obj)).json()
        assert_error(cloud.a.patch(self.detail_url(obj), update_data, format="json"), 403)
        assert_error(cloud.a.delete(self.detail_url(obj)), 403)
        assert cloud.admin.get(self.detail_url(obj)).json() == shown
