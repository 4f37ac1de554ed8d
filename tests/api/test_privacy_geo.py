"""Public positions (deterministic jitter of 40-100 m) and area assignment from the CBS outlines (pure)."""

from ijlucht import geo, privacy

SECRET = bytes(32)


def test_jitter_is_deterministic_and_between_40_and_100_m():
    for i in range(200):
        lat, lon = 52.40 + i * 0.001, 4.55 + i * 0.0007
        moved = privacy.jittered_position(SECRET, f"kit-{i}", lat, lon)
        assert moved == privacy.jittered_position(SECRET, f"kit-{i}", lat, lon)
        assert 39.5 <= privacy.distance_m(lat, lon, *moved) <= 100.5


def test_jitter_depends_on_the_secret_and_the_opt_in():
    a = privacy.public_position(SECRET, "kit-1", 52.48, 4.65)
    b = privacy.public_position(b"\x01" * 32, "kit-1", 52.48, 4.65)
    assert a != b
    assert privacy.public_position(SECRET, "kit-1", 52.48, 4.65, exact_public=True) == (52.48, 4.65)
    assert privacy.public_position(SECRET, "kit-1", None, None) == (None, None)


def test_positions_fall_in_their_municipality_and_district():
    wijk = geo.locate(52.493, 4.596)
    assert (wijk.municipality_code, wijk.municipality, wijk.district) == ("GM0375", "Beverwijk", "Wijk aan Zee")
    assert geo.locate(52.458, 4.619).municipality == "Velsen"
    assert geo.locate(52.0, 4.0) == geo.Location()
    assert geo.locate(None, None) == geo.Location()


def test_registered_kits_get_area_and_public_position(conn, make_kit):
    kit, _ = make_kit(lat=52.511, lon=4.673)
    row = conn.execute(
        "SELECT municipality, municipality_code, district_code, public_lat, public_lon FROM kits WHERE kit_id = %s",
        (kit,),
    ).fetchone()
    assert row[:3] == ("Heemskerk", "GM0396", "WK039605")
    # public positions are rounded to 5 decimals (about 1 m), so the 40-100 m band has half a metre of slack
    assert 39.5 <= privacy.distance_m(52.511, 4.673, row[3], row[4]) <= 100.5
