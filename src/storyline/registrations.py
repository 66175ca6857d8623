"""The one table of registered components: every versioned name and what builds it.

A name is ``<stage>.<implementation>.v<N>`` and always means the same thing:
never change what a ``.v1`` does, add a ``.v2``. Each row says where the
factory lives (``module:attribute``, imported only when the component is
built, so listing names imports no stage) and which bundled parameter files it
reads (their sha256 is recorded with every run, so a stored run says exactly
what produced it). Stages do not import the registry; only this table knows
them.

To add a component: write its class (and a factory taking the resolved
:class:`~storyline.settings.Options`) in its stage module, add a row here, and
select it with ``--set <stage>=<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pipeline.readers.formats import FORMATS

__all__ = ["Registration", "REGISTRATIONS"]


@dataclass(frozen=True)
class Registration:
    name: str
    #: ``package.module:attribute`` (dotted attributes allowed, e.g. ``Class.from_options``); it takes the
    #: resolved options and returns the component
    factory: str
    #: bundled parameter files (under ``storyline/pipeline/params/``) the component reads
    params: tuple[str, ...] = ()
    help: str = ""


_P = "storyline.pipeline"

REGISTRATIONS: tuple[Registration, ...] = (
    # readers: one per input format, from the format table (pipeline/readers/formats.py)
    *(Registration(f.reader, f.factory, help=f.description) for f in FORMATS),
    # dedup: exact fingerprints, then MinHash/LSH near-duplicates
    Registration("dedup.minhash.v1", f"{_P}.dedup:_minhash", help="exact fingerprints + MinHash/LSH over word 4-grams"),
    # analyse
    Registration("embedder.use-multilingual.v1", f"{_P}.embed:_use", help="Universal Sentence Encoder, multilingual, numpy"),
    Registration("embedder.minilm-int8.v1", f"{_P}.embed:_minilm", help="English MiniLM, int8 ONNX"),
    Registration("embedder.hashing.v1", f"{_P}.embed:_hashing", help="hashed word and character n-grams (no model)"),
    Registration("entities.spacy-en.v1", f"{_P}.entities:_spacy", help="spaCy en_core_web_sm named entities"),
    Registration("dates.rules.v1", f"{_P}.dates:_rules", help="date expressions resolved against the publication date"),
    Registration("quotes.rules.v1", f"{_P}.quotes:_rules", help="quotes with their speakers, attributions with their sources"),
    Registration("geoparser.geonames.v1", f"{_P}.geo.places:_geonames", help="gazetteer look-up with hand priors"),
    Registration("geoparser.geonames.v2", f"{_P}.geo.places:_geonames_v2", ("geoparser-spans-v1.json",),
                 help="v1 with the fitted span model"),
    Registration("geoparser.geonames.v3", f"{_P}.geo.places:_geonames_v3", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v2 with the fitted candidate ranker"),
    Registration("geoparser.geonames.v4", f"{_P}.geo.strict:_geonames_v4", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v3 with entity labels limiting candidates, person-name parts and tags dropped, weak names needing evidence"),
    Registration("geoparser.geonames.v5", f"{_P}.geo.strict:_geonames_v5", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v4 where an organisation or facility is not a small town the text does not place (White House, Tennessee)"),
    Registration("geoparser.geonames.v6", f"{_P}.geo.origins:_geonames_v6", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v5 where an actor's origin ('Russian forces') is no evidence of place, enclosing names place unknown "
                      "ones, 'X University' is not the town X, a US county is in the state the article names"),
    Registration("geoparser.geonames.v7", f"{_P}.geo.followers:_geonames_v7", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v6 where the names after a place ('X, Y, Z', 'X in Y', 'X town in Y') in one country place it there"),
    Registration("geoparser.geonames.v8", f"{_P}.geo.enclosed:_geonames_v8", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v7 where names in parentheses after a name are places, the names after a place are read through "
                      "parentheses, and an unresolved name is placed at them"),
    Registration("geoparser.geonames.v9", f"{_P}.geo.regions:_geonames_v9", ("geoparser-spans-v1.json", "geoparser-ranker-v1.json"),
                 help="v8 where world regions ('the Middle East') are regions with no country, not towns, and an "
                      "organisation's acronym ('(GAO)') is no place"),
    # cluster and link
    Registration("clusterer.online.v1", f"{_P}.cluster.online:OnlineClustererV1.from_options", ("clusterer-online-v1.json",),
                 help="online logistic join model"),
    Registration("clusterer.online.v2", f"{_P}.cluster.online:OnlineClustererV2.from_options", ("clusterer-online-v2.json",),
                 help="v1 with detail features and a second pass"),
    Registration("clusterer.online.v3", f"{_P}.cluster.online:OnlineClustererV3.from_options", ("clusterer-online-v3.json",),
                 help="v2 with its own event model for the second pass"),
    Registration("clusterer.online.v4", f"{_P}.cluster.online:OnlineClustererV4.from_options", ("clusterer-online-v3.json",),
                 help="v3 with IDF weights per batch and a second pass bounded to the batch's events"),
    Registration("clusterer.online.v5", f"{_P}.cluster.online_v5:OnlineClustererV5.from_options", ("clusterer-online-v3.json",),
                 help="v4 whose second pass moves only the reports of the events the batch touched"),
    Registration("linker.stories.v1", f"{_P}.link:_linker", help="events to stories by a looser rule over a longer window"),
    Registration("linker.continuation.v2", f"{_P}.link_v2:_continuation", ("linker-continuation-v2.json",),
                 help="events to the story they continue: closest-event cosine, entities, terms, gap; fitted logistic"),
    Registration("linker.continuation.v3", f"{_P}.link_v3:_neighbours", ("linker-continuation-v3.json",),
                 help="events to the story whose closest events they continue (entities, persons, places, terms, "
                      "cosine, days); no size term; fitted logistic"),
    Registration("linker.continuation.v4", f"{_P}.link_v4:_core", ("linker-continuation-v4.json",),
                 help="v3, and an event must continue the story's core: its central events and the keys most of its "
                      "events share (a story cannot drift event by event); fitted logistic"),
    # record
    Registration("relays.attribution.v1", f"{_P}.relays:_attribution",
                 help="reports that cite one outlet's report are relays of it"),
    Registration("eventtype.linear.v1", f"{_P}.record.eventtype:_linear", ("eventtype-linear-v1.json",),
                 help="PLOVER / ACLED event types, linear model over word n-grams"),
    Registration("comparer.facts.v1", f"{_P}.compare:_facts",
                 help="claims aligned into facts by embeddings and slots; agreed / single / contested, framing terms"),
    Registration("comparer.facts.v2", f"{_P}.compare:_facts_v2",
                 help="v1 with a one-to-one matching of two reports' claims and rare entities as a slot"),
    Registration("comparer.facts.v3", f"{_P}.compare:_facts_v3",
                 help="v2 with no claims from page furniture (datelines, bylines, time stamps, credits) and v3 conflict rules"),
    Registration("comparer.facts.v4", f"{_P}.compare:_facts_v4",
                 help="v3 with any two days as one slot, no amounts in names or addresses, parts and sums no rivals, the closest conflict"),
    Registration("comparer.facts.v5", f"{_P}.compare:_facts_v5",
                 help="v4 whose facts show every conflict, and conflicts between two wordings of one act sharing a slot"),
    Registration("comparer.facts.v6", f"{_P}.compare:_facts_v6", ("comparer-facts-v6.json",),
                 help="v5 whose slot pairs must share the words around their values (no forecasts), sums and shares "
                      "of one fact compared with a fitted word overlap"),
    Registration("comparer.facts.v7", f"{_P}.compare:_facts_v7", ("comparer-facts-v7.json",),
                 help="v6 whose sums and shares of one fact may share the words naming what they measure, actors "
                      "compared by name, no forecast among a claim's values"),
    Registration("kind.linear.v1", f"{_P}.record.kind:_linear", ("kind-linear-v1.json",),
                 help="event kind (politics, conflict, economy, health, ...; IPTC top level), linear model over word n-grams"),
    Registration("recorder.agreement.v1", f"{_P}.recorder:_agreement",
                 help="record fields chosen by agreement across independent sources, earlier events recalled"),
    Registration("recorder.agreement.v2", f"{_P}.recorder:_agreement_v2",
                 help="v1 with the event kind first: PLOVER and ACLED types only for conflict, crime and politics"),
    Registration("recorder.agreement.v3", f"{_P}.recorder:_agreement_v3",
                 help="v2 where an uncertain kind gives no event type, and people in general news are not civilians"),
    Registration("recorder.agreement.v4", f"{_P}.recorder:_agreement_v4",
                 help="v3 reading words with their object: no RETREAT for a released report, no bare 'force' or 'people' actor"),
    Registration("recorder.agreement.v5", f"{_P}.recorder:_agreement_v5",
                 help="v4 where a reporting outlet, a party adjective, a past year, a cumulative toll or a column is no part of the event"),
    Registration("recorder.agreement.v6", f"{_P}.recorder:_agreement_v6",
                 help="v5 with one key per body (acronyms, 'U.S.' names), seats of government as governments, no group words or protest without demonstrators"),
    Registration("recorder.agreement.v7", f"{_P}.recorder:_agreement_v7",
                 help="v6 where a country as a policy's topic ('China competitiveness legislation') and a capital as its "
                      "government ('Washington removed sanctions') are not where, and a region with no country is wider than one"),
    # summaries and timelines
    Registration("summariser.cited.v1", f"{_P}.summarise:_cited", ("summariser-cited-v1.json",),
                 help="extractive event summaries: agreed sentences first, every sentence cited"),
    Registration("summariser.cited.v2", f"{_P}.summarise_v2:_cited_v2", ("summariser-cited-v1.json",),
                 help="v1 without cut-off or dangling sentences, the comparison's agreed facts first, a short title"),
    Registration("timeliner.datewise.v1", f"{_P}.timeline:_datewise", ("timeliner-datewise-v1.json",),
                 help="DATEWISE: dates by mention and publication counts, a centroid summary per date"),
)
