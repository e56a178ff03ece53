"""Approximate country centroids (ISO 3166-1 alpha-2 -> latitude, longitude), from public knowledge.

Precision of a degree or two is enough: impossible-travel speeds compare distances of hundreds
of kilometres, and neighbouring countries are tolerated by a minimum distance.
"""

from __future__ import annotations

import math

_TABLE = """
AD 42.5 1.5|AE 24.0 54.0|AF 33.0 65.0|AG 17.1 -61.8|AI 18.2 -63.2|AL 41.0 20.0|AM 40.0 45.0
AO -12.5 18.5|AR -34.0 -64.0|AS -14.3 -170.0|AT 47.3 13.3|AU -25.0 134.0|AW 12.5 -69.9|AZ 40.5 47.5
BA 44.0 18.0|BB 13.2 -59.5|BD 24.0 90.0|BE 50.8 4.0|BF 13.0 -2.0|BG 43.0 25.0|BH 26.0 50.5
BI -3.5 30.0|BJ 9.5 2.3|BM 32.3 -64.8|BN 4.5 114.7|BO -17.0 -65.0|BR -10.0 -55.0|BS 24.3 -76.0
BT 27.5 90.5|BW -22.0 24.0|BY 53.0 28.0|BZ 17.3 -88.8|CA 60.0 -95.0|CD -2.5 23.5|CF 7.0 21.0
CG -1.0 15.0|CH 47.0 8.0|CI 8.0 -5.0|CK -21.2 -159.8|CL -30.0 -71.0|CM 6.0 12.0|CN 35.0 105.0
CO 4.0 -72.0|CR 10.0 -84.0|CU 21.5 -80.0|CV 16.0 -24.0|CW 12.2 -69.0|CY 35.0 33.0|CZ 49.8 15.5
DE 51.0 9.0|DJ 11.5 43.0|DK 56.0 10.0|DM 15.4 -61.3|DO 19.0 -70.7|DZ 28.0 3.0|EC -2.0 -77.5
EE 59.0 26.0|EG 27.0 30.0|EH 24.5 -13.0|ER 15.0 39.0|ES 40.0 -4.0|ET 8.0 38.0|FI 64.0 26.0
FJ -18.0 175.0|FK -51.8 -59.0|FM 6.9 158.2|FO 62.0 -7.0|FR 46.0 2.0|GA -1.0 11.8|GB 54.0 -2.0
GD 12.1 -61.7|GE 42.0 43.5|GF 4.0 -53.0|GG 49.5 -2.6|GH 8.0 -2.0|GI 36.1 -5.4|GL 72.0 -40.0
GM 13.5 -15.5|GN 11.0 -10.0|GP 16.3 -61.6|GQ 2.0 10.0|GR 39.0 22.0|GT 15.5 -90.3|GU 13.5 144.8
GW 12.0 -15.0|GY 5.0 -59.0|HK 22.3 114.2|HN 15.0 -86.5|HR 45.2 15.5|HT 19.0 -72.4|HU 47.0 20.0
ID -5.0 120.0|IE 53.0 -8.0|IL 31.5 34.8|IM 54.2 -4.5|IN 20.0 77.0|IQ 33.0 44.0|IR 32.0 53.0
IS 65.0 -18.0|IT 42.8 12.8|JE 49.2 -2.1|JM 18.1 -77.3|JO 31.0 36.0|JP 36.0 138.0|KE 1.0 38.0
KG 41.0 75.0|KH 13.0 105.0|KI 1.4 173.0|KM -12.2 44.3|KN 17.3 -62.7|KP 40.0 127.0|KR 37.0 127.5
KW 29.3 47.7|KY 19.5 -80.5|KZ 48.0 68.0|LA 18.0 105.0|LB 33.8 35.8|LC 13.9 -61.0|LI 47.2 9.5
LK 7.0 81.0|LR 6.5 -9.5|LS -29.5 28.5|LT 56.0 24.0|LU 49.8 6.2|LV 57.0 25.0|LY 25.0 17.0
MA 32.0 -5.0|MC 43.7 7.4|MD 47.0 29.0|ME 42.5 19.3|MG -20.0 47.0|MH 9.0 168.0|MK 41.8 22.0
ML 17.0 -4.0|MM 22.0 98.0|MN 46.0 105.0|MO 22.2 113.5|MQ 14.7 -61.0|MR 20.0 -12.0|MT 35.9 14.4
MU -20.3 57.6|MV 3.2 73.0|MW -13.5 34.0|MX 23.0 -102.0|MY 2.5 112.5|MZ -18.3 35.0|NA -22.0 17.0
NC -21.5 165.5|NE 16.0 8.0|NG 10.0 8.0|NI 13.0 -85.0|NL 52.5 5.8|NO 62.0 10.0|NP 28.0 84.0
NR -0.5 166.9|NZ -41.0 174.0|OM 21.0 57.0|PA 9.0 -80.0|PE -10.0 -76.0|PF -15.0 -140.0|PG -6.0 147.0
PH 13.0 122.0|PK 30.0 70.0|PL 52.0 20.0|PM 46.8 -56.3|PR 18.2 -66.5|PS 32.0 35.3|PT 39.5 -8.0
PW 7.5 134.5|PY -23.0 -58.0|QA 25.5 51.2|RE -21.1 55.6|RO 46.0 25.0|RS 44.0 21.0|RU 60.0 100.0
RW -2.0 30.0|SA 25.0 45.0|SB -8.0 159.0|SC -4.6 55.7|SD 15.0 30.0|SE 62.0 15.0|SG 1.4 103.8
SI 46.1 14.8|SK 48.7 19.5|SL 8.5 -11.5|SM 43.9 12.4|SN 14.0 -14.0|SO 10.0 49.0|SR 4.0 -56.0
SS 7.0 30.0|ST 1.0 7.0|SV 13.8 -88.9|SX 18.0 -63.1|SY 35.0 38.0|SZ -26.5 31.5|TC 21.8 -71.8
TD 15.0 19.0|TG 8.0 1.2|TH 15.0 100.0|TJ 39.0 71.0|TL -8.8 125.9|TM 40.0 60.0|TN 34.0 9.0
TO -20.0 -175.0|TR 39.0 35.0|TT 11.0 -61.0|TV -8.0 178.0|TW 23.5 121.0|TZ -6.0 35.0|UA 49.0 32.0
UG 1.0 32.0|US 38.0 -97.0|UY -33.0 -56.0|UZ 41.0 64.0|VA 41.9 12.5|VC 13.3 -61.2|VE 8.0 -66.0
VG 18.5 -64.5|VI 18.3 -64.8|VN 16.0 106.0|VU -16.0 167.0|WS -13.6 -172.3|XK 42.6 20.9|YE 15.0 48.0
YT -12.8 45.2|ZA -29.0 24.0|ZM -15.0 30.0|ZW -20.0 30.0
"""

CENTROIDS: dict[str, tuple[float, float]] = {
    code: (float(lat), float(lon))
    for entry in _TABLE.replace("\n", "|").split("|") if entry.strip()
    for code, lat, lon in [entry.split()]
}

EARTH_RADIUS_KM = 6371.0


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two countries' centroids; None when either is unknown."""
    pa, pb = CENTROIDS.get(a), CENTROIDS.get(b)
    if pa is None or pb is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*pa, *pb))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
