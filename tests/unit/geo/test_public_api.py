"""``geo`` names its public API: every name resolves, unknown names fail plainly."""

import pytest

import geo


def test_public_api_every_name_resolves_to_its_object():
    for name in geo.__all__:
        obj = getattr(geo, name)
        assert obj is not None, name


def test_public_api_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'read_bbox'"):
        _ = geo.read_bbox
