"""One write path for every record, whatever the door it came through.

Each kind of record has one typed input (`TestimonyInput`, `AgentInput`, …) with one `check()`
holding every rule of that kind and one `apply()` that writes it. The archivist's forms, the JSON
and CSV imports, restore, the seed loader and the command line all build these inputs and save
them with `save()`; a refusal is one `Rejected` carrying problems keyed by field path.
"""

from .agents import AgentInput
from .claims import ClaimInput, CorroborationInput
from .collections import CollectionInput
from .context import StaleEdit, WriteContext, slugify
from .places import OccasionInput, PlaceInput
from .problems import Problem, Problems, Rejected, json_path
from .records import MODELS, check, save, save_new
from .segments import SegmentInput
from .sources import SourceInput
from .testimonies import TestimonyInput
from .users import UserInput

__all__ = [
    "AgentInput", "ClaimInput", "CollectionInput", "CorroborationInput", "MODELS", "OccasionInput", "PlaceInput", "Problem",
    "Problems", "Rejected", "SegmentInput", "SourceInput", "StaleEdit", "TestimonyInput", "UserInput",
    "WriteContext", "check", "json_path", "save", "save_new", "slugify",
]
