"""The indsats catalogue (R-000-03), seeded from fokusrevision 2020 §5 and Rigsrevisionen 2017 §1.3.

Maximum lengths are the defaults the law sets (praktik 13 weeks, løntilskud 1 year, mentor 6 months);
they are data, editable in the admin as a new version of the type."""

from datetime import date

from django.db import migrations

LAB = "Lov om en aktiv beskæftigelsesindsats"
CATALOGUE = [
    # code, name, category, domain, legal basis, max weeks
    ("virksomhedspraktik", "Virksomhedspraktik", "virksomhedsrettet", "beskaeftigelse", f"{LAB}, kap. 11", 13),
    ("loentilskud", "Ansættelse med løntilskud", "virksomhedsrettet", "beskaeftigelse", f"{LAB}, kap. 12", 52),
    ("ordinaere-timer", "Ordinære timer", "virksomhedsrettet", "beskaeftigelse", "", None),
    ("mentor", "Mentorstøtte", "mentor", "beskaeftigelse", f"{LAB}, kap. 14", 26),
    ("intensiveret-mentor", "Intensiveret mentorstøtte", "mentor", "beskaeftigelse", f"{LAB}, kap. 14", 26),
    ("vejledning-opkvalificering", "Vejledning og opkvalificering", "vejledning_opkvalificering", "beskaeftigelse", f"{LAB}, kap. 10", None),
    ("mestringsforloeb", "Mestringsforløb", "vejledning_opkvalificering", "sundhed", f"{LAB}, kap. 10", None),
    ("stoettende-samtaler", "Støttende samtaleforløb", "vejledning_opkvalificering", "social", f"{LAB}, kap. 10", None),
    ("fysioterapi", "Fysioterapi og genoptræning", "sundhed_kommunal", "sundhed", "Sundhedsloven § 140", None),
    ("motion-kost-soevn", "Forløb om motion, kost og søvn", "sundhed_kommunal", "sundhed", "Sundhedsloven § 119", None),
    ("alkoholbehandling", "Alkoholbehandling", "sundhed_kommunal", "sundhed", "Sundhedsloven § 141", None),
    ("stofmisbrugsbehandling", "Stofmisbrugsbehandling", "sundhed_kommunal", "social", "Serviceloven § 101", None),
    ("psykiatrisk-behandling", "Behandling i psykiatrien", "sundhed_regional", "sundhed", "Sundhedsloven (regional behandling)", None),
    ("speciallaege-sygehus", "Behandling hos speciallæge eller på sygehus", "sundhed_regional", "sundhed", "Sundhedsloven (regional behandling)", None),
    ("smerteklinik", "Smerteklinik", "sundhed_regional", "sundhed", "Sundhedsloven (regional behandling)", None),
    ("socialpaedagogisk-stoette", "Socialpædagogisk støtte (bostøtte)", "social", "social", "Serviceloven § 85", None),
    ("stoette-kontaktperson", "Støtte- og kontaktperson", "social", "social", "Serviceloven § 99", None),
    ("beskyttet-beskaeftigelse", "Beskyttet beskæftigelse", "social", "social", "Serviceloven § 103", None),
    ("aktivitet-samvaer", "Aktivitets- og samværstilbud", "social", "social", "Serviceloven § 104", None),
    ("familierettet", "Familierettet indsats", "social", "social", "Barnets lov", None),
    ("gaeldsraadgivning", "Gælds- og økonomisk rådgivning", "social", "social", "", None),
    ("ordinaer-uddannelse", "Ordinær uddannelse", "uddannelse", "uddannelse", "", None),
    ("fvu-obu", "Forberedende voksenundervisning / ordblindeundervisning", "uddannelse", "uddannelse", "Lov om forberedende voksenundervisning", None),
    ("sprogundervisning", "Sprogundervisning", "andet", "uddannelse", "", None),
    ("netvaerksgruppe", "Netværksgruppe", "andet", "social", "", None),
    ("frivilligt-arbejde", "Frivilligt arbejde", "andet", "social", "", None),
    ("andet", "Andet tilbud", "andet", "beskaeftigelse", "", None),
]


def load(apps, schema_editor):
    InterventionType = apps.get_model("plans", "InterventionType")
    for code, name, category, domain, basis, weeks in CATALOGUE:
        InterventionType.objects.update_or_create(
            code=code,
            valid_from=date(2013, 1, 1),
            defaults={"name": name, "category": category, "domain": domain, "legal_basis": basis, "max_weeks": weeks},
        )


def unload(apps, schema_editor):
    apps.get_model("plans", "InterventionType").objects.filter(code__in=[c[0] for c in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
