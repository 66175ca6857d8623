"""Record: what one report says happened -- type, actors, place, date, counts.

- :mod:`.build` -- one article's record with every field traced to its sentences
- :mod:`.eventtype` -- PLOVER / ACLED event types (``eventtype.linear.v1``)
- :mod:`.actors` -- actor phrases and their roles
- :mod:`.counts` -- casualty and participant counts
- :mod:`.background` -- earlier events an article recalls, recorded apart
"""
