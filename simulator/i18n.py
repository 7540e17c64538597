"""Dutch and English words: one catalogue of every text taaksim writes for readers, and the one
rule for choosing a language. The module is long because it is data, not logic: one table, so a
translator reads and checks every text in one place.

Every text is a catalogue entry ``key: (nl, en)``; :func:`t` picks the member for a language.
Dutch is the first language of the documents and of the councils that read the output, so it
comes first and is the default everywhere. Keys are grouped by where the text appears:
``para.`` the risk paragraph, ``report.`` and ``method.`` the report's headings and method notes,
``kpi.`` its key figures, ``col.`` and ``table.`` the tables, ``plot.`` the pictures, ``step.``
the waterfall, ``ratio.`` the weerstandsratio classes, ``input.`` and ``growth.`` names of uncertain inputs,
``unit.`` units in numbers. An entry may hold ``{name}`` fields that the caller fills in.

This module is the bottom layer (results/ uses it as well as report/), so it imports nothing.
"""

from __future__ import annotations

LANGS = ("nl", "en")


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Dutch or English member of an (nl, en) pair, the form every entry here has."""
    return pair[0] if lang == "nl" else pair[1]


def t(key: str, lang: str) -> str:
    """The text ``key`` in ``lang``.

    >>> t("step.delay", "nl"), t("step.delay", "en")
    ('vertraging', 'delay')
    """
    return pick(TEXT[key], lang)


def pair(key: str) -> tuple[str, str]:
    """Both members of ``key``, for a caller that keeps both (a table, the ratio classes)."""
    return TEXT[key]


TEXT: dict[str, tuple[str, str]] = {
    # the xlsx metadata sheet: its labels (key order is the sheet's row order) and values
    "xlsx.meta.scenario": ("Scenario", "Scenario"),
    "xlsx.meta.region": ("Gebied", "Region"),
    "xlsx.meta.file": ("Scenariobestand", "Scenario file"),
    "xlsx.meta.hash": ("Scenario-hash (sha256)", "Scenario hash (sha256)"),
    "xlsx.meta.seed": ("Startgetal (seed)", "Seed"),
    "xlsx.meta.paths": ("Gesimuleerde paden", "Simulated paths"),
    "xlsx.meta.aux_paths": ("Paden per extra analyse", "Paths per extra analysis"),
    "xlsx.meta.year": ("Jaar van de risicocijfers", "Year of the risk figures"),
    "xlsx.meta.municipality": ("Gemeente", "Municipality"),
    "xlsx.meta.capacity": ("Beschikbare weerstandscapaciteit [EUR]", "Available reserve [EUR]"),
    "xlsx.meta.ratio": ("Weerstandsratio", "Weerstandsratio"),
    "xlsx.meta.version": ("Versie taaksim", "taaksim version"),
    "xlsx.meta.date": ("Datum", "Date"),
    "xlsx.meta.reading": ("Leeswijzer", "How to read"),
    "xlsx.meta.whole_region": ("hele regio", "whole region"),
    "xlsx.meta.unbounded": ("onbegrensd (er is geen reserve nodig)", "unbounded (no reserve is needed)"),
    "xlsx.meta.how": (
        "Netto besparing: uitgaven zonder de maatregelen min uitgaven met de maatregelen, per jaar, "
        "in euro's van dat jaar. Elke taakstelling en elk budget op de eigen posten en grondslag. "
        "Kansen zijn geschat uit de gesimuleerde paden; de standaardfout staat ernaast. De benodigde "
        "weerstandscapaciteit is het tekort dat in 90% van de paden niet wordt overschreden.",
        "Net savings: spending without the measures minus spending with them, per year, in euros of "
        "that year. Each target and budget on its own posts and basis. Probabilities are estimated "
        "from the simulated paths; the standard error stands beside them. The reserve needed is the "
        "shortfall not exceeded in 90% of the paths."),
    # --- the risk paragraph (report/paragraph.py) ---------------------------------------
    "para.title": ("Risico's bij de taakstelling sociaal domein", "Risks to the savings target, social domain"),
    "para.who_mun": ("het aandeel van {name} in {region}", "the share of {name} in {region}"),
    "para.no_goals": ("Het scenario kent geen taakstelling of budget voor {year}.",
                      "The scenario has no target or budget for {year}."),
    "para.task": ("Het programma kent {counts}: {items}.", "The programme has {counts}: {items}."),
    "para.target.1": ("taakstelling", "savings target"),
    "para.target.n": ("taakstellingen", "savings targets"),
    "para.budget.1": ("budget", "budget"),
    "para.budget.n": ("budgetten", "budgets"),
    "para.task_target": ("voor {scope} {amount} in {year}, {basis}", "for {scope} {amount} in {year}, {basis}"),
    "para.task_budget": ("een budget van {amount} voor {scope} in {year}, {basis}",
                         "a budget of {amount} for {scope} in {year}, {basis}"),
    "para.basis_baseline": ("als netto besparing ten opzichte van de uitgaven zonder maatregelen",
                            "as net savings against spending without the measures"),
    "para.basis_base_year": ("als lagere uitgaven dan in {base_year}", "as lower spending than in {base_year}"),
    "para.range": ("Het maatregelenpakket bespaart in {year} met 90% zekerheid tussen {p5} en {p95}; de middelste "
                   "uitkomst is {mid}. Het plan telt de maatregelen op tot {plan}.",
                   "The package of measures saves between {p5} and {p95} in {year} with 90% certainty; the middle "
                   "outcome is {mid}. The plan adds the measures up to {plan}."),
    "para.goal_target": ("de taakstelling voor {scope}", "the savings target for {scope}"),
    "para.goal_budget": ("het budget voor {scope}", "the budget for {scope}"),
    "para.p_target": ("De kans dat {goal} van {amount} in {year} wordt gehaald is {p}.",
                      "The probability that {goal} of {amount} is met in {year} is {p}."),
    "para.p_budget": ("De kans dat de uitgaven in {year} binnen {goal} van {amount} blijven is {p}.",
                      "The probability that spending in {year} stays within {goal} of {amount} is {p}."),
    "para.p_all": ("In alle jaren {years} samen is die kans {p}.", "In every year {years} together it is {p}."),
    "para.below": ("kleiner dan ", "below "),
    "para.above": ("groter dan ", "above "),
    "para.measured": ("Gemeten zoals de taakstelling is geformuleerd, ligt de uitkomst in {year} met 90% zekerheid "
                      "tussen {p5} en {p95}; de middelste uitkomst is {p50}.",
                      "Measured as the target is defined, the result in {year} lies between {p5} and {p95} with 90% "
                      "certainty; the middle outcome is {p50}."),
    "para.diff_growth": ("de autonome groei van de uitgaven", "the autonomous growth of spending"),
    "para.diff_scope": ("het feit dat de taakstelling alleen {scope} omvat",
                        "the fact that the target covers only {scope}"),
    "para.diff_booked": ("de al in de eigen begroting geboekte besparingen", "savings already booked in the budget"),
    "para.diff_prices": ("het prijspeil van de taakstelling", "the target's price level"),
    "para.diff": (" Het verschil met de netto besparing komt door {why}.",
             " The difference from the net savings is due to {why}."),
    "para.hardest": ("Het moeilijkste jaar is {year}: de kans dat de taakstelling van {amount} dan wordt gehaald is "
                     "{p}{need}.",
                     "The hardest year is {year}: the probability of meeting the target of {amount} then is "
                     "{p}{need}."),
    "para.hardest_need": (", en om het tekort in dat jaar met 90% zekerheid op te vangen is {need} "
                          "weerstandscapaciteit nodig",
                          ", and covering that year's shortfall with 90% certainty needs a reserve of {need}"),
    "para.need_all": ("Om de tekorten van alle jaren {years} samen met 90% zekerheid op te vangen is {need} nodig.",
                      "Covering the shortfalls of all years {years} together with 90% certainty needs {need}."),
    "para.shortfall": ("Voor {goal} in {year} is het gemiddelde tekort over alle scenario's {es}; om het tekort "
                       "met 90% zekerheid op te vangen is {need} nodig (benodigde weerstandscapaciteit).",
                       "For {goal} in {year} the mean shortfall over all scenarios is {es}; covering it with 90% "
                       "certainty needs {need} (required risk capacity)."),
    "para.no_shortfall": ("Voor {goal} in {year}: in minstens 90% van de scenario's gehaald, dus met 90% zekerheid "
                          "is geen weerstandscapaciteit nodig (gemiddeld tekort {es}).",
                          "For {goal} in {year}: met in at least 90% of the scenarios, so with 90% certainty no "
                          "reserve is needed (mean shortfall {es})."),
    "para.programme": ("Om de tekorten op alle {count} doelen en al hun jaren samen met 90% zekerheid op te vangen "
                       "is {need} weerstandscapaciteit nodig (doelen op dezelfde posten één keer geteld); het "
                       "moeilijkste doel is {goal} in {year} (kans {p}).",
                       "Covering the shortfalls of all {count} goals and all their years together with 90% "
                       "certainty needs a reserve of {need} (goals on the same posts counted once); the hardest "
                       "goal is {goal} in {year} (probability {p})."),
    "para.ratio": ("Met een beschikbare weerstandscapaciteit van {cap} is de weerstandsratio {r}: "
              "klasse {cls} ({word}), gemeten tegen wat alle doelen en jaren samen vragen.",
              "With available capacity of {cap} the ratio is {r}: class {cls} ({word}), measured against what "
              "every goal and year together needs."),
    "para.booked": ("Van wat de taakstelling in {year} meet, is naar verwachting {amount} al als eigen bezuiniging "
                    "in de begroting geboekt (overlap met maatregelen van dit programma); dat telt hier één keer.",
                    "Of what the target measures in {year}, an expected {amount} is already booked as the "
                    "participant's own saving in its budget (overlapping measures of this programme); it counts "
                    "once here."),
    "para.growth": ("Autonome groei laat de uitgaven zonder maatregelen tot {year} naar verwachting met {amount} "
                    "stijgen t.o.v. {base}: dat is druk op de begroting en op elke taakstelling t.o.v. een basisjaar "
                    "of begroting, geen besparing.",
                    "Autonomous growth is expected to raise spending without the measures by {amount} up to {year} "
                    "against {base}: pressure on the budget and on every target against a base year or budget, not "
                    "a saving."),
    "basis.counterfactual": ("t.o.v. de uitgaven zonder maatregelen", "against spending without the measures"),
    "basis.base_year": ("t.o.v. de uitgaven in {year}", "against spending in {year}"),
    "basis.budget_in": ("binnen de begroting (taakstelling al verwerkt)", "within the budget (target already in it)"),
    "basis.budget_out": ("binnen de begroting min de taakstelling", "within the budget less the target"),
    "basis.ceiling": ("plafond op de uitgaven (begroting)", "ceiling on spending (the budget)"),
    "price.nominal": ("lopende prijzen", "nominal prices"),
    "price.constant": ("prijspeil {year}", "constant {year} prices"),
    "para.register": ("Voor het risicoregister: kans {p} × maximaal gevolg {max} = {line}.",
                      "For the risk register: probability {p} × maximum consequence {max} = {line}."),
    "para.drivers.1": ("De uitkomst hangt het sterkst af van één aanname: {items}. Nader onderzoek daarnaar "
                       "verkleint de onzekerheid het meest.",
                       "The result depends most on one assumption: {items}. Researching it first reduces the "
                       "uncertainty most."),
    "para.drivers.n": ("De uitkomst hangt het sterkst af van deze aannames: {items}. Nader onderzoek daarnaar "
                       "verkleint de onzekerheid het meest.",
                       "The result depends most on these assumptions: {items}. Researching them first reduces the "
                       "uncertainty most."),
    "para.at_risk.1": ("De maatregel met het grootste risico is {items}.", "The measure most at risk is {items}."),
    "para.at_risk.n": ("De maatregelen met het grootste risico zijn {items}.",
                       "The measures most at risk are {items}."),
    "para.at_risk_item": ("{name}: naar verwachting {short} minder dan gepland, kans op doorgang {p}",
                          "{name}: expected {short} below plan, probability of going ahead {p}"),
    "para.interaction": ("De maatregelen grijpen deels in op dezelfde kostenposten (communicerende vaten): samen "
                         "besparen zij naar verwachting {loss} minder dan de som van de afzonderlijke maatregelen.",
                         "The measures partly act on the same cost posts: together they are expected to save {loss} "
                         "less than the sum of the measures on their own."),
    "para.control.1": ("Beheersmaatregel die in {year} het meest oplevert: {items}.",
                       "The control measure that adds most in {year}: {items}."),
    "para.control.n": ("Beheersmaatregelen die in {year} het meest opleveren: {items}.",
                       "Control measures that add most in {year}: {items}."),
    "para.control_item": ("{act}, naar verwachting {gain} meer besparing", "{act}, an expected {gain} more savings"),
    "para.act_go": ("zorgen dat {name} doorgaat", "making sure {name} goes ahead"),
    "para.act_delay": ("{name} op tijd laten starten", "starting {name} on time"),
    "para.act_cost": ("de kosten van {name} binnen de raming houden", "keeping the costs of {name} within the "
                      "estimate"),
    "para.assumptions": ("Van de {total} onderdelen van deze berekening {verb} {n} niet (geheel) op een cijfer uit "
                         "het document; de bijlage Bronnen en aannames noemt per onderdeel de bron of de aanname.",
                         "Of the {total} parts of this calculation, {n} {verb} not (fully) on a figure from the "
                         "document; the appendix Sources and assumptions gives each part's source or assumption."),
    "para.assumed_verb.1": ("berust", "rests"),
    "para.assumed_verb.n": ("berusten", "rest"),
    "para.method": ("Werkwijze: de cijfers komen uit {paths} doorgerekende toekomstscenario's, waarin opbrengst, "
                    "tempo, doorgang en kosten van elke maatregel en de groei van de vraag variëren binnen de "
                    "bandbreedtes die het document geeft of die hier zijn aangenomen.",
                    "Method: the figures come from {paths} simulated futures in which the yield, pace, go-ahead "
                    "and costs of each measure and the growth of demand vary within the ranges the document gives "
                    "or that are assumed here."),
    "para.method_error": ("Kansen zijn daarmee op ongeveer {e} procentpunt nauwkeurig.",
                          "Probabilities are accurate to about {e} percentage points."),
    "para.and": (" en ", " and "),
    "para.scope_all": ("het sociaal domein (alle kostenposten in het scenario)", "the social domain (all cost posts)"),
    "para.scope_wmo": ("de Wmo", "the Wmo"),
    "para.scope_jeugdwet": ("de Jeugdwet", "youth care (Jeugdwet)"),
    "para.scope_other": ("de overige posten", "the other posts"),
    "para.post": ("de post ", "the post "),
    "para.posts": ("de posten ", "the posts "),
    "para.mc_bound": ("Monte Carlo-bovengrens", "Monte Carlo bound"),
    "para.mc_error": ("Monte Carlo-fout ", "Monte Carlo error "),
    # --- the report (report/sections.py, html.py, markdown.py) ---------------------------
    "report.title": ("Risicoanalyse taakstelling", "Risk analysis of the savings target"),
    "report.paragraph": ("Risicoparagraaf (om over te nemen)", "Risk paragraph (ready to paste)"),
    "report.answers": ("Kerncijfers", "Key figures"),
    "report.ranges": ("Bandbreedte per jaar", "Ranges per year"),
    "report.goals": ("Taakstellingen en budgetten", "Targets and budgets"),
    "report.contrib": ("Wat levert elke maatregel op?", "What does each measure contribute?"),
    "report.waterfall": ("Van plan naar uitkomst", "From plan to result"),
    "report.sens": ("Welke aannames doen ertoe?", "Which assumptions matter?"),
    "report.inputs": ("Onzekere invoer", "Uncertain inputs"),
    "report.check": ("Controle op de cijfers van het document", "Check against the document's figures"),
    "report.method": ("Werkwijze en leeswijzer", "Method and how to read this report"),
    "report.fan_alt": ("Waaierdiagram: bandbreedte per jaar met de taakstelling", "Fan chart with the target"),
    "report.s_alt": ("S-curve: kans op hooguit een bedrag, met de taakstelling",
              "S-curve: probability of at most an amount, with the target"),
    "report.hist_alt": ("Histogram van de uitkomst met de grenzen 5% - 90% - 5%",
                        "Histogram of the result with the 5% - 90% - 5% markers"),
    "report.tornado_alt": ("Tornadodiagram van de belangrijkste aannames", "Tornado chart of the leading inputs"),
    "report.waterfall_alt": ("Watervaldiagram van plan naar P50", "Waterfall from plan to P50"),
    "report.meta": ("{paths} scenario's, startgetal {seed}, jaar {year}; extra berekeningen (gevoeligheid, "
             "bijdragen) met {aux} scenario's, de tornado met {swing}, en dezelfde toevalsgetallen. taaksim "
             "{version}, scenariobestand {file} (sha256 {sha}).",
             "{paths} paths, seed {seed}, year {year}; extra runs (sensitivity, contributions) with {aux} paths, the "
             "tornado with {swing}, and the same random numbers. taaksim {version}, scenario file {file} "
             "(sha256 {sha})."),
    "report.sources": ("Bijlage: bronnen en aannames", "Appendix: sources and assumptions"),
    "report.check_line": ("{what} {year}: document {doc}, berekend {model}", "{what} {year}: document {doc}, "
                          "computed {model}"),
    "report.page": ("pagina", "page"),
    "report.of": ("van", "of"),
    "report.footer": ("scenario {sha} · taaksim {version} · {date}", "scenario {sha} · taaksim {version} · {date}"),
    "report.reading_line": ("{id}{literal}: {name} (\u201c{quote}\u201d). Kans alle jaren: {goals}. Nodig voor "
                            "alle doelen (90%): {reserve}.",
                            "{id}{literal}: {name} (\u201c{quote}\u201d). P(every year): {goals}. Needed for "
                            "every goal (90%): {reserve}."),
    "report.literal": (" (letterlijke lezing)", " (literal reading)"),
    "report.readings": ("Lezingen van het document", "Readings of the document"),
    "report.risk_split": ("Tekort en benodigde weerstandscapaciteit", "Shortfall and reserve"),
    "report.in_package": ("In het pakket", "In the package"),
    "report.check_count": ("{ok} cijfers van het document gereproduceerd uit zijn eigen onderbouwing, "
                           "{by_construction} gelijk doordat het scenario ze overneemt, {doc} inconsistenties in het "
                           "document, {fail} afwijkingen.",
                           "{ok} document figures reproduced from its own drivers, {by_construction} equal by "
                           "construction, {doc} inconsistencies within the document, {fail} differences."),
    "method.1": ("Elke onzekere aanname (effect, doorgang, vertraging, kosten, autonome groei) is een kansverdeling. "
                 "Het model rekent duizenden mogelijke jaarpaden door; de uitkomsten zijn bandbreedtes, geen "
                 "puntschattingen.",
                 "Every uncertain assumption (effect, go-ahead, delay, costs, autonomous growth) is a probability "
                 "distribution; the model simulates thousands of year-paths and answers in ranges, not point "
                 "estimates."),
    "method.2": ("P5-P95 is het 90%-interval: in 5% van de scenario's is de uitkomst lager dan P5, in 5% hoger dan "
                 "P95. P50 is de middelste uitkomst.",
                 "P5-P95 is the 90% range: 5% of the paths end below P5 and 5% above P95. P50 is the median."),
    "method.3": ("Elke kans staat met haar onnauwkeurigheid (standaardfout). Waar geen enkel scenario de grens "
                 "passeert, staat de 95%-grens volgens de regel van drie: een bovengrens bij 0 (< 0,03% bij 10.000 "
                 "scenario's), een ondergrens bij 100% (> 99,97%).",
                 "Every probability comes with its Monte Carlo (standard) error. Where no path crosses the line, the "
                 "95% rule-of-three bound is shown: an upper bound at 0 (< 0.03% with 10,000 paths), a lower bound "
                 "at 100% (> 99.97%)."),
    "method.4": ("Benodigde weerstandscapaciteit: het tekort dat met 90% zekerheid niet wordt overschreden. "
                 "Weerstandsratio = beschikbare / benodigde weerstandscapaciteit.",
                 "Required reserve (benodigde weerstandscapaciteit): the shortfall not exceeded with 90% certainty. "
                 "Ratio = available / required capacity."),
    "method.5": ("Maatregelen die op dezelfde kostenpost ingrijpen, kunnen elkaars besparing niet twee keer halen "
                 "(communicerende vaten); het verschil tussen de som van de afzonderlijke maatregelen en het pakket "
                 "is het interactieverlies.",
                 "Measures acting on the same cost post cannot both save the same euro (communicerende vaten); the "
                 "sum of the measures alone minus the package is the interaction loss."),
    "method.6": ("Alle vergelijkingen (zonder een maatregel, aanname op P10 of P90) gebruiken dezelfde "
                 "toevalsgetallen, zodat verschillen door het model komen en niet door toeval.",
                 "Every comparison (without a measure, an input at its P10 or P90) uses the same random numbers, so "
                 "differences come from the model, not from sampling noise."),
    "kpi.p50": ("middelste uitkomst netto besparing {year}", "median net savings {year}"),
    "kpi.range": ("90%-interval", "90% range"),
    "kpi.p_target": ("kans taakstelling gehaald", "P(target met)"),
    "kpi.needed": ("benodigde weerstandscapaciteit (90%)", "required reserve (90%)"),
    "kpi.shortfall": ("gemiddeld tekort", "mean shortfall"),
    "kpi.ratio": ("weerstandsratio", "risk capacity ratio"),
    "kpi.p_budget": ("kans binnen budget", "P(within budget)"),
    "kpi.goal": ("taakstelling ({goal}, {year})", "target ({goal}, {year})"),
    "kpi.basis": ("grondslag", "basis"),
    "kpi.programme": ("benodigde weerstandscapaciteit, alle doelen en jaren (90%)",
                      "required reserve, every goal and year (90%)"),
    "kpi.hardest": ("moeilijkste doel", "hardest goal"),
    "kpi.booked": ("al geboekt in de eigen begroting ({year})", "already booked in the own budget ({year})"),
    # --- the waterfall's steps (results/analysis.py, report/tables.py, plots.py) -------------
    "step.plan": ("plan (som van de maatregelen)", "plan (sum of the measures)"),
    "step.model_vs_document": ("model t.o.v. document", "model vs document"),
    "step.interaction_loss": ("communicerende vaten", "interaction loss"),
    "step.effect_ranges": ("bandbreedte effecten", "effect ranges"),
    "step.no_go": ("maatregelen gaan niet door", "measures not going ahead"),
    "step.delay": ("vertraging", "delay"),
    "step.cost_overruns": ("kostenoverschrijding", "cost overruns"),
    "step.autonomous_growth": ("groei: grotere post, meer besparing", "growth: larger post, larger saving"),
    "step.mean_to_median": ("gemiddelde naar mediaan", "mean to median"),
    "step.p50": ("resultaat (P50)", "result (P50)"),
    "step.growth_pressure": ("autonome groei: uitgaven +", "autonomous growth: spending +"),
    # --- weerstandsratio classes (results/analysis.py RATIO_CLASSES) ----------------------
    "ratio.A": ("uitstekend", "excellent"),
    "ratio.B": ("ruim voldoende", "more than sufficient"),
    "ratio.C": ("voldoende", "sufficient"),
    "ratio.D": ("matig", "moderate"),
    "ratio.E": ("onvoldoende", "insufficient"),
    "ratio.F": ("ruim onvoldoende", "far from sufficient"),
    # --- names of uncertain inputs (results/analysis.py describe_input) --------------------
    "input.go_ahead": ("doorgang van", "go-ahead of"),
    "input.delay": ("vertraging van", "delay of"),
    "input.costs": ("kosten van", "costs of"),
    "input.cost_factor": ("kostenoverschrijding van", "cost overrun of"),
    "input.committed_costs": ("reeds gemaakte kosten van", "committed costs of"),
    "input.effect_factor": ("effect van", "effect of"),
    "input.substitution": ("weglek (substitutie) van", "substitution of"),
    "input.turnover": ("doorstroom bij", "turnover under"),
    "input.decision_go_ahead": ("doorgang besluit {name}", "go-ahead of decision {name}"),
    "input.decision_delay": ("vertraging besluit {name}", "delay of decision {name}"),
    "growth.price": ("prijsgroei {name}", "price growth of {name}"),
    "growth.volume": ("volumegroei {name}", "volume growth of {name}"),
    # --- units in numbers (report/text.py) ------------------------------------------------
    "unit.pp": ("procentpunt", "percentage points"),
    "unit.unbounded": ("onbegrensd", "unbounded"),
    # --- the pictures (report/plots.py) ---------------------------------------------------
    "plot.thousand": ("€ duizend", "€ thousand"),
    "plot.net": ("netto besparing", "net savings"),
    "plot.below_base": ("{scope}: lagere uitgaven dan in {year}", "{scope}: spending below {year}"),
    "plot.scope_net": ("{scope}: netto besparing", "{scope}: net savings"),
    "plot.below_budget": ("{scope}: ruimte onder de begroting", "{scope}: room below the budget"),
    "plot.target": ("taakstelling", "target"),
    "plot.s_note": ("taakstelling {amount}\nkans gehaald {p}", "target {amount}\nP(met) {p}"),
    "plot.s_title": ("Kans op hooguit een bedrag in {year} (S-curve)", "Probability of at most an amount in {year} "
                     "(S-curve)"),
    "plot.fan_title": ("Bandbreedte per jaar: {what}", "Range per year: {what}"),
    "plot.hist_title": ("Verdeling van de uitkomst in {year}: 5% - 90% - 5%", "Distribution of the result in {year}: "
                        "5% - 90% - 5%"),
    "plot.hist_mid": ("middelste 90%", "middle 90%"),
    "plot.hist_tails": ("laagste en hoogste 5%", "lowest and highest 5%"),
    "plot.hist_stats": ("gemiddeld {mean}    standaardafwijking {sd}\nminimum {min}    P5 {p5}    P95 {p95}    "
                        "maximum {max}",
                        "mean {mean}    standard deviation {sd}\nminimum {min}    P5 {p5}    P95 {p95}    "
                        "maximum {max}"),
    "plot.tornado_title": ("Welke aannames bepalen de uitkomst het meest", "Which assumptions move the result most"),
    "plot.wf_total": ("plan en uitkomst", "plan and result"),
    "plot.wf_up": ("verhoogt", "adds"),
    "plot.wf_down": ("verlaagt", "takes off"),
    "plot.s_axis": ("kans op hooguit dit bedrag", "probability of at most this amount"),
    "plot.tornado_axis": ("verschil in gemiddelde netto besparing {year}", "change in mean net savings {year}"),
    "plot.at_p10": ("invoer laag (P10)", "input low (P10)"),
    "plot.at_p90": ("invoer hoog (P90)", "input high (P90)"),
    "plot.waterfall": ("Van plan naar uitkomst, netto besparing {year}", "From plan to result, net savings {year}"),
    "plot.variants_axis": ("netto besparing {year}, P5-P95 en P50", "net savings {year}, P5-P95 and P50"),
    # --- column titles (report/tables.py): col.<key>, or col.<table>.<key> where a table differs
    "col.year": ("jaar", "year"),
    "col.plan": ("plan", "plan"),
    "col.mean": ("gemiddeld", "mean"),
    "col.p5": ("P5", "P5"),
    "col.p10": ("P10", "P10"),
    "col.p50": ("P50", "P50"),
    "col.p50_low": ("P50 95%-interval van", "P50 95% interval from"),
    "col.p50_high": ("tot", "to"),
    "col.p90": ("P90", "P90"),
    "col.p95": ("P95", "P95"),
    "col.target": ("taakstelling", "target"),
    "col.p_target_met": ("kans gehaald", "P(target met)"),
    "col.se": ("MC-fout", "MC error"),
    "col.p_within_budget": ("kans binnen budget", "P(within budget)"),
    "col.goal": ("doel", "goal"),
    "col.kind": ("soort", "kind"),
    "col.scope": ("posten", "scope"),
    "col.basis": ("grondslag", "basis"),
    "col.amount": ("bedrag", "amount"),
    "col.p_met": ("kans gehaald", "P(met)"),
    "col.expected_shortfall": ("gemiddeld tekort (alle paden)", "mean shortfall (all paths)"),
    "col.cvar": ("gemiddeld tekort slechtste 10%", "CVaR (mean shortfall, worst 10%)"),
    "col.needed_capacity": ("nodig (90%)", "needed (90%)"),
    "col.needed_low": ("nodig, 95%-interval van", "needed, 95% interval from"),
    "col.needed_high": ("tot", "to"),
    "col.realisatierisico": ("realisatierisico", "realisation risk"),
    "col.p_all_years": ("kans alle jaren", "P(every year)"),
    "col.booked": ("al geboekt", "already booked"),
    "col.reading": ("lezing", "reading"),
    "col.hardest_year": ("moeilijkste jaar", "hardest year"),
    "col.p_hardest": ("kans dan", "P(met) then"),
    "col.reserve": ("nodig (90%)", "needed (90%)"),
    "col.programme_reserve": ("alle doelen (90%)", "every goal (90%)"),
    "col.id": ("id", "id"),
    "col.name": ("maatregel", "measure"),
    "col.published": ("document", "document"),
    "col.plan_value": ("model, planwaarden", "model, plan"),
    "col.p_go_ahead": ("kans doorgang", "P(go-ahead)"),
    "col.standalone_mean": ("alleen: gemiddeld", "alone: mean"),
    "col.standalone_p5": ("alleen: P5", "alone: P5"),
    "col.standalone_p50": ("alleen: P50", "alone: P50"),
    "col.standalone_p95": ("alleen: P95", "alone: P95"),
    "col.marginal_mean": ("in pakket: marginaal", "in package: marginal"),
    "col.marginal_p5": ("marginaal P5", "marginal P5"),
    "col.marginal_p95": ("marginaal P95", "marginal P95"),
    "col.loss_no_go": ("verlies geen doorgang", "loss no-go"),
    "col.loss_delay": ("verlies vertraging", "loss delay"),
    "col.loss_cost_overrun": ("verlies kosten", "loss cost overrun"),
    "col.shortfall_vs_plan": ("tekort t.o.v. plan", "below plan"),
    "col.step": ("stap", "step"),
    "col.value": ("bedrag", "amount"),
    "col.label": ("aanname", "assumption"),
    "col.key": ("sleutel", "key"),
    "col.role": ("soort", "role"),
    "col.spearman": ("Spearman", "Spearman"),
    "col.p10_value": ("waarde P10", "value P10"),
    "col.p90_value": ("waarde P90", "value P90"),
    "col.mean_at_low": ("gemiddelde bij laag", "mean at low"),
    "col.mean_at_high": ("gemiddelde bij hoog", "mean at high"),
    "col.swing": ("uitslag", "swing"),
    "col.first_order": ("eerste-orde-index", "first-order index"),
    "col.basis.baseline": ("t.o.v. uitgaven zonder maatregelen", "against spending without the measures"),
    "col.basis.base_year": ("t.o.v. uitgaven in {base_year}", "against spending in {base_year}"),
    "col.kind.target": ("taakstelling", "target"),
    "col.kind.budget": ("budget", "budget"),
    "col.contrib.sum_alone": ("som van de maatregelen afzonderlijk", "sum of the measures alone"),
    "col.contrib.package": ("pakket (samen)", "package (together)"),
    "col.contrib.interaction": ("communicerende vaten (verschil)", "interaction loss (difference)"),
    "col.yes": ("ja", "yes"),
    "col.no": ("nee", "no"),
    "col.src.what": ("onderdeel", "part"),
    "col.src.name": ("naam", "name"),
    "col.src.assumed": ("aanname", "assumption"),
    "col.src.source": ("bron (zoals in het scenariobestand)", "source (as in the scenario file)"),
    "table.sources": ("Bronnen en aannames per onderdeel", "Sources and assumptions per part"),
    "table.sources.note": ("'Aanname' betekent dat het document dit cijfer (of een deel ervan) niet geeft; de bron "
                           "noemt dan waarom deze waarde is gekozen. Regelnummers (L) verwijzen naar de tekst van het "
                           "brondocument.",
                           "'Assumption' means the document does not give this figure (or part of it); the source "
                           "then says why this value was chosen. Line numbers (L) refer to the source document's "
                           "text."),
    "role.growth": ("groei", "growth"),
    "role.go_ahead": ("doorgang", "go-ahead"),
    "role.delay": ("vertraging", "delay"),
    "role.cost_factor": ("kostenfactor", "cost factor"),
    "role.parameter": ("parameter", "parameter"),
    "role.stock": ("cliëntenbestand", "client stock"),
    "role.effect": ("effect", "effect"),
    "role.effect_factor": ("effectfactor", "effect factor"),
    "role.phase": ("invoeringstempo", "phase-in"),
    "role.cost": ("kosten", "cost"),
    "col.total_order": ("totale index", "total-order index"),
    "col.inputs.label": ("omschrijving", "description"),
    "col.distribution": ("verdeling", "distribution"),
    "col.inputs.plan": ("planwaarde", "plan value"),
    "col.inputs.mean": ("gemiddelde", "mean"),
    "col.per_year": ("per jaar getrokken", "drawn per year"),
    "col.class": ("klasse", "class"),
    "col.range_nl": ("ratio", "ratio"),
    "col.word_nl": ("betekenis", "meaning"),
    # --- table titles and notes (report/tables.py): table.<sheet>, table.<sheet>.note ------
    "table.summary": ("Netto besparing per jaar (alle posten, t.o.v. de uitgaven zonder maatregelen)",
                      "Net savings per year (all posts, against spending without the measures)"),
    "table.summary.note": ("Taakstelling en kans gehaald: de eerste taakstelling van dit gebied, alleen als zij de "
                           "netto besparing van alle posten meet (t.o.v. de uitgaven zonder maatregelen, in de prijzen "
                           "van de simulatie); anders staat zij op haar eigen grondslag in de tabel Taakstellingen en "
                           "budgetten. MC-fout: de Monte Carlo-standaardfout in procentpunten.",
                           "Target and P(met): the area's first target, only when it judges the net savings of all "
                           "posts (against spending without the measures, in the simulation's prices); otherwise it "
                           "is in the table of targets and budgets, on its own basis. MC error: the Monte Carlo "
                           "standard error in percentage points."),
    "table.risk": ("Taakstellingen en budgetten, elk op eigen grondslag: kans, tekort en benodigde "
                   "weerstandscapaciteit (alle doelen en jaren samen: {reserve})",
                   "Targets and budgets, each on its own basis: probability, shortfall and required reserve "
                   "(every goal and year together: {reserve})"),
    "table.readings": ("Lezingen van het document naast elkaar (* = letterlijke lezing)",
                       "Readings of the document side by side (* = the literal reading)"),
    "table.risk.note": ("Tekort: bij een taakstelling wat aan het bedrag ontbreekt, bij een budget de "
                        "overschrijding. Gemiddeld tekort: over alle scenario's (0 als het doel gehaald wordt); "
                        "slechtste 10%: het gemiddelde tekort in de 10% slechtste scenario's (CVaR). "
                        "Nodig (90%): het tekort dat in 90% van de scenario's niet wordt "
                        "overschreden (benodigde weerstandscapaciteit). Realisatierisico: kans op een tekort × "
                        "maximaal gevolg (P95 van het tekort als het optreedt).",
                        "Shortfall: for a target what is missing, for a budget the overrun. Mean shortfall: "
                        "over every path (0 where the goal is met); CVaR: the mean shortfall in the worst 10% of "
                        "paths. Needed (90%): the shortfall not exceeded in 90% of the scenarios. Realisation "
                        "risk: P(shortfall) × maximum consequence (P95 of the shortfall when there is one)."),
    "table.contributions": ("Bijdrage per maatregel, netto besparing {year}",
                            "Contribution per measure, net savings {year}"),
    "table.contributions.note": ("Alleen: de maatregel als enige. Marginaal: pakket min pakket zonder deze "
                                 "maatregel, per scenario. Verliezen: de verwachte besparing die geen doorgang, "
                                 "vertraging en kostenoverschrijding kosten (negatief: verlies). Communicerende "
                                 "vaten: som van de afzonderlijke maatregelen min het pakket. Alle runs met dezelfde "
                                 "toevalsgetallen.",
                                 "Alone: the measure on its own. Marginal: package minus package without it, per "
                                 "path. Losses: the expected savings lost to no-go, delay and cost overruns "
                                 "(negative: a loss). Interaction loss: sum of measures alone minus the package. All "
                                 "runs share their random numbers."),
    "table.waterfall": ("Van plan naar uitkomst {year}", "From plan to result {year}"),
    "table.waterfall.note": ("Communicerende vaten: pakket min som van de afzonderlijke maatregelen, bij "
                             "planwaarden. Daarna is elke stap de verandering van het gemiddelde als één soort "
                             "onzekerheid erbij komt, in deze volgorde en met dezelfde toevalsgetallen; de laatste "
                             "stap gaat van gemiddelde naar mediaan.",
                             "Interaction loss: package minus the sum of the measures alone, at plan values. After "
                             "that each step is the change of the mean when one more kind of uncertainty is let in, "
                             "in this order and with the same random numbers; the last step goes from mean to "
                             "median."),
    "table.sensitivity": ("Gevoeligheid: welke aanname eerst onderzoeken? (netto besparing {year})",
                          "Sensitivity: which assumption to research first? (net savings {year})"),
    "table.sensitivity.note": ("Uitslag: gemiddelde besparing met de aanname op haar P90 min met de aanname op "
                               "haar P10 (de tornado; een doorgangskans van 90% of meer: doorgang tegen geen "
                               "doorgang). Spearman: rangcorrelatie met de besparing. Eerste-orde-index: het deel "
                               "van de variantie dat de aanname alleen verklaart; totale index: alleen of samen met "
                               "andere aannames.",
                               "Swing: mean savings with the input at its P90 minus at its P10 (the tornado; a "
                               "go-ahead of 90% or more: go against no-go). Spearman: rank correlation with savings. "
                               "First-order index: the share of variance the input explains alone; total-order "
                               "index: alone or together with other inputs."),
    "table.inputs": ("Onzekere invoer", "Uncertain inputs"),
    "table.ratio_scale": ("Waarderingsschaal weerstandsratio", "Scale of the ratio"),
    "table.ratio_scale.note": ("De gepubliceerde tabel laat de grenzen open; taaksim neemt elke ondergrens "
                               "inclusief: 1,4 is B, precies 2,0 is B, 1,0 is C, 0,8 is D en 0,6 is E.",
                               "The published scale leaves its boundaries open; taaksim takes each lower bound as "
                               "inclusive: 1.4 is B, exactly 2.0 is B, 1.0 is C, 0.8 is D and 0.6 is E."),
    # --- the terminal (simulator/cli/format.py) ---
    "term.no_goal": ("geen taakstelling of budget in dit jaar: geen tekort om reserve voor aan te houden",
                "no target or budget in this year: no shortfall to reserve for"),
    "term.risk_of": ("risico, {what} {goal} in {year}:", "risk, {what} {goal} in {year}:"),
    "term.target": ("taakstelling", "target"), "term.budget": ("budget", "budget"),
    "term.expected": ("gemiddeld tekort (alle paden)", "mean shortfall (all paths)"),
    "term.cvar": ("gemiddeld tekort, slechtste 10%", "mean shortfall, worst 10%"),
    "term.needed": ("benodigde reserve, 90% zeker", "needed reserve, 90% certain"),
    "term.interval": ("95%-interval", "95% interval"),
    "term.register": ("realisatierisico (register)", "realisation risk (register)"),
    "term.register_is": ("= kans op tekort {p} x maximaal gevolg {worst}",
                    "= P(shortfall) {p} x maximum consequence {worst}"),
    "term.ratio": ("weerstandsratio", "weerstandsratio"),
    "term.ratio_is": ("klasse {cls} ({word}), beschikbaar {cap}", "class {cls} ({word}), available {cap}"),
    "term.header": ("{paths} paden, startgetal {seed}; netto besparing van alle posten t.o.v. de uitgaven zonder de "
               "maatregelen, {level} [EUR]",
               "{paths} paths, seed {seed}; net savings of all posts against spending without the measures, "
               "{level} [EUR]"),
    "term.year": ("jaar", "year"), "term.mean": ("gemiddeld", "mean"), "term.goal_col": ("taakstelling", "target"),
    "term.p_met": ("kans gehaald", "P(target met)"), "term.p_within": ("kans binnen budget", "P(within budget)"),
    "term.each_goal": ("elke taakstelling en elk budget, op de eigen posten, grondslag en prijspeil "
                       "(P50 en P5-P95: wat het doel beoordeelt, op die grondslag):",
                  "every target and budget, on its own scope, basis and price level (P50 and P5-P95: what the goal "
                  "judges, on that basis):"),
    "term.judged_target": ("beoordeeld: besparing op deze grondslag", "judged: savings on this basis"),
    "term.judged_budget": ("beoordeeld: uitgaven", "judged: spending"),
    "term.reserve90": ("reserve (90%)", "reserve (90%)"),
    "term.programme": ("benodigde reserve, alle doelen", "needed reserve, every goal"),
    "term.programme_is": ("(alle doelen en jaren samen, overlappende doelen één keer geteld)",
                     "(all goals and years together, overlapping goals counted once)"),
    "term.programme_line": ("benodigde reserve voor alle doelen en jaren samen (90% zeker, overlappende "
                            "doelen één keer geteld): {need}",
                       "needed reserve for every goal and year together (90% certain, overlapping goals counted "
                       "once): {need}"),
    "term.hardest": ("moeilijkste doel: {goal} in {year}", "hardest goal: {goal} in {year}"),
    "term.reading_line": ("lezing {id}{literal}: {name}", "reading {id}{literal}: {name}"),
    "term.literal": (" (letterlijk)", " (literal)"),
    "term.readings": ("lezingen van het document naast elkaar (dezelfde toevalsgetallen; * = de letterlijke lezing):",
                 "readings of the document side by side (the same random numbers; * = the literal reading):"),
    "term.goal": ("doel", "goal"), "term.every_year": ("elk jaar", "every year"),
    "term.reserve_every": ("reserve, alle doelen (90%)", "reserve, every goal (90%)"),
    "term.reserve_goals": ("reserve (90%)", "reserve (90%)"),
    "term.goals_head": ("elk doel op de eigen grondslag: kans gehaald in elk jaar; de reserve voor alle doelen samen",
                   "every goal on its own basis: P(met in every year); the reserve for every goal together"),
    "term.target_line": ("taakstelling {id} [{scope}], {basis}:", "target {id} [{scope}], {basis}:"),
    "term.basis_base_year": ("besparing t.o.v. de uitgaven in het basisjaar", "savings against base-year spending"),
    "term.basis_net": ("netto besparing", "net savings"),
    "term.budget_line": ("budget {id} [{scope}], uitgaven met maatregelen en groei:",
                    "budget {id} [{scope}], spending with measures and growth:"),
    "term.met": ("kans gehaald", "P(met)"), "term.within": ("kans binnen", "P(within)"),
    "term.as_above": ("bandbreedte: zie de tabel hierboven", "range: see the table above"),
    "term.all_years": ("alle jaren samen: {p}", "every year together: {p}"),
    "term.legend": ("± is de Monte Carlo-standaardfout in procentpunten (pp); < x% of > x%: geen enkel pad kwam "
               "erover of eronder, x is de 95%-grens; P5-P95 is de 90%-bandbreedte.",
               "± is the Monte Carlo standard error in percentage points (pp); < x% or > x%: no path crossed, "
               "x is the 95% bound; P5-P95 is the 90% range."),
    "term.mean_error": ("Monte Carlo-fout van de gemiddelde besparing: hoogstens {e} (standaardfout).",
                   "Monte Carlo error of the mean savings: at most {e} (standard error)."),
    "term.detail": ("per maatregel, gemiddelde over de paden [EUR]: bruto besparing / kosten",
               "per measure, mean over paths [EUR]: gross savings / costs"),
    "term.measure": ("maatregel", "measure"), "term.part": ("deel", "part"),
    "term.unbounded": ("onbegrensd", "unbounded"),
    "term.compare_head": ("{name}: {paths} paden, startgetal {seed}, dezelfde toevalsgetallen voor elke variant; "
                     "netto besparing {year} [EUR]",
                     "{name}: {paths} paths, seed {seed}, the same random numbers for every variant; net savings "
                     "{year} [EUR]"),
    "term.variant": ("variant", "variant"), "term.change": ("verschil gemiddelde", "change of mean"),
    "term.base": ("basis", "basis"),
    "term.saved": ("opgeslagen: {path}", "saved: {path}"),
    "term.computing": ("rekent", "computing"), "term.simulating": ("simuleert", "simulating"),
    "term.precision": ("--precision {precision}: {paths} paden, tot de standaardfout van elke kans eronder lag",
                       "--precision {precision}: {paths} paths until every probability's standard error was below it"),
    "term.no_capacity": ("tekort, reserve bij 90% zekerheid en weerstandsratio: geef --weerstandscapaciteit EUR (of "
                         "zie taaksim report)",
                         "shortfall, reserve at 90% and weerstandsratio: add --weerstandscapaciteit EUR (or see "
                         "taaksim report)"),
    "term.prices_of": ("{basis}, {level}", "{basis}, {level}"),
    # --- taaksim validate (cli/validate.py) ---
    "term.valid": ("{file}: geldig: {items}", "{file}: valid: {items}"),
    "term.post.1": ("post", "post"), "term.post.n": ("posten", "posts"),
    "term.measure.1": ("maatregel", "measure"), "term.measure.n": ("maatregelen", "measures"),
    "term.input.1": ("onzekere invoergrootheid", "uncertain input"),
    "term.input.n": ("onzekere invoergrootheden", "uncertain inputs"),
    "term.target.1": ("taakstelling", "target"), "term.target.n": ("taakstellingen", "targets"),
    "term.budget.1": ("budget", "budget"), "term.budget.n": ("budgetten", "budgets"),
    # --- run/report --realised, taaksim seek and monitor (cli/monitor.py) ---
    "note.correlated": ("{measure}: het besluit legt de doorgang vast; invoer die ermee samenhangt houdt de "
                        "geplande verdeling (een besluit wordt vastgelegd, niet waargenomen)",
                        "{measure}: the decision fixes its go-ahead; inputs correlated with it keep their planned "
                        "distribution (a decision is set, not observed)"),
    "note.dropped": ("{measure}: besloten 'nee' en zeker in het plan: weggelaten, met de kosten",
                     "{measure}: decided 'no' and certain in the plan: left out with its costs"),
    "note.early": ("{measure}: {years} jaar vóór de geplande start begonnen; telt als op tijd (het model kent geen "
                   "vroege start)",
                   "{measure}: started {years} years before its planned start; counted as on time (the model has "
                   "no early start)"),
    "note.start": ("{measure}: de start {start} is vastgelegd, maar het scenario geeft de maatregel geen onzekere "
                   "vertraging, dus de datum verandert de cijfers niet",
                   "{measure}: start {start} is recorded but the scenario gives it no uncertain delay, so the date "
                   "does not move its figures"),
    "note.small_ess": ("effectieve steekproefomvang {ess} van {n} paden is klein: de waarnemingen laten weinig "
                       "paden over; gebruik meer --paths (of controleer de cijfers en hun fouten)",
                       "effective sample size {ess} of {n} paths is small: the observations leave few paths; use "
                       "more --paths (or check the figures and their errors)"),
    "term.decision.1": ("besluit", "decision"), "term.decision.n": ("besluiten", "decisions"),
    "term.observation.1": ("waarneming", "observation"), "term.observation.n": ("waarnemingen", "observations"),
    "term.cond_given": ("gegeven de gerealiseerde cijfers van {date} ({file}): {decisions} zeker gemaakt, "
                        "{observations} die de paden wegen",
                        "given the realised figures of {date} ({file}): {decisions} made certain, "
                        "{observations} weighing the paths"),
    "term.cond_paths": ("{paths} paden, startgetal {seed}; effectieve steekproefomvang {ess} (de gewogen paden zijn "
                        "evenveel waard als zoveel gelijke)",
                        "{paths} paths, seed {seed}; effective sample size {ess} (the weighted paths are worth that "
                        "many equal ones)"),
    "term.cond_table": ("netto besparing [EUR], plan -> gegeven de gerealiseerde cijfers:",
                        "net savings [EUR], plan -> given the realised figures:"),
    "term.p50_plan": ("P50 plan", "P50 plan"),
    "term.mean_se": ("gemiddeld ± fout", "mean ± se"),
    "term.cond_goals": ("elke taakstelling en elk budget: kans gehaald in het plan -> gegeven de gerealiseerde "
                        "cijfers (± standaardfout):",
                        "each target and budget: P(met) in the plan -> given the realised figures (± standard "
                        "error):"),
    "term.note": ("opmerking: {text}", "note: {text}"),
    "term.warning": ("waarschuwing: {text}", "warning: {text}"),
    "term.seek_top": ("{name}: {paths} paden, startgetal {seed}", "{name}: {paths} paths, seed {seed}"),
    "term.seek_given": (", gegeven {file}", ", given {file}"),
    "term.seek_head": ("doelzoeken, {what} {goal} [{scope}] {year} (bedrag {amount}), {c} zeker:",
                       "goal seek, {what} {goal} [{scope}] {year} (amount {amount}), {c} certain:"),
    "term.seek_extra": ("extra netto besparing of reserve nodig", "extra net savings or reserve needed"),
    "term.seek_met.target": ("bedrag gehaald met {c} zekerheid", "amount met with {c} certainty"),
    "term.seek_met.budget": ("plafond gehouden met {c} zekerheid", "ceiling kept with {c} certainty"),
    "term.seek_what.target": ("besparing", "savings"),
    "term.seek_what.budget": ("uitgaven", "spending"),
    "term.seek_measure": ("{id}: het effect moet {k} x het gesimuleerde worden ({interval} {lo} .. {hi}), gemiddeld "
                          "{need} in plaats van {mean} in {year}",
                          "{id}: its effect must reach {k} x the simulated one ({interval} {lo} .. {hi}), a mean of "
                          "{need} instead of {mean} in {year}"),
    "term.seek_unreachable": ("{id}: geen effect van deze maatregel alleen haalt {c} zekerheid (op te veel paden "
                              "gaat zij niet door of bespaart zij niets op de posten van dit doel)",
                              "{id}: no effect of this measure alone reaches {c} certainty (on too many paths it "
                              "does not go ahead or saves nothing in this goal's scope)"),
    "term.mon_head": ("{name}: prognose voor {year} op elk rapportagemoment; {paths} paden, startgetal {seed}, op "
                      "elk moment dezelfde toevalsgetallen",
                      "{name}: forecast for {year} at each reporting moment; {paths} paths, seed {seed}, the same "
                      "random numbers at every moment"),
    "term.mon_headline": ("hoofddoel: {what} {goal} ({amount})", "headline: {what} {goal} ({amount})"),
    "term.moment": ("moment", "moment"), "term.plan": ("plan", "plan"),
    "term.reserve90_col": ("reserve 90%", "reserve 90%"),
    "term.median_savings": ("mediane besparing", "median savings"),
    "term.ess": ("eff. paden", "ESS"),
    "term.mon_moved": ("{moment}: het meest bewogen door", "{moment}: moved most by"),
    "term.mon_delta_p": ("kans gehaald {dp} pp, ", "P(met) {dp} pp, "),
    "term.mon_delta": ("reserve {reserve}, mediaan {median}", "reserve {reserve}, median {median}"),
    "term.mon_legend": ("± is de Monte Carlo-standaardfout (importancegewichten: deltamethode); elke verandering is "
                        "het cijfer met het feit min het cijfer zonder het feit",
                        "± is the Monte Carlo standard error (importance weights: delta method); each change is the "
                        "figure with the fact minus without it"),
    "term.fact.decision": ("besluit {id}: {yes}{start}", "decision {id}: {yes}{start}"),
    "term.fact.from": (" vanaf {date}", " from {date}"),
    "term.fact.yes": ("ja", "yes"), "term.fact.no": ("nee", "no"),
    "term.fact.input": ("invoer {id}: {value} ±{sd}", "input {id}: {value} ±{sd}"),
    "term.fact.effect": ("effect", "effect"),
    "term.fact.spending": ("uitgaven", "spending"),
    "term.fact.share": (" ({share} van het jaar)", " ({share} of the year)"),
    "term.row": ("regel", "row"),
    # --- taaksim optimise / choose (cli/optimise.py) ---
    "term.opt_head": ("{name}: keuze uit {pool} maatregelen ({plan} in het plan, {cands} kandidaat of "
                      "kandidaten); {paths} paden, startgetal {seed}, dezelfde toevalsgetallen voor elk pakket",
                      "{name}: choosing among {pool} measures ({plan} in the plan, {cands} candidate(s)); {paths} "
                      "paths, seed {seed}, the same random numbers for every package"),
    "term.opt_objective.chance": ("maximaliseer de kans dat elk doel gehaald wordt", "maximise P(every goal met)"),
    "term.opt_objective.reserve": ("minimaliseer de reserve", "minimise the reserve"),
    "term.opt_goal": ("doel: {objective} (reserve bij {c} voor {goal} {year}); budget {budget} (verwachte "
                      "invoeringskosten over de looptijd)",
                      "objective: {objective} (reserve at {c} for {goal} {year}); budget {budget} (expected "
                      "implementation costs over the horizon)"),
    "term.opt_method": ("methode: {method}", "method: {method}"),
    "term.opt_method.proved": ("milp (bewezen optimaal op het lineaire model)",
                               "milp (proved optimal on the linear model)"),
    "term.opt_method.limit": ("milp (tijdslimiet: beste gevonden) en heuristiek",
                              "milp (time limit: best found) and heuristic"),
    "term.opt_method.heuristic": ("heuristiek", "heuristic"),
    "term.opt_chosen": ("gekozen ({name}): kans dat elk doel gehaald wordt {p}, reserve {reserve}, kosten {cost}",
                        "chosen ({name}): P(every goal met) {p}, reserve {reserve}, cost {cost}"),
    "term.opt_vs_plan": ("t.o.v. het plan: erbij {added}; eraf {dropped}",
                         "against the plan: add {added}; drop {dropped}"),
    "term.nothing": ("niets", "nothing"),
    "term.opt_linear": ("het lineaire model gaf een kans van {lin}, hersimulatie {sim} (maatregelen op dezelfde post "
                        "tellen niet zomaar op)",
                        "linear model said P {lin}, re-simulation {sim} (measures on the same post do not simply add "
                        "up)"),
    "term.opt_fresh": ("op nieuwe paden (startgetal {seed}): kans dat elk doel gehaald wordt {p}{plan} (vrij van de "
                       "selectie op de paden hierboven)",
                       "on fresh paths (seed {seed}): P(every goal met) {p}{plan} (free of the selection on the paths "
                       "above)"),
    "term.opt_fresh_plan": (", het plan {p}", ", the plan {p}"),
    "term.package": ("pakket", "package"), "term.cost": ("kosten", "cost"),
    "term.p_every_goal": ("kans elk doel", "P(every goal)"), "term.reserve": ("reserve", "reserve"),
    "term.linear_p": ("lineair", "linear P"),
    "term.opt_more": ("  ... nog {n} enkele wijzigingen (--json geeft ze alle)",
                      "  ... {n} more single changes (--json lists all)"),
    "term.opt_pareto": ("Paretofront, kosten tegen kans:", "Pareto front, cost against chance:"),
    "term.budget_col": ("budget", "budget"), "term.measures": ("maatregelen", "measures"),
    "term.opt_costs": ("kosten per maatregel [EUR, verwacht over de looptijd]: ",
                       "costs per measure [EUR, expected over the horizon]: "),
    "term.opt_with": ("met {id}", "with {id}"), "term.opt_without": ("zonder {id}", "without {id}"),
    "term.opt_name.milp": ("milp", "milp"), "term.opt_name.heuristic": ("heuristiek", "heuristic"),
    # --- taaksim bench (cli/bench.py) ---
    "term.bench_head": ("{scenario}: {paths} paden, engine {engine}, mediaan van {repeat}",
                        "{scenario}: {paths} paths, {engine} engine, median of {repeat}"),
    "term.bench_floor": ("  ondergrens   {s} s   {variates} toevalsgetallen getrokken door alleen {generator} "
                         "(één thread; cpu {cpu} s)",
                         "  floor        {s} s   {variates} variates drawn by {generator} alone (one thread; cpu "
                         "{cpu} s)"),
    "term.bench_run": ("  run, {t} thr.  {s} s   {pps} paden/s   verhouding {ratio}   (cpu {cpu} s, {cpu_ratio} x "
                       "die van de ondergrens)",
                       "  run, {t} thr.  {s} s   {pps} paths/s   floor ratio {ratio}   (cpu {cpu} s, {cpu_ratio} x "
                       "the floor's)"),
    "term.engine_note": ("taaksim: de numpy-engine rekent dit ({why})", "taaksim: the numpy engine runs this ({why})"),
    "term.bench_engine": ("  engine       numpy: {note}", "  engine       numpy: {note}"),
    # why the numpy engine runs (run/streaming.py's engine_used, English there; the terminal reads them back)
    "engine.auto": ("auto: de numpy-engine onder {paths} paden", "auto: the numpy engine below {paths} paths"),
    "engine.missing": ("numba is niet geïnstalleerd", "numba is not installed"),
    "engine.sampling": ("de kernel trekt alleen gewone Monte Carlo, niet {sampling}",
                        "the kernel draws plain Monte Carlo only, not {sampling}"),
    "engine.detail": ("het detail per maatregel komt alleen uit de numpy-engine",
                      "the detail per measure comes from the numpy engine only"),
    "engine.declined": ("de kernel draait niet: {why}", "the kernel does not run {why}"),
    "term.bench_ratio": ("  verhouding = run / ondergrens, beide medianen over dezelfde herhalingen; het doel is "
                         "hoogstens 2,5 op één thread en 1,6 op twee",
                         "  floor ratio = run / floor, both medians over the same repeats; the goal is at most 2.5 "
                         "on one thread and 1.6 on two"),
    "term.bench_memory": ("  piekgeheugen {mb} MB  (resident, hele proces)",
                          "  peak memory  {mb} MB  (resident, whole process)"),
    # --- taaksim register and report --register (report/register.py) ---
    "term.reg_line": ("  kans {p} (klasse {pc}) x gevolg {worst} (klasse {wc}) = {le}{amount}; risicoscore {score}; "
                      "verwacht tekort {es}, benodigd 90% zeker {need}",
                      "  chance {p} (class {pc}) x consequence {worst} (class {wc}) = {le}{amount}; score {score}; "
                      "expected shortfall {es}, needed 90% certain {need}"),
    "reg.description.target": ("De taakstelling {year} van {scope} ({amount}) wordt niet gehaald",
                               "The savings target {year} of {scope} ({amount}) is not met"),
    "reg.description.budget": ("Het budget {year} van {scope} ({amount}) wordt overschreden",
                               "The budget {year} of {scope} ({amount}) is exceeded"),
    "reg.cause.target": ("maatregelen leveren later of minder op dan gepland, of de vraag groeit sneller",
                         "measures deliver later or less than planned, or demand grows faster"),
    "reg.cause.budget": ("uitgaven groeien sneller dan de maatregelen besparen",
                         "spending grows faster than the measures save"),
    "reg.effect": ("tekort op de begroting dat uit de weerstandscapaciteit gedekt moet worden",
                   "a budget shortfall to be covered from the risk reserve"),
    "reg.source": ("taaksim, {scenario}", "taaksim, {scenario}"),
    "reg.sheet": ("Risicoregister", "Risk register"),
    # --- taaksim check (results/check.py's format_text; the JSON keeps the English words) ---
    "check.head": ("controle: {scenario}", "check: {scenario}"),
    "check.row": ("gepubliceerd {published}  berekend {computed}", "published {published}  computed {computed}"),
    "check.field.effect": ("effect", "effect"), "check.field.cost": ("kosten", "cost"),
    "check.field.net": ("netto", "net"),
    "check.measure": ("maatregel {id}", "measure {id}"),
    "check.total": ("totaal (som van de maatregelen alleen)", "total (sum of measures alone)"),
    "check.total_law": ("totaal {law} (som van de eigen maatregelen alleen)",
                        "total {law} (sum of its measures alone)"),
    "check.group": ("groep {name} (som van de {n} eigen maatregelen alleen)",
                    "group {name} (sum of its {n} measures alone)"),
    "check.table": ("de tabel", "table"),
    # the marks of the classes, four characters each
    "check.mark.reproduced": ("ok  ", "ok  "), "check.mark.by construction": ("=in ", "=in "),
    "check.mark.derived": ("afg ", "der "), "check.mark.document inconsistency": ("doc ", "doc "),
    "check.mark.failed": ("FOUT", "FAIL"),
    "check.marks": ("  tekens: ok = nagerekend uit de grondslagen van het document, =in = gelijk per constructie (het "
                    "gedrukte cijfer is de invoer van het scenario), afg = afgeleid (niet gedrukt), doc = "
                    "tegenstrijdigheid in het document, FOUT = mislukt",
                    "  marks: ok = reproduced from the document's drivers, =in = equal by construction (the printed "
                    "figure is the scenario's input), der = derived (not printed), doc = document inconsistency, "
                    "FAIL = failed"),
    "check.year": ("jaar", "year"),
    "check.alone": ("som van de maatregelen alleen", "sum of measures alone"),
    "check.package": ("pakket (met samenloop)", "package (with interactions)"),
    "check.loss": ("verlies door samenloop", "interaction loss"),
    "check.summary": ("{printed} verschillende gedrukte cijfers: {reproduced} nagerekend, {construction} per "
                      "constructie, {inconsistent} tegenstrijdigheden in het document, {failed} mislukt; {derived} "
                      "afgeleid (niet gedrukt): {verdict}",
                      "{printed} distinct printed figures: {reproduced} reproduced, {construction} by construction, "
                      "{inconsistent} document inconsistencies, {failed} failed; {derived} derived (not printed): "
                      "{verdict}"),
    "check.ok": ("OK", "OK"), "check.not_ok": ("NIET OK", "NOT OK"),
    "check.explains": ("toelichting: {text}", "explains: {text}"),
    "check.excuse": ("opgegeven excuus: {text}", "excuse given: {text}"),
    # the notes of a figure, written in English in the JSON (results/check.py); the terminal reads them back
    "check.note.inconsistency": ("tegenstrijdigheid in het document: {text}", "document inconsistency: {text}"),
    "check.note.differs": ("wijkt {d} af", "differs by {d}"),
    "check.note.derived_differs": ("afgeleid cijfer wijkt {d} af", "derived figure differs by {d}"),
    "check.note.row": ("gedrukt netto {n}{wn} != gedrukt effect {e}{we} - gedrukte kosten {k}{wk} = {d}",
                       "printed net {n}{wn} != printed effect {e}{we} - printed cost {k}{wk} = {d}"),
    "check.note.followed": ("{ver} {p}{w}{q} spreekt {fver} {fp}{fw}{fq} tegen, en het scenario volgt het laatste",
                            "{ver} {p}{w}{q} contradicts {fver} {fp}{fw}{fq}, which the scenario follows"),
    "check.note.table": ("{ver} {p}{w}{q} spreekt de tabel {tp}{tw} tegen",
                         "{ver} {p}{w}{q} contradicts the table {tp}{tw}"),
    "check.note.repeats": ("{ver}{w} herhaalt het tabelcijfer, dat een andere gedrukte versie tegenspreekt",
                           "{ver}{w} repeats the table figure, which contradicts another printed version"),
    "check.note.inherited": ("het gedrukte totaal telt gedrukte regels op die een andere gedrukte versie tegenspreken "
                             "({rows}); het verschil {d} komt van hen",
                             "the printed total adds up printed rows that contradict another printed version "
                             "({rows}); the difference {d} is theirs"),
    "check.note.rows": ("het gedrukte totaal {p}{w} wijkt af van de som van de eigen gedrukte regels {s}",
                        "the printed total {p}{w} differs from the sum of its printed rows {s}"),
    "check.note.net_follows": ("het gedrukte netto volgt het gedrukte effect en de gedrukte kosten van de eigen regel, "
                               "waarvan er een een andere versie tegenspreekt",
                               "the printed net follows the printed effect and cost of its row, one of which "
                               "contradicts another version"),
}
