"""Pipeline stages. Each module is one stage with one small interface; stages
import only the data model (and the registry), never the store or each other's
internals."""
