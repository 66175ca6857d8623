"""Analyse: places. Toponyms recognised in an article and resolved offline.

- :mod:`.places` -- the geoparser stage (``geoparser.geonames.v*``): recognition, candidates, choice
- :mod:`.context` -- what the rest of an article says about where it happens
- :mod:`.gazetteer` -- the offline gazetteer (a built-in seed plus an imported GeoNames dump)
- :mod:`.spans` -- the fitted span model that decides which names are places
- :mod:`.ranker` -- the fitted ranker that chooses among a name's candidates
"""
