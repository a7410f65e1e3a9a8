"""The indicator catalogue of the fictional Brackenford Borough Council, and how each series behaves.

`INDICATORS` holds the rows of indicators.csv (columns exactly as data-format.md names them).
`MODELS` says how generate.py invents each indicator's figures: where the series starts in
April 2022 (`start`), its drift per year (`trend`), month-to-month noise (`noise`), the size of
the cohort behind a percentage or rate (`den`), the plausible range (`lo`, `hi`), and the RAG
the 2024/25 Q2 scorecard should show (`rag`), from which the targets are set.
"""

from __future__ import annotations

COUNCIL = "Brackenford Borough Council"
CLUSTERS = [
    "Demand",
    "Keeping children safe",
    "Looking after children well",
    "Schools",
    "Education",
    "SEND",
    "Workforce",
    "Budgets",
]

COLUMNS = [
    "code",
    "title",
    "cluster",
    "polarity",
    "unit",
    "frequency",
    "year_basis",
    "ytd",
    "dot_basis",
    "decimals",
    "aliases",
    "definition",
    "data_notes",
    "source",
    "service_area",
    "council_plan",
    "active",
]

CSC = "Children's social care"
CP1 = "CP1: Children are safe and supported at home"
CP2 = "CP2: Children in our care thrive"
CP3 = "CP3: Every child achieves their potential"
CP4 = "CP4: A stable, skilled workforce"


def _ind(
    code: str,
    title: str,
    cluster: str,
    polarity: str,
    unit: str,
    frequency: str,
    ytd: str,
    aliases: str,
    definition: str,
    source: str,
    service_area: str,
    *,
    year_basis: str = "financial",
    dot_basis: str = "",
    decimals: str = "",
    data_notes: str = "",
    council_plan: str = "",
    active: str = "true",
) -> dict[str, str]:
    return {
        "code": code,
        "title": title,
        "cluster": cluster,
        "polarity": polarity,
        "unit": unit,
        "frequency": frequency,
        "year_basis": year_basis,
        "ytd": ytd,
        "dot_basis": dot_basis,
        "decimals": decimals,
        "aliases": aliases,
        "definition": definition,
        "data_notes": data_notes,
        "source": source,
        "service_area": service_area,
        "council_plan": council_plan,
        "active": active,
    }


INDICATORS: list[dict[str, str]] = [
    # --- Demand -------------------------------------------------------------------------
    _ind(
        "DEM-01", "Contacts received by the Children's Front Door", "Demand", "none", "count",
        "monthly", "sum",
        "contacts;front door contacts;MASH contacts;contacts received",
        "Contacts about a child received by the Children's Front Door (MASH) in the month, "
        "from any source, including those that lead to no further action.",
        "Liquidlogic (local case management system)", CSC,
        data_notes="A demand measure: no target is set. Police notifications are counted "
        "once per child.",
    ),
    _ind(
        "DEM-02", "Referrals to children's social care", "Demand", "none", "count",
        "monthly", "sum",
        "referrals;social care referrals;number of referrals;new referrals",
        "Contacts accepted as a referral to children's social care in the month.",
        "CIN census", CSC,
        data_notes="A demand measure: no target is set. A child referred twice in the month "
        "is counted twice.",
    ),
    _ind(
        "DEM-03", "Re-referrals to children's social care within 12 months of a previous referral",
        "Demand", "low", "percent", "monthly", "ratio",
        "re-referrals;rereferrals;repeat referrals;re-referral rate",
        "Referrals in the month where the child had a previous referral in the 12 months "
        "before, as a percentage of all referrals in the month.",
        "CIN census", CSC, council_plan=CP1,
    ),
    _ind(
        "DEM-04", "Children in need (rate per 10,000 children aged under 18)", "Demand", "low",
        "rate_per_10k", "monthly", "latest",
        "CIN rate;children in need;CIN;children in need rate",
        "Children in need at the month end (including children on child protection plans and "
        "children looked after), per 10,000 children aged 0-17 in the borough.",
        "CIN census", CSC,
        data_notes="Uses the ONS mid-year population estimate for children aged 0-17 "
        "(mid-2023 from April 2024).",
    ),
    _ind(
        "DEM-05", "Early help assessments completed (previous definition)", "Demand", "high",
        "count", "monthly", "sum",
        "early help assessments;EHA",
        "Early help assessments completed in the month under the pre-2023 early help model.",
        "Early help module (local system)", "Early help",
        data_notes="Retired in April 2023 when the Family Help model began; kept for history.",
        active="false",
    ),
    # --- Keeping children safe ----------------------------------------------------------
    _ind(
        "SAFE-01", "Children and family assessments completed within 45 working days",
        "Keeping children safe", "high", "percent", "monthly", "ratio",
        "assessments in 45 days;assessment timeliness;45 working days;assessments on time",
        "Children and family (single) assessments completed in the month within 45 working "
        "days of the referral, as a percentage of all assessments completed in the month.",
        "CIN census", CSC, council_plan=CP1,
    ),
    _ind(
        "SAFE-02", "Section 47 enquiries started (rate per 10,000 children)",
        "Keeping children safe", "low", "rate_per_10k", "monthly", "latest",
        "S47;section 47;S47 enquiries;child protection enquiries",
        "Section 47 (child protection) enquiries started in the last 12 months, per 10,000 "
        "children aged 0-17. A rolling 12-month figure.",
        "CIN census", CSC,
        data_notes="Rolling 12 months, so each month's figure overlaps the last; the YTD is "
        "the latest month.",
    ),
    _ind(
        "SAFE-03", "Initial child protection conferences held within 15 working days of the "
        "strategy discussion", "Keeping children safe", "high", "percent", "monthly", "ratio",
        "ICPC;ICPC timeliness;ICPC 15 days;initial conferences on time",
        "Initial child protection conferences held in the month within 15 working days of the "
        "strategy discussion that started the section 47 enquiry, as a percentage of all ICPCs "
        "held in the month.",
        "CIN census", CSC,
        data_notes="Small monthly numbers (10-30 conferences), so one late conference moves "
        "the figure by several points.",
    ),
    _ind(
        "SAFE-04", "Children subject to a child protection plan (rate per 10,000 children)",
        "Keeping children safe", "low", "rate_per_10k", "monthly", "latest",
        "CP rate;CPP rate;child protection plans;children on a CP plan;CP plans",
        "Children subject to a child protection plan at the month end, per 10,000 children "
        "aged 0-17.",
        "CIN census", CSC, council_plan=CP1,
    ),
    _ind(
        "SAFE-05", "Child protection plans ended that had lasted two years or more",
        "Keeping children safe", "low", "percent", "quarterly", "ratio",
        "CP plans 2 years;long CP plans;CP plans over 2 years;CPP 2+ years",
        "Child protection plans that ended in the quarter having lasted two years or more, as a "
        "percentage of all plans that ended in the quarter.",
        "CIN census", CSC,
    ),
    _ind(
        "SAFE-06", "Children becoming subject to a child protection plan for a second or "
        "subsequent time", "Keeping children safe", "low", "percent", "monthly", "ratio",
        "second CP plan;repeat CP plans;second or subsequent plan;repeat child protection",
        "Children who started a child protection plan in the month and had been on a plan "
        "before (at any time), as a percentage of all children starting a plan in the month.",
        "CIN census", CSC,
    ),
    _ind(
        "SAFE-07", "Child protection visits completed within 10 working days",
        "Keeping children safe", "high", "percent", "monthly", "ratio",
        "CP visits;child protection visits;statutory visits",
        "Children on a child protection plan at the month end who were seen by their social "
        "worker within the last 10 working days, as a percentage of all children on a plan.",
        "Liquidlogic (local case management system)", CSC,
    ),
    # --- Looking after children well ----------------------------------------------------
    _ind(
        "CLA-01", "Children looked after (rate per 10,000 children)",
        "Looking after children well", "low", "rate_per_10k", "monthly", "latest",
        "CLA rate;LAC rate;children in care;looked after children;CLA;LAC;care rate",
        "Children looked after by the council at the month end, per 10,000 children aged 0-17.",
        "SSDA903", CSC, council_plan=CP2,
        data_notes="Includes unaccompanied asylum-seeking children (about 40 at any time).",
    ),
    _ind(
        "CLA-02", "Children looked after with three or more placements in the last 12 months",
        "Looking after children well", "low", "percent", "monthly", "latest",
        "placement stability;3 or more moves;three placements;placement moves;short-term stability",
        "Children looked after at the month end who have had three or more placements in the "
        "last 12 months, as a percentage of all children looked after.",
        "SSDA903", CSC, council_plan=CP2,
    ),
    _ind(
        "CLA-03", "Children looked after for 2.5 years or more who have been in the same "
        "placement for at least 2 years", "Looking after children well", "high", "percent",
        "monthly", "latest",
        "long-term stability;same placement 2 years;long term placement stability",
        "Children under 16 looked after for at least two and a half years, who have lived in the "
        "same placement for at least two years (or are placed for adoption), as a percentage of "
        "all children under 16 looked after for at least two and a half years.",
        "SSDA903", CSC,
    ),
    _ind(
        "CLA-04", "Children looked after with an up-to-date health assessment",
        "Looking after children well", "high", "percent", "monthly", "latest",
        "health checks;CLA health assessments;LAC health checks;health assessments",
        "Children looked after for at least 12 months whose annual (six-monthly under fives) "
        "health assessment is up to date at the month end.",
        "SSDA903", CSC,
        data_notes="Assessments are carried out by the NHS; delays in the designated nurse "
        "team affect the figure. November 2023 is withheld: the NHS record system migration "
        "left it incomplete.",
    ),
    _ind(
        "CLA-05", "Care leavers aged 19-21 in education, employment or training",
        "Looking after children well", "high", "percent", "monthly", "latest",
        "care leavers EET;care leavers in work;care leavers education employment training;"
        "care leaver EET",
        "Care leavers aged 19, 20 and 21 who are in education, employment or training, as a "
        "percentage of care leavers of that age the council is in touch with or should be.",
        "SSDA903", CSC, council_plan=CP2,
    ),
    _ind(
        "CLA-06", "Care leavers aged 19-21 in suitable accommodation",
        "Looking after children well", "high", "percent", "monthly", "latest",
        "care leavers accommodation;care leavers housing;suitable accommodation",
        "Care leavers aged 19, 20 and 21 in accommodation judged suitable, as a percentage of "
        "care leavers of that age.",
        "SSDA903", CSC,
    ),
    _ind(
        "CLA-07", "Average days between a child entering care and moving in with their adoptive "
        "family", "Looking after children well", "low", "days", "annual", "none",
        "adoption timeliness;adoption days;time to adoption;A1",
        "For children adopted in the three years to 31 March, the average number of days from "
        "entering care to moving in with their adoptive family (adoption scorecard A1).",
        "SSDA903", CSC,
        data_notes="A three-year average: the 2024/25 figure covers adoptions from April 2022 "
        "to March 2025. Fewer than 30 adoptions a year, so one long case moves the average.",
    ),
    # --- Schools ------------------------------------------------------------------------
    _ind(
        "SCH-01", "Schools judged good or outstanding by Ofsted", "Schools", "high", "percent",
        "quarterly", "latest",
        "good or outstanding schools;Ofsted judgements;school Ofsted;schools good outstanding",
        "State-funded schools in the borough whose latest Ofsted overall effectiveness judgement "
        "is good or outstanding, as a percentage of schools with a judgement, at the quarter end.",
        "Ofsted management information", "Education", council_plan=CP3,
        data_notes="Ofsted stopped giving single-word overall judgements in September 2024; "
        "the figure uses the last overall judgement each school received.",
    ),
    _ind(
        "SCH-02", "Pupils who are persistently absent (missing 10% or more of sessions)",
        "Schools", "low", "percent", "annual", "none",
        "persistent absence;kids missing school;school absence;absence;PA",
        "Pupils in state-funded primary, secondary and special schools who missed 10% or more "
        "of their possible sessions in the academic year, as a percentage of all such pupils.",
        "School census (DfE pupil absence statistics)", "Education", year_basis="academic",
        council_plan=CP3,
    ),
    _ind(
        "SCH-03", "Suspensions (rate per 100 pupils)", "Schools", "low", "percent", "annual",
        "none",
        "suspensions;fixed term exclusions;suspension rate;fixed-term exclusions",
        "Suspensions (formerly fixed-period exclusions) in the academic year per 100 pupils in "
        "state-funded schools.",
        "School census (DfE exclusions statistics)", "Education", year_basis="academic",
        decimals="2",
        data_notes="A rate per 100 pupils, shown as a percentage; one pupil may be suspended "
        "more than once.",
    ),
    _ind(
        "SCH-04", "Permanent exclusions from schools", "Schools", "low", "count", "annual",
        "none",
        "permanent exclusions;exclusions;excluded pupils",
        "Pupils permanently excluded from state-funded schools in the borough in the academic "
        "year.",
        "School census (DfE exclusions statistics)", "Education", year_basis="academic",
    ),
    # --- Education ----------------------------------------------------------------------
    _ind(
        "EDU-01", "Children achieving a good level of development at the end of Reception",
        "Education", "high", "percent", "annual", "none",
        "GLD;good level of development;EYFS;early years foundation stage;EYFSP",
        "Children at the end of the Early Years Foundation Stage (Reception) reaching the "
        "expected level in the prime areas and in literacy and mathematics.",
        "EYFS profile return", "Education", year_basis="academic", council_plan=CP3,
        data_notes="The EYFS profile was reformed in 2021/22; earlier years are not comparable.",
    ),
    _ind(
        "EDU-02", "Pupils meeting the expected standard in reading, writing and maths at "
        "Key Stage 2", "Education", "high", "percent", "annual", "none",
        "KS2;KS2 RWM;key stage 2;reading writing maths;RWM;SATs;year 6 results",
        "Pupils at the end of Key Stage 2 (Year 6) reaching the expected standard in reading, "
        "writing (teacher assessment) and maths, as a percentage of eligible pupils.",
        "KS2 assessment data (DfE)", "Education", year_basis="academic", council_plan=CP3,
    ),
    _ind(
        "EDU-03", "Average Attainment 8 score per pupil at the end of Key Stage 4", "Education",
        "high", "score", "annual", "none",
        "Attainment 8;GCSE results;KS4;key stage 4;A8",
        "The average Attainment 8 score of pupils at the end of Key Stage 4 in state-funded "
        "schools (eight qualifications, English and maths double weighted).",
        "KS4 performance tables (DfE)", "Education", year_basis="academic",
    ),
    _ind(
        "EDU-04", "Young people aged 16-17 not in education, employment or training (NEET)",
        "Education", "low", "percent", "monthly", "mean",
        "NEET;NEET 16-17;not in education employment or training;young people NEET",
        "Young people aged 16 and 17 (academic age) known to be NEET at the month end, as a "
        "percentage of those the council tracks.",
        "NCCIS (client caseload information)", "Education",
        data_notes="DfE's headline is the December-February average; the YTD shown is the mean "
        "of the months so far. September figures are high while destinations are confirmed.",
    ),
    _ind(
        "EDU-05", "Young people aged 16-17 who are NEET or whose activity is not known",
        "Education", "low", "percent", "monthly", "mean",
        "NEET and not known;NEET not known;not known;NEET or not known",
        "Young people aged 16 and 17 who are NEET or whose activity is not known at the month "
        "end, as a percentage of those the council tracks.",
        "NCCIS (client caseload information)", "Education", council_plan=CP3,
        data_notes="'Not known' rises every September until the new year's destinations are "
        "confirmed.",
    ),
    # --- SEND ---------------------------------------------------------------------------
    _ind(
        "SEND-01", "New EHC plans issued within 20 weeks (excluding exceptions)", "SEND", "high",
        "percent", "monthly", "ratio",
        "SEND timeliness;EHCP 20 weeks;EHCP timeliness;EHC plans on time;20 week timescale",
        "New education, health and care plans issued in the month within 20 weeks of the "
        "request for assessment, excluding cases where a legal exception applies, as a "
        "percentage of all new plans issued in the month (excluding exceptions).",
        "SEN2 return", "SEND", council_plan=CP3,
        data_notes="Monthly figures use the local case record and are checked against the "
        "SEN2 return each January.",
    ),
    _ind(
        "SEND-02", "Children and young people with an EHC plan", "SEND", "none", "count",
        "monthly", "latest",
        "EHCP numbers;number of EHCPs;EHC plans;EHCPs;how many EHCPs",
        "Children and young people aged 0-25 with an education, health and care plan maintained "
        "by the council at the month end.",
        "SEN2 return", "SEND",
        data_notes="A demand measure: no target is set.",
    ),
    _ind(
        "SEND-03", "EHC plan annual reviews completed within 12 months", "SEND", "high",
        "percent", "quarterly", "ratio",
        "annual reviews;EHCP reviews;EHCP annual review",
        "Annual reviews of EHC plans due in the quarter that were held, and the decision "
        "issued, within 12 months of the plan or previous review.",
        "Local SEND case record", "SEND",
    ),
    # --- Workforce ----------------------------------------------------------------------
    _ind(
        "WF-01", "Social worker vacancy rate", "Workforce", "low", "percent", "monthly",
        "latest",
        "SW vacancies;social worker vacancies;vacancy rate;vacancies",
        "Vacant social worker posts (FTE) at the month end, as a percentage of all funded social "
        "worker posts. A post filled by an agency worker counts as vacant.",
        "Children's social work workforce census", "Workforce", council_plan=CP4,
    ),
    _ind(
        "WF-02", "Agency social workers", "Workforce", "low", "percent", "monthly", "latest",
        "agency social workers;agency staff;agency SW;locums;agency workers",
        "Agency social workers (FTE) covering posts at the month end, as a percentage of all "
        "social workers in post (FTE).",
        "Children's social work workforce census", "Workforce", council_plan=CP4,
    ),
    _ind(
        "WF-03", "Average social worker caseload", "Workforce", "low", "count", "monthly",
        "mean",
        "caseload;SW caseload;caseloads;social worker caseload;cases per worker",
        "Children allocated to case-holding social workers at the month end, divided by the "
        "number of case-holding social workers (FTE).",
        "Children's social work workforce census", "Workforce", decimals="1",
    ),
    _ind(
        "WF-04", "Social worker turnover (rolling 12 months)", "Workforce", "low", "percent",
        "quarterly", "latest",
        "social worker turnover;SW turnover;staff turnover;leavers;turnover",
        "Permanent social workers (FTE) who left in the 12 months to the quarter end, as a "
        "percentage of permanent social workers in post at the quarter end.",
        "Children's social work workforce census", "Workforce",
    ),
    _ind(
        "WF-05", "Average days lost to sickness per social worker (rolling 12 months)",
        "Workforce", "low", "days", "quarterly", "latest",
        "sickness;sickness absence;days lost;staff sickness",
        "Working days lost to sickness absence in the 12 months to the quarter end, per "
        "full-time-equivalent social worker.",
        "HR system (local)", "Workforce", decimals="1",
        data_notes="Target for 2026/27 not yet agreed: under review with HR.",
    ),
    # --- Budgets ------------------------------------------------------------------------
    _ind(
        "BUD-01", "Children's services forecast outturn variance against budget", "Budgets",
        "low", "gbp", "monthly", "latest",
        "budget;overspend;spend against budget;budget variance;forecast outturn",
        "The forecast outturn for the year for the children's services revenue budget minus the "
        "budget. A positive figure is an overspend, a negative one an underspend.",
        "Budget monitoring (Finance)", "Finance",
        data_notes="April and May forecasts are early estimates. Excludes the Dedicated "
        "Schools Grant (see BUD-03).",
    ),
    _ind(
        "BUD-02", "Children's placements forecast spend", "Budgets", "low", "gbp", "monthly",
        "latest",
        "placement spend;placements budget;placement costs;residential placement spend",
        "Forecast spend for the year on placements for children looked after (fostering, "
        "residential, semi-independent and secure), as reported in budget monitoring.",
        "Budget monitoring (Finance)", "Finance",
        data_notes="The target is the placements budget for the year.",
    ),
    _ind(
        "BUD-03", "Dedicated Schools Grant high needs block forecast in-year deficit", "Budgets",
        "low", "gbp", "quarterly", "latest",
        "DSG;high needs deficit;high needs block;DSG deficit",
        "The forecast in-year gap between high needs spending (SEND top-up funding, special "
        "school and independent places) and the high needs block of the Dedicated Schools "
        "Grant.",
        "Budget monitoring (Finance)", "Finance",
        data_notes="Reported to Cabinet each quarter; figures are embargoed until the Cabinet "
        "papers are published.",
    ),
]

# How each series behaves (see the module docstring). `rag` is the 2024/25 Q2 scorecard's RAG.
MODELS: dict[str, dict[str, float | str]] = {
    "DEM-01": {"start": 1450, "trend": 40, "noise": 90, "lo": 900, "hi": 2300, "season": 0.12},
    "DEM-02": {"start": 330, "trend": 8, "noise": 28, "lo": 180, "hi": 520, "season": 0.10},
    "DEM-03": {"start": 23.5, "trend": -0.8, "noise": 2.0, "den": 330, "lo": 12, "hi": 32,
               "rag": "amber"},
    "DEM-04": {"start": 372, "trend": -6, "noise": 4, "den": 62400, "lo": 300, "hi": 450,
               "rag": "green"},
    "DEM-05": {"start": 120, "trend": 0, "noise": 14, "lo": 60, "hi": 200},
    "SAFE-01": {"start": 84, "trend": 2.2, "noise": 2.8, "den": 290, "lo": 72, "hi": 97,
                "rag": "green"},
    "SAFE-02": {"start": 182, "trend": -4, "noise": 3, "den": 62400, "lo": 120, "hi": 240,
                "rag": "amber"},
    "SAFE-03": {"start": 79, "trend": 2.5, "noise": 6, "den": 22, "lo": 55, "hi": 100,
                "rag": "red"},
    "SAFE-04": {"start": 46, "trend": -1.2, "noise": 1.2, "den": 62400, "lo": 30, "hi": 60,
                "rag": "amber"},
    "SAFE-05": {"start": 3.5, "trend": -0.3, "noise": 1.5, "den": 75, "lo": 0, "hi": 9,
                "rag": "green"},
    "SAFE-06": {"start": 24, "trend": -0.5, "noise": 4, "den": 30, "lo": 10, "hi": 36,
                "rag": "red"},
    "SAFE-07": {"start": 88, "trend": 1.5, "noise": 2.5, "den": 285, "lo": 75, "hi": 99,
                "rag": "green"},
    "CLA-01": {"start": 86, "trend": 2.5, "noise": 0.8, "den": 62400, "lo": 60, "hi": 110,
               "rag": "red"},
    "CLA-02": {"start": 10.5, "trend": -0.4, "noise": 0.7, "den": 540, "lo": 5, "hi": 16,
               "rag": "green"},
    "CLA-03": {"start": 67, "trend": 0.8, "noise": 1.3, "den": 180, "lo": 55, "hi": 80,
               "rag": "amber"},
    "CLA-04": {"start": 88, "trend": -1.5, "noise": 1.8, "den": 420, "lo": 75, "hi": 98,
               "rag": "red"},
    "CLA-05": {"start": 54, "trend": 1.5, "noise": 2.0, "den": 165, "lo": 40, "hi": 70,
               "rag": "green"},
    "CLA-06": {"start": 87, "trend": 0.8, "noise": 1.5, "den": 165, "lo": 78, "hi": 97,
               "rag": "amber"},
    "CLA-07": {"start": 480, "trend": -15, "noise": 25, "lo": 350, "hi": 620, "rag": "green"},
    "SCH-01": {"start": 86, "trend": 0.7, "noise": 0.8, "den": 92, "lo": 78, "hi": 95,
               "rag": "amber"},
    "SCH-02": {"start": 23.5, "trend": -1.2, "noise": 0.4, "den": 41500, "lo": 15, "hi": 27,
               "rag": "red"},
    "SCH-03": {"start": 8.4, "trend": 1.1, "noise": 0.3, "den": 41500, "lo": 5, "hi": 14,
               "rag": "red"},
    "SCH-04": {"start": 24, "trend": 3, "noise": 3, "lo": 8, "hi": 45, "rag": "amber"},
    "EDU-01": {"start": 64.5, "trend": 0.9, "noise": 0.5, "den": 3350, "lo": 58, "hi": 72,
               "rag": "amber"},
    "EDU-02": {"start": 56.5, "trend": 1.2, "noise": 0.6, "den": 3420, "lo": 50, "hi": 66,
               "rag": "green"},
    "EDU-03": {"start": 45.2, "trend": -0.3, "noise": 0.3, "lo": 42, "hi": 49, "rag": "red"},
    "EDU-04": {"start": 3.4, "trend": -0.15, "noise": 0.25, "den": 6600, "lo": 1.8, "hi": 6,
               "season": 0.08, "rag": "green"},
    "EDU-05": {"start": 6.2, "trend": -0.35, "noise": 0.3, "den": 6600, "lo": 3, "hi": 14,
               "season": 0.6, "rag": "amber"},
    "SEND-01": {"start": 58, "trend": 7, "noise": 6, "den": 38, "lo": 40, "hi": 95,
                "rag": "red"},
    "SEND-02": {"start": 2480, "trend": 260, "noise": 8, "lo": 2000, "hi": 4000},
    "SEND-03": {"start": 62, "trend": 4, "noise": 3, "den": 640, "lo": 45, "hi": 92,
                "rag": "amber"},
    "WF-01": {"start": 22, "trend": -2.0, "noise": 1.0, "den": 248, "lo": 8, "hi": 28,
              "rag": "amber"},
    "WF-02": {"start": 19, "trend": -2.0, "noise": 0.9, "den": 231, "lo": 6, "hi": 26,
              "rag": "red"},
    "WF-03": {"start": 19.5, "trend": -0.8, "noise": 0.5, "lo": 14, "hi": 23, "rag": "green"},
    "WF-04": {"start": 19, "trend": -1.8, "noise": 1.0, "den": 190, "lo": 8, "hi": 26,
              "rag": "green"},
    "WF-05": {"start": 11.5, "trend": -0.4, "noise": 0.4, "lo": 6, "hi": 15, "rag": "red"},
    "BUD-01": {"start": 1_900_000, "trend": 900_000, "noise": 250_000, "lo": -2_000_000,
               "hi": 9_000_000, "rag": "red"},
    "BUD-02": {"start": 41_000_000, "trend": 2_800_000, "noise": 350_000, "lo": 30_000_000,
               "hi": 60_000_000, "rag": "amber"},
    "BUD-03": {"start": 4_800_000, "trend": 1_100_000, "noise": 350_000, "lo": 0,
               "hi": 14_000_000, "rag": "green"},
}
