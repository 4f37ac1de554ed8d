"""The licence of the platform's data, and of each source it takes data from (docs/data-licence.md).

One place for these facts: the API states them in every answer's metadata and export header, the dashboard in
its footer. ODbL 1.0 because the platform's measurements are a database that others extend and republish: it
keeps derived databases open (share-alike) and asks for attribution, and it is the licence Sensor.Community
publishes its archive under, so airRohr data and ours can be combined without a licence clash.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX identifier
    name: str
    url: str


ODBL = Licence(
    "ODbL-1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/"
)
CC_BY_4 = Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/")

# Terms of the services themselves; their exact licence text is at these pages (not restated here).
LUCHTMEETNET = Licence(
    "LicenseRef-luchtmeetnet-open-data",
    "Luchtmeetnet open data (terms of the Luchtmeetnet open API)",
    "https://api-docs.luchtmeetnet.nl/",
)
SAMEN_METEN = Licence(
    "LicenseRef-samenmeten-open-data",
    "RIVM Samen Meten open data (terms of the Samen Meten API)",
    "https://samenmeten.rivm.nl/",
)

DATA_LICENCE = ODBL
ATTRIBUTION = "IJlucht contributors (citizen measurement kits of the IJmond)"


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    licence: Licence
    attribution: str


# Where the stored readings come from, each with the licence it was given under; kept, never relicensed.
SOURCES: tuple[Source, ...] = (
    Source("platform", "IJlucht kits (MQTT, contract v1)", ODBL, ATTRIBUTION),
    Source(
        "sensor.community-push",
        "airRohr (Sensor.Community firmware) kits pushing to IJlucht",
        ODBL,
        "the kit owners, via Sensor.Community firmware; Sensor.Community publishes under ODbL 1.0",
    ),
    Source("cbs-areas", "Municipality and district outlines (CBS / Kadaster, 2024)", CC_BY_4, "CBS / Kadaster"),
    # Reference data (docs/science.md): served under the terms of the service it came from. The copies shipped in
    # data/reference come from GPL-3.0 repositories and keep that attribution (data/reference/README.md).
    Source(
        "luchtmeetnet",
        "Official hourly air quality (Luchtmeetnet: RIVM, GGD, DCMR, provinces)",
        LUCHTMEETNET,
        "Luchtmeetnet (RIVM and partners), luchtmeetnet.nl",
    ),
    Source(
        "knmi", "Hourly weather (KNMI uurgegevens)", CC_BY_4, "KNMI (Koninklijk Nederlands Meteorologisch Instituut)"
    ),
    Source(
        "samenmeten",
        "Citizen kits of other networks (RIVM Samen Meten, raw series)",
        SAMEN_METEN,
        "RIVM Samen Meten and the kit owners",
    ),
)


def licence_json() -> dict[str, object]:
    """The licence block of API metadata and export headers."""
    return {
        "id": DATA_LICENCE.id,
        "name": DATA_LICENCE.name,
        "url": DATA_LICENCE.url,
        "attribution": ATTRIBUTION,
    }


def sources_json() -> list[dict[str, str]]:
    return [
        {
            "key": s.key,
            "name": s.name,
            "licence": s.licence.id,
            "licence_url": s.licence.url,
            "attribution": s.attribution,
        }
        for s in SOURCES
    ]


def source_licence_json(key: str) -> dict[str, str]:
    """The licence block of data that keep their source's licence (same shape as licence_json)."""
    source = next(s for s in SOURCES if s.key == key)
    return {
        "id": source.licence.id,
        "name": source.licence.name,
        "url": source.licence.url,
        "attribution": source.attribution,
    }
