"""The rehabiliteringsteam's side of the demo kommune.

`seed_demo` simulates every forløb through the phase state machine and hands the
history (steps with dates, the logged moments and actors) to `build`, which writes what
the rehab workflow would have recorded on the same dates:

- the rehabiliteringsteam with a member for every sector;
- weekly meetings (Tuesdays at 9:00) over the whole span, and six weeks ahead;
- a forberedende del for every forløb (complete before the case went to the team, partly
  filled in for those still in the forberedende del), with job and education goals;
- health documents: LÆ 261 and the GP's LÆ 265 for every case that reached the team,
  some specialist certificates, klinisk funktion and the sundhedskoordinator's advice,
  and new information after the meeting;
- an agenda item, an indstilling and (after a grant or a fleksjob/førtidspension) an
  afgørelse for every round with the team, on the dates of the transition log.

The proportions follow the anchors in Fokusrevision 2020 §3 (spec/fokusrevision-2020.md):
about half of the forberedende dele have a concrete jobmål and the goals disappear from
most indstillinger; about a fifth of the indstillinger reach the borger more than three
weeks after the meeting; the follow-up assessment is rarely written.

Everything is written with bulk_create. `created_at` of indstillinger and afgørelser is
set to the moment they were recorded (the guards compare it with the phase change).
"""

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

import rehab
from cases import clock
from cases.models import Forloeb, Kommune, Outcome, Phase, Sector, User
from cases.rulepacks import rulepack_on
from rehab.models import (
    REQUIRED_SECTORS,
    AgendaItem,
    AuthorRole,
    BorgerWish,
    Decision,
    DocumentKind,
    Goal,
    GoalKind,
    HealthDocument,
    HealthForm,
    Hensyn,
    InterventionCategory,
    MeetingPhase,
    Occupation,
    Ordning,
    PreparatoryPart,
    PreviousBenefit,
    Recommendation,
    RecommendedIntervention,
    RehabTeam,
    RehabTeamMembership,
    TeamMeeting,
)
from rehab.services import age_on, reform_errors

SEED = 2013 + 1  # independent of the cases part's generator
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TEAM_NAME = "Rehabiliteringsteamet"
PLACE = "Jobcentret, mødelokale 2"
MEETING_WEEKDAY = 1  # Tuesday
MEETING_START = time(9, 0)
SLOTS = tuple(
    time(h, m)
    for h, m in ((9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30), (12, 30), (13, 0), (13, 30), (14, 0), (14, 30))
)
BOOK_AHEAD = timedelta(weeks=6)
UNBOOKED_SHARE = 0.2  # forløb awaiting the team that are not on an agenda yet
OCCUPATIONS_CSV = Path(rehab.__file__).resolve().parent / "data" / "disco08.csv"

# Goals in the forberedende del (Fokusrevision §3.1: concrete jobmål 49 %, uddannelsesmål 27 %,
# both 21 %, none 45 %; the demo has a little more concrete jobmål).
PREPARATORY_GOALS = {"both": 21, "job": 31, "education": 6, "none": 42}
# ... and in the indstilling (none 83 %, both 3 %, one 14 %).
RECOMMENDATION_GOALS = {"both": 3, "job": 10, "education": 4, "none": 83}
# Recommended indsats categories in the indstilling (§3.4: 60 / 68 / 81 / 53 / 30 %).
CATEGORY_SHARES = {
    InterventionCategory.VIRKSOMHEDSRETTET: 0.60,
    InterventionCategory.MENTOR: 0.68,
    "sundhed": 0.81,
    InterventionCategory.SOCIAL: 0.53,
    InterventionCategory.VEJLEDNING: 0.30,
}
PREVIOUS_BENEFIT = {  # §3.2: kontanthjælp 33, uddannelseshjælp 17, ressourceforløbsydelse 28, sygedagpenge 10, other 11
    PreviousBenefit.KONTANTHJAELP: 33,
    PreviousBenefit.UDDANNELSESHJAELP: 17,
    PreviousBenefit.RESSOURCEFORLOEBSYDELSE: 20,
    PreviousBenefit.SYGEDAGPENGE: 10,
    PreviousBenefit.JOBAFKLARING: 6,
    PreviousBenefit.INTEGRATIONSYDELSE: 3,
    PreviousBenefit.SELVFORSOERGET: 2,
    PreviousBenefit.ANDET: 2,
    PreviousBenefit.UKENDT: 1,
}
BORGER_WISH = {
    BorgerWish.RESSOURCEFORLOEB: 50,
    BorgerWish.FOERTIDSPENSION: 20,
    BorgerWish.FLEKSJOB: 14,
    BorgerWish.VED_IKKE: 11,
    BorgerWish.ANDET: 5,
}
DECIDED_ORDNING = {Outcome.FOERTIDSPENSION: Ordning.FOERTIDSPENSION, Outcome.FLEKSJOB: Ordning.FLEKSJOB}

# --- Texts -------------------------------------------------------------------------------------

# DISCO-08 codes common as jobmål in ressourceforløb: code -> (weight, the job in the singular).
JOB_GOALS = {
    "5322": (10, "social- og sundhedshjælper"),
    "5321": (3, "social- og sundhedsassistent"),
    "9112": (9, "rengøringsassistent"),
    "9412": (7, "køkkenmedhjælper"),
    "5120": (3, "kok"),
    "5223": (8, "butiksassistent"),
    "5230": (3, "kasseassistent"),
    "9334": (4, "varepåfylder"),
    "9333": (7, "lagerarbejder"),
    "8344": (2, "truckfører"),
    "8322": (3, "chauffør"),
    "8332": (2, "lastbilchauffør"),
    "9214": (4, "gartneriarbejder"),
    "6113": (2, "gartner"),
    "4110": (5, "kontorassistent"),
    "4226": (3, "receptionist"),
    "4222": (2, "kundeservicemedarbejder"),
    "3512": (2, "IT-supporter"),
    "5153": (4, "ejendomsservicetekniker"),
    "9622": (3, "pedelmedhjælper"),
    "5414": (2, "vagt"),
    "5164": (2, "dyrepasser"),
    "5141": (2, "frisør"),
    "5311": (5, "pædagogmedhjælper"),
    "5312": (2, "undervisningsassistent"),
    "5329": (2, "portør"),
    "7115": (1, "tømrer"),
    "7131": (1, "maler"),
    "7231": (1, "automekaniker"),
    "9329": (4, "produktionsmedarbejder"),
    "9321": (2, "pakkeriarbejder"),
    "9621": (2, "bud"),
    "5131": (1, "tjener"),
    "7512": (1, "bager"),
    "7234": (1, "cykelmekaniker"),
    "9122": (1, "bilklargører"),
}
JOB_GOAL_TEXTS = (
    "Job som {job}",
    "Job som {job} på nedsat tid (ca. {hours} timer om ugen)",
    "At komme tilbage til arbejdet som {job}",
    "Ansættelse som {job}, evt. med skånehensyn",
)
VAGUE_JOB_GOALS = (
    "At komme i job",
    "At komme tilbage på arbejdsmarkedet",
    "Et job på nedsat tid",
    "Et arbejde, hvor jeg kan bruge mine hænder",
    "Noget med mennesker",
    "At blive selvforsørgende igen",
    "Et skånejob med faste rammer",
    "Et job, hvor jeg kan arbejde i mit eget tempo",
)
EDUCATIONS = (
    "Social- og sundhedshjælperuddannelsen",
    "Pædagogisk assistentuddannelse (PAU)",
    "Ernæringsassistentuddannelsen",
    "Kontoruddannelsen med speciale i administration",
    "Lager- og terminaluddannelsen",
    "Gartneruddannelsen",
    "Ejendomsserviceteknikeruddannelsen",
    "Detailhandelsuddannelsen",
    "Datateknikeruddannelsen med speciale i infrastruktur",
    "AMU-kursus: truckcertifikat (B)",
    "AMU-kursus: rengøringsteknik og hygiejne",
    "Kørekort kategori C med kvalifikationsbevis",
    "FVU-dansk trin 2",
    "HF-enkeltfag i dansk og engelsk",
    "Frisøruddannelsen",
    "Dyrepasseruddannelsen",
)
EDUCATION_GOAL_TEXTS = ("At gennemføre {edu}", "At påbegynde {edu}", "{Edu} inden for de næste to år")
VAGUE_EDUCATION_GOALS = (
    "At tage en uddannelse på sigt",
    "Opkvalificering; borgeren ved endnu ikke hvilken",
    "At få en uddannelse, når helbredet tillader det",
)


@dataclass(frozen=True)
class HealthProfile:
    challenge: str
    self_assessed: str
    gp: str  # the GP's LÆ 265
    specialist: str  # LÆ 155 / LÆ 275 / journal
    focus: str  # the LÆ 261 focus question
    hensyn: tuple[str, ...]


HEALTH_PROFILES = (
    HealthProfile(
        "Kroniske lænderygsmerter efter diskusprolaps; opereret for fire år siden.",
        "Kan sidde eller stå omkring en time ad gangen; dårlige dage et par gange om ugen.",
        "Kroniske lænderygsmerter; behandlingsmulighederne er i det væsentlige udtømte. Kan arbejde 10-15 timer om ugen i let, varieret arbejde.",
        "Rygkirurgisk vurdering: ingen indikation for ny operation. Anbefaler træning og gradvis optrapning.",
        "Hvilke skånehensyn skal der tages i en virksomhedspraktik, og er der yderligere behandlingsmuligheder?",
        (Hensyn.FYSISKE, Hensyn.BEHANDLING),
    ),
    HealthProfile(
        "Tilbagevendende depression; i medicinsk behandling og samtaler hos psykolog.",
        "Har svært ved at komme i gang om morgenen og bliver hurtigt træt, men har det bedre end for et år siden.",
        "Moderat depression, delvist bedret på medicin. Prognosen for arbejdsmarkedstilknytning er usikker.",
        "Psykiatrisk speciallægeerklæring: recidiverende depression, aktuelt moderat. Bør kunne profitere af et roligt arbejdsmiljø med få timer.",
        "Hvordan påvirker depressionen borgerens mulighed for at møde stabilt, og hvad er prognosen?",
        (Hensyn.PSYKISKE, Hensyn.BEHANDLING),
    ),
    HealthProfile(
        "PTSD og angst efter traumatiske oplevelser; mareridt og søvnproblemer.",
        "Klarer sig bedst i kendte omgivelser med få mennesker.",
        "PTSD med betydelig funktionsnedsættelse; i traumebehandling. Kan på sigt profitere af et skærmet arbejdsmiljø.",
        "Traumebehandling afsluttet med nogen bedring; fortsat undgåelsesadfærd og koncentrationsbesvær.",
        "Er traumebehandlingen afsluttet, og hvilke hensyn skal der tages i en arbejdssituation?",
        (Hensyn.PSYKISKE, Hensyn.SOCIALE),
    ),
    HealthProfile(
        "Fibromyalgi med udbredte smerter og udtalt træthed.",
        "Har gode og dårlige perioder; kan sjældent overskue mere end én aktivitet om dagen.",
        "Fibromyalgi; træthed og smerter. Anbefaler gradvis optrapning med pauser.",
        "Reumatologisk vurdering: fibromyalgi, ingen inflammatorisk gigtsygdom. Fysisk aktivitet tilrådes.",
        "Hvor mange timer om ugen vurderes borgeren at kunne arbejde i dag, og med hvilke pauser?",
        (Hensyn.FYSISKE,),
    ),
    HealthProfile(
        "ADHD diagnosticeret som voksen; svært ved struktur og overblik.",
        "Fungerer godt med faste rutiner, men bliver let overstimuleret.",
        "ADHD, velbehandlet medicinsk. Har brug for klar struktur og en fast kontaktperson.",
        "Psykiatrisk udredning: ADHD, kombineret type. Ingen tegn på anden psykiatrisk lidelse.",
        "Hvordan påvirker ADHD'en borgerens arbejdsevne, og er den medicinske behandling optimeret?",
        (Hensyn.PSYKISKE,),
    ),
    HealthProfile(
        "Slidgigt i begge knæ; venter på vurdering til knæoperation.",
        "Kan gå omkring 500 meter; trapper er svære.",
        "Knæartrose i begge knæ; henvist til ortopædkirurgisk vurdering. Stillesiddende arbejde med mulighed for at skifte stilling.",
        "Ortopædkirurgisk vurdering: knæalloplastik anbefales på højre side; genoptræning ca. tre måneder.",
        "Hvilke fysiske begrænsninger har borgeren i et job, og hvornår forventes operationen?",
        (Hensyn.FYSISKE, Hensyn.BEHANDLING, Hensyn.HJAELPEMIDLER),
    ),
    HealthProfile(
        "Erhvervet hjerneskade efter trafikulykke; nedsat koncentration og hukommelse.",
        "Bliver hurtigt træt i hovedet og har brug for mange pauser.",
        "Følger efter hjerneskade med udtalt hjernetræthed. Neuropsykologisk undersøgelse anbefales.",
        "Neuropsykologisk undersøgelse: nedsat tempo og arbejdshukommelse; kan arbejde med enkle opgaver få timer dagligt.",
        "Hvordan påvirker hjernetrætheden borgerens arbejdsevne, og er der behov for neuropsykologisk undersøgelse?",
        (Hensyn.PSYKISKE, Hensyn.TRANSPORT),
    ),
    HealthProfile(
        "Alkoholafhængighed, nu i ambulant behandling; påvirket levertal.",
        "Har det bedre efter behandlingen, men er bange for tilbagefald.",
        "Alkoholafhængighed i ambulant behandling, ædru i fem måneder. Stabilitet i behandlingen er en forudsætning for at udvikle arbejdsevnen.",
        "Journaludskrift fra misbrugscentret: stabilt fremmøde, ingen tilbagefald de seneste måneder.",
        "Hvordan vurderer lægen prognosen for borgerens ædruelighed, og hvilke hensyn skal tages i praktik?",
        (Hensyn.MISBRUG, Hensyn.BEHANDLING, Hensyn.SOCIALE),
    ),
    HealthProfile(
        "Type 2-diabetes, svær overvægt og forhøjet blodtryk.",
        "Bliver forpustet ved fysisk arbejde; har fået det bedre med motion.",
        "Type 2-diabetes og forhøjet blodtryk, rimeligt reguleret. Svær overvægt begrænser fysisk krævende arbejde.",
        "Endokrinologisk ambulatorium: diabetes velreguleret; anbefaler fortsat kost- og motionsforløb.",
        "Hvilke fysiske skånehensyn er nødvendige, og kan en bedre regulering forbedre arbejdsevnen?",
        (Hensyn.FYSISKE, Hensyn.BEHANDLING),
    ),
    HealthProfile(
        "Paranoid skizofreni, stabil på medicin; tilknyttet distriktspsykiatrien.",
        "Har brug for ro og faste rammer; kan ikke klare stress.",
        "Skizofreni, stabil i behandling i distriktspsykiatrien. Vurderes egnet til skærmet beskæftigelse på få timer.",
        "Distriktspsykiatrien: stabil tilstand i to år; anbefaler fast kontaktperson og lav arbejdsbelastning.",
        "Hvordan vurderes borgerens psykiske stabilitet, og hvor mange timer kan borgeren arbejde?",
        (Hensyn.PSYKISKE, Hensyn.BEHANDLING, Hensyn.SOCIALE),
    ),
    HealthProfile(
        "Piskesmæld efter trafikuheld; nakkesmerter og hovedpine.",
        "Kan ikke arbejde med armene over hovedet; hovedpine de fleste dage.",
        "Kronisk whiplash-relateret smertetilstand. Let arbejde uden løft over skulderhøjde anbefales.",
        "Smerteklinikken: kronisk nakkesmerte; tilbudt smertehåndteringsforløb.",
        "Hvilke arbejdsstillinger og løft skal undgås, og er smertebehandlingen afsluttet?",
        (Hensyn.FYSISKE,),
    ),
    HealthProfile(
        "Svær belastningsreaktion og angst efter lang sygemelding.",
        "Sover dårligt og har svært ved at huske aftaler.",
        "Belastningsreaktion og generaliseret angst, bedring under samtalebehandling. Gradvis optrapning anbefales.",
        "Psykologudtalelse: fortsat angst i sociale situationer; kognitiv adfærdsterapi har hjulpet.",
        "Hvordan påvirker angsten borgerens arbejdsevne, og hvilken behandling er planlagt?",
        (Hensyn.PSYKISKE,),
    ),
)
PERSONAL_RESOURCES = (
    "Mødestabil og ansvarsfuld, god til at samarbejde.",
    "Praktisk anlagt og god med hænderne; har kørekort og bil.",
    "God til at lytte og til at tage sig af andre; stærkt netværk i familien.",
    "Taler dansk, arabisk og engelsk; god til at holde orden.",
    "Har en erhvervsuddannelse og mange års erfaring fra arbejdsmarkedet.",
    "Motiveret for at komme videre og har selv taget initiativ til at søge hjælp.",
    "Kreativ og god til IT; har været frivillig i en lokal forening.",
    "Udadvendt og humoristisk; trives med kundekontakt.",
    "Struktureret og grundig; kan arbejde selvstændigt, når opgaverne er tydelige.",
    "Har en stabil bolig og en partner, der støtter op.",
)
CHALLENGES_JOB = (
    "Har ikke haft fast arbejde i {n} år; flere afbrudte praktikker.",
    "Ingen erhvervsuddannelse og begrænset erhvervserfaring.",
    "Har svært ved at holde fremmødet over tid på grund af helbredet.",
    "Kan ikke tåle tunge løft eller at stå op i længere tid.",
    "Mange korte ansættelser; er flere gange blevet afskediget på grund af sygefravær.",
    "Ordblind og usikker på skriftlige opgaver.",
    "Har brug for skånehensyn og et roligt arbejdsmiljø.",
    "Har været væk fra arbejdsmarkedet siden en arbejdsulykke for {n} år siden.",
)
CHALLENGES_SOCIAL = (
    "Bor alene og har et lille netværk.",
    "Gæld og en anstrengt økonomi fylder meget.",
    "Enlig forsørger til to børn, det ene med særlige behov.",
    "Har tidligere haft et hashmisbrug; ophørt for et år siden.",
    "Ustabil boligsituation; har boet hos venner det seneste halve år.",
    "Konflikter i familien og et begrænset socialt netværk.",
    "Ingen væsentlige sociale udfordringer ud over økonomien.",
    "Sprogbarrierer; har brug for tolk ved længere samtaler.",
)
BENEFIT_HISTORY = {
    PreviousBenefit.KONTANTHJAELP: "Kontanthjælp siden {year}; kortere perioder med løntilskud før det.",
    PreviousBenefit.UDDANNELSESHJAELP: "Uddannelseshjælp siden {year}; har påbegyndt to ungdomsuddannelser uden at gennemføre.",
    PreviousBenefit.RESSOURCEFORLOEBSYDELSE: "Ressourceforløbsydelse siden {year} (tidligere ressourceforløb); før det kontanthjælp.",
    PreviousBenefit.SYGEDAGPENGE: "Sygedagpenge fra {year}; tidligere i ordinært job i mange år.",
    PreviousBenefit.JOBAFKLARING: "Jobafklaringsforløb siden {year} efter ophør af sygedagpenge.",
    PreviousBenefit.INTEGRATIONSYDELSE: "Integrationsydelse siden ankomsten til Danmark i {year}.",
    PreviousBenefit.SELVFORSOERGET: "Ægtefælleforsørget siden {year}; ingen offentlig forsørgelse.",
    PreviousBenefit.ANDET: "Skiftende forsørgelse siden {year}: kontanthjælp, sygedagpenge og kortere ansættelser.",
    PreviousBenefit.UKENDT: "Tilflyttet kommunen i {year}; forsørgelseshistorikken indhentes fra fraflytningskommunen.",
}
EARLIER_INTERVENTIONS = (
    "Virksomhedspraktik i {year} (afbrudt efter seks uger på grund af smerter) og mentorforløb.",
    "Mentorstøtte og et kortere forløb i et kommunalt aktiveringstilbud.",
    "Danskuddannelse og to virksomhedspraktikker i detailhandlen.",
    "Løntilskudsjob i {year} og et afklaringsforløb hos en anden aktør.",
    "Samtaleforløb hos psykolog og fysioterapi; ingen beskæftigelsesrettede tilbud de seneste to år.",
    "Jobafklaringsforløb med arbejdsprøvning på otte timer om ugen.",
    "Ingen tidligere indsatser ud over jobsamtaler.",
    "Forrevalidering og et afbrudt forløb på VUC.",
)
EARLIER_RESSOURCEFORLOEB = (
    "Tidligere ressourceforløb med mentor, praktik og behandling; se den tidligere rehabiliteringsplan."
)
PERSPECTIVE_BY_WISH = {
    BorgerWish.RESSOURCEFORLOEB: (
        "Jeg vil rigtig gerne arbejde, men jeg er bange for at gå ned igen.",
        "Jeg savner at have kolleger og en grund til at stå op om morgenen.",
        "Jeg vil gerne i gang med noget praktisk, ikke sidde på skolebænken.",
        "Jeg vil gerne vise mine børn, at man kan komme videre.",
    ),
    BorgerWish.FOERTIDSPENSION: (
        "Jeg tror ikke, jeg kan arbejde mere, og jeg ønsker at søge førtidspension.",
        "Jeg har prøvet så mange praktikker; min krop kan ikke mere.",
    ),
    BorgerWish.FLEKSJOB: (
        "Hvis jeg kan få et job med skånehensyn, vil jeg gerne prøve.",
        "Jeg kan godt arbejde et par timer om dagen, hvis jeg selv kan bestemme pauserne.",
    ),
    BorgerWish.VED_IKKE: (
        "Jeg ved ikke, hvad jeg kan holde til, og vil gerne have det afprøvet.",
        "Jeg har brug for ro og tid til at få styr på mit helbred først.",
    ),
    BorgerWish.ANDET: (
        "Jeg vil gerne i gang med en uddannelse, når jeg er klar.",
        "Det vigtigste for mig er, at jeg ikke skal starte forfra med en ny sagsbehandler hele tiden.",
    ),
}
WISHES_WITH_JOB = (
    "Vil gerne arbejde som {job}. Har tidligere haft kortere ansættelser og praktik inden for området.",
    "Drømmer om at komme tilbage til et job som {job}, men på færre timer end før.",
    "Har erfaring som {job} og vil gerne bruge den igen, gerne i en mindre virksomhed.",
)
WISHES_WITHOUT_JOB = (
    "Vil gerne i job, men er i tvivl om, hvad helbredet kan holde til.",
    "Ønsker et arbejde med faste rammer og gode kolleger; har ingen bestemt branche i tankerne.",
    "Har mest erfaring fra ufaglært arbejde og ønsker noget uden tunge løft.",
    "Vil gerne prøve noget nyt, evt. i en virksomhedspraktik, for at finde ud af, hvad der er realistisk.",
    "Har tidligere påbegyndt en uddannelse og vil gerne gøre den færdig.",
)
CV_TEXTS = (
    "Erhvervserfaring: lager og pakkeri ({a}-{b}), rengøring ({b}-{c}). Kurser: truckcertifikat, førstehjælp. Kørekort: B.",
    "Erhvervserfaring: hjemmeplejen som ufaglært afløser ({a}-{b}). Kurser: AMU forflytning. Kørekort: B.",
    "Erhvervserfaring: butik og kasse ({a}-{c}). Kurser: kundeservice, hygiejnebevis.",
    "Erhvervserfaring: køkken og kantine ({a}-{b}), frivillig i genbrugsbutik siden {c}.",
)
JUSTIFICATIONS = {
    Ordning.RESSOURCEFORLOEB: (
        "Borgeren har komplekse problemer ud over ledighed, og arbejdsevnen vurderes at kunne udvikles gennem en helhedsorienteret indsats med parallelle beskæftigelses-, sundheds- og sociale tilbud.",
        "Teamet vurderer, at borgeren med gradvis optrapning i virksomhedspraktik og samtidig behandling kan udvikle sin arbejdsevne.",
        "Arbejdsevnen er endnu ikke afklaret; et ressourceforløb skal afprøve borgerens ressourcer i praksis og stabilisere helbredet.",
        "Borgeren er motiveret, men har brug for mentorstøtte og en stabil sundhedsindsats, før en tilknytning til arbejdsmarkedet er realistisk.",
    ),
    Ordning.FOERTIDSPENSION: (
        "Arbejdsevnen er varigt og væsentligt nedsat, og relevante muligheder for at udvikle den er afprøvet, jf. de lægelige oplysninger og de gennemførte praktikker.",
        "Det er dokumenteret, at borgerens arbejdsevne ikke kan forbedres; behandlingsmulighederne er udtømte, og tidligere arbejdsprøvninger er afbrudt.",
    ),
    Ordning.FLEKSJOB: (
        "Arbejdsevnen er varigt og væsentligt nedsat, men borgeren kan arbejde ca. {hours} timer om ugen med skånehensyn; ordinær beskæftigelse er ikke realistisk.",
        "Praktikken har vist en stabil arbejdsevne på få timer om ugen med behov for pauser; teamet indstiller til fleksjob.",
    ),
}
FOLLOWUP_ASSESSMENTS = (
    ("Teamet anbefaler opfølgning hver 14. dag de første tre måneder på grund af borgerens psykiske sårbarhed.", True),
    ("Behov for tættere opfølgning i opstarten af praktikken; derefter efter minimumskravene.", True),
    ("Intet behov for opfølgning ud over minimumskravene; mentoren følger op løbende.", False),
    ("Den koordinerende sagsbehandler bør følge op hver måned og koordinere med behandlingspsykiatrien.", True),
)
RECOMMENDATION_PERSPECTIVES = {
    Ordning.RESSOURCEFORLOEB: (
        "Borgeren er enig i indstillingen og ser frem til at komme i gang.",
        "Borgeren er bekymret for, om helbredet kan holde til praktik, men vil gerne prøve.",
        "Borgeren havde ønsket førtidspension og er skuffet over indstillingen.",
        "Borgeren ønsker en praktik i nærområdet, da transport er svært.",
        "Borgeren ønsker samme koordinerende sagsbehandler gennem hele forløbet.",
    ),
    Ordning.FOERTIDSPENSION: ("Borgeren er enig i indstillingen om førtidspension.",),
    Ordning.FLEKSJOB: (
        "Borgeren er glad for indstillingen og vil gerne fortsætte i praktikvirksomheden.",
        "Borgeren er enig, men bekymret for at finde et fleksjob i nærområdet.",
    ),
}
INTERVENTIONS = {
    InterventionCategory.VIRKSOMHEDSRETTET: (
        "Virksomhedspraktik med gradvis optrapning fra 6 timer om ugen",
        "Ansættelse med løntilskud på nedsat tid",
        "Arbejdsprøvning i en mindre virksomhed med fast kontaktperson",
        "Virksomhedspraktik i kommunens ejendomsservice",
        "Virksomhedspraktik med henblik på afklaring til fleksjob",
    ),
    InterventionCategory.MENTOR: (
        "Mentorstøtte ved opstart i praktik",
        "Intensiveret mentorstøtte de første tre måneder",
        "Mentor til støtte i hverdagen og ved møder",
    ),
    InterventionCategory.VEJLEDNING: (
        "Mestringsforløb for borgere med kroniske smerter",
        "FVU-dansk og -matematik",
        "Støttende samtaleforløb",
        "AMU-kursus med henblik på certifikat",
    ),
    InterventionCategory.SUNDHED_KOMMUNAL: (
        "Fysioterapeutisk genoptræning",
        "Holdtræning i kommunens sundhedscenter",
        "Kursus i smertehåndtering",
        "Alkoholbehandling i kommunens misbrugscenter",
        "Kost- og motionsforløb",
    ),
    InterventionCategory.SUNDHED_REGIONAL: (
        "Fortsat behandling i distriktspsykiatrien",
        "Udredning på rygcenter",
        "Psykologbehandling via egen læge",
        "Ortopædkirurgisk vurdering og evt. operation",
    ),
    InterventionCategory.SOCIAL: (
        "Socialpædagogisk støtte i hjemmet (SEL § 85)",
        "Gældsrådgivning",
        "Hjælp til at finde egen bolig",
        "Familiebehandling via Børn og Familie",
    ),
    InterventionCategory.ANDET: ("Netværksgruppe for borgere i ressourceforløb", "Sprogundervisning"),
}
FLEKSJOB_INTERVENTION = "Virksomhedskonsulenten hjælper med at finde et fleksjob"
DEVIATION_REASONS = {
    "shorter": "Kommunen bevilger et kortere forløb end indstillet, da borgerens helbred er ved at stabilisere sig; behovet vurderes igen ved opfølgningen.",
    "longer": "Kommunen bevilger et længere forløb end indstillet, da den planlagte behandling i psykiatrien først kan begynde om nogle måneder.",
}
ADVICE = (
    "Sundhedskoordinatoren vurderer, at sagen er tilstrækkeligt belyst helbredsmæssigt; ingen yderligere undersøgelser.",
    "Sundhedskoordinatoren anbefaler en speciallægeerklæring, før der tages stilling til varigheden.",
    "Sundhedskoordinatoren anbefaler, at behandlingen afsluttes, før der planlægges virksomhedspraktik.",
    "Sundhedskoordinatoren vurderer, at der ikke er yderligere relevante behandlingsmuligheder i regionen.",
)
JOURNAL_SUMMARIES = (
    "Epikrise fra sygehusets ambulatorium; bekræfter diagnosen og den igangværende behandling.",
    "Journaludskrift fra sygehuset om indlæggelse og efterfølgende ambulante kontroller.",
    "Udtalelse fra privatpraktiserende psykolog om forløb og prognose.",
)
AFTER_MEETING_PURPOSES = (
    "Opfølgning på behandlingen",
    "Status på helbredet under praktikken",
    "Vurdering af skånehensyn",
)


# --- The history handed over from seed_demo ---------------------------------------------------------


@dataclass
class History:
    """One simulated forløb: its row, its plan (seed_demo.Plan) and when/by whom each step was logged."""

    forloeb: Forloeb
    plan: Any
    moments: list[datetime] = field(default_factory=list)
    actors: list[User] = field(default_factory=list)


@dataclass
class Round:
    """One passage through the rehabiliteringsteam: sent (or genforelagt), maybe indstilling, maybe afgørelse."""

    history: History
    sent: int  # index in plan.steps of to_rehab_team / genforelaeggelse
    given: int | None = None  # give_indstilling
    after: int | None = None  # the grant or close that followed the indstilling
    meeting_on: date | None = None
    slot: time | None = None
    agenda_item: AgendaItem | None = None

    def on(self, index: int | None) -> date | None:
        return None if index is None else self.history.plan.steps[index].on


def rounds_of(history: History) -> list[Round]:
    rounds: list[Round] = []
    steps = history.plan.steps
    for i, step in enumerate(steps):
        if step.transition in ("to_rehab_team", "genforelaeggelse"):
            rounds.append(Round(history, i))
        elif step.transition == "give_indstilling":
            rounds[-1].given = i
        elif step.transition in ("grant", "close") and i and steps[i - 1].transition == "give_indstilling":
            rounds[-1].after = i
    return rounds


# --- Small helpers ------------------------------------------------------------------------------


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def is_holiday(day: date) -> bool:
    """No meetings on Christmas Eve, Christmas, New Year's Eve or New Year's Day."""
    return (day.month, day.day) in {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}


def tuesday_on_or_after(day: date) -> date:
    return day + timedelta(days=(MEETING_WEEKDAY - day.weekday()) % 7)


def tuesday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - MEETING_WEEKDAY) % 7)


def gp_response_days(rng: random.Random) -> int:
    """How long the GP takes to answer a LÆ 261: mostly 2-6 weeks, some much longer."""
    r = rng.random()
    if r < 0.12:
        return rng.randint(7, 13)
    if r < 0.82:
        return rng.randint(14, 42)
    if r < 0.95:
        return rng.randint(43, 70)
    return rng.randint(71, 120)


def sent_delay_days(rng: random.Random) -> int | None:
    """Meeting -> written indstilling (Fokusrevision §3.3: ≤1 day 17 %, ≤1 week 49 %, ≤2 weeks 70 %, >3 weeks 22 %)."""
    r = rng.random()
    if r < 0.17:
        return rng.randint(0, 1)
    if r < 0.49:
        return rng.randint(2, 7)
    if r < 0.70:
        return rng.randint(8, 14)
    if r < 0.76:
        return rng.randint(15, 21)
    if r < 0.96:
        return rng.randint(22, 60)
    return None  # never registered as sent


def workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def ensure_occupations() -> dict[str, Occupation]:
    """The DISCO-08 list is loaded by migration rehab 0002; load it here too if a test flushed it."""
    with OCCUPATIONS_CSV.open(encoding="utf-8", newline="") as f:
        rows = [(row["code"], row["title"]) for row in csv.DictReader(f)]
    if Occupation.objects.filter(code__in=JOB_GOALS).count() < len(JOB_GOALS):
        Occupation.objects.bulk_create(
            [Occupation(code=code, title=title) for code, title in rows], ignore_conflicts=True
        )
    return {o.code: o for o in Occupation.objects.filter(code__in=JOB_GOALS)}


# --- The build ------------------------------------------------------------------------------------


class Builder:
    def __init__(self, *, kommune: Kommune, members: list[User], histories: list[History], today: date):
        self.rng = random.Random(SEED)
        self.kommune = kommune
        self.members = members
        self.histories = histories
        self.today = today
        self.now = clock.now()
        self.occupations = ensure_occupations()
        self.job_weights = {code: weight for code, (weight, _job) in JOB_GOALS.items()}
        self.parts: list[PreparatoryPart] = []
        self.part_goals: list[tuple[PreparatoryPart, list[Goal]]] = []
        self.health: list[HealthDocument] = []
        self.recommendations: list[tuple[Recommendation, list[Goal], list[RecommendedIntervention], datetime]] = []
        self.decisions: list[tuple[Decision, datetime]] = []
        # Per forløb: the borger's profile, chosen once and used in every document.
        self.profile: dict[int, HealthProfile] = {}
        self.job_of: dict[int, str | None] = {}

    # -- The team and its calendar ------------------------------------------------------------------

    def team(self) -> RehabTeam:
        team = RehabTeam.objects.create(kommune=self.kommune, name=TEAM_NAME)
        RehabTeamMembership.objects.bulk_create(
            RehabTeamMembership(rehab_team=team, user=user, sector=user.sector) for user in self.members
        )
        return team

    def plan_meetings(self, rounds: list[Round]) -> list[date]:
        """Put every past round on the Tuesday meeting before its indstilling was registered, and
        book most of those awaiting the team on an upcoming meeting; return the meeting days
        (every Tuesday of the span except around Christmas, unless a case needed that day)."""
        first = tuesday_on_or_after(min(r.on(r.sent) for r in rounds) + timedelta(days=1))
        last = tuesday_on_or_before(self.today + BOOK_AHEAD)
        used: dict[date, list[time]] = defaultdict(list)

        def book(r: Round, wanted: date, earliest: date, latest: date) -> None:
            # The wanted meeting, else an earlier one after the case was sent, else a later one;
            # a Christmas Tuesday only if nothing else fits.
            candidates = [wanted - timedelta(weeks=k) for k in range(60)]
            candidates = [d for d in candidates if d >= earliest]
            candidates += [wanted + timedelta(weeks=k) for k in range(1, 60) if wanted + timedelta(weeks=k) <= latest]
            candidates.sort(key=is_holiday)  # stable: keeps the order otherwise
            for day in candidates:
                if len(used[day]) < len(SLOTS):
                    r.meeting_on, r.slot = day, SLOTS[len(used[day])]
                    used[day].append(r.slot)
                    return
            raise RuntimeError(f"Ingen ledig tid på rehabiliteringsteamets møder til forløb {r.history.forloeb.pk}")

        def bounds(r: Round) -> tuple[date, date]:
            # After the case was sent, and at most three weeks before the indstilling was registered.
            sent_on, given_on = r.on(r.sent), r.on(r.given)
            return tuesday_on_or_after(
                max(sent_on, given_on - timedelta(days=22)) + timedelta(days=1)
            ), given_on - timedelta(days=1)

        # The rounds with the fewest possible meetings first (then by date), so that a busy week
        # never leaves a round without a meeting.
        past = [(bounds(r), r) for r in rounds if r.given is not None]
        for (earliest, latest), r in sorted(past, key=lambda x: ((x[0][1] - x[0][0]).days // 7, x[1].on(x[1].given))):
            book(r, tuesday_on_or_before(latest), earliest, latest)
        waiting = [r for r in rounds if r.given is None and r.history.forloeb.phase == Phase.REHABILITERINGSTEAM]
        for r in sorted(waiting, key=lambda r: r.on(r.sent)):
            if self.rng.random() < UNBOOKED_SHARE:
                continue
            earliest = tuesday_on_or_after(max(self.today + timedelta(days=1), r.on(r.sent) + timedelta(days=7)))
            wanted = min(last, earliest + timedelta(weeks=self.rng.choice((0, 0, 1, 1, 2, 3))))
            book(r, wanted, earliest, last)
        days = [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
        return [d for d in days if not is_holiday(d) or used[d]]

    def meetings(self, team: RehabTeam, days: list[date]) -> dict[date, TeamMeeting]:
        meetings = [
            TeamMeeting(rehab_team=team, starts_at=datetime.combine(d, MEETING_START, tzinfo=COPENHAGEN), place=PLACE)
            for d in days
        ]
        TeamMeeting.objects.bulk_create(meetings, batch_size=1000)
        return dict(zip(days, meetings, strict=True))

    def agenda(self, rounds: list[Round], meetings: dict[date, TeamMeeting]) -> list[AgendaItem]:
        items = []
        rng = self.rng
        for r in rounds:
            if r.meeting_on is None:
                continue
            meeting = meetings[r.meeting_on]
            item = AgendaItem(meeting=meeting, forloeb=r.history.forloeb, slot_start=r.slot, slot_minutes=30)
            if meeting.starts_at <= self.now:  # attendance as recorded at the meeting
                sectors = list(REQUIRED_SECTORS)
                if rng.random() < 0.15:
                    sectors.remove(
                        rng.choice((Sector.REGIONAL_HEALTH, Sector.EDUCATION, Sector.SOCIAL, Sector.MUNICIPAL_HEALTH))
                    )
                if rng.random() < 0.35:
                    sectors.append(Sector.EMPLOYER_CONSULTANT)
                if rng.random() < 0.08:
                    sectors.append(Sector.CHILDREN_FAMILY)
                if rng.random() < 0.03:
                    sectors.append(Sector.GP)
                item.sectors_present = sorted(sectors)
                item.borger_present = rng.random() < 0.92
                item.relative_present = rng.random() < 0.2
                item.bisidder_present = rng.random() < 0.1
            r.agenda_item = item
            items.append(item)
        AgendaItem.objects.bulk_create(items, batch_size=1000)
        return items

    # -- The forberedende del ------------------------------------------------------------------------

    def job_goal(self, forloeb: Forloeb, code: str, ct: ContentType, kind: str) -> Goal:
        job = JOB_GOALS[code][1]
        text = self.rng.choice(JOB_GOAL_TEXTS).format(job=job, hours=self.rng.choice((10, 15, 20, 25)))
        return Goal(
            forloeb=forloeb,
            document_kind=kind,
            content_type=ct,
            kind=GoalKind.JOB,
            description=text,
            occupation=self.occupations[code],
            set_with_borger=self.rng.random() < 0.95,
        )

    def education_goal(self, forloeb: Forloeb, ct: ContentType, kind: str, *, concrete: bool) -> Goal:
        if concrete:
            edu = self.rng.choice(EDUCATIONS)
            text = self.rng.choice(EDUCATION_GOAL_TEXTS).format(edu=lower_first(edu), Edu=edu)
        else:
            edu, text = "", self.rng.choice(VAGUE_EDUCATION_GOALS)
        return Goal(
            forloeb=forloeb,
            document_kind=kind,
            content_type=ct,
            kind=GoalKind.EDUCATION,
            description=text,
            education=edu,
            set_with_borger=self.rng.random() < 0.95,
        )

    def vague_job_goal(self, forloeb: Forloeb, ct: ContentType, kind: str) -> Goal:
        return Goal(
            forloeb=forloeb,
            document_kind=kind,
            content_type=ct,
            kind=GoalKind.JOB,
            description=self.rng.choice(VAGUE_JOB_GOALS),
            set_with_borger=self.rng.random() < 0.9,
        )

    def goals(self, forloeb: Forloeb, ct: ContentType, kind: str, mix: dict, job_code: str | None) -> list[Goal]:
        rng = self.rng
        which = pick(rng, mix)
        goals = []
        if which in ("both", "job"):
            goals.append(self.job_goal(forloeb, job_code or pick(rng, self.job_weights), ct, kind))
        elif kind == DocumentKind.FORBEREDENDE_DEL or rng.random() < 0.35:
            goals.append(self.vague_job_goal(forloeb, ct, kind))
        if which in ("both", "education"):
            goals.append(self.education_goal(forloeb, ct, kind, concrete=True))
        elif kind == DocumentKind.FORBEREDENDE_DEL and rng.random() < (0.2 if which == "job" else 0.3):
            goals.append(self.education_goal(forloeb, ct, kind, concrete=False))
        return goals

    def preparatory_part(self, h: History, rounds: list[Round], ct: ContentType) -> None:
        rng, f, plan = self.rng, h.forloeb, h.plan
        sent_on = rounds[0].on(rounds[0].sent) if rounds else None
        end = sent_on or plan.closed_on or self.today  # the forberedende del was worked on until then
        span = (end - f.opened_on).days
        profile = self.profile[f.pk]
        wish = pick(rng, BORGER_WISH)
        benefit = pick(rng, PREVIOUS_BENEFIT)
        if f.sequence_no > 1 and rng.random() < 0.7:
            benefit = PreviousBenefit.RESSOURCEFORLOEBSYDELSE
        job_code = pick(rng, self.job_weights) if rng.random() < 0.6 else None
        year = f.opened_on.year - rng.randint(1, 6)
        values = {
            "work_started_on": f.opened_on + timedelta(days=rng.randint(0, min(10, span // 4))),
            "wishes": rng.choice(WISHES_WITH_JOB).format(job=JOB_GOALS[job_code][1])
            if job_code
            else rng.choice(WISHES_WITHOUT_JOB),
            "personal_resources": rng.choice(PERSONAL_RESOURCES),
            "challenges_job": rng.choice(CHALLENGES_JOB).format(n=rng.randint(2, 9)),
            "challenges_social": rng.choice(CHALLENGES_SOCIAL),
            "challenges_health": profile.challenge,
            "self_assessed_health": profile.self_assessed,
            "previous_benefit": benefit,
            "benefit_history": BENEFIT_HISTORY[benefit].format(year=year),
            "earlier_interventions": EARLIER_RESSOURCEFORLOEB
            if benefit == PreviousBenefit.RESSOURCEFORLOEBSYDELSE and rng.random() < 0.6
            else rng.choice(EARLIER_INTERVENTIONS).format(year=year + rng.randint(0, 2)),
            "borger_perspective": rng.choice(PERSPECTIVE_BY_WISH[wish]),
            "borger_wish": wish,
        }
        cv = ""
        if rng.random() < 0.18:
            cv = rng.choice(CV_TEXTS).format(a=year - 8, b=year - 4, c=year - 1)
        signed = None
        complete = sent_on is not None
        if complete:
            started = values["work_started_on"]
            signed = between(rng, max(started, sent_on - timedelta(days=14)), sent_on)
        else:
            # Partly filled in, the more the longer the case has been in the forberedende del.
            order = [name for name in PreparatoryPart.REQUIRED_SECTIONS if name != "work_started_on"]
            rng.shuffle(order)
            progress = span / rng.uniform(50, 150)
            filled = max(0, min(len(order), round(progress * len(order) + rng.uniform(-2, 2))))
            for name in order[filled:]:
                values[name] = ""
            if span < 5 and rng.random() < 0.5:
                values["work_started_on"] = None
            if filled == len(order) and values["work_started_on"] and rng.random() < 0.5:
                signed = between(rng, values["work_started_on"], end)
        part = PreparatoryPart(forloeb=f, cv=cv, signed_by_borger_on=signed, **values)
        self.parts.append(part)
        goals = []
        if complete or (values["wishes"] and rng.random() < 0.85) or rng.random() < 0.15:
            goals = self.goals(f, ct, DocumentKind.FORBEREDENDE_DEL, PREPARATORY_GOALS, job_code)
        self.part_goals.append((part, goals))
        self.job_of[f.pk] = next((g.occupation.code for g in goals if g.occupation), job_code)

    # -- Health documents ----------------------------------------------------------------------------

    def doc(self, f: Forloeb, form: str, author: str, **kwargs) -> None:
        self.health.append(HealthDocument(forloeb=f, form=form, author_role=author, **kwargs))

    def health_documents(self, h: History, rounds: list[Round]) -> None:
        rng, f, plan = self.rng, h.forloeb, h.plan
        profile = self.profile[f.pk]
        sent_on = rounds[0].on(rounds[0].sent) if rounds else None
        end = sent_on or plan.closed_on or self.today
        requested = f.opened_on + timedelta(days=rng.randint(2, 30))
        response = gp_response_days(rng)
        if sent_on:
            latest = sent_on - timedelta(days=rng.randint(1, 10))
            requested = max(f.opened_on, min(requested, latest - timedelta(days=7)))
            received = min(requested + timedelta(days=response), latest)
        else:
            if requested > end:
                return  # the LÆ 261 has not been sent yet
            received = requested + timedelta(days=response)
            received = received if received <= end else None
        self.doc(
            f,
            HealthForm.LAE261,
            AuthorRole.KOMMUNE,
            requested_on=requested,
            focus_question=profile.focus,
            purpose="Lægens vurdering af helbred og arbejdsevne til den forberedende del",
        )
        self.doc(
            f,
            HealthForm.LAE265,
            AuthorRole.GP,
            requested_on=requested,
            received_on=received,
            summary=profile.gp if received else "",
        )
        if not sent_on:
            return
        # Further information before the meeting (§3.7: klinisk funktion 16 %, other bodies 65 %).
        window = (f.opened_on, sent_on - timedelta(days=1))

        def received_between() -> tuple[date, date]:
            got = between(rng, window[0] + timedelta(days=14), window[1])
            got = min(got, window[1])
            return got - timedelta(days=rng.randint(10, 40)), got

        if rng.random() < 0.30:
            req, got = received_between()
            self.doc(
                f,
                HealthForm.LAE155,
                AuthorRole.SPECIALIST,
                requested_on=max(req, f.opened_on),
                received_on=got,
                summary=profile.specialist,
                purpose="Uddybning af diagnose og prognose",
            )
        if rng.random() < 0.35:
            self.doc(
                f,
                HealthForm.JOURNAL,
                AuthorRole.HOSPITAL,
                received_on=between(rng, *window),
                summary=rng.choice(JOURNAL_SUMMARIES),
            )
        if rng.random() < 0.16:
            req, got = received_between()
            self.doc(
                f,
                HealthForm.LAE275,
                AuthorRole.CLINICAL,
                requested_on=max(req, f.opened_on),
                received_on=got,
                via_health_coordinator=True,
                summary=profile.specialist,
                purpose="Speciallægefaglig vurdering via sundhedskoordinatoren",
            )
        if rng.random() < 0.20:
            got = between(rng, *window)
            self.doc(
                f,
                HealthForm.ADVICE,
                AuthorRole.HEALTH_COORDINATOR,
                requested_on=got - timedelta(days=rng.randint(3, 14)),
                received_on=got,
                summary=rng.choice(ADVICE),
                purpose="Rådgivning før mødet i rehabiliteringsteamet",
            )
        if rng.random() < 0.08:
            self.doc(
                f,
                HealthForm.OTHER,
                AuthorRole.PSYCHOLOGIST,
                received_on=between(rng, *window),
                summary="Psykologudtalelse om borgerens ressourcer og belastningsgrænser.",
            )
        # After the meetings (§3.7: GP 41 %, klinisk funktion 8 %, other 30 %).
        for i, r in enumerate(rounds):
            if r.meeting_on is None or r.meeting_on >= self.today:
                continue
            nxt = rounds[i + 1].on(rounds[i + 1].sent) if i + 1 < len(rounds) else None
            stop = min(d for d in (self.today, plan.closed_on, nxt) if d)
            start = r.meeting_on + timedelta(days=14)
            if stop - start < timedelta(days=21):
                continue
            purpose = "Til brug for genforelæggelse" if nxt else rng.choice(AFTER_MEETING_PURPOSES)
            if rng.random() < 0.41:
                got = between(rng, start + timedelta(days=21), stop)
                self.doc(
                    f,
                    HealthForm.LAE145,
                    AuthorRole.GP,
                    phase=MeetingPhase.AFTER,
                    requested_on=got - timedelta(days=gp_response_days(rng) // 2 + 7),
                    received_on=got,
                    summary=profile.gp,
                    purpose=purpose,
                )
            if rng.random() < 0.08:
                got = between(rng, start + timedelta(days=21), stop)
                self.doc(
                    f,
                    HealthForm.LAE275,
                    AuthorRole.CLINICAL,
                    phase=MeetingPhase.AFTER,
                    requested_on=got - timedelta(days=21),
                    received_on=got,
                    via_health_coordinator=True,
                    summary=profile.specialist,
                    purpose=purpose,
                )
            if rng.random() < 0.30:
                got = between(rng, start, stop)
                form, author = rng.choice(
                    ((HealthForm.LAE155, AuthorRole.SPECIALIST), (HealthForm.JOURNAL, AuthorRole.HOSPITAL))
                )
                self.doc(
                    f,
                    form,
                    author,
                    phase=MeetingPhase.AFTER,
                    received_on=got,
                    summary=profile.specialist,
                    purpose=purpose,
                )

    # -- Indstillinger and afgørelser ------------------------------------------------------------------

    def interventions(self, ordning: str, given_on: date) -> list[RecommendedIntervention]:
        rng = self.rng
        if ordning == Ordning.FOERTIDSPENSION:
            return []
        if ordning == Ordning.FLEKSJOB:
            return [
                RecommendedIntervention(
                    category=InterventionCategory.VIRKSOMHEDSRETTET, description=FLEKSJOB_INTERVENTION
                )
            ]
        categories = []
        for category, share in CATEGORY_SHARES.items():
            if rng.random() < share:
                if category == "sundhed":
                    categories.append(
                        pick(
                            rng, {InterventionCategory.SUNDHED_KOMMUNAL: 66, InterventionCategory.SUNDHED_REGIONAL: 34}
                        )
                    )
                else:
                    categories.append(category)
        while len(categories) < 2:
            extra = rng.choice(
                (
                    InterventionCategory.VIRKSOMHEDSRETTET,
                    InterventionCategory.MENTOR,
                    InterventionCategory.SUNDHED_KOMMUNAL,
                    InterventionCategory.ANDET,
                )
            )
            if extra not in categories:
                categories.append(extra)
        rng.shuffle(categories)
        items = []
        for category in categories[:5]:
            item = RecommendedIntervention(category=category, description=rng.choice(INTERVENTIONS[category]))
            if category == InterventionCategory.VIRKSOMHEDSRETTET:
                r = rng.random()
                if r < 0.45:
                    item.within_months = rng.choice((1, 3, 3, 6, 6, 12))
                elif r < 0.52:
                    item.planned_by = given_on + timedelta(days=rng.randint(30, 120))
            items.append(item)
        return items

    def recommendation(self, r: Round, ct: ContentType) -> Recommendation:
        rng, h = self.rng, r.history
        f, plan = h.forloeb, h.plan
        given_on = r.meeting_on
        after = plan.steps[r.after] if r.after is not None else None
        if after is not None and after.transition == "grant":
            ordning = Ordning.RESSOURCEFORLOEB
        elif after is not None:  # closed by the afgørelse
            ordning = DECIDED_ORDNING.get(after.outcome, Ordning.ANDET)
        elif reform_errors(f, Ordning.RESSOURCEFORLOEB, on=given_on):  # awaiting the afgørelse, after the reform
            ordning = pick(rng, {Ordning.FOERTIDSPENSION: 60, Ordning.FLEKSJOB: 40})
        else:  # awaiting the afgørelse
            ordning = pick(rng, {Ordning.RESSOURCEFORLOEB: 88, Ordning.FOERTIDSPENSION: 8, Ordning.FLEKSJOB: 4})
        years = None
        if ordning == Ordning.RESSOURCEFORLOEB:
            pack = rulepack_on(given_on)
            allowed = range(pack.min_duration_years, pack.max_duration_years + 1)
            if after is not None:
                years = after.years  # the afgørelse follows the indstilling ...
                if rng.random() < 0.07:  # ... except a few
                    years = rng.choice([y for y in allowed if y != after.years])
            else:
                weights = {1: 10, 2: 40, 3: 50} if pack.max_duration_years <= 3 else {1: 4, 2: 18, 3: 38, 4: 12, 5: 28}
                years = pick(rng, {y: w for y, w in weights.items() if y in allowed})
        profile = self.profile[f.pk]
        hensyn = set(profile.hensyn)
        if rng.random() < 0.3:
            hensyn.add(rng.choice(list(Hensyn)))
        followup, extra = ("", False)
        if rng.random() < 0.16:
            followup, extra = rng.choice(FOLLOWUP_ASSESSMENTS)
        sent_borger = sent_gp = None
        delay = sent_delay_days(rng)
        if delay is not None and workday(given_on + timedelta(days=delay)) <= self.today:
            sent_borger = workday(given_on + timedelta(days=delay))
        delay = sent_delay_days(rng)
        if delay is not None and rng.random() < 0.9 and workday(given_on + timedelta(days=delay)) <= self.today:
            sent_gp = workday(given_on + timedelta(days=delay))
        rec = Recommendation(
            forloeb=f,
            agenda_item=r.agenda_item,
            given_on=given_on,
            ordning=ordning,
            duration_years=years,
            justification=rng.choice(JUSTIFICATIONS.get(ordning, ("",))).format(hours=rng.choice((8, 10, 12, 15))),
            hensyn=sorted(hensyn),
            followup_assessment=followup,
            followup_extra_needed=extra,
            borger_perspective=rng.choice(RECOMMENDATION_PERSPECTIVES[ordning]) if rng.random() < 0.81 else "",
            sent_to_borger_on=sent_borger,
            sent_to_gp_on=sent_gp,
            recorded_by=h.actors[r.given],
        )
        goals = self.goals(f, ct, DocumentKind.INDSTILLING, RECOMMENDATION_GOALS, self.job_of.get(f.pk))
        if ordning != Ordning.RESSOURCEFORLOEB:
            goals = []
        created = h.moments[r.given] - timedelta(minutes=rng.randint(1, 10))
        self.recommendations.append((rec, goals, self.interventions(ordning, given_on), created))
        return rec

    def decision(self, r: Round, rec: Recommendation, had_forloeb_before: bool) -> None:
        rng, h = self.rng, r.history
        f = h.forloeb
        step = h.plan.steps[r.after]
        decision = Decision(
            forloeb=f,
            recommendation=rec,
            decided_on=step.on,
            decided_by=h.actors[r.after],
            follows_recommendation=True,
        )
        if step.transition == "grant":
            decision.ordning = Ordning.RESSOURCEFORLOEB
            decision.duration_years = step.years
            decision.benefit_start_on = step.benefit_from
            if rec.duration_years != step.years:
                decision.follows_recommendation = False
                decision.deviation_reason = DEVIATION_REASONS[
                    "shorter" if rec.duration_years > step.years else "longer"
                ]
            if had_forloeb_before and age_on(f, step.on) >= rulepack_on(step.on).repeat_consent_age:
                decision.borger_consent_on = step.on - timedelta(days=rng.randint(1, 20))
        else:
            decision.ordning = rec.ordning
        created = h.moments[r.after] - timedelta(minutes=rng.randint(1, 10))
        self.decisions.append((decision, created))

    # -- All of it -------------------------------------------------------------------------------------

    def run(self) -> dict:
        rng = self.rng
        team = self.team()
        all_rounds = {id(h): rounds_of(h) for h in self.histories}
        for h in self.histories:
            self.profile[h.forloeb.pk] = rng.choice(HEALTH_PROFILES)
        flat = [r for rounds in all_rounds.values() for r in rounds]
        meetings = self.meetings(team, self.plan_meetings(flat))
        items = self.agenda(flat, meetings)

        part_ct = ContentType.objects.get_for_model(PreparatoryPart)
        rec_ct = ContentType.objects.get_for_model(Recommendation)
        started_before: dict[int, list[date]] = defaultdict(list)  # borger -> opened_on of forløb with a grant
        for h in self.histories:
            if h.plan.start_date:
                started_before[h.forloeb.borger_id].append(h.forloeb.opened_on)

        for h in self.histories:
            rounds = all_rounds[id(h)]
            self.preparatory_part(h, rounds, part_ct)
            self.health_documents(h, rounds)
        for h in self.histories:
            had_before = any(d < h.forloeb.opened_on for d in started_before[h.forloeb.borger_id])
            for r in all_rounds[id(h)]:
                if r.given is None:
                    continue
                rec = self.recommendation(r, rec_ct)
                if r.after is not None:
                    self.decision(r, rec, had_before)

        PreparatoryPart.objects.bulk_create(self.parts, batch_size=1000)
        goals = []
        for part, part_goals in self.part_goals:
            for goal in part_goals:
                goal.object_id = part.pk
            goals += part_goals
        HealthDocument.objects.bulk_create(self.health, batch_size=2000)
        recs = [rec for rec, _g, _i, _c in self.recommendations]
        Recommendation.objects.bulk_create(recs, batch_size=1000)
        interventions = []
        for rec, rec_goals, rec_interventions, created in self.recommendations:
            rec.created_at = created
            for goal in rec_goals:
                goal.object_id = rec.pk
            goals += rec_goals
            for item in rec_interventions:
                item.recommendation = rec
            interventions += rec_interventions
        Goal.objects.bulk_create(goals, batch_size=2000)
        RecommendedIntervention.objects.bulk_create(interventions, batch_size=2000)
        # created_at is auto_now_add: set the moments the rows were recorded (bulk_update keeps them).
        Recommendation.objects.bulk_update(recs, ["created_at"], batch_size=500)
        decisions = [d for d, _c in self.decisions]
        Decision.objects.bulk_create(decisions, batch_size=1000)
        for decision, created in self.decisions:
            decision.created_at = created
        Decision.objects.bulk_update(decisions, ["created_at"], batch_size=500)

        parts_with_job = {
            g.object_id for g in goals if g.document_kind == DocumentKind.FORBEREDENDE_DEL and g.occupation_id
        }
        recs_with_concrete = {
            g.object_id
            for g in goals
            if g.document_kind == DocumentKind.INDSTILLING and (g.occupation_id or g.education)
        }
        return {
            "members": len(self.members),
            "meetings": len(meetings),
            "agenda_items": len(items),
            "upcoming_items": sum(1 for r in flat if r.meeting_on and r.meeting_on > self.today),
            "preparatory_parts": len(self.parts),
            "goals": len(goals),
            "parts_with_concrete_job": len(parts_with_job),
            "recommendations": len(recs),
            "recommendations_with_concrete_goal": len(recs_with_concrete),
            "interventions": len(interventions),
            "decisions": len(decisions),
            "health_documents": len(self.health),
        }


def build(*, kommune: Kommune, members: list[User], histories: list[History], today: date) -> dict:
    """Create the rehabiliteringsteam's data for the simulated forløb; return counts for the summary."""
    return Builder(kommune=kommune, members=members, histories=histories, today=today).run()


def summary_lines(counts: dict) -> list[str]:
    def share(n: int, of: int) -> str:
        return f"{100 * n / of:.0f} %" if of else "-"

    return [
        f"Rehabiliteringsteamet: {counts['members']} medlemmer, {counts['meetings']} møder, "
        f"{counts['agenda_items']} punkter på dagsordenen ({counts['upcoming_items']} på kommende møder).",
        f"{counts['preparatory_parts']} forberedende dele ({share(counts['parts_with_concrete_job'], counts['preparatory_parts'])} "
        f"med konkret jobmål), {counts['health_documents']} helbredsdokumenter, {counts['goals']} mål.",
        f"{counts['recommendations']} indstillinger ({share(counts['recommendations_with_concrete_goal'], counts['recommendations'])} "
        f"med konkret mål) med {counts['interventions']} anbefalede indsatser, {counts['decisions']} afgørelser.",
    ]
