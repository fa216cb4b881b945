"""Pure domain model: no SQL, files or UI."""

from qualkit.model.codebook import Code, Codebook
from qualkit.model.corpus import UNCODED_KINDS, Document, Participant, Segment, SegmentKind

__all__ = ["UNCODED_KINDS", "Code", "Codebook", "Document", "Participant", "Segment", "SegmentKind"]
