"""REFI-QDA exchange (.qdpx projects, .qdc codebooks) with NVivo, ATLAS.ti, MAXQDA and QualCoder."""
