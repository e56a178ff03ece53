"""core.geo answers exactly as the geoip2fast library does, only faster."""

import random

import pytest

from core import geo


def _library_answer(ip: str) -> geo.GeoInfo:
    return geo._library_lookup(geo._database(), ip)


def _addresses(rng: random.Random) -> list[str]:
    v4 = [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(20_000)]
    v6 = [":".join(f"{rng.randrange(65536):x}" for _ in range(8)) for _ in range(2_000)]
    v6 += [f"2a0{rng.randrange(10)}:{rng.randrange(65536):x}::{rng.randrange(65536):x}" for _ in range(2_000)]
    edges = ["0.0.0.0", "255.255.255.255", "10.1.2.3", "192.168.0.1", "127.0.0.1", "100.64.0.1", "::1", "::",
             "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8.8.8.8", "1.1.1.1", "81.2.69.160"]
    return v4 + v6 + edges


def test_tables_are_read_from_the_library():
    geo._database()
    assert geo._tables is not None, "geoip2fast changed its table layout: the slow path is in use"


def test_every_answer_matches_the_library():
    rng = random.Random(7)
    mismatches = [(ip, geo._search(geo._tables, geo._address(ip)), _library_answer(ip))
                  for ip in _addresses(rng)
                  if geo._search(geo._tables, geo._address(ip)) != _library_answer(ip)]
    assert mismatches == []


def test_known_addresses_have_country_and_organisation():
    info = geo.lookup("8.8.8.8")
    assert info.country == "US" and info.as_organization and not info.is_private
    private = geo.lookup("10.1.2.3")
    assert private.country is None and private.is_private


@pytest.mark.parametrize("bad", ["", "not an ip", "1.2.3.4.5", "300.1.1.1", "1.2.3.4\x00", "::g", "a" * 5000,
                                 "1.2.3.4/24"])
def test_malformed_addresses_are_unknown_like_the_library(bad):
    assert geo.lookup(bad) == _library_answer(bad) == geo.UNKNOWN
