"""Pipeline stages. Each module (or sub-package) is one stage with one small interface.

Stages import only the data model (:mod:`storyline.model`) and, where one
stage builds on another's output, that stage's module; never the store, the
engine or the registry. The registry builds them by the names listed in
:mod:`storyline.registrations`.
"""
