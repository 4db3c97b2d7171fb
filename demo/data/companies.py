"""The demo account's directory: the owners it builds for, its subcontractors and suppliers."""

from __future__ import annotations

from typing import NamedTuple

SUB, SUP, OWN, CON = "subcontractor", "supplier", "owner", "consultant"


class Vendor(NamedTuple):
    abbr: str
    name: str
    vendor_type: str
    domain: str  # email is office@<domain>.example, website https://www.<domain>.example
    license_number: str
    address: str
    city: str
    state_code: str
    zip: str
    phone: str


# fmt: off
VENDORS: tuple[Vendor, ...] = (
    Vendor("LHP", "Lakewood Health Partners, LLC", OWN, "lakewoodhealth", "",
           "7400 W Alameda Ave, Suite 300", "Lakewood", "CO", "80226", "(303) 555-0101"),
    Vendor("BCV", "Bear Creek Valley School District", OWN, "bcvschools", "",
           "9870 W Bowles Ave", "Littleton", "CO", "80123", "(303) 555-0102"),
    Vendor("PSP", "Platte Street Partners, LLC", OWN, "plattestreetpartners", "",
           "1600 Wynkoop St, Suite 500", "Denver", "CO", "80202", "(720) 555-0103"),
    Vendor("PGL", "Prairie Gateway Logistics, LLC", OWN, "prairiegateway", "",
           "4100 E 56th Ave", "Commerce City", "CO", "80022", "(303) 555-0104"),
    Vendor("FRE", "Front Range Excavating, Inc.", SUB, "frontrangeexcavating", "DEN-A-20417",
           "4850 Ward Rd", "Wheat Ridge", "CO", "80033", "(303) 555-0111"),
    Vendor("CCE", "Cherry Creek Earthworks LLC", SUB, "cherrycreekearth", "DEN-A-31266",
           "12450 E Arapahoe Rd", "Centennial", "CO", "80112", "(720) 555-0112"),
    Vendor("RMC", "Rocky Mountain Concrete Co.", SUB, "rmconcrete", "DEN-A-11893",
           "5301 Dahlia St", "Commerce City", "CO", "80022", "(303) 555-0113"),
    Vendor("MHS", "Mile High Steel Erectors, Inc.", SUB, "milehighsteel", "DEN-A-15520",
           "6890 Washington St", "Denver", "CO", "80229", "(303) 555-0114"),
    Vendor("FHM", "Foothills Masonry, Inc.", SUB, "foothillsmasonry", "DEN-B-40712",
           "1220 Ford St", "Golden", "CO", "80401", "(303) 555-0115"),
    Vendor("TLF", "Timberline Framing LLC", SUB, "timberlineframing", "DEN-B-52304",
           "310 E 57th St", "Loveland", "CO", "80538", "(970) 555-0116"),
    Vendor("DLW", "Dryline Waterproofing", SUB, "drylinewp", "DEN-C-60155",
           "2075 S Valentia St", "Denver", "CO", "80231", "(720) 555-0117"),
    Vendor("PKR", "Peak Roofing & Sheet Metal", SUB, "peakroofing", "DEN-C-23071",
           "8145 Sheridan Blvd", "Arvada", "CO", "80003", "(303) 555-0118"),
    Vendor("CVG", "Clearview Glass & Glazing", SUB, "clearviewglass", "DEN-C-28840",
           "3550 Odessa Way", "Aurora", "CO", "80011", "(303) 555-0119"),
    Vendor("ALP", "Alpine Interiors, Inc.", SUB, "alpineinteriors", "DEN-B-19377",
           "10601 W 48th Ave", "Wheat Ridge", "CO", "80033", "(303) 555-0120"),
    Vendor("PCP", "ProCoat Painting Co.", SUB, "procoatpainting", "DEN-C-33109",
           "1450 W 64th Ave", "Denver", "CO", "80221", "(303) 555-0121"),
    Vendor("CFC", "Colorado Floor Covering", SUB, "coloradofloor", "DEN-C-47720",
           "7700 E Iliff Ave", "Denver", "CO", "80231", "(303) 555-0122"),
    Vendor("CPL", "Continental Plumbing Co.", SUB, "continentalplumbing", "DEN-MP-1187",
           "4400 Garfield St", "Denver", "CO", "80216", "(303) 555-0123"),
    Vendor("APX", "Apex Mechanical Contractors", SUB, "apexmechanical", "DEN-MH-2291",
           "11100 E 53rd Ave", "Denver", "CO", "80239", "(303) 555-0124"),
    Vendor("BLE", "Bright Line Electric, Inc.", SUB, "brightlineelectric", "CO-EC-0084412",
           "2600 W 2nd Ave", "Denver", "CO", "80219", "(303) 555-0125"),
    Vendor("DDA", "Denver Demolition & Abatement", SUB, "denverdemo", "DEN-W-70218",
           "5000 Brighton Blvd", "Denver", "CO", "80216", "(303) 555-0126"),
    Vendor("ASP", "Aspen Cabinet & Millwork", SUB, "aspencabinet", "",
           "615 Weaver Park Rd", "Longmont", "CO", "80501", "(720) 555-0127"),
    Vendor("WDH", "Western Door & Hardware Supply", SUP, "westerndoor", "",
           "3200 Walnut St", "Denver", "CO", "80205", "(303) 555-0131"),
    Vendor("IMS", "Intermountain Specialties, Inc.", SUP, "imspecialties", "",
           "2150 S 3270 W", "Salt Lake City", "UT", "84119", "(801) 555-0132"),
    Vendor("MSL", "Mountain States Lumber Co.", SUP, "mtnstateslumber", "",
           "6000 E 58th Ave", "Commerce City", "CO", "80022", "(303) 555-0133"),
    Vendor("CRS", "Centennial Rebar Supply", SUP, "centennialrebar", "",
           "1901 E 20th St", "Cheyenne", "WY", "82001", "(307) 555-0134"),
    Vendor("RGT", "Range Geotechnical & Testing", CON, "rangegeotech", "",
           "15 Inverness Way E", "Englewood", "CO", "80112", "(303) 555-0141"),
)
# fmt: on
